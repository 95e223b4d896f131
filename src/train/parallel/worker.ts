/**
 * A data-parallel training worker (worker_threads entry, started by {@link startTrainWorkers}): a replica of the
 * model on its own backend; per request it loads the shared weights, computes its shard's loss and gradient, and
 * writes the gradient into its shared slot.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../../backend/init.js";
import { tf } from "../../backend/tf.js";
import { createDetector } from "../../model/factory.js";
import { paramLayout, writeParams } from "./layout.js";
import type { FromTrainWorker, ShardRequest, StopRequest, TrainWorkerInit } from "./protocol.js";
import { shardGradients } from "./shard.js";

async function main(): Promise<void> {
  const init = workerData as TrainWorkerInit;
  const port = parentPort!;
  const send = (m: FromTrainWorker) => port.postMessage(m);
  await initBackend({ backend: init.backend });
  const model = createDetector(init.config);
  const layout = paramLayout(model.params);
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  port.on("message", (m: ShardRequest | StopRequest) => {
    if (m.type === "stop") {
      model.dispose();
      port.close();
      return;
    }
    try {
      writeParams(model.params, layout, weights);
      const images = tf.tensor4d(m.images, m.shape);
      try {
        const r = shardGradients(model, layout, { images, samples: m.samples, size: m.size, classOf: new Map(m.classOf) }, m.lossWeights, m.settings, grads);
        send({ type: "done", id: m.id, loss: r.loss, terms: r.terms });
      } finally {
        images.dispose();
      }
    } catch (err) {
      send({ type: "failed", id: m.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  send({ type: "ready" });
}

main().catch((err) => {
  parentPort?.postMessage({ type: "failed", id: -1, message: err instanceof Error ? err.message : String(err) } satisfies FromTrainWorker);
});
