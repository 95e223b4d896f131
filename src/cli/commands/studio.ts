import * as path from "node:path";
import type { Command } from "commander";
import { numberParser, RANGES } from "../options.js";
import { initBackend } from "../../backend/init.js";
import { readCoco } from "../../data/formats/coco.js";
import { loadImageRgb } from "../../data/images.js";
import { SYNTH_DOMAINS, generateImage, synthCategories } from "../../data/synth/index.js";
import { TINYSET_SPLITS, ensureTinySetMini, loadTinySetSplit, openTinySetMini } from "../../data/synth/tinyset.js";
import { studioCategoriesOf, studioImageOf, studioImagesFromDataset, studioImagesFromFolder, unnamedCategories, type StudioCategory, type StudioImageSource } from "../../studio/images.js";
import { startStudio, type StudioHandle } from "../../studio/server.js";
import { loadModel } from "../../recipes/model.js";
import { DealkitConfigError, checkOneOf } from "../../util/errors.js";
import { Random } from "../../util/random.js";

/** Options of `dealkit studio`, as commander parses them (numbers already checked). */
export interface StudioCommandOptions {
  model: string;
  image?: string;
  images?: string;
  gt?: string;
  data?: string;
  split?: string;
  categories?: string;
  domain: string;
  seed: number;
  size: number;
  port: number;
  idleMinutes: number;
  scoreThreshold: number;
  maxClicks: number;
  backend?: string;
}

/**
 * A commander parser for a number in [min, max] (an integer when asked): a bad value names the range. The
 * shared {@link numberParser} of the CLI's option layer.
 *
 * @example
 * numberIn(0, 65535, true)("8080"); // 8080
 */
export function numberIn(min: number, max: number, integer = false): (raw: string) => number {
  return numberParser({ min, max, integer });
}

/** What the studio shows: its images, their categories, and a title. */
export interface StudioSource {
  images: StudioImageSource[];
  categories: StudioCategory[];
  title: string;
}

/**
 * The images to prompt, from one of: --image FILE, --images DIR (plain images), --gt FILE --images DIR (a COCO
 * data set), --data DIR|default [--split S] (TinySet-mini); else a generated TinySet-mini scene (--domain,
 * --seed, --size). Categories come from the data set; plain images get --categories names or one unnamed.
 */
export async function studioSource(o: Pick<StudioCommandOptions, "image" | "images" | "gt" | "data" | "split" | "categories" | "domain" | "seed" | "size">): Promise<StudioSource> {
  const given = (["image", "images", "gt", "data"] as const).filter((k) => o[k] !== undefined);
  const allowed = [[], ["image"], ["images"], ["gt", "images"], ["data"]].map((a) => a.join(","));
  if (!allowed.includes([...given].sort().join(","))) {
    throw new DealkitConfigError(`give one image source: --image FILE, --images DIR, --gt FILE --images DIR, or --data DIR|default (got ${given.map((k) => `--${k}`).join(" ")})${o.gt && !o.images ? "; --gt needs --images (the folder its file names are relative to)" : ""}`);
  }
  if (o.split !== undefined && o.data === undefined) throw new DealkitConfigError("--split needs --data");
  const named = o.categories?.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const plain = named && named.length > 0 ? unnamedCategories(named) : unnamedCategories(1);
  if (o.categories !== undefined && (o.gt || o.data)) throw new DealkitConfigError("--categories is for plain images; a data set brings its own");
  if (o.image) return { images: [studioImageOf(await loadImageRgb(o.image), path.basename(o.image))], categories: plain, title: `dealkit studio: ${o.image}` };
  if (o.gt) {
    const ds = await readCoco(o.gt, { root: o.images });
    return { images: studioImagesFromDataset(ds), categories: studioCategoriesOf(ds), title: `dealkit studio: ${o.gt}` };
  }
  if (o.images) return { images: studioImagesFromFolder(o.images), categories: plain, title: `dealkit studio: ${o.images}` };
  if (o.data) {
    const split = checkOneOf("--split", o.split ?? "val", TINYSET_SPLITS);
    const loc = o.data === "default" ? await ensureTinySetMini({ seed: 0 }) : openTinySetMini(o.data);
    const ds = loadTinySetSplit(loc, split);
    return { images: studioImagesFromDataset(ds), categories: studioCategoriesOf(ds), title: `dealkit studio: TinySet-mini ${o.data === "default" ? "" : `${o.data} `}${split}` };
  }
  const domain = checkOneOf("--domain", o.domain, SYNTH_DOMAINS);
  const scene = generateImage(domain, new Random(o.seed), { width: o.size }).image;
  const categories = synthCategories().filter((c) => c.domain === domain).map((c) => ({ id: c.id, name: c.name }));
  return { images: [studioImageOf(scene, `generated ${domain} scene (seed ${o.seed})`)], categories, title: `dealkit studio: generated ${domain} scene` };
}

