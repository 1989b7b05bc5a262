"""One attack step (forward, backward to the input, gradient copied out) of ResNet-18 at 224x224, batch 1, in
PyTorch: the counterpart of org.workbench.bench.AttackStepBenchmark. Prints RESULT side=pytorch wall_ms=... cpu_ms=...
(medians over the timed steps; CPU time of the process).

    resnet18_attack_benchmark.py THREADS [warmup] [reps]
"""
import statistics
import sys
import time

import torch
import torchvision

threads = int(sys.argv[1])
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 3
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet18().eval()
for p in model.parameters():
    p.requires_grad_(False)
x0 = torch.rand(1, 3, 224, 224)
label = torch.tensor([0])
wall, cpu = [], []
for i in range(warmup + reps):
    w0, c0 = time.perf_counter(), time.process_time()
    x = x0.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(model(x), label)
    loss.backward()
    x.grad.double().numpy().tolist()
    if i >= warmup:
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
print(f"RESULT side=pytorch wall_ms={statistics.median(wall):.1f} cpu_ms={statistics.median(cpu):.1f}")
