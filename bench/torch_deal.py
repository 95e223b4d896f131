"""DEAL-tiny v2 in PyTorch: the same layers, shapes and weights as dealkit's src/model (a reference twin).

    python3 bench/torch_deal.py check DIR          forward pass on DIR's inputs, outputs written beside them
    python3 bench/torch_deal.py bench [--checkpoint DIR] [--steps N] [--threads T] [--batch 4] [--size 192]

Weights come from a dealkit checkpoint folder (manifest.json + weights-*.bin: float32 little-endian, tensors named
and shaped in the manifest; convs [k, k, cin, cout], depthwise [3, 3, c, 1], linears [in, out]). Maps are NCHW here
and NHWC in dealkit; "same" padding is TensorFlow's (a stride-2 3x3 conv on an even side pads 0 before, 1 after).

`check`: DIR/io.json names the checkpoint and the input tensors of DIR/inputs.bin (same packing as a checkpoint:
name, shape, offset in floats): `images` [B, H, W, 3] (normalised), `clickXy` [B, P, K, 2] in [0, 1], `clickMask`
[B, P, K], and identical decoder queries `qBoxes` [B, Q, 4], `qLogits` [B, Q], `qMask` [B, Q], `qPrompt` [B, Q]
(the query allocation is a discrete top-k, so both sides decode the same queries). Writes DIR/torch.json +
DIR/torch.bin with the outputs in dealkit's layouts: f2, f4, f8, obj, size, offset, embed, the exemplar fields,
heat [B, P, h, w], and the decoder's boxes/logits per layer.

`bench`: one training step (forward, backward, AdamW) at batch 4 of 192 px crops with the loss's compute: dense
focal + L1 terms, 1 + 1 prompt rounds (3 prompts, up to 3 clicks) with the focal heatmap loss, the decoder on
`--queries` queries per image (default 48) from the heat's top-k, L1 + BCE on every decoder layer. Prints one JSON
line {"ms_per_step", "cpu_ms_per_step", "threads", "torch"}.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

ROI_GRID, ROI_SPAN, SIZE_REF_PX, FINE_STRIDE = 5, 2, 8, 2


def read_packed(folder: str, index: dict) -> dict:
    """Tensors of a packed float32 file: index = {"file", "tensors": [{name, shape, offset}]}."""
    data = np.fromfile(os.path.join(folder, index["file"]), dtype="<f4")
    out = {}
    for t in index["tensors"]:
        n = int(np.prod(t["shape"])) if t["shape"] else 1
        out[t["name"]] = torch.from_numpy(data[t["offset"]:t["offset"] + n].copy()).reshape(t["shape"])
    return out


def load_checkpoint(folder: str):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("format") != "dealkit-checkpoint":
        raise SystemExit(f"{folder}/manifest.json: not a dealkit checkpoint (format {manifest.get('format')!r})")
    cfg = manifest["config"]
    if cfg.get("kind") != "deal":
        raise SystemExit(f"{folder}/manifest.json: config.kind is {cfg.get('kind')!r}; the twin is DEAL's")
    return cfg, read_packed(folder, manifest["weights"])


def tf_same_pad(x, k: int, stride: int):
    """TensorFlow's 'same' padding of an NCHW map (more after than before when odd)."""
    h, w = x.shape[-2:]
    ph = max((math.ceil(h / stride) - 1) * stride + k - h, 0)
    pw = max((math.ceil(w / stride) - 1) * stride + k - w, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)) if ph or pw else x


