import type { Command } from 'commander';
import { registerAdvise } from './advise.ts';
import { registerCompare } from './compare.ts';
import { registerDemo } from './demo.ts';
import { registerExport } from './export.ts';
import { registerImport } from './import.ts';
import { registerLabCommands } from './lab.ts';
import { registerServe } from './serve.ts';
import { registerSimulate } from './simulate.ts';
import { registerSweep } from './sweep.ts';
import { registerValidate } from './validate.ts';

/** Each subcommand lives in its own file under src/cli/; this is the one list of them. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerImport(program);
  registerExport(program);
  registerSimulate(program);
  registerDemo(program);
  registerServe(program);
  registerLabCommands(program);
  registerSweep(program);
  registerCompare(program);
  registerAdvise(program);
}
