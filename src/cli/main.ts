import { Command, type OutputConfiguration } from "commander";
import { VERSION } from "../version.js";
import { commands } from "./commands/index.js";

/**
 * The `dealkit` program with every sub-command registered (one per file in ./commands, each a thin front end
 * over the library functions that notebooks use), not yet parsed. `inProcess` makes commander throw instead of
 * exiting and sends its messages to `output` (every sub-command inherits both), so tests can run commands
 * in-process.
 *
 * @example
 * await buildProgram({ inProcess: true }).parseAsync(["node", "dealkit", "validate", "gt.json"]);
 */
export function buildProgram(o: { inProcess?: boolean; output?: OutputConfiguration } = {}): Command {
  const program = new Command();
  program.name("dealkit").description("Point-prompted small-object detection toolkit").version(VERSION);
  if (o.inProcess) program.exitOverride();
  if (o.output) program.configureOutput(o.output);
  program.showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

/**
 * The `dealkit` command line.
 *
 * @example
 * await main(["node", "dealkit", "validate", "gt.json"]);
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
