/**
 * A deliberately literal, slow transcription of pycocotools' COCOeval (bbox) — Python control flow kept
 * line by line, no grouping tricks — used as a second, independent oracle on randomised edge cases that the
 * reference fixtures (test/fixtures/coco) do not hold (ties, truncation, exact-threshold IoUs, empty categories). Numbers from the
 * fixtures remain the primary reference.
 */
interface Ann { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: number; score?: number; ignore?: number; _ignore?: number }

export interface PortParams { iouThrs: number[]; recThrs: number[]; maxDets: number[]; areaRng: [number, number][]; useCats: boolean }

function bbIou(dt: number[][], gt: number[][], iscrowd: number[]): number[][] {
  const o: number[][] = dt.map(() => gt.map(() => 0));
  for (let g = 0; g < gt.length; g++) {
    const G = gt[g]!;
    const ga = G[2]! * G[3]!;
    const crowd = iscrowd[g];
    for (let d = 0; d < dt.length; d++) {
      const D = dt[d]!;
      const da = D[2]! * D[3]!;
      o[d]![g] = 0;
      const w = Math.min(D[2]! + D[0]!, G[2]! + G[0]!) - Math.max(D[0]!, G[0]!);
      if (w <= 0) continue;
      const h = Math.min(D[3]! + D[1]!, G[3]! + G[1]!) - Math.max(D[1]!, G[1]!);
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd ? da : da + ga - i;
      o[d]![g] = i / u;
    }
  }
  return o;
}

/** Stable argsort (numpy mergesort). */
function argsort(keys: number[]): number[] {
  return keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1]);
}

