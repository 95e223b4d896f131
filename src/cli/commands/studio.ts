import type { Command } from "commander";
import { initBackend } from "../../backend/init.js";
import { loadImageRgb } from "../../data/images.js";
import { SYNTH_DOMAINS, generateImage } from "../../data/synth/index.js";
import type { RgbImage } from "../../structures/image.js";
import { startStudio, type StudioHandle } from "../../studio/server.js";
import { loadCheckpoint } from "../../train/checkpoint.js";
import { checkOneOf } from "../../util/errors.js";
import { Random } from "../../util/random.js";

/** Options of `dealkit studio`, as commander parses them. */
export interface StudioCommandOptions {
  model: string;
  image?: string;
  domain: string;
  seed: string;
  size: string;
  port: string;
  idleMinutes: string;
  scoreThreshold: string;
  backend?: string;
}

/** The image to prompt: the file given, else a generated TinySet-mini scene of the domain. */
export async function studioImage(o: Pick<StudioCommandOptions, "image" | "domain" | "seed" | "size">): Promise<RgbImage> {
  if (o.image) return loadImageRgb(o.image);
  const domain = checkOneOf("--domain", o.domain, SYNTH_DOMAINS);
  return generateImage(domain, new Random(Number(o.seed)), { width: Number(o.size) }).image;
}

/**
 * Starts the studio for `dealkit studio` and returns its handle; the command prints the URL and waits for
 * the idle timeout or Ctrl-C. Kept apart from commander so that it can be called directly.
 */
export async function runStudioCommand(o: StudioCommandOptions): Promise<{ studio: StudioHandle; dispose: () => void }> {
  await initBackend(o.backend ? { backend: o.backend as never } : {});
  const image = await studioImage(o);
  const { model } = loadCheckpoint(o.model);
  try {
    const studio = await startStudio(model, image, {
      display: false,
      keepProcessAlive: true,
      port: Number(o.port),
      idleTimeoutMs: Number(o.idleMinutes) * 60_000,
      scoreThreshold: Number(o.scoreThreshold),
      title: o.image ? `dealkit studio: ${o.image}` : `dealkit studio: generated ${o.domain} scene (seed ${o.seed})`,
    });
    return { studio, dispose: () => model.dispose() };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** `dealkit studio --model CKPT [--image PNG | --domain D --seed N --size PX] [--port N] [--idle-minutes M]` */
export function register(program: Command): void {
  program
    .command("studio")
    .description("open a click-to-prompt page for an image: click objects, see DEAL's detections (local only, token-guarded)")
    .requiredOption("--model <dir>", "checkpoint directory (dealkit train --out, or datasets/models/...)")
    .option("--image <file>", "image to prompt (PNG, JPEG, ...); default: a generated TinySet-mini scene")
    .option("--domain <name>", `domain of the generated scene: ${SYNTH_DOMAINS.join(" | ")}`, "remote-sensing")
    .option("--seed <n>", "seed of the generated scene", "0")
    .option("--size <px>", "side of the generated scene", "512")
    .option("--port <n>", "port on 127.0.0.1 (0: a free one)", "0")
    .option("--idle-minutes <m>", "stop after this long without a request", "30")
    .option("--score-threshold <x>", "drop detections below this score", "0.3")
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
