#!/usr/bin/env python3
"""The PyTorch side of bench/pgd_benchmark.sh: the loop of the workbench's Pgd solver (l-inf, cross-entropy,
no random start) on the same weights and the same batch, timed the same way.

Per step, like Pgd: input gradient of the summed cross-entropy (forward + backward w.r.t. the input only; the
weights do not require grad), the margin max_{j != y} z_j - z_y from the same logits, per-sample best-iterate
tracking, a sign step, clamping to the box (ball ∩ [0, 1]); after the last step one more forward to score
the final iterate. "loop" ends with the best and last iterates copied out as float64; "full" adds Pgd's
float64 re-check of those 2B candidates (clamp in float64, float64 forward, margins).

Needs only Debian's python3-torch (no pip): the safetensors file and the architecture YAML are read here.
"""
import argparse
import json
import os
import re
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F


def read_safetensors(path):
    """8-byte little-endian header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    dtypes = {"F32": torch.float32, "F64": torch.float64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = bytearray(data[8 + n + start:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"]).clone()
    return out


def read_architecture(path):
    """The subset of the workbench's architecture YAML that models/*.yaml use: weights and layers."""
    weights, shape, layers, in_layers = None, None, [], False
    for line in open(path):
        line = line.split("#")[0].rstrip()
        if not line:
            continue
        if line.startswith("input:"):
            shape = json.loads(line.split(":", 1)[1])
        elif line.startswith("weights:"):
            weights = line.split(":", 1)[1].strip().strip('"')
        elif line.startswith("layers:"):
            in_layers = True
        elif in_layers and line.lstrip().startswith("- "):
            item = line.lstrip()[2:].strip()
            m = re.match(r"(\w+)\s*(?::\s*\{(.*)\})?$", item)
            args = {}
            if m.group(2):
                for k, v in re.findall(r"(\w+)\s*:\s*(\[[^\]]*\]|[^,]+)", m.group(2)):
                    args[k] = json.loads(v.strip())
            layers.append((m.group(1), args))
        elif not line.startswith(" "):
            in_layers = False
    return weights, shape, layers