export function portCocoEval(gtJson: any, dtJson: any[], p: PortParams) {
  // COCO(gt)
  const anns = new Map<number, Ann>();
  const imgToAnns = new Map<number, Ann[]>();
  for (const a of gtJson.annotations) {
    const ann: Ann = { ...a };
    if (!imgToAnns.has(ann.image_id)) imgToAnns.set(ann.image_id, []);
    imgToAnns.get(ann.image_id)!.push(ann);
    anns.set(ann.id, ann);
  }
  const imgIds = [...new Set<number>(gtJson.images.map((i: any) => i.id))].sort((a, b) => a - b);
  const catIdsAll = [...new Set<number>(gtJson.categories.map((c: any) => c.id))].sort((a, b) => a - b);
  // loadRes
  const dtAnns: Ann[] = dtJson.map((d, i) => ({ ...d, id: i + 1, area: d.bbox[2] * d.bbox[3], iscrowd: 0 }));
  const dtImgToAnns = new Map<number, Ann[]>();
  for (const d of dtAnns) {
    if (!dtImgToAnns.has(d.image_id)) dtImgToAnns.set(d.image_id, []);
    dtImgToAnns.get(d.image_id)!.push(d);
  }
  // _prepare
  const pick = (m: Map<number, Ann[]>) => {
    let l = imgIds.flatMap((id) => m.get(id) ?? []);
    if (p.useCats) l = l.filter((a) => catIdsAll.includes(a.category_id));
    return l;
  };
  const gts = pick(imgToAnns).map((a) => anns.get(a.id)!);
  const dts = pick(dtImgToAnns);
  for (const g of gts) g.ignore = g.iscrowd ? 1 : 0;
  const _gts = new Map<string, Ann[]>();
  const _dts = new Map<string, Ann[]>();
  const key = (i: number, c: number) => `${i},${c}`;
  for (const g of gts) { const k = key(g.image_id, g.category_id); if (!_gts.has(k)) _gts.set(k, []); _gts.get(k)!.push(g); }
  for (const d of dts) { const k = key(d.image_id, d.category_id); if (!_dts.has(k)) _dts.set(k, []); _dts.get(k)!.push(d); }
  const maxDets = [...p.maxDets].sort((a, b) => a - b);
  const catIds = p.useCats ? catIdsAll : [-1];
  const getGD = (imgId: number, catId: number) => p.useCats
    ? { gt: [...(_gts.get(key(imgId, catId)) ?? [])], dt: [...(_dts.get(key(imgId, catId)) ?? [])] }
    : { gt: catIdsAll.flatMap((c) => _gts.get(key(imgId, c)) ?? []), dt: catIdsAll.flatMap((c) => _dts.get(key(imgId, c)) ?? []) };
  const ious = new Map<string, number[][]>();
  for (const imgId of imgIds) for (const catId of catIds) {
    let { gt, dt } = getGD(imgId, catId);
    if (gt.length === 0 && dt.length === 0) { ious.set(key(imgId, catId), []); continue; }
    dt = argsort(dt.map((d) => -d.score!)).map((i) => dt[i]!);
    if (dt.length > maxDets[maxDets.length - 1]!) dt = dt.slice(0, maxDets[maxDets.length - 1]);
    ious.set(key(imgId, catId), gt.length === 0 || dt.length === 0 ? [] : bbIou(dt.map((d) => d.bbox), gt.map((g) => g.bbox), gt.map((g) => g.iscrowd)));
  }
  const T = p.iouThrs.length;
  const evaluateImg = (imgId: number, catId: number, aRng: [number, number], maxDet: number) => {
    let { gt, dt } = getGD(imgId, catId);
    if (gt.length === 0 && dt.length === 0) return null;
    for (const g of gt) g._ignore = g.ignore || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0;
    const gtind = argsort(gt.map((g) => g._ignore!));
    gt = gtind.map((i) => gt[i]!);
    const dtind = argsort(dt.map((d) => -d.score!));
    dt = dtind.slice(0, maxDet).map((i) => dt[i]!);
    const iscrowd = gt.map((o) => o.iscrowd);
    const raw = ious.get(key(imgId, catId))!;
    const iouM = raw.length > 0 ? raw.map((row) => gtind.map((gi) => row[gi]!)) : raw;
    const G = gt.length, D = dt.length;
    const gtm = Array.from({ length: T }, () => new Array<number>(G).fill(0));
    const dtm = Array.from({ length: T }, () => new Array<number>(D).fill(0));
    const gtIg = gt.map((g) => g._ignore!);
    const dtIg = Array.from({ length: T }, () => new Array<number>(D).fill(0));
    if (iouM.length !== 0) {
      p.iouThrs.forEach((t, tind) => {
        dt.forEach((d, dind) => {
          let iou = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gind = 0; gind < G; gind++) {
            if (gtm[tind]![gind]! > 0 && !iscrowd[gind]) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[gind] === 1) break;
            if (iouM[dind]![gind]! < iou) continue;
            iou = iouM[dind]![gind]!;
            m = gind;
          }
          if (m === -1) return;
          dtIg[tind]![dind] = gtIg[m]!;
          dtm[tind]![dind] = gt[m]!.id;
          gtm[tind]![m] = d.id;
        });
      });
    }
    const a = dt.map((d) => d.area < aRng[0] || d.area > aRng[1]);
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) dtIg[t]![d] = dtIg[t]![d] || (dtm[t]![d] === 0 && a[d]) ? 1 : 0;
    return { dtMatches: dtm, dtScores: dt.map((d) => d.score!), gtIgnore: gtIg, dtIgnore: dtIg };
  };
  const evalImgs: ReturnType<typeof evaluateImg>[] = [];
  for (const catId of catIds) for (const aRng of p.areaRng) for (const imgId of imgIds) evalImgs.push(evaluateImg(imgId, catId, aRng, maxDets[maxDets.length - 1]!));
  // accumulate
  const R = p.recThrs.length, K = catIds.length, A = p.areaRng.length, M = maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const I0 = imgIds.length, A0 = A;
  for (let k = 0; k < K; k++) {
    const Nk = k * A0 * I0;
    for (let a = 0; a < A; a++) {
      const Na = a * I0;
      for (let m = 0; m < M; m++) {
        const maxDet = maxDets[m]!;
        const E = imgIds.map((_, i) => evalImgs[Nk + Na + i]).filter((e) => e !== null) as NonNullable<ReturnType<typeof evaluateImg>>[];
        if (E.length === 0) continue;
        const dtScores = E.flatMap((e) => e.dtScores.slice(0, maxDet));
        const inds = argsort(dtScores.map((s) => -s));
        const dtm = Array.from({ length: T }, (_, t) => { const c = E.flatMap((e) => e.dtMatches[t]!.slice(0, maxDet)); return inds.map((i) => c[i]!); });
        const dtIg = Array.from({ length: T }, (_, t) => { const c = E.flatMap((e) => e.dtIgnore[t]!.slice(0, maxDet)); return inds.map((i) => c[i]!); });
        const gtIg = E.flatMap((e) => e.gtIgnore);
        const npig = gtIg.filter((g) => g === 0).length;
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          let tpc = 0, fpc = 0;
          const tp: number[] = [], fp: number[] = [];
          for (let i = 0; i < inds.length; i++) {
            if (dtm[t]![i] && !dtIg[t]![i]) tpc++;
            if (!dtm[t]![i] && !dtIg[t]![i]) fpc++;
            tp.push(tpc); fp.push(fpc);
          }
          const nd = tp.length;
          const rc = tp.map((v) => v / npig);
          const pr = tp.map((v, i) => v / (fp[i]! + v + 2.220446049250313e-16));
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          for (let ri = 0; ri < R; ri++) {
            let pi = 0;
            while (pi < nd && rc[pi]! < p.recThrs[ri]!) pi++; // searchsorted left
            const q = pi < nd ? pr[pi]! : 0;
            precision[(((t * R + ri) * K + k) * A + a) * M + m] = q;
          }
        }
      }
    }
  }
  return { precision, recall };
}
