/**
 * A data-parallel training worker (worker_threads entry, started by {@link startTrainWorkers}): a replica of the
 * model on its own backend; per request it loads the shared weights, then claims groups of the batch's samples
 * (as the main thread does) and writes each group's gradient into its shared slot.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../../backend/init.js";
import { createDetector } from "../../model/factory.js";
import { paramLayout, writeParams } from "./layout.js";
import type { FromTrainWorker, SamplesRequest, StopRequest, TrainWorkerInit } from "./protocol.js";
import { claimGroups } from "./shard.js";

async function main(): Promise<void> {
  const init = workerData as TrainWorkerInit;
  const port = parentPort!;
  const send = (m: FromTrainWorker) => port.postMessage(m);
  await initBackend({ backend: init.backend });
  const model = createDetector(init.config);
  const layout = paramLayout(model.params);
  const weights = new Float32Array(init.weights);
  port.on("message", (m: SamplesRequest | StopRequest) => {
    if (m.type === "stop") {
      model.dispose();
      port.close();
      return;
    }
    try {
      writeParams(model.params, layout, weights);
      const done = claimGroups(model, layout, m, m.images, new Int32Array(m.next), m.grads);
      send({ type: "done", id: m.id, samples: done });
    } catch (err) {
      send({ type: "failed", id: m.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  send({ type: "ready" });
}

main().catch((err) => {
  parentPort?.postMessage({ type: "failed", id: -1, message: err instanceof Error ? err.message : String(err) } satisfies FromTrainWorker);
});
