#!/usr/bin/env python3
"""The tutorial's chapter 2 procedure in numpy, the baseline beside bench/linear01_sizes.sh: logistic regression with
one logit (nn.Linear(784, 1) initialized uniform in +-1/28), BCE-with-logits averaged over batches of 100, SGD at
lr 1, 10 epochs, shuffled each epoch; then the exact worst-case error at eps 0.2 (unclipped), where the optimal
perturbation is -y * eps * sign(w) and the logit moves by eps * ||w||_1. Prints one CSV line per (size, seed)."""
import argparse
import gzip

import numpy as np


def load(directory, kind):
    with gzip.open(f"{directory}/{kind}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
    with gzip.open(f"{directory}/{kind}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    keep = y <= 1
    return x[keep], y[keep].astype(float)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--test-kind", default="t10k")
    ap.add_argument("--sizes", default="100 200 400 800 all")
    ap.add_argument("--seeds", default="1 2 3")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--eps", type=float, default=0.2)
    a = ap.parse_args()
    xtr, ytr = load(a.train, "train")
    xte, yte = load(a.test, a.test_kind)
    sign = 2 * yte - 1
    for size in a.sizes.split():
        n = len(ytr) if size == "all" else int(size)
        x, y = xtr[:n], ytr[:n]
        for seed in a.seeds.split():
            rng = np.random.default_rng(int(seed))
            w, b = rng.uniform(-1 / 28, 1 / 28, 784), rng.uniform(-1 / 28, 1 / 28)
            for _ in range(a.epochs):
                order = rng.permutation(n)
                for i in range(0, n, 100):
                    j = order[i:i + 100]
                    g = (1 / (1 + np.exp(-(x[j] @ w + b))) - y[j]) / len(j)
                    w -= a.lr * x[j].T @ g
                    b -= a.lr * g.sum()
            z = xte @ w + b
            clean = np.mean((z > 0) != (yte == 1))
            worst = np.mean(sign * z - a.eps * np.abs(w).sum() <= 0)
            print(f"{size},{seed},{a.epochs},{a.lr},{clean:.4f},{worst:.4f}")


if __name__ == "__main__":
    main()
