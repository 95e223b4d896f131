"""The v2-like conv net of bench/convnet.ts in PyTorch (same layers and shapes), one SGD step on the CPU.

    python3 bench/torch_convnet.py [--steps N] [--threads T] [--channels-last]

Layers (NCHW here, NHWC in dealkit; LayerNorm over channels as F.layer_norm on a channels-last view, the
usual ConvNeXt form): stem 3x3 s2 3->16 + ReLU; four stages (3x3 s2 conv + ReLU, then depthwise 3x3 +
LayerNorm + 1x1 C->2C + ReLU + 1x1 2C->C + residual) at 16-32-64-128 channels; an FPN of 1x1 laterals to 32
channels, nearest x2 up to stride 4 and bilinear x2 (align_corners=False, i.e. half-pixel centres) to stride
2, a 3x3 conv + ReLU + LayerNorm; three heads (3x3 conv 32->32 + ReLU, 1x1 -> 1, 2, 2); a prototype from
bilinear samples at 8 points per image (gathers of 4 corners) correlated with the map (a batched matmul)
and added to the heatmap; loss: mean squared errors of sigmoid(heatmap), size and offset.

Prints one JSON object: {"ms_per_step": wall, "cpu_ms_per_step": process CPU time, "threads", "torch",
"memory_format"}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, SIZE, STEM, WIDTHS, FPN, POINTS = 4, 256, 16, (16, 32, 64, 128), 32, 8


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels of an NCHW map."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.ln = nn.LayerNorm(c, eps=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class Stage(nn.Module):
    def __init__(self, ci: int, c: int) -> None:
        super().__init__()
        self.down = nn.Conv2d(ci, c, 3, stride=2, padding=1)
        self.dw = nn.Conv2d(c, c, 3, padding=1, groups=c)
        self.ln = LayerNorm2d(c)
        self.pw1 = nn.Conv2d(c, 2 * c, 1)
        self.pw2 = nn.Conv2d(2 * c, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.down(x))
        return h + self.pw2(F.relu(self.pw1(self.ln(self.dw(h)))))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, STEM, 3, stride=2, padding=1)
        chans = (STEM,) + WIDTHS
        self.stages = nn.ModuleList(Stage(chans[i], chans[i + 1]) for i in range(4))
        self.laterals = nn.ModuleList(nn.Conv2d(c, FPN, 1) for c in chans)
        self.smooth = nn.Conv2d(FPN, FPN, 3, padding=1)
        self.smooth_ln = LayerNorm2d(FPN)
        self.heads = nn.ModuleList(nn.Sequential(nn.Conv2d(FPN, FPN, 3, padding=1), nn.ReLU(), nn.Conv2d(FPN, n, 1)) for n in (1, 2, 2))

    def forward(self, x, corner_idx, corner_w):
        feats = [F.relu(self.stem(x))]
        for s in self.stages:
            feats.append(s(feats[-1]))
        p = self.laterals[4](feats[4])
        for i in range(3, -1, -1):
            mode = dict(mode="nearest") if i > 0 else dict(mode="bilinear", align_corners=False)
            p = F.interpolate(p, scale_factor=2, **mode) + self.laterals[i](feats[i])
        p = self.smooth_ln(F.relu(self.smooth(p)))
        hm, sz, off = (h(p) for h in self.heads)
        b, c, h, w = p.shape
        rows = p.permute(0, 2, 3, 1).reshape(b, h * w, c)  # [b, h*w, c]
        flat = rows.reshape(b * h * w, c)
        corners = flat[corner_idx].reshape(b, POINTS * 4, c)
        proto = (corners * corner_w).sum(1, keepdim=True) / POINTS  # [b, 1, c]
        corr = torch.bmm(rows, proto.transpose(1, 2))  # [b, h*w, 1]
        heat = torch.sigmoid(hm + corr.reshape(b, h, w).unsqueeze(1))
        return heat, sz, off


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="0: torch's default")
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format for the maps")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    net = Net().to(memory_format=fmt)
    opt = torch.optim.SGD(net.parameters(), lr=0.0)
    x = torch.randn(BATCH, 3, SIZE, SIZE).contiguous(memory_format=fmt)
    h2 = SIZE // 2
    targets = [torch.sigmoid(torch.randn(BATCH, n, h2, h2)).contiguous(memory_format=fmt) for n in (1, 2, 2)]
    corner_idx = torch.randint(0, BATCH * h2 * h2, (BATCH * POINTS * 4,))
    corner_w = torch.rand(BATCH, POINTS * 4, 1)

    def step() -> float:
        opt.zero_grad()
        outs = net(x, corner_idx, corner_w)
        loss = sum(F.mse_loss(y, t) for y, t in zip(outs, targets))
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
    print(json.dumps({"ms_per_step": median(wall), "cpu_ms_per_step": median(cpu), "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "memory_format": "channels_last" if args.channels_last else "contiguous"}))


if __name__ == "__main__":
    main()
