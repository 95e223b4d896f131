#!/usr/bin/python3
"""Builds datasets/real-probe: small crops of two public photographs shipped with Debian's python3-skimage
(hubble_deep_field.jpg, ihc.png) with boxes derived by threshold segmentation. Deterministic: the same source
files and package versions give the same bytes. Run with Debian's system python:

    /usr/bin/python3 scripts/make-real-probe.py [--out datasets/real-probe] [--render DIR]

--render writes each image enlarged (nearest neighbour) with its boxes drawn, for checking by eye; it is not
part of the data set. Only these two skimage images are read; the others are held back for independent checks.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import skimage
from scipy import ndimage as ndi
from skimage import color, filters, io, measure, morphology, segmentation, transform

SKIMAGE_DATA = os.path.join(os.path.dirname(skimage.__file__), "data")
SOURCES = {
    "hubble_deep_field.jpg": "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
    "ihc.png": "f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef",
}
# (file name, source, crop x0 y0 x1 y1 in source px, integer downscale factor (block mean)). Crops are disjoint.
CROPS = [
    ("hubble-a.png", "hubble_deep_field.jpg", (0, 300, 256, 556), 1),
    ("hubble-b.png", "hubble_deep_field.jpg", (640, 448, 896, 704), 1),
    ("hubble-c.png", "hubble_deep_field.jpg", (256, 600, 512, 856), 1),
    ("hubble-d.png", "hubble_deep_field.jpg", (488, 0, 1000, 448), 2),
    # ihc.png's top-left quadrant is gland only (no stroma), so it is left out.
    ("ihc-a.png", "ihc.png", (256, 0, 512, 256), 1),
    ("ihc-b.png", "ihc.png", (0, 256, 256, 512), 1),
    ("ihc-c.png", "ihc.png", (256, 256, 512, 512), 1),
]
CATEGORIES = [
    {"id": 1, "name": "compact source", "supercategory": "astronomy",
     "description": "Point-like source in the Hubble eXtreme Deep Field (a star or an unresolved distant galaxy): "
                    "segment box's longest side <= 6 px at the image's scale."},
    {"id": 2, "name": "extended galaxy", "supercategory": "astronomy",
     "description": "Resolved galaxy in the Hubble eXtreme Deep Field: segment box's longest side > 6 px."},
    {"id": 3, "name": "stromal nucleus", "supercategory": "microscopy",
     "description": "Hematoxylin-stained (blue) cell nucleus in the unstained connective tissue between the "
                    "DAB-stained (brown) colonic glands. Nuclei inside the glands are not annotated; each gland "
                    "is an ignore region."},
]
COMPACT_MAX_SIDE = 6
# Stars with diffraction spikes (source px, found by eye): their segment's extent is set by the spikes, so the
# segment holding this point is an ignore region.
SPIKED_STARS = [(752, 578), (253, 163)]
# Hubble: luminance (mean of RGB in [0, 1]) smoothed with a Gaussian (sigma 1 px); sky level = median, noise =
# 1.4826 * MAD; segments are pixels above sky + LO noise, split by a watershed from h-maxima of depth H_MAX;
# a segment is an object when its peak exceeds sky + HI noise, else an ignore region (too faint to be sure).
# Neighbouring segments are merged back when the saddle between them is above MERGE x the fainter peak (knots
# of one galaxy, a bright halo), as in multi-threshold deblending.
HUBBLE = {"sigma": 1.0, "lo": 4.0, "hi": 10.0, "h_max": 0.04, "merge": 0.7}
# IHC: colour deconvolution (skimage.color.rgb2hed). Glands: DAB smoothed (sigma 3) > GLAND, closed (disk 3),
# holes filled, >= 400 px. Nuclei: hematoxylin smoothed (sigma 1) > NUC outside the glands (dilated by 1 px),
# split by a watershed from h-maxima of depth H_MAX; segments under MIN_AREA px, with solidity < SOLIDITY
# (merged or irregular) become ignore regions, and so do faint blobs (hematoxylin > FAINT without an object).
IHC = {"sigma": 1.0, "gland_sigma": 3.0, "gland": 0.03, "nuc": 0.03, "faint": 0.024, "h_max": 0.006,
       "min_area": 8, "solidity": 0.75}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_crop(source, box, factor):
    x0, y0, x1, y1 = box
    a = io.imread(os.path.join(SKIMAGE_DATA, source))[y0:y1, x0:x1, :3]
    if factor > 1:
        a = np.round(transform.downscale_local_mean(a.astype(np.float64), (factor, factor, 1)))
    return a.astype(np.uint8)


def box_of(region):
    r0, c0, r1, c1 = region.bbox
    return [int(c0), int(r0), int(c1 - c0), int(r1 - r0)]


def touches_edge(b, w, h):
    return b[0] == 0 or b[1] == 0 or b[0] + b[2] == w or b[1] + b[3] == h


def merge_shallow(labels, value, ratio):
    """Relabels so that 8-neighbouring segments whose saddle (the highest value along their common border,
    each border pair taking the lower of its two pixels) exceeds ratio x the lower of their peaks are one."""
    n = int(labels.max())
    peak = np.zeros(n + 1)
    np.maximum.at(peak, labels.ravel(), value.ravel())
    keys, vals = [], []
    for (da, db) in (((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
                     ((slice(None, -1), slice(None)), (slice(1, None), slice(None))),
                     ((slice(None, -1), slice(None, -1)), (slice(1, None), slice(1, None))),
                     ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)))):
        a, b = labels[da], labels[db]
        m = (a != b) & (a > 0) & (b > 0)
        lo_l, hi_l = np.minimum(a[m], b[m]), np.maximum(a[m], b[m])
        keys.append(lo_l.astype(np.int64) * (n + 1) + hi_l)
        vals.append(np.minimum(value[da][m], value[db][m]))
    keys, vals = np.concatenate(keys), np.concatenate(vals)
    parent = np.arange(n + 1)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for k in np.unique(keys):
        a, b = int(k // (n + 1)), int(k % (n + 1))
        if vals[keys == k].max() > ratio * min(peak[a], peak[b]):
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(n + 1)])
    return roots[labels]


def hubble_objects(img, crop, factor):
    p = HUBBLE
    lum = filters.gaussian(img.astype(np.float64).mean(axis=2) / 255.0, sigma=p["sigma"])
    sky = float(np.median(lum))
    noise = float(np.median(np.abs(lum - sky)) * 1.4826)
    lo, hi = sky + p["lo"] * noise, sky + p["hi"] * noise
    mask = lum > lo
    markers = measure.label(morphology.h_maxima(lum, p["h_max"]) & mask, connectivity=2)
    # Segments without an h-maximum (faint plateaus) get a marker at their brightest pixel.
    base = measure.label(mask, connectivity=2)
    nxt = int(markers.max()) + 1
    for r in measure.regionprops(base, intensity_image=lum):
        rows, cols = r.coords[:, 0], r.coords[:, 1]
        if markers[rows, cols].max() == 0:
            k = int(np.argmax(lum[rows, cols]))
            markers[rows[k], cols[k]] = nxt
            nxt += 1
    labels = merge_shallow(segmentation.watershed(-lum, markers, mask=mask, connectivity=2), lum, p["merge"])
    h, w = lum.shape
    out = []
    for r in measure.regionprops(labels, intensity_image=lum):
        b = box_of(r)
        cat = 1 if max(b[2], b[3]) <= COMPACT_MAX_SIDE else 2
        why = None
        if r.max_intensity <= hi:
            why = "faint"
        elif any(b[0] <= (sx - crop[0]) / factor < b[0] + b[2] and b[1] <= (sy - crop[1]) / factor < b[1] + b[3]
                 and labels[int((sy - crop[1]) / factor), int((sx - crop[0]) / factor)] == r.label
                 for sx, sy in SPIKED_STARS):
            why = "star-spikes"
        elif touches_edge(b, w, h):
            why = "edge"
        elif min(b[2], b[3]) < 2:
            why = "tiny"
        out.append((b, cat, why))
    return out, {"sky": round(sky, 5), "noise": round(noise, 5)}


def ihc_objects(img, crop, factor):
    p = IHC
    hed = color.rgb2hed(img)
    hema = filters.gaussian(hed[..., 0], sigma=p["sigma"])
    dab = filters.gaussian(hed[..., 2], sigma=p["gland_sigma"])
    gland = morphology.binary_closing(dab > p["gland"], morphology.disk(3))
    gland = morphology.remove_small_objects(ndi.binary_fill_holes(gland), 400)
    outside = ~morphology.binary_dilation(gland, morphology.disk(1))
    nuc = ndi.binary_fill_holes(morphology.remove_small_objects((hema > p["nuc"]) & outside, 6))
    markers = measure.label(morphology.h_maxima(hema, p["h_max"]) & nuc)
    labels = segmentation.watershed(-hema, markers, mask=nuc)
    h, w = hema.shape
    out = []
    for r in measure.regionprops(measure.label(gland)):
        out.append((box_of(r), 3, "gland"))
    for r in measure.regionprops(labels):
        b = box_of(r)
        why = None
        if r.area < p["min_area"]:
            why = "tiny"
        elif r.solidity < p["solidity"]:
            why = "irregular"
        elif touches_edge(b, w, h):
            why = "edge"
        out.append((b, 3, why))
    faint = measure.label((hema > p["faint"]) & outside & (labels == 0))
    for r in measure.regionprops(faint):
        grown = morphology.binary_dilation(faint == r.label, morphology.disk(1))
        if r.area >= p["min_area"] and not labels[grown].any():
            out.append((box_of(r), 3, "faint"))
    return out, {}


def render(img, anns, scale, path):
    big = np.kron(img, np.ones((scale, scale, 1), dtype=np.uint8))
    if img.mean() < 60:  # the deep field is dark: brighten for viewing only
        big = np.clip(big.astype(np.float64) * 1.8, 0, 255).astype(np.uint8)
    colours = {1: (0, 255, 0), 2: (255, 255, 0), 3: (0, 150, 0)}
    # Ignore regions: grey when too faint, cyan on the border, orange when irregular or tiny, magenta glands.
    why_colours = {"faint": (150, 150, 150), "edge": (0, 200, 255), "irregular": (255, 128, 0),
                   "tiny": (255, 128, 0), "gland": (255, 0, 255), "star-spikes": (255, 0, 255)}
    for a in sorted(anns, key=lambda a: -a["ignore"]):
        x, y, w, h = a["bbox"]
        col = why_colours[a["ignore_reason"]] if a["ignore"] else colours[a["category_id"]]
        X0, Y0, X1, Y1 = x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1
        big[Y0, X0:X1 + 1] = col
        big[Y1, X0:X1 + 1] = col
        big[Y0:Y1 + 1, X0] = col
        big[Y0:Y1 + 1, X1] = col
    io.imsave(path, big, check_contrast=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join("datasets", "real-probe"))
    ap.add_argument("--render", default=None, help="folder for enlarged images with boxes (checking by eye)")
    args = ap.parse_args()
    for name, digest in SOURCES.items():
        got = sha256(os.path.join(SKIMAGE_DATA, name))
        if got != digest:
            sys.exit(f"make-real-probe: {name} in {SKIMAGE_DATA} has sha256 {got}, expected {digest}")
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    if args.render:
        os.makedirs(args.render, exist_ok=True)
    images, annotations, reasons = [], [], {}
    for image_id, (fname, source, box, factor) in enumerate(CROPS, start=1):
        img = load_crop(source, box, factor)
        astro = source.startswith("hubble")
        objs, stats = (hubble_objects if astro else ihc_objects)(img, box, factor)
        io.imsave(os.path.join(args.out, "images", fname), img, check_contrast=False)
        h, w = img.shape[:2]
        images.append({"id": image_id, "file_name": f"images/{fname}", "width": w, "height": h,
                       "domain": "real-astronomy" if astro else "real-microscopy", "source": source,
                       "crop_xyxy": list(box), "downscale": factor, **stats})
        mine = []
        for b, cat, why in objs:
            ann = {"id": len(annotations) + 1, "image_id": image_id, "category_id": cat, "bbox": b,
                   "area": b[2] * b[3], "iscrowd": 0, "ignore": 0 if why is None else 1}
            annotations.append(ann)
            mine.append(dict(ann, ignore_reason=why))
            if why is not None:
                reasons.setdefault(why, []).append(ann["id"])
        if args.render:
            render(img, mine, 4 if astro else 3, os.path.join(args.render, fname))
    coco = {
        "info": {"description": "dealkit real-image probe: crops of two public photographs from scikit-image's "
                                "data (Debian python3-skimage " + skimage.__version__ + "), boxes by threshold "
                                "segmentation; see README.md",
                 "version": 1, "hubble": HUBBLE, "ihc": IHC, "compact_max_side": COMPACT_MAX_SIDE,
                 "spiked_stars_source_px": SPIKED_STARS,
                 "ignore_reasons": {k: reasons[k] for k in sorted(reasons)},
                 "sources_sha256": SOURCES},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES,
    }
    tmp = os.path.join(args.out, "annotations.json.tmp")
    with open(tmp, "w") as f:
        f.write(compact_json(coco) + "\n")
    os.replace(tmp, os.path.join(args.out, "annotations.json"))
    report(images, annotations)
    print("ignore regions by reason: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(reasons.items())))


def compact_json(coco):
    """COCO JSON with one image, annotation or category per line (small, and diffs stay readable)."""
    parts = []
    for key, value in coco.items():
        if isinstance(value, list) and value:
            rows = ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in value)
            parts.append(f'"{key}": [\n  {rows}\n ]')
        else:
            parts.append(f'"{key}": {json.dumps(value, separators=(",", ":"))}')
    return "{\n " + ",\n ".join(parts) + "\n}"


def report(images, annotations):
    for im in images:
        mine = [a for a in annotations if a["image_id"] == im["id"]]
        by = {c["id"]: sum(1 for a in mine if a["category_id"] == c["id"] and not a["ignore"]) for c in CATEGORIES}
        print(f"{im['file_name']}: {im['width']}x{im['height']}, objects {sum(by.values())} "
              f"({', '.join(f'{k}: {v}' for k, v in by.items() if v)}), ignore {sum(a['ignore'] for a in mine)}")
    objs = [a for a in annotations if not a["ignore"]]
    side = np.array([max(a["bbox"][2], a["bbox"][3]) for a in objs])
    short = np.array([min(a["bbox"][2], a["bbox"][3]) for a in objs])
    inside = np.mean((short >= 2) & (side <= 32))
    print(f"objects {len(objs)}, ignore {len(annotations) - len(objs)}; longest side px: min {side.min()}, "
          f"median {np.median(side):g}, p90 {np.percentile(side, 90):g}, max {side.max()}; "
          f"{100 * inside:.1f}% have both sides within 2-32 px")
    for c in CATEGORIES:
        s = np.array([max(a["bbox"][2], a["bbox"][3]) for a in objs if a["category_id"] == c["id"]])
        m = np.array([min(a["bbox"][2], a["bbox"][3]) for a in objs if a["category_id"] == c["id"]])
        print(f"  {c['name']}: {len(s)} objects, longest side min {s.min()} median {np.median(s):g} max {s.max()}, "
              f"shortest side min {m.min()} median {np.median(m):g}")
    for dom in ("real-astronomy", "real-microscopy"):
        ids = {im["id"] for im in images if im["domain"] == dom}
        s = np.array([max(a["bbox"][2], a["bbox"][3]) for a in objs if a["image_id"] in ids])
        print(f"  {dom}: {len(s)} objects, longest side p10 {np.percentile(s, 10):.3g}, median {np.median(s):g}, "
              f"p90 {np.percentile(s, 90):.3g}, max {s.max()}")


if __name__ == "__main__":
    main()
