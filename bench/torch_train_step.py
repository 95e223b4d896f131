"""One SGD step of dealkit's bench net (bench/train-step.ts) in PyTorch on the CPU.

    python3 bench/torch_train_step.py [--steps N] [--threads T]

Prints one JSON object: {"ms_per_step": wall, "cpu_ms_per_step": process CPU time, "threads": ..., "torch": version}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn


def make_net() -> nn.Module:
    # Same layers as bench/train-step.ts: 3x3 convs with bias and ReLU, 'same' padding.
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=1, padding=1), nn.ReLU(),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="0: torch's default")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = make_net()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.randn(8, 3, 128, 128)

    def step() -> float:
        opt.zero_grad()
        loss = net(x).square().mean()
        loss.backward()
        opt.step()
        return float(loss)

    step()  # warm-up
    wall, cpu = [], []
    for _ in range(args.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    median = lambda xs: sorted(xs)[len(xs) // 2]
    print(json.dumps({"ms_per_step": median(wall), "cpu_ms_per_step": median(cpu),
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
