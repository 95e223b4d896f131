import type { Command } from "commander";

/** A CLI command adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

// Each command lives in its own file; add it here in pipeline order.
export const commands: RegisterCommand[] = [];
