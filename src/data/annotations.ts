/**
 * Annotations, columnar: row i of every array describes annotation i. Boxes are xywh in pixels (COCO).
 * `attributes` holds extra numeric per-annotation fields read from files (VisDrone `truncation`,
 * `occlusion`, DOTA `difficult`, TinyPerson `uncertain`, ...); NaN means absent for that row.
 */
export interface AnnotationColumns {
  ids: Float64Array;
  imageIds: Float64Array;
  categoryIds: Int32Array;
  /** 4 numbers per row: x, y, width, height in pixels. */
  bboxXywh: Float64Array;
  area: Float64Array;
  /** 1 for crowd regions (COCO `iscrowd`). */
  iscrowd: Uint8Array;
  /** 1 for ignore regions (TinyPerson `ignore`, VisDrone category 0, DOTA difficult, ...). */
  ignore: Uint8Array;
  attributes: Record<string, Float64Array>;
}

/** One annotation as a plain object (see {@link AnnotationColumns}). */
export interface AnnotationRecord {
  id: number;
  imageId: number;
  categoryId: number;
  bboxXywh: [number, number, number, number];
  /** Default: width * height. */
  area?: number;
  /** Default: false. */
  iscrowd?: boolean;
  /** Default: false. */
  ignore?: boolean;
  /** Extra numeric fields (see {@link AnnotationColumns}). */
  attributes?: Record<string, number>;
}

/**
 * Builds {@link AnnotationColumns} row by row with amortised growth (readers and the generator use it).
 * Ids default to 1, 2, 3, ... when not given.
 *
 * @example
 * const b = new AnnotationBuilder();
 * b.add({ imageId: 1, categoryId: 2, bboxXywh: [10, 10, 4, 4] });
 * const columns = b.build();
 */
export class AnnotationBuilder {
  private n = 0;
  private cap: number;
  private ids: Float64Array;
  private imageIds: Float64Array;
  private categoryIds: Int32Array;
  private bbox: Float64Array;
  private area: Float64Array;
  private iscrowd: Uint8Array;
  private ignore: Uint8Array;
  private attrs = new Map<string, Float64Array>();

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.ids = new Float64Array(this.cap);
    this.imageIds = new Float64Array(this.cap);
    this.categoryIds = new Int32Array(this.cap);
    this.bbox = new Float64Array(this.cap * 4);
    this.area = new Float64Array(this.cap);
    this.iscrowd = new Uint8Array(this.cap);
    this.ignore = new Uint8Array(this.cap);
  }

  /** Rows added so far. */
  get length(): number {
    return this.n;
  }

  private grow(): void {
    const cap = Math.ceil(this.cap * 1.5);
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, k = 1): T => {
      const b = new (a.constructor as { new (n: number): T })(cap * k);
      b.set(a);
      return b;
    };
    this.ids = g(this.ids);
    this.imageIds = g(this.imageIds);
    this.categoryIds = g(this.categoryIds);
    this.bbox = g(this.bbox, 4);
    this.area = g(this.area);
    this.iscrowd = g(this.iscrowd);
    this.ignore = g(this.ignore);
    for (const [k, v] of this.attrs) {
      const grown = g(v);
      grown.fill(NaN, v.length); // absent in the rows to come
      this.attrs.set(k, grown);
    }
    this.cap = cap;
  }

  /** Appends one row (fast path without an object for the box). Returns the row index. */
  push(id: number, imageId: number, categoryId: number, x: number, y: number, w: number, h: number, area: number, iscrowd: number, ignore: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.ids[i] = id;
    this.imageIds[i] = imageId;
    this.categoryIds[i] = categoryId;
    this.bbox[i * 4] = x;
    this.bbox[i * 4 + 1] = y;
    this.bbox[i * 4 + 2] = w;
    this.bbox[i * 4 + 3] = h;
    this.area[i] = area;
    this.iscrowd[i] = iscrowd;
    this.ignore[i] = ignore;
    return i;
  }

  /** Sets attribute `name` of row `row` (the column is created on first use, NaN elsewhere). */
  setAttribute(row: number, name: string, value: number): void {
    let col = this.attrs.get(name);
    if (!col) {
      col = new Float64Array(this.cap).fill(NaN);
      this.attrs.set(name, col);
    }
    col[row] = value;
  }

  /** The category id of row `row`. */
  categoryAt(row: number): number {
    return this.categoryIds[row]!;
  }

  /** Marks row `row` as an ignore region. */
  setIgnore(row: number): void {
    this.ignore[row] = 1;
  }

  /** Appends one record. Returns the row index. */
  add(r: Omit<AnnotationRecord, "id"> & { id?: number }): number {
    const [x, y, w, h] = r.bboxXywh;
    const row = this.push(r.id ?? this.n + 1, r.imageId, r.categoryId, x, y, w, h, r.area ?? w * h, r.iscrowd ? 1 : 0, r.ignore ? 1 : 0);
    if (r.attributes) for (const [k, v] of Object.entries(r.attributes)) this.setAttribute(row, k, v);
    return row;
  }

  /** The columns, trimmed to the rows added (new arrays; the builder can keep going). */
  build(): AnnotationColumns {
    const n = this.n;
    const attributes: Record<string, Float64Array> = {};
    for (const [k, v] of [...this.attrs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) attributes[k] = v.slice(0, n);
    return {
      ids: this.ids.slice(0, n),
      imageIds: this.imageIds.slice(0, n),
      categoryIds: this.categoryIds.slice(0, n),
      bboxXywh: this.bbox.slice(0, n * 4),
      area: this.area.slice(0, n),
      iscrowd: this.iscrowd.slice(0, n),
      ignore: this.ignore.slice(0, n),
      attributes,
    };
  }
}

/** The rows `keep` of `cols` (new arrays). */
export function selectAnnotationRows(cols: AnnotationColumns, keep: ArrayLike<number>): AnnotationColumns {
  const n = keep.length;
  const out: AnnotationColumns = {
    ids: new Float64Array(n),
    imageIds: new Float64Array(n),
    categoryIds: new Int32Array(n),
    bboxXywh: new Float64Array(n * 4),
    area: new Float64Array(n),
    iscrowd: new Uint8Array(n),
    ignore: new Uint8Array(n),
    attributes: {},
  };
  for (const k of Object.keys(cols.attributes)) out.attributes[k] = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = keep[j]!;
    out.ids[j] = cols.ids[i]!;
    out.imageIds[j] = cols.imageIds[i]!;
    out.categoryIds[j] = cols.categoryIds[i]!;
    out.bboxXywh.set(cols.bboxXywh.subarray(i * 4, i * 4 + 4), j * 4);
    out.area[j] = cols.area[i]!;
    out.iscrowd[j] = cols.iscrowd[i]!;
    out.ignore[j] = cols.ignore[i]!;
    for (const k of Object.keys(cols.attributes)) out.attributes[k]![j] = cols.attributes[k]![i]!;
  }
  return out;
}
