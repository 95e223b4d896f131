import type { Command } from "commander";
import { register as registerGenerate } from "./generate.js";
import { register as registerValidate } from "./validate.js";
import { register as registerConvert } from "./convert.js";
import { register as registerBackend } from "./backend.js";
import { register as registerEval } from "./eval.js";
import { register as registerErrors } from "./errors.js";
import { register as registerAblate } from "./ablate.js";
import { register as registerTrain } from "./train.js";
import { register as registerPredict } from "./predict.js";
import { register as registerStudio } from "./studio.js";
import { registerReproduce } from "./reproduce.js";
import { register as registerWorker } from "./worker.js";

/** A CLI command adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

// Each command lives in its own file; add it here in pipeline order.
export const commands: RegisterCommand[] = [
  registerGenerate,
  registerValidate,
  registerConvert,
  registerBackend,
  registerTrain,
  registerPredict,
  registerEval,
  registerErrors,
  registerAblate,
  registerStudio,
  registerWorker,
  registerReproduce, // the main job; keep last
];
