#!/usr/bin/env python3
"""The PyTorch side of bench/train_benchmark.sh: one epoch of standard, PGD-10 and IBP training of the small CNN of
Wong & Kolter (the architecture of problems/train-cnn.yaml), with the loops the workbench's trainer runs:

- standard: Adam on the mean cross-entropy of each batch;
- pgd: per batch, PGD with 10 sign steps of 0.25 eps from a uniform random start in the l-inf ball clipped to
  [0, 1], the weights not requiring grad, the best iterate by margin kept per sample (as the workbench's Pgd); then
  Adam on the cross-entropy at those points;
- ibp: kappa * CE(clean) + (1 - kappa) * CE(worst-case logits), the worst-case logits interval bounds with the last
  layer folded into the margin rows z_j - z_y (as the workbench's ibp solver), kappa 0.5.

Each step also reads the loss and the training errors back, as the workbench's trainer does for its log. Each method
runs --warmup epochs, then --timed ones; prints RESULT lines with the median of the timed epochs' seconds.
Needs only Debian's python3-torch.
"""
import argparse
import gzip
import statistics
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(n, 1, rows, cols).float() / 255
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(1568, 100), nn.ReLU(), nn.Linear(100, 10))


def pgd(model, x, y, eps, steps, alpha):
    lo, hi = (x - eps).clamp(0, 1), (x + eps).clamp(0, 1)
    xa = torch.min(torch.max(x + (torch.rand_like(x) * 2 - 1) * eps, lo), hi)
    best, best_score = xa.clone(), torch.full((x.shape[0],), float("-inf"))
    for p in model.parameters():
        p.requires_grad_(False)
    for t in range(steps + 1):
        xa.requires_grad_(True)
        z = model(xa)
        score = (z - 1e9 * F.one_hot(y, 10)).max(1).values - z.gather(1, y[:, None])[:, 0]
        better = score.detach() > best_score
        best[better] = xa.detach()[better]
        best_score = torch.where(better, score.detach(), best_score)
        if t == steps:
            break
        g, = torch.autograd.grad(F.cross_entropy(z, y, reduction="sum"), xa)
        xa = torch.min(torch.max(xa.detach() + alpha * g.sign(), lo), hi)
    for p in model.parameters():
        p.requires_grad_(True)
    return best


def ibp_margins(model, x, y, eps):
    lo, hi = (x - eps).clamp(0, 1), (x + eps).clamp(0, 1)
    layers = list(model)
    for layer in layers[:-1]:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            mid, rad = (hi + lo) / 2, (hi - lo) / 2
            if isinstance(layer, nn.Conv2d):
                c = F.conv2d(mid, layer.weight, layer.bias, layer.stride, layer.padding)
                r = F.conv2d(rad, layer.weight.abs(), None, layer.stride, layer.padding)
            else:
                c, r = F.linear(mid, layer.weight, layer.bias), F.linear(rad, layer.weight.abs())
            lo, hi = c - r, c + r
        elif isinstance(layer, nn.ReLU):
            lo, hi = lo.clamp(min=0), hi.clamp(min=0)
        else:
            lo, hi = layer(lo), layer(hi)
    last = layers[-1]
    spec = torch.eye(10)[None] - F.one_hot(y, 10).float()[:, None, :]  # rows e_j - e_y
    w = spec @ last.weight  # [B, 10, 100]
    b = spec @ last.bias
    mid, rad = (hi + lo) / 2, (hi - lo) / 2
    return (w @ mid[:, :, None])[:, :, 0] + (w.abs() @ rad[:, :, None])[:, :, 0] + b


def epoch(model, opt, xs, ys, batch, method, eps, gen):
    order = torch.randperm(xs.shape[0], generator=gen)
    loss_sum, wrong = 0.0, 0
    for i in range(0, xs.shape[0], batch):
        idx = order[i:i + batch]
        x, y = xs[idx], ys[idx]
        if method == "pgd":
            x = pgd(model, x, y, eps, 10, 0.25 * eps)
        z = model(x)
        if method == "ibp":
            loss = 0.5 * F.cross_entropy(z, y) + 0.5 * F.cross_entropy(ibp_margins(model, x, y, eps), y)
        else:
            loss = F.cross_entropy(z, y)
        opt.zero_grad()
        loss.backward()
        loss_sum += loss.item() * len(idx)
        wrong += int((z.argmax(1) != y).sum())
        opt.step()
    return loss_sum, wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--eps", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--methods", default="standard pgd ibp")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--timed", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    xs = read_idx(a.data + "/train-images-idx3-ubyte.gz")[:a.samples].contiguous()
    ys = read_idx(a.data + "/train-labels-idx1-ubyte.gz")[:a.samples].contiguous()
    for method in a.methods.split():
        model = cnn()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(1)
        for _ in range(a.warmup):
            epoch(model, opt, xs, ys, a.batch, method, a.eps, gen)
        wall, cpu = [], []
        for _ in range(a.timed):
            t0, c0 = time.perf_counter(), time.process_time()
            epoch(model, opt, xs, ys, a.batch, method, a.eps, gen)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"RESULT side=pytorch method={method} seconds={statistics.median(wall):.3f} cpu_seconds={statistics.median(cpu):.3f} "
              f"epochs={' '.join(f'{w:.3f}' for w in wall)}", flush=True)


if __name__ == "__main__":
    main()