class Normalize(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def build(yaml_path):
    """The torch.nn.Sequential of an architecture file, frozen, and its input shape [C, H, W]."""
    weights_name, shape, spec = read_architecture(yaml_path)
    w = read_safetensors(os.path.join(os.path.dirname(yaml_path), weights_name))
    mods = []
    for i, (kind, a) in enumerate(spec):
        if kind == "flatten":
            mods.append(torch.nn.Flatten())
        elif kind == "relu":
            mods.append(torch.nn.ReLU())
        elif kind == "linear":
            mods.append(torch.nn.Linear(a["in"], a["out"]))
        elif kind == "conv2d":
            mods.append(torch.nn.Conv2d(a["in"], a["out"], a["kernel"], a.get("stride", 1), a.get("padding", 0)))
        elif kind == "normalize":
            mods.append(Normalize(a["mean"], a["std"]))
        else:
            sys.exit(f"unknown layer {kind}")
        if kind in ("linear", "conv2d"):
            with torch.no_grad():
                mods[-1].weight.copy_(w[f"{i}.weight"])
                mods[-1].bias.copy_(w[f"{i}.bias"])
    net = torch.nn.Sequential(*mods).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, shape


def read_batch(path):
    with open(path, "rb") as f:
        data = f.read()
    b, d = struct.unpack("<ii", data[:8])
    x = torch.frombuffer(bytearray(data[8:8 + 4 * b * d]), dtype=torch.float32).reshape(b, d).clone()
    y = torch.frombuffer(bytearray(data[8 + 4 * b * d:8 + 4 * b * d + 4 * b]), dtype=torch.int32).long()
    return x, y


def make_batch(path, b, d, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(b, d, generator=g, dtype=torch.float32)
    y = torch.randint(0, 10, (b,), generator=g, dtype=torch.int32)
    with open(path, "wb") as f:
        f.write(struct.pack("<ii", b, d))
        f.write(x.numpy().tobytes())
        f.write(y.numpy().tobytes())


def pgd_loop(net, x_in, y, shape, eps, alpha, steps, clip, classes):
    """Pgd.candidates for one restart: returns the float64 best and last iterates and the float64 box."""
    x0 = x_in.view(shape)
    x64 = x0.double()
    lo64, hi64 = x64 - eps, x64 + eps
    if clip:
        lo64, hi64 = lo64.clamp_min(0.0), hi64.clamp_max(1.0)
    lo, hi = lo64.float(), hi64.float()
    true_hot = F.one_hot(y, classes).float()
    push = true_hot * 1e9
    x = x0.clone()
    best = x.clone()
    best_score = torch.full((x.shape[0],), float("-inf"))
    expand = (-1,) + (1,) * (x.dim() - 1)
    for t in range(steps + 1):
        if t < steps:
            xi = x.detach().requires_grad_(True)
            logits = net(xi)
            loss = F.cross_entropy(logits, y, reduction="sum")
            (grad,) = torch.autograd.grad(loss, xi)
            logits = logits.detach()
        else:
            with torch.no_grad():
                logits = net(x)
        with torch.no_grad():
            score = (logits - push).amax(1) - (logits * true_hot).sum(1)
            better = score > best_score
            best = torch.where(better.view(expand), x, best)
            best_score = torch.where(better, score, best_score)
            if t < steps:
                x = torch.minimum(torch.maximum(x + alpha * grad.sign(), lo), hi)
    return best.double(), x.double(), lo64, hi64


def recheck(net64, cands, lo64, hi64, y):
    """Pgd's float64 re-check: clamp into the box in float64, float64 forward, worst margin per sample."""
    with torch.no_grad():
        worst = None
        for c in cands:
            z = net64(torch.minimum(torch.maximum(c, lo64), hi64))
            zy = z.gather(1, y.view(-1, 1))
            m = (z - zy).scatter(1, y.view(-1, 1), float("-inf")).amax(1)
            worst = m if worst is None else torch.maximum(worst, m)
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--batch-file", required=True)
    ap.add_argument("--make-batch", action="store_true", help="write a random batch to --batch-file and exit")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--dim", type=int, default=784)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--eps", type=float, default=0.1)
    ap.add_argument("--clip", default="true")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    if a.make_batch:
        make_batch(a.batch_file, a.batch, a.dim, a.seed)
        return
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    clip = a.clip.lower() == "true"
    net, in_shape = build(a.model)
    net64 = build(a.model)[0].double()
    shape = tuple([-1] + in_shape)
    x, y = read_batch(a.batch_file)
    classes = 10

    def full():
        best, last, lo64, hi64 = pgd_loop(net, x, y, shape, a.eps, a.alpha, a.steps, clip, classes)
        return recheck(net64, [best, last], lo64, hi64, y)

    for _ in range(a.warmup):
        full()
    loop, whole = [], []
    for _ in range(a.reps):
        c0, w0 = time.process_time(), time.perf_counter()
        pgd_loop(net, x, y, shape, a.eps, a.alpha, a.steps, clip, classes)
        c1, w1 = time.process_time(), time.perf_counter()
        worst = full()
        c2, w2 = time.process_time(), time.perf_counter()
        loop.append(((c1 - c0) * 1e3, (w1 - w0) * 1e3))
        whole.append(((c2 - c1) * 1e3, (w2 - w1) * 1e3))
    med = lambda rows, i: statistics.median(r[i] for r in rows)
    attacked = int((worst > 0).sum())
    print(f"RESULT side=pytorch model={a.model.split('/')[-1]} batch={x.shape[0]} steps={a.steps} reps={a.reps}"
          f" loop_cpu_ms={med(loop, 0):.2f} loop_wall_ms={med(loop, 1):.2f} full_cpu_ms={med(whole, 0):.2f}"
          f" full_wall_ms={med(whole, 1):.2f} attacked={attacked} mean_worst_margin={float(worst.mean()):.6f}")


if __name__ == "__main__":
    main()
