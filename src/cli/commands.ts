import type { Command } from 'commander';

/** Each subcommand lives in its own file under src/cli/; this is the one list of them. */
export function registerCommands(_program: Command): void {}
