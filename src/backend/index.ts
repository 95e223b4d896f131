// The public surface of src/backend/. Re-exported by src/index.ts; export names must be unique project-wide.

/**
 * TensorFlow.js as dealkit uses it: the same module instance whose backend initBackend() chose.
 * Notebooks: `import { tf, initBackend } from "dealkit"`.
 */
export { tf } from "./tf.js";
export {
  initBackend,
  formatBackendReport,
  availableBackends,
  BACKEND_REQUESTS,
  BACKEND_ENV_VAR,
  type BackendName,
  type BackendRequest,
  type BackendReport,
  type InitBackendOptions,
} from "./init.js";
export {
  registerTrainingKernels,
  registeredKernels,
  TRAINING_KERNEL_NAMES,
  type RegisteredKernel,
} from "./kernels/registry.js";
export {
  checkKernels,
  formatKernelCheck,
  type CheckKernelsOptions,
  type KernelCheckReport,
  type KernelCheckResult,
} from "./check.js";
export type { ModuleLoader } from "./optional.js";
