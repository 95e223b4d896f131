/**
 * An inference worker (worker_threads entry, started by {@link DetectorWorkers.start}): a replica of a detector on
 * its own backend, answering detect / embedClicks / detectWithEmbeddings requests one at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../../backend/init.js";
import { tf } from "../../backend/tf.js";
import { createDetector } from "../../model/factory.js";
import type { Detections } from "../../structures/detections.js";
import type { DetectOptions, PromptEmbedding, PromptableDetector } from "../../structures/detector.js";
import type { RgbImage } from "../../structures/image.js";
import type { DetectorWorkerInit, DetectorWorkerReply, DetectorWorkerRequest } from "./protocol.js";

/** The model's batched call, or one image after the other when it has none. */
async function detectBatch(model: PromptableDetector, images: RgbImage[], embeddings: PromptEmbedding[], options?: DetectOptions): Promise<Detections[]> {
  if (model.detectWithEmbeddingsBatch) return model.detectWithEmbeddingsBatch(images, embeddings, options);
  const out: Detections[] = [];
  for (const im of images) out.push(await model.detectWithEmbeddings(im, embeddings, options));
  return out;
}

async function main(): Promise<void> {
  const init = workerData as DetectorWorkerInit;
  const port = parentPort!;
  await initBackend({ backend: init.backend });
  const model = createDetector(init.config);
  let off = 0;
  tf.tidy(() => {
    for (const [, v] of model.params.entries()) {
      v.assign(tf.tensor(init.weights.subarray(off, off + v.size), v.shape));
      off += v.size;
    }
  });
  port.on("message", async (m: DetectorWorkerRequest | { type: "stop" }) => {
    if (m.type === "stop") {
      model.dispose();
      port.close();
      return;
    }
    let reply: DetectorWorkerReply;
    try {
      const t0 = performance.now();
      const result =
        m.type === "detect" ? await model.detect(m.image, m.clicks, m.options)
          : m.type === "embed" ? await model.embedClicks(m.image, m.clicks)
            : m.type === "detectWithEmbeddingsBatch"
              ? await detectBatch(model, m.images, m.embeddings, m.options)
              : await model.detectWithEmbeddings(m.image, m.embeddings, m.options);
      reply = { id: m.id, ok: true, result, ms: performance.now() - t0 };
    } catch (err) {
      const e = err as Error & { record?: string; field?: string; file?: string };
      reply = { id: m.id, ok: false, name: e.name, message: e.message ?? String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: -1, ok: true, result: null, ms: 0 } satisfies DetectorWorkerReply);
}

main().catch((err) => parentPort?.postMessage({ id: -1, ok: false, name: "Error", message: err instanceof Error ? err.message : String(err) } satisfies DetectorWorkerReply));