class Twin(torch.nn.Module):
    """DEAL v2's network (src/model/network.ts) on named parameters; `p[name]` is dealkit's tensor, converted."""

    def __init__(self, cfg: dict, weights: dict) -> None:
        super().__init__()
        self.cfg = cfg
        self.names = list(weights)
        self.params = torch.nn.ParameterList()
        self.p = {}
        for name, t in weights.items():
            if name.endswith(".dw"):  # depthwise [3, 3, c, 1] -> [c, 1, 3, 3]
                t = t.permute(2, 3, 0, 1)
            elif name.endswith(".w") and t.dim() == 4:  # conv [k, k, cin, cout] -> [cout, cin, k, k]
                t = t.permute(3, 2, 0, 1)
            param = torch.nn.Parameter(t.contiguous())
            self.params.append(param)
            self.p[name] = param

    # ---- layers (layers.ts) ----
    def conv(self, name, x, stride=1):
        w = self.p[name + ".w"]
        return F.conv2d(tf_same_pad(x, w.shape[-1], stride), w, self.p[name + ".b"], stride)

    def sepconv(self, name, x):
        dw = self.p[name + ".dw"]
        return self.conv(name + ".pw", F.conv2d(tf_same_pad(x, 3, 1), dw, None, 1, 0, 1, dw.shape[0]))

    def ln(self, name, x):
        """LayerNorm over the last axis (eps 1e-5)."""
        return F.layer_norm(x, x.shape[-1:], self.p[name + ".g"], self.p[name + ".b"], 1e-5)

    def ln2d(self, name, x):
        return self.ln(name, x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    def linear(self, name, x):
        y = x @ self.p[name + ".w"]
        b = self.p.get(name + ".b")
        return y if b is None else y + b

    def mlp(self, name, x, n):
        for i in range(n):
            x = self.linear(f"{name}.{i}", x)
            if i + 1 < n:
                x = F.relu(x)
        return x

    def attention(self, name, query, key, value, key_mask=None):
        b, nq, d = query.shape
        nk, h = key.shape[1], self.cfg["heads"]
        dh = d // h
        split = lambda x, n: x.reshape(b, n, h, dh).transpose(1, 2)
        q, k, v = split(self.linear(name + ".q", query), nq), split(self.linear(name + ".k", key), nk), split(self.linear(name + ".v", value), nk)
        logits = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(dh))
        if key_mask is not None:
            logits = logits + ((1 - key_mask) * -1e9).reshape(b, 1, 1, nk)
        out = (torch.softmax(logits, -1) @ v).transpose(1, 2).reshape(b, nq, d)
        return self.linear(name + ".o", out)

    def ffn(self, name, x):
        return x + self.mlp(name + ".mlp", self.ln(name + ".norm", x), 2)

    # ---- ops (ops.ts) ----
    @staticmethod
    def sample(feats, xy):
        """Bilinear sample of NCHW feats at normalised points [B, N, 2] -> [B, N, C] (grid_sample, zeros)."""
        out = F.grid_sample(feats, (xy * 2 - 1).unsqueeze(1), mode="bilinear", padding_mode="zeros", align_corners=False)
        return out[:, :, 0].transpose(1, 2)

    @staticmethod
    def l2n(x):
        return x * torch.rsqrt((x * x).sum(-1, keepdim=True) + 1e-6)

    @staticmethod
    def sine(coords, dim_per_coord, temperature=10000.0):
        half = dim_per_coord // 2
        freqs = torch.tensor([2 * math.pi / temperature ** (i / half) for i in range(half)], dtype=torch.float32)
        x = coords.unsqueeze(-1) * freqs
        return torch.cat([torch.sin(x), torch.cos(x)], -1).reshape(*coords.shape[:-1], -1)

    # ---- network.ts: encode ----
    def encode(self, images_nhwc):
        c = self.cfg
        x = images_nhwc.permute(0, 3, 1, 2)
        stem = F.relu(self.conv("backbone.stem", x, 2))
        y, stages = stem, []
        for i in range(len(c["widths"])):
            y = F.relu(self.ln2d(f"backbone.stage{i}.norm", self.conv(f"backbone.stage{i}.down", y, 2)))
            for j in range(c["depths"][i]):
                n = f"backbone.stage{i}.block{j}"
                y = F.relu(y + self.conv(n + ".c2", F.relu(self.ln2d(n + ".norm", self.conv(n + ".c1", y)))))
            stages.append(y)
        # Hybrid Feature Enhancement
        d = c["dModel"]
        lat = [self.conv(f"hfe.lateral{i}", s) for i, s in enumerate(stages)]
        b, _, h, w = lat[-1].shape
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
        grid = torch.stack([(xs + 0.5) / w, (ys + 0.5) / h], -1).reshape(h * w, 2)
        pos = self.sine(grid, d // 2).reshape(1, h * w, d)
        tokens = lat[-1].flatten(2).transpose(1, 2)
        for i in range(c.get("contextLayers", 1)):
            xn = self.ln(f"hfe.context{i}.norm", tokens)
            qk = xn + pos
            tokens = tokens + self.attention(f"hfe.context{i}.attn", qk, qk, xn)
            tokens = self.ffn(f"hfe.context{i}.ffn", tokens)
        coarse = tokens.transpose(1, 2).reshape(b, d, h, w)
        weights = torch.softmax(self.linear("hfe.gc.pool", tokens).reshape(b, h * w), -1)
        pooled = (weights.unsqueeze(1) @ tokens).reshape(b, d)
        gc = self.linear("hfe.gc.mlp2", F.relu(self.linear("hfe.gc.mlp1", pooled))).reshape(b, d, 1, 1)
        fused, pyramid = coarse, [coarse]
        for i in range(len(lat) - 2, -1, -1):
            fused = lat[i] + F.interpolate(fused, scale_factor=2, mode="nearest")
            pyramid.insert(0, fused)
        f4 = self.ln2d("hfe.norm4", F.relu(fused + self.sepconv("hfe.smooth4", fused)) + gc)
        u = self.conv("hfe.stemLateral", stem) + F.interpolate(self.conv("hfe.up2", f4), scale_factor=2, mode="nearest")
        f2 = self.ln2d("hfe.norm2", F.relu(u + self.sepconv("hfe.smooth2", u)))
        # dense heads
        t = F.relu(f2 + self.sepconv("heads.trunk", f2))
        heads = ("obj", "size", "offset", "embed") + (("cls",) if self.cfg.get("classPrior") else ())
        dense = {k: self.conv(f"heads.{k}", t) for k in heads}
        return {"f2": f2, "f4": f4, "f8": pyramid[1]}, dense

    # ---- point-embedding.ts ----
    def exemplar(self, f, dense, click_xy, click_mask):
        b, p, k = click_mask.shape
        xy = click_xy.reshape(b, p * k, 2)
        m = click_mask.reshape(b, p, k, 1)
        denom = m.sum(2).clamp_min(1e-6)

        def pool(t, normalise):
            x = self.l2n(t) if normalise else t
            mean = (x.reshape(b, p, k, -1) * m).sum(2) / denom
            return self.l2n(mean) if normalise else mean

        return {
            "embed": pool(self.sample(dense["embed"], xy), True), "f2": pool(self.sample(f["f2"], xy), True),
            "f4": pool(self.sample(f["f4"], xy), True), "f8": pool(self.sample(f["f8"], xy), True),
            "obj": pool(self.sample(dense["obj"], xy), False), "size": pool(self.sample(dense["size"], xy), False),
            **({"cls": pool(torch.sigmoid(self.sample(dense["cls"], xy)), False)} if "cls" in dense else {}),
        }

    # ---- density-activation.ts ----
    def prompt_heat(self, f, dense, ex, obj_keep=None):
        b, _, h, w = dense["obj"].shape
        p = ex["embed"].shape[1]

        def cosine(m, e):
            mh, mw = m.shape[-2:]
            cs = self.l2n(m.flatten(2).transpose(1, 2)) @ e.transpose(1, 2)  # [b, mh*mw, p]
            cs = cs.transpose(1, 2).reshape(b, p, mh, mw)
            return F.interpolate(cs, scale_factor=h // mh, mode="nearest") if mh != h else cs

        keep = obj_keep.reshape(b, p, 1, 1) if obj_keep is not None else torch.ones(b, p, 1, 1)
        ex_obj = ex["obj"].reshape(b, p, 1, 1)
        obj = dense["obj"]  # [b, 1, h, w]
        inputs = [
            cosine(dense["embed"], ex["embed"]), cosine(f["f2"], ex["f2"]), cosine(f["f4"], ex["f4"]), cosine(f["f8"], ex["f8"]),
            (obj - ex_obj) * keep, torch.sigmoid(obj) * keep, (torch.sigmoid(ex_obj) * keep).expand(b, p, h, w),
        ]
        d_size = (dense["size"].unsqueeze(1) - ex["size"].reshape(b, p, 2, 1, 1)).abs()  # [b, p, 2, h, w]
        extra = []
        if "cls" in dense:  # class prior: sum_c p_loc(c) p_ex(c), and sum_c p_ex(c), both times keep
            match = torch.einsum("bchw,bpc->bphw", torch.sigmoid(dense["cls"]), ex["cls"])
            total = ex["cls"].sum(2).reshape(b, p, 1, 1)
            extra = [(match * keep).unsqueeze(2), (total * keep).expand(b, p, h, w).unsqueeze(2)]
        x = torch.cat([t.unsqueeze(2) for t in inputs] + [d_size] + extra, 2).permute(0, 1, 3, 4, 2)  # [b, p, h, w, 9 or 11]
        hid = F.relu(self.linear("density.l2", F.relu(self.linear("density.l1", x))))
        return self.linear("density.l3", hid)[..., 0]  # [b, p, h, w]

    # ---- network.ts queryContext + decoder.ts ----
    def query_context(self, f, ex, q_boxes, q_prompt, img_w, img_h):
        b, q = q_prompt.shape
        here = self.sample(f["f4"], q_boxes[..., :2] / torch.tensor([img_w, img_h], dtype=torch.float32))
        idx = q_prompt.clamp_min(0).long()
        gather = lambda t: torch.gather(t, 1, idx.unsqueeze(-1).expand(b, q, t.shape[-1]))
        return torch.cat([gather(ex["embed"]), gather(ex["f4"]), here], -1)

    def decode(self, f2, images_nhwc, boxes, logits, mask, context):
        b, nq = mask.shape
        img_h, img_w = images_nhwc.shape[1:3]
        images = images_nhwc.permute(0, 3, 1, 2)
        to_norm = torch.tensor([1 / img_w, 1 / img_h], dtype=torch.float32)
        offs = [(((gx + 0.5) / ROI_GRID - 0.5) * ROI_SPAN, ((gy + 0.5) / ROI_GRID - 0.5) * ROI_SPAN) for gy in range(ROI_GRID) for gx in range(ROI_GRID)]
        lattice = torch.tensor(offs, dtype=torch.float32).reshape(1, 1, ROI_GRID * ROI_GRID, 2)
        box, logit = boxes, logits
        at_centre = self.sample(f2, box[..., :2] * to_norm)
        x = self.linear("decoder.in", torch.cat([at_centre, context, box[..., 2:], logit.unsqueeze(-1)], -1))
        out_boxes, out_logits = [], []
        for i in range(self.cfg["decoderLayers"]):
            n = f"decoder.layer{i}"
            ref = box.detach()
            pos = self.mlp("decoder.pos", torch.cat([ref[..., :2] * to_norm, ref[..., 2:]], -1), 2)
            xn = self.ln(n + ".saNorm", x)
            qk = xn + pos
            x = x + self.attention(n + ".sa", qk, qk, xn, mask)
            wh = torch.exp(ref[..., 2:]) * SIZE_REF_PX
            pts = ref[..., :2].unsqueeze(2) + wh.unsqueeze(2) * lattice
            pts_norm = (pts * to_norm).reshape(b, nq * ROI_GRID * ROI_GRID, 2)
            sampled = torch.cat([self.sample(f2, pts_norm), self.sample(images, pts_norm)], -1)
            x = self.ln(n + ".roiNorm", x + self.linear(n + ".roi", sampled.reshape(b, nq, -1)))
            x = self.ffn(n + ".ffn", x)
            dlt = self.linear(n + ".box", x)
            box = torch.cat([ref[..., :2] + dlt[..., :2] * wh, ref[..., 2:] + dlt[..., 2:]], -1)
            logit = logit + self.linear(n + ".score", x)[..., 0]
            out_boxes.append(box)
            out_logits.append(logit)
        return out_boxes, out_logits


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def write_packed(folder: str, stem: str, tensors: dict) -> None:
    index, chunks, off = [], [], 0
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy().astype("<f4").ravel()
        index.append({"name": name, "shape": list(t.shape), "offset": off})
        chunks.append(a)
        off += a.size
    np.concatenate(chunks).tofile(os.path.join(folder, stem + ".bin.tmp"))
    os.replace(os.path.join(folder, stem + ".bin.tmp"), os.path.join(folder, stem + ".bin"))
    with open(os.path.join(folder, stem + ".json.tmp"), "w") as f:
        json.dump({"file": stem + ".bin", "tensors": index}, f)
    os.replace(os.path.join(folder, stem + ".json.tmp"), os.path.join(folder, stem + ".json"))


def check(folder: str) -> None:
    with open(os.path.join(folder, "io.json")) as f:
        io = json.load(f)
    cfg, weights = load_checkpoint(io["checkpoint"])
    net = Twin(cfg, weights)
    x = read_packed(folder, io["inputs"])
    with torch.no_grad():
        f, dense = net.encode(x["images"])
        ex = net.exemplar(f, dense, x["clickXy"], x["clickMask"])
        heat = net.prompt_heat(f, dense, ex)
        _, img_h, img_w, _ = x["images"].shape
        ctx = net.query_context(f, ex, x["qBoxes"], x["qPrompt"], img_w, img_h)
        boxes, logits = net.decode(f["f2"], x["images"], x["qBoxes"], x["qLogits"], x["qMask"], ctx)
    out = {k: nhwc(v) for k, v in f.items()}
    out.update({k: nhwc(v) for k, v in dense.items()})
    out.update({f"ex.{k}": v for k, v in ex.items()})
    out["heat"] = heat
    for i, (bx, lg) in enumerate(zip(boxes, logits)):
        out[f"decoder{i}.boxes"], out[f"decoder{i}.logits"] = bx, lg
    write_packed(folder, "torch", out)
    print(json.dumps({"outputs": len(out), "torch": torch.__version__}))


def focal(logits, target):
    """CenterNet focal loss, normalised by the positives of each sample, averaged."""
    p = torch.sigmoid(logits)
    pos = (target >= 0.999).float()
    pos_l = F.logsigmoid(logits) * (1 - p) ** 2 * pos
    neg_l = F.logsigmoid(-logits) * p ** 2 * (1 - target) ** 4 * (1 - pos)
    b = logits.shape[0]
    return (-(pos_l + neg_l).reshape(b, -1).sum(1) / pos.reshape(b, -1).sum(1).clamp_min(1)).mean()


def bench(args) -> None:
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cfg, weights = load_checkpoint(args.checkpoint)
    net = Twin(cfg, weights)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=1e-4)
    B, S, P, K, Q = args.batch, args.size, 3, cfg["maxClicksPerPrompt"], args.queries
    g = S // FINE_STRIDE
    images = torch.randn(B, S, S, 3)
    obj_t = torch.rand(B, 1, g, g) ** 8
    heat_t = torch.rand(B, P, g, g) ** 8
    size_t, off_t = torch.randn(B, 2, g, g), torch.rand(B, 2, g, g) - 0.5
    clicks = torch.rand(B, P, K, 2) * 0.9 + 0.05
    gt_boxes = torch.cat([torch.rand(B, Q, 2) * S, torch.randn(B, Q, 2) * 0.3], -1)

    def step() -> float:
        opt.zero_grad()
        f, dense = net.encode(images)
        loss = focal(dense["obj"], obj_t) + 2 * (dense["size"] - size_t).abs().mean() + (dense["offset"] - off_t).abs().mean()
        rounds = []
        for c in range(2):  # the first click, then one PG-CPP cycle
            mask = torch.zeros(B, P, K)
            mask[:, :, : c + 1] = 1
            ex = net.exemplar(f, dense, clicks, mask)
            heat = net.prompt_heat(f, dense, ex, torch.ones(B, P))
            rounds.append(focal(heat, heat_t))
        loss = loss + sum(rounds) / len(rounds)
        with torch.no_grad():  # query allocation: top-k cells of the heat over all prompts of an image
            top = heat.reshape(B, -1).topk(Q, -1)
            cell = top.indices % (g * g)
            prompt = top.indices // (g * g)
            dsize = dense["size"].flatten(2).transpose(1, 2)
            doff = dense["offset"].flatten(2).transpose(1, 2)
            gi = lambda t: torch.gather(t, 1, cell.unsqueeze(-1).expand(B, Q, 2))
            cxy = torch.stack([(cell % g).float(), (cell // g).float()], -1) + 0.5
            q_boxes = torch.cat([(cxy + gi(doff)) * FINE_STRIDE, gi(dsize)], -1)
            q_logits = top.values
        ctx = net.query_context(f, ex, q_boxes, prompt, S, S)
        boxes, logits = net.decode(f["f2"], images, q_boxes, q_logits, torch.ones(B, Q), ctx)
        for bx, lg in zip(boxes, logits):
            loss = loss + (bx - gt_boxes).abs().mean() + F.binary_cross_entropy_with_logits(lg, torch.zeros_like(lg))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
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
    print(json.dumps({"ms_per_step": median(wall), "cpu_ms_per_step": median(cpu), "threads": torch.get_num_threads(), "torch": torch.__version__}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("folder")
    b = sub.add_parser("bench")
    here = os.path.dirname(os.path.abspath(__file__))
    b.add_argument("--checkpoint", default=os.path.join(here, "..", "datasets", "models", "deal-tiny"))
    b.add_argument("--steps", type=int, default=5)
    b.add_argument("--threads", type=int, default=0, help="0: torch's default")
    b.add_argument("--batch", type=int, default=4)
    b.add_argument("--size", type=int, default=192)
    b.add_argument("--queries", type=int, default=48)
    args = ap.parse_args()
    check(args.folder) if args.cmd == "check" else bench(args)


if __name__ == "__main__":
    main()
