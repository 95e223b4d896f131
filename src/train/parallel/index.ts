export { claimOrder, defaultWorkerCount, partitionSamples, sampleCost, TrainWorkers } from "./pool.js";
export { parallelStep } from "./step.js";
export { paramLayout, readParams, writeParams, type ParamLayout } from "./layout.js";
