/**
 * The bad-input corpus: every case is a `dealkit` command line (with `{d}` for the case's own folder), the files
 * it needs, the expected outcome and the words its message must contain. Outcomes: "usage" (commander refuses
 * an option before the command runs), "error" (the command refuses the input; validate's "NOT USABLE"
 * counts), "ok" (accepted: the inputs that must keep working). Written from the issue's list of silently
 * accepted inputs and internal messages, plus the readers' formats.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { bom, checkpoint, cocoSet, goodCoco, goodDt, gz, json, png, poke, tinyset, tinysetManifest, utf16, write, yoloSet } from "./files.js";

export interface CorpusCase {
  id: string;
  args: string[];
  setup?: (d: string) => unknown;
  expect: "ok" | "usage" | "error";
  words: string[];
}

const range = (opt: string, value: string, r: string): string[] => [opt, `'${value}'`, r];
const train = (...a: string[]) => ["train", "--preset", "micro", "--out", "{d}/run", ...a];
const predict = (...a: string[]) => ["predict", "--model", "deal-tiny", "--out", "{d}/dt.json", ...a];
const predictCkpt = (...a: string[]) => ["predict", "--model", "{d}/ckpt-deal", "--gt", "{d}/gt.json", "--images", "{d}/images", "--backend", "cpu", "--out", "{d}/dt.json", ...a];
const coco = (edit: (c: any) => void) => (d: string) => {
  const c = goodCoco();
  edit(c);
  json(d, "gt.json", c);
};

const optionCases: CorpusCase[] = [
  ["train-steps-abc", train("--steps", "abc"), range("--steps", "abc", "an integer in [1, 10000000]")],
  ["train-steps-0", train("--steps", "0"), range("--steps", "0", "an integer in [1, 10000000]")],
  ["train-steps-frac", train("--steps", "1.5"), range("--steps", "1.5", "an integer")],
  ["train-steps-hex", train("--steps", "0x10"), range("--steps", "0x10", "an integer")],
  ["train-lr-neg", train("--lr", "-1"), range("--lr", "-1", "a number in (0, 1]")],
  ["train-lr-abc", train("--lr", "abc"), range("--lr", "abc", "a number in (0, 1]")],
  ["train-lr-0", train("--lr", "0"), range("--lr", "0", "(0, 1]")],
  ["train-lr-inf", train("--lr", "Infinity"), range("--lr", "Infinity", "(0, 1]")],
  ["train-batch-0", train("--batch", "0"), range("--batch", "0", "an integer in [1, 1024]")],
  ["train-batch-empty", train("--batch", ""), range("--batch", "", "an integer in [1, 1024]")],
  ["train-cycles-abc", train("--cycles", "abc"), range("--cycles", "abc", "an integer in [0, 16]")],
  ["train-cycles-big", train("--cycles", "17"), range("--cycles", "17", "[0, 16]")],
  ["train-novel-objects-big", train("--novel-objects", "1.5"), range("--novel-objects", "1.5", "a number in [0, 1]")],
  ["train-novel-scenes-neg", train("--novel-scenes", "-0.2"), range("--novel-scenes", "-0.2", "a number in [0, 1]")],
  ["train-ckpt-every-abc", train("--checkpoint-every", "abc"), range("--checkpoint-every", "abc", "an integer in [0, 10000000]")],
  ["train-ckpt-every-neg", train("--checkpoint-every", "-5"), range("--checkpoint-every", "-5", "[0, 10000000]")],
  ["train-seed-neg", train("--seed", "-1"), range("--seed", "-1", "an integer in [0, 4294967295]")],
  ["train-seed-huge", train("--seed", "1e20"), range("--seed", "1e20", "[0, 4294967295]")],
  ["predict-score-abc", predict("--score-threshold", "abc"), range("--score-threshold", "abc", "a number in [0, 1]")],
  ["predict-score-big", predict("--score-threshold", "1.5"), range("--score-threshold", "1.5", "[0, 1]")],
  ["predict-maxdet-neg", predict("--max-detections", "-1"), range("--max-detections", "-1", "an integer in [1, 100000]")],
  ["predict-maxdet-0", predict("--max-detections", "0"), range("--max-detections", "0", "[1, 100000]")],
  ["predict-merge-0", predict("--class-agnostic-merge", "0"), range("--class-agnostic-merge", "0", "(0, 1]")],
  ["predict-slice-small", predict("--slice", "8"), range("--slice", "8", "an integer in [16, 16384]")],
  ["predict-overlap-big", predict("--overlap", "0.95"), range("--overlap", "0.95", "[0, 0.9)")],
  ["predict-slice-batch-0", predict("--slice", "64", "--slice-batch", "0"), range("--slice-batch", "0", "an integer in [1, 64]")],
  ["predict-progress-0", predict("--progress-every", "0"), range("--progress-every", "0", "[1, 1000000000]")],
  ["predict-seed-x", predict("--seed", "x"), range("--seed", "x", "an integer")],
  ["studio-idle-abc", ["studio", "--model", "deal-tiny", "--idle-minutes", "abc"], range("--idle-minutes", "abc", "a number in [0.1, 10080]")],
  ["studio-port-big", ["studio", "--model", "deal-tiny", "--port", "70000"], range("--port", "70000", "an integer in [0, 65535]")],
  ["studio-clicks-0", ["studio", "--model", "deal-tiny", "--max-clicks", "0"], range("--max-clicks", "0", "[1, 1000]")],
  ["studio-score-neg", ["studio", "--model", "deal-tiny", "--score-threshold", "-0.1"], range("--score-threshold", "-0.1", "[0, 1]")],
  ["studio-size-small", ["studio", "--model", "deal-tiny", "--size", "10"], range("--size", "10", "[64, 4096]")],
  ["generate-seed-abc", ["generate", "--out", "{d}/ts", "--seed", "abc"], range("--seed", "abc", "an integer")],
  ["generate-size-small", ["generate", "--out", "{d}/ts", "--image-size", "16"], range("--image-size", "16", "an integer in [32, 8192]")],
  ["generate-size-hex", ["generate", "--out", "{d}/ts", "--image-size", "0x100"], range("--image-size", "0x100", "[32, 8192]")],
  ["ablate-seeds-0", ["ablate", "--model", "deal-tiny", "--seeds", "0"], range("--seeds", "0", "an integer in [1, 1000]")],
  ["ablate-maximages-abc", ["ablate", "--model", "deal-tiny", "--max-images", "abc"], range("--max-images", "abc", "an integer")],
  ["reproduce-timeout-abc", ["reproduce", "--timeout", "abc"], range("--timeout", "abc", "a number in [1, 604800]")],
  ["reproduce-ipd-0", ["reproduce", "--images-per-domain", "0"], range("--images-per-domain", "0", "an integer")],
  ["reproduce-seed-neg", ["reproduce", "--seed", "-3"], range("--seed", "-3", "[0, 4294967295]")],
].map(([id, args, words]) => ({ id: id as string, args: args as string[], expect: "usage" as const, words: words as string[] }));

const choiceCases: CorpusCase[] = [
  { id: "generate-scale", args: ["generate", "--out", "{d}/ts", "--scale", "huge"], expect: "error", words: ["--scale", '"huge"', '"default"'] },
  { id: "train-model", args: train("--model", "foo"), expect: "error", words: ["--model", '"foo"', '"deal"'] },
  { id: "train-preset", args: train("--preset", "giant"), expect: "error", words: ["--preset", '"giant"', '"tiny"'] },
  { id: "train-prompting", args: train("--prompting", "magic"), expect: "error", words: ["--prompting", '"magic"', '"pgcpp"'] },
  { id: "train-decoder-round", args: train("--decoder-round", "middle"), expect: "error", words: ["--decoder-round", '"middle"', '"first"', '"last"'] },
  { id: "convert-to", args: ["convert", "--from", "coco", "--to", "xml", "{d}/gt.json", "{d}/out"], setup: cocoSet, expect: "error", words: ["--to", '"xml"', '"yolo"'] },
  { id: "convert-from", args: ["convert", "--from", "foo", "--to", "coco", "{d}/gt.json", "{d}/out.json"], setup: cocoSet, expect: "error", words: ["--from", '"foo"'] },
  { id: "validate-format", args: ["validate", "--format", "foo", "{d}/gt.json"], setup: cocoSet, expect: "error", words: ["--format", '"foo"'] },
  { id: "validate-box-policy", args: ["validate", "--box-policy", "foo", "{d}/gt.json"], setup: cocoSet, expect: "error", words: ["--box-policy", '"foo"'] },
  { id: "predict-sampler", args: [...predictCkpt("--sampler", "foo")], setup: cocoSet, expect: "error", words: ["--sampler", '"foo"'] },
  { id: "errors-compat", args: ["errors", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--compat", "foo"], expect: "error", words: ["--compat", '"foo"'] },
  { id: "eval-maxdets-hex", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--max-dets", "0x10"], expect: "error", words: ["--max-dets", "0x10", "[1, 1000000000]"] },
  { id: "eval-iou-big", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--iou-thrs", "0.5,1.5"], expect: "error", words: ["--iou-thrs", "1.5", "[0, 1]"] },
  { id: "eval-iou-abc", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--iou-thrs", "abc"], expect: "error", words: ["--iou-thrs", "abc"] },
  { id: "eval-iou-range", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--iou-thrs", "0.5:2:0.1"], expect: "error", words: ["--iou-thrs", "start:stop:step"] },
  { id: "eval-area", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--area-ranges", "all:0"], expect: "error", words: ["--area-ranges", "label:lo:hi"] },
];

const outCases: CorpusCase[] = [
  { id: "train-out-file", args: train(), setup: (d) => write(d, "run", "x"), expect: "error", words: ["--out", "is a file"] },
  { id: "train-out-existing", args: train(), setup: (d) => fs.renameSync(checkpoint(d), path.join(d, "run")), expect: "error", words: ["--out", "already holds a checkpoint", "--resume", "--force"] },
  { id: "train-out-other-files", args: train(), setup: (d) => write(d, "run/notes.txt", "mine"), expect: "error", words: ["--out", "other files", "notes.txt"] },
  { id: "train-resume-force", args: train("--resume", "--force"), expect: "error", words: ["--resume", "--force"] },
  { id: "train-log-folder", args: train("--log", "{d}"), expect: "error", words: ["--log", "is a folder"] },
  { id: "generate-out-file", args: ["generate", "--out", "{d}/ts", "--scale", "small"], setup: (d) => write(d, "ts", "x"), expect: "error", words: ["ts", "is a file"] },
  { id: "generate-out-other", args: ["generate", "--out", "{d}/ts", "--scale", "small"], setup: (d) => write(d, "ts/mine.txt", "x"), expect: "error", words: ["ts", "holds other files", "TinySet-mini"] },
  { id: "convert-yolo-other", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: async (d) => { await cocoSet(d); write(d, "out/mine.txt", "x"); }, expect: "error", words: ["out", "holds other files"] },
  { id: "convert-yolo-file", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: async (d) => { await cocoSet(d); write(d, "out", "x"); }, expect: "error", words: ["out", "is a file"] },
  { id: "predict-out-folder", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d); fs.mkdirSync(path.join(d, "dt.json")); }, expect: "error", words: ["--out", "dt.json", "is a folder"] },
  { id: "eval-out-folder", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json", "--out", "{d}"], setup: (d) => { json(d, "gt.json", goodCoco()); json(d, "dt.json", goodDt()); }, expect: "error", words: ["--out", "is a folder"] },
];

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const cocoCases: CorpusCase[] = [
  { id: "coco-ok", args: ["validate", "{d}/gt.json", "--images", "{d}/images", "--decode-images"], setup: cocoSet, expect: "ok", words: ["OK: usable"] },
  { id: "coco-not-json", args: ["validate", "{d}/gt.json"], setup: (d) => write(d, "gt.json", "{ images: ["), expect: "error", words: ["gt.json", "invalid JSON"] },
  { id: "coco-null", args: ["validate", "{d}/gt.json"], setup: (d) => write(d, "gt.json", "null"), expect: "error", words: ["gt.json"] },
  { id: "coco-utf16", args: ["validate", "{d}/gt.json"], setup: (d) => utf16(d, "gt.json", JSON.stringify(goodCoco())), expect: "error", words: ["gt.json", "UTF-16", "UTF-8"] },
  { id: "coco-bom", args: ["validate", "{d}/gt.json"], setup: (d) => bom(d, "gt.json", JSON.stringify(goodCoco())), expect: "ok", words: ["OK: usable"] },
  { id: "coco-trailing-comma", args: ["validate", "{d}/gt.json"], setup: (d) => write(d, "gt.json", JSON.stringify(goodCoco()).replace(/\]\}$/, "],}")), expect: "error", words: ["gt.json", "invalid JSON"] },
  { id: "coco-deep", args: ["validate", "{d}/gt.json"], setup: (d) => write(d, "gt.json", `{"images": [], "categories": [], "annotations": [], "x": ${deep(100_000)}}`), expect: "error", words: ["gt.json", "deeper than 64"] },
  { id: "coco-gz-ok", args: ["validate", "{d}/gt.json.gz"], setup: (d) => gz(d, "gt.json.gz", goodCoco()), expect: "ok", words: ["3 annotations", "OK: usable"] },
  { id: "coco-gz-corrupt", args: ["validate", "{d}/gt.json.gz"], setup: (d) => write(d, "gt.json.gz", Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3])), expect: "error", words: ["gt.json.gz", "gzip"] },
  { id: "coco-gz-plain", args: ["validate", "{d}/gt.json.gz"], setup: (d) => json(d, "gt.json.gz", goodCoco()), expect: "error", words: ["gt.json.gz", "not gzip"] },
  { id: "coco-bbox-string", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.annotations[0].bbox = "1,2,3,4")), expect: "error", words: ["gt.json", "annotation 1", "bbox"] },
  { id: "coco-bbox-nan", args: ["validate", "{d}/gt.json"], setup: (d) => write(d, "gt.json", JSON.stringify(goodCoco()).replace("[10,10,8,8]", "[10,10,NaN,8]")), expect: "error", words: ["gt.json", "invalid JSON"] },
  { id: "coco-filename-escape", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.images[0].file_name = "../../etc/passwd")), expect: "error", words: ["gt.json", "image 1", "file_name"] },
  { id: "coco-unknown-image", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.annotations[2].image_id = 99)), expect: "error", words: ["gt.json", "annotation 3", "image_id"] },
  { id: "coco-unknown-category", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.annotations[2].category_id = 7)), expect: "error", words: ["gt.json", "annotation 3", "category_id"] },
  { id: "coco-images-not-array", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.images = {})), expect: "error", words: ["gt.json", "images"] },
  { id: "coco-huge-string", args: ["validate", "{d}/gt.json"], setup: coco((c) => (c.annotations[0].bbox = "x".repeat(100_000))), expect: "error", words: ["gt.json", "bbox"] },
  { id: "coco-decode-truncated", args: ["validate", "{d}/gt.json", "--images", "{d}/images", "--decode-images"], setup: async (d) => { await cocoSet(d); const f = path.join(d, "images/b.png"); fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 60)); }, expect: "error", words: ["image 2", "file_name", "b.png", "does not decode"] },
  { id: "coco-decode-size", args: ["validate", "{d}/gt.json", "--images", "{d}/images", "--decode-images"], setup: async (d) => { await cocoSet(d); await png(d, "images/b.png", 32); }, expect: "error", words: ["image 2", "32x32", "64x64"] },
  { id: "coco-decode-no-images", args: ["validate", "{d}/gt.json", "--decode-images"], setup: cocoSet, expect: "error", words: ["--decode-images", "--images"] },
  { id: "validate-folder-no-format", args: ["validate", "{d}"], expect: "error", words: ["--format"] },
  { id: "convert-gz-ok", args: ["convert", "--from", "coco", "--to", "coco", "{d}/gt.json.gz", "{d}/out.json"], setup: (d) => gz(d, "gt.json.gz", goodCoco()), expect: "ok", words: ["3 annotations"] },
  { id: "convert-newline-name", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: coco((c) => (c.categories[0].name = "car\nbus")), expect: "error", words: ["category 1", "name", "line break"] },
  { id: "convert-empty-name", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: coco((c) => (c.categories[1].name = " ")), expect: "error", words: ["category 2", "name", "empty"] },
  { id: "convert-shared-stem", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: coco((c) => (c.images[1].file_name = "a.jpg")), expect: "error", words: ["a.png", "a.jpg", "share the label file"] },
  { id: "convert-yolo-ok", args: ["convert", "--from", "coco", "--to", "yolo", "{d}/gt.json", "{d}/out"], setup: cocoSet, expect: "ok", words: ["2 images, 3 annotations, 2 categories"] },
];

const txtCases: CorpusCase[] = [
  { id: "yolo-ok", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 0.1 0.1"), expect: "ok", words: ["1 annotations", "OK: usable"] },
  { id: "yolo-hex", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0x1 0.5 0.5 0.1 0.1"), expect: "error", words: ["a.txt", "line 1", "class", "0x1"] },
  { id: "yolo-binary-literal", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0b1 0.1 0.1"), expect: "error", words: ["a.txt", "line 1", "cy", "0b1"] },
  { id: "yolo-infinity", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 Infinity 0.1"), expect: "error", words: ["a.txt", "line 1", "w"] },
  { id: "yolo-class-range", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "5 0.5 0.5 0.1 0.1"), expect: "error", words: ["a.txt", "line 1", "class", "0-1"] },
  { id: "yolo-class-frac", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0.5 0.5 0.5 0.1 0.1"), expect: "error", words: ["a.txt", "class"] },
  { id: "yolo-fields", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 0.1"), expect: "error", words: ["a.txt", "line 1", "expected 5 numbers"] },
  { id: "yolo-neg-size", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 -0.1 0.1"), expect: "error", words: ["a.txt", "line 1", "w"] },
  { id: "yolo-shared-stem", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, "0 0.5 0.5 0.1 0.1"); fs.copyFileSync(path.join(d, "images/a.png"), path.join(d, "images/a.jpg")); }, expect: "error", words: ["a.jpg", "a.png", "share the label file a.txt"] },
  { id: "yolo-utf16-labels", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, ""); utf16(d, "labels/a.txt", "0 0.5 0.5 0.1 0.1\n"); }, expect: "error", words: ["a.txt", "UTF-16"] },
  { id: "yolo-utf16-classes", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, "0 0.5 0.5 0.1 0.1"); utf16(d, "labels/classes.txt", "car\nperson\n"); }, expect: "error", words: ["classes.txt", "UTF-16"] },
  { id: "yolo-bom", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, ""); bom(d, "labels/a.txt", "0 0.5 0.5 0.1 0.1\n"); bom(d, "labels/classes.txt", "car\nperson\n"); }, expect: "ok", words: ["1 annotations", "2 categories", "OK: usable"] },
  { id: "yolo-bad-utf8", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, ""); write(d, "labels/a.txt", Buffer.from([0x30, 0x20, 0xc3, 0x28, 0x0a])); }, expect: "error", words: ["a.txt", "UTF-8"] },
  { id: "yolo-empty-class", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 0.1 0.1", "car\n\nperson\n"), expect: "error", words: ["classes.txt", "line 2", "empty class name"] },
  { id: "yolo-no-classes", args: ["validate", "--format", "yolo", "--images", "{d}/images", "{d}/labels"], setup: async (d) => { await yoloSet(d, "0 0.5 0.5 0.1 0.1"); fs.rmSync(path.join(d, "labels/classes.txt")); }, expect: "error", words: ["classes.txt", "--classes"] },
  { id: "yolo-no-images", args: ["validate", "--format", "yolo", "{d}/labels"], setup: (d) => yoloSet(d, "0 0.5 0.5 0.1 0.1"), expect: "error", words: ["labels", "--images"] },
  { id: "visdrone-ok", args: ["validate", "--format", "visdrone", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "10,10,8,8,1,4,0,0\n"); }, expect: "ok", words: ["1 annotations", "OK: usable"] },
  { id: "visdrone-7-fields", args: ["validate", "--format", "visdrone", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "10,10,8,8,1,4,0\n"); }, expect: "error", words: ["a.txt", "line 1", "got 7"] },
  { id: "visdrone-hex", args: ["validate", "--format", "visdrone", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "0x10,10,8,8,1,4,0,0\n"); }, expect: "error", words: ["a.txt", "line 1", "x", "0x10"] },
  { id: "visdrone-category", args: ["validate", "--format", "visdrone", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "10,10,8,8,1,14,0,0\n"); }, expect: "error", words: ["a.txt", "line 1", "category"] },
  { id: "dota-hex", args: ["validate", "--format", "dota", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "0x1 1 9 1 9 9 1 9 plane 0\n"); }, expect: "error", words: ["a.txt", "line 1"] },
  { id: "dota-fields", args: ["validate", "--format", "dota", "--images", "{d}/images", "{d}/ann"], setup: async (d) => { await png(d, "images/a.png"); write(d, "ann/a.txt", "1 1 9 1 9 9 plane\n"); }, expect: "error", words: ["a.txt", "line 1", "expected"] },
];

const modelCases: CorpusCase[] = [
  { id: "ckpt-nan", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m, dir) => poke(dir, m, 5, Number.NaN), true); }, expect: "error", words: ["weights-0000000.bin", "non-finite", "NaN"] },
  { id: "ckpt-inf", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m, dir) => poke(dir, m, 0, Number.POSITIVE_INFINITY), true); }, expect: "error", words: ["weights-0000000.bin", "non-finite", "Infinity"] },
  { id: "ckpt-bitflip", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m, dir) => poke(dir, m, 7, 0.123456)); }, expect: "error", words: ["weights-0000000.bin", "SHA-256"] },
  { id: "ckpt-escape", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.weights.file = "../../outside.bin"; }); }, expect: "error", words: ["manifest.json", "weights.file", "inside the checkpoint folder"] },
  { id: "ckpt-null", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, () => null); }, expect: "error", words: ["manifest.json", "JSON object"] },
  { id: "ckpt-not-json", args: predictCkpt(), setup: async (d) => { await cocoSet(d); write(d, "ckpt-deal/manifest.json", "{"); }, expect: "error", words: ["manifest.json", "invalid JSON"] },
  { id: "ckpt-max-queries", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.config.maxQueries = 5000; }); }, expect: "error", words: ["manifest.json", "config", "maxQueries", "[1, 2000]"] },
  { id: "ckpt-depths", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.config.depths = [1]; }); }, expect: "error", words: ["manifest.json", "config", "depths"] },
  { id: "ckpt-short-file", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m, dir) => { const f = path.join(dir, m.weights.file); fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100)); }); }, expect: "error", words: ["weights-0000000.bin", "bytes"] },
  { id: "ckpt-missing-bin", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m, dir) => fs.rmSync(path.join(dir, m.weights.file))); }, expect: "error", words: ["weights-0000000.bin", "missing"] },
  { id: "ckpt-format", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.format = "pytorch"; }); }, expect: "error", words: ["manifest.json", "format", "not a dealkit checkpoint"] },
  { id: "ckpt-tensor-outside", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.weights.tensors[0].offset = 1e9; }); }, expect: "error", words: ["manifest.json", "weights.tensors[0].offset"] },
  // Fields each in range that together need more memory than any backend has: refused before allocating, naming
  // the fields and the estimate (instead of a wasm "memory access out of bounds" trap).
  { id: "ckpt-memory-context", args: predictCkpt(), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.config.sliceSize = 4096; m.config.heads = 16; }); }, expect: "error", words: ["manifest.json", "config", "context attention", "sliceSize 4096", "heads 16", "growing with sliceSize", "DEALKIT_MAX_MEMORY_MB"] },
  { id: "predict-memory-slice", args: predictCkpt("--slice", "16384"), setup: async (d) => { await cocoSet(d); checkpoint(d); }, expect: "error", words: ["--slice 16384", "context attention", "TiB", "growing with --slice"] },
  { id: "predict-memory-prompts", args: ["predict", "--model", "{d}/ckpt-deal", "--images", "{d}/images", "--clicks-file", "{d}/clicks.json", "--backend", "cpu", "--out", "{d}/dt.json"],
    setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.config.maxQueries = 2000; }); json(d, "clicks.json", { "a.png": Array.from({ length: 200 }, (_, i) => ({ x: 5, y: 5, categoryId: i + 1 })) }); },
    expect: "error", words: ["maxQueries 2000", "200 prompts", "decoder attention", "prompts"] },
  { id: "train-memory-batch", args: ["train", "--preset", "paper", "--batch", "1024", "--steps", "1", "--gt", "{d}/gt.json", "--images", "{d}/images", "--backend", "cpu", "--out", "{d}/run"], setup: (d) => cocoSet(d), expect: "error", words: ["--batch 1024", "preset paper", "in training", "feature maps", "TiB"] },
  { id: "predict-memory-ok", args: predictCkpt("--slice", "512"), setup: async (d) => { await cocoSet(d); checkpoint(d, (m) => { m.config.maxQueries = 2000; }); }, expect: "ok", words: ["wrote"] },
  { id: "tinyset-escape", args: ["predict", "--model", "deal-tiny", "--data", "{d}/ts", "--out", "{d}/dt.json", "--backend", "cpu"], setup: (d) => tinyset(d, tinysetManifest("../../../../etc/passwd")), expect: "error", words: ["manifest.json", "splits.train.annotations", "inside"] },
  { id: "tinyset-absolute", args: ["predict", "--model", "deal-tiny", "--data", "{d}/ts", "--out", "{d}/dt.json", "--backend", "cpu"], setup: (d) => tinyset(d, tinysetManifest("/etc/passwd")), expect: "error", words: ["manifest.json", "splits.train.annotations", "relative path"] },
  { id: "tinyset-null", args: ["predict", "--model", "deal-tiny", "--data", "{d}/ts", "--out", "{d}/dt.json", "--backend", "cpu"], setup: (d) => tinyset(d, null), expect: "error", words: ["manifest.json", "TinySet-mini"] },
  { id: "tinyset-missing", args: ["predict", "--model", "deal-tiny", "--data", "{d}", "--out", "{d}/dt.json", "--backend", "cpu"], expect: "error", words: ["manifest.json", "TinySet-mini"] },
];

const evalCases: CorpusCase[] = [
  { id: "eval-ok", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); json(d, "dt.json", goodDt()); }, expect: "ok", words: ["protocol coco"] },
  { id: "eval-gt-missing", args: ["eval", "--gt", "{d}/nope.json", "--dt", "{d}/dt.json"], setup: (d) => json(d, "dt.json", goodDt()), expect: "error", words: ["nope.json", "cannot read"] },
  { id: "eval-dt-malformed", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); write(d, "dt.json", "[{"); }, expect: "error", words: ["dt.json", "malformed JSON"] },
  { id: "eval-dt-utf16", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); utf16(d, "dt.json", JSON.stringify(goodDt())); }, expect: "error", words: ["dt.json", "UTF-16"] },
  { id: "eval-dt-deep", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); write(d, "dt.json", deep(100_000)); }, expect: "error", words: ["dt.json", "deeper than 64"] },
  { id: "eval-dt-score", args: ["eval", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); json(d, "dt.json", [{ ...goodDt()[0], score: "high" }]); }, expect: "error", words: ["dt.json", "score"] },
  { id: "eval-gt-gz", args: ["eval", "--gt", "{d}/gt.json.gz", "--dt", "{d}/dt.json"], setup: (d) => { gz(d, "gt.json.gz", goodCoco()); json(d, "dt.json", goodDt()); }, expect: "ok", words: ["protocol coco", "2 images"] },
  { id: "errors-dt-bbox", args: ["errors", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "gt.json", goodCoco()); json(d, "dt.json", [{ ...goodDt()[0], bbox: [1, 2] }]); }, expect: "error", words: ["dt.json", "bbox"] },
  { id: "eval-unpaired-results", args: ["eval", "--gt", "{d}/dt.images.json", "--dt", "{d}/dt.json"], setup: (d) => { json(d, "dt.json", goodDt()); json(d, "dt.images.json", { ...goodCoco(), annotations: [], dealkit_results: { file: "dt.json", sha256: "0".repeat(64) } }); }, expect: "error", words: ["dt.json", "is not the results file that dt.images.json was written with", "run it again"] },
  { id: "errors-unpaired-results", args: ["errors", "--gt", "{d}/dt.images.json", "--dt", "{d}/dt.json", "--compat", "tide"], setup: (d) => { json(d, "dt.json", goodDt()); json(d, "dt.images.json", { ...goodCoco(), annotations: [], dealkit_results: { file: "dt.json", sha256: "0".repeat(64) } }); }, expect: "error", words: ["dt.json", "is not the results file"] },
  { id: "errors-gt-bom", args: ["errors", "--gt", "{d}/gt.json", "--dt", "{d}/dt.json"], setup: (d) => { bom(d, "gt.json", JSON.stringify(goodCoco())); json(d, "dt.json", goodDt()); }, expect: "ok", words: ["bbox AP @ 50"] },
];

/** Every case of the corpus. */
export const CORPUS: CorpusCase[] = [...optionCases, ...choiceCases, ...outCases, ...cocoCases, ...txtCases, ...modelCases, ...evalCases];
