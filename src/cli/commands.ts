import type { Command } from 'commander';
import { registerDemo } from './demo.ts';
import { registerSimulate } from './simulate.ts';
import { registerValidate } from './validate.ts';

/** Each subcommand lives in its own file under src/cli/; this is the one list of them. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerSimulate(program);
  registerDemo(program);
}
