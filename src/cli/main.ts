import { Command } from "commander";
import { VERSION } from "../version.js";
import { commands } from "./commands/index.js";

/**
 * The `dealkit` command line: one sub-command per file in ./commands, each a thin front end over the
 * library functions that notebooks use.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command();
  program.name("dealkit").description("Point-prompted small-object detection toolkit").version(VERSION);
  program.showHelpAfterError();
  for (const register of commands) register(program);
  await program.parseAsync(argv);
}