/**
 * Starts the studio for `dealkit studio` and returns its handle; the command prints the URL and waits for
 * the idle timeout or Ctrl-C. Kept apart from commander so that it can be called directly.
 */
export async function runStudioCommand(o: StudioCommandOptions): Promise<{ studio: StudioHandle; dispose: () => void }> {
  const report = await initBackend(o.backend ? { backend: o.backend as never } : {});
  const source = await studioSource(o);
  const { model, name } = loadModel(o.model);
  try {
    const studio = await startStudio(model, source.images, {
      display: false,
      keepProcessAlive: true,
      port: o.port,
      idleTimeoutMs: o.idleMinutes * 60_000,
      scoreThreshold: o.scoreThreshold,
      maxClicks: o.maxClicks,
      categories: source.categories,
      title: source.title,
      modelName: name,
      backendName: report.backend,
    });
    return { studio, dispose: () => model.dispose() };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** `dealkit studio --model CKPT [--image PNG | --images DIR | --gt FILE --images DIR | --data default --split S] [--port N] [--idle-minutes M]` */
export function register(program: Command): void {
  program
    .command("studio")
    .description("open a click-to-prompt page for images: click objects, see and export the detections (local only, token-guarded)")
    .requiredOption("--model <name>", "a shipped model (deal-tiny, deal-tiny-random, baseline-tiny), the reference template, or a checkpoint folder")
    .option("--image <file>", "one image to prompt (PNG, JPEG, ...)")
    .option("--images <dir>", "a folder of images to step through (with --gt: the folder its file names are relative to)")
    .option("--gt <file>", "a COCO file: its images, in its order, and its category names")
    .option("--data <dir>", "a TinySet-mini folder, or default")
    .option("--split <name>", `split of --data: ${TINYSET_SPLITS.join(" | ")} (default val)`)
    .option("--categories <names>", "comma-separated category names for plain images (default: one unnamed; more can be added on the page)")
    .option("--domain <name>", `without an image source, a generated scene of: ${SYNTH_DOMAINS.join(" | ")}`, "remote-sensing")
    .option("--seed <n>", "seed of the generated scene", numberParser(RANGES.seed), 0)
    .option("--size <px>", "side of the generated scene", numberParser(RANGES.sceneSize), 512)
    .option("--port <n>", "port on 127.0.0.1 (0: a free one)", numberParser(RANGES.port), 0)
    .option("--idle-minutes <m>", "stop after this long without a request", numberParser(RANGES.idleMinutes), 30)
    .option("--score-threshold <x>", "drop detections below this score", numberParser(RANGES.scoreThreshold), 0.3)
    .option("--max-clicks <n>", "most clicks on one image", numberParser(RANGES.maxClicks), 32)
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .action(async (opts: StudioCommandOptions) => {
      const { studio, dispose } = await runStudioCommand(opts);
      process.stdout.write(`dealkit studio: open ${studio.url}\n(stops after ${opts.idleMinutes} idle minutes, or Ctrl-C)\n`);
      const stop = () => void studio.close();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await studio.closed;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      dispose();
      process.stdout.write("dealkit studio: closed\n");
    });
}
