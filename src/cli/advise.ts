import type { Command } from 'commander';
import { advise } from '../analysis/advise.ts';
import { sweepOptions } from '../analysis/failures.ts';
import { stableJson } from '../analysis/json.ts';
import { formatAdvice } from '../analysis/text.ts';
import { formatIssue } from '../model/index.ts';
import { loadTopologyFile } from '../model/load-file.ts';
import { designName, fail, parseSweepFlags, showProgress } from './sweep.ts';
import { sweepDesigns } from './sweep-pool.ts';

/**
 * `vwan-ha advise <topology> [--json] [--workers N]`: findings with severity,
 * what the simulator measured, and the fix. Exits 0 whatever it finds (findings
 * are advice, not errors; gate a pipeline on `counts` in --json); 1 when the file
 * does not load (its errors are then the findings, and nothing is simulated).
 */
export function registerAdvise(program: Command): void {
  program
    .command('advise')
    .description('simulate a design and say what to change, with the measured evidence')
    .argument('<topology>', 'topology file (YAML or JSON)')
    .option('--json', 'print the advice as JSON (docs/JSON.md)')
    .option(
      '--workers <n>',
      'worker threads for the failure sweep (default: the cores, fewer for small sweeps)',
    )
    .action(async (file: string, options: { json?: boolean; workers?: string }) => {
      process.exitCode = await adviseCommand(file, options);
    });
}

async function adviseCommand(file: string, options: { json?: boolean; workers?: string }): Promise<number> {
  const parsed = parseSweepFlags({ workers: options.workers });
  if (!parsed.ok) return fail(parsed.error);
  const loaded = await loadTopologyFile(file);
  if (!loaded.ok) {
    if (options.json) process.stdout.write(stableJson({ command: 'advise', file, ...advise(loaded) }));
    for (const issue of loaded.errors) process.stderr.write(`error: ${formatIssue(issue, file)}\n`);
    for (const issue of loaded.warnings) process.stderr.write(`warning: ${formatIssue(issue, file)}\n`);
    process.stderr.write(
      `${file}: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}; nothing simulated\n`,
    );
    return 1;
  }
  const settings = sweepOptions({ depth: 1 });
  const name = designName(file);
  const [sweep] = await sweepDesigns([{ name, topology: loaded.topology }], settings, {
    workers: parsed.workers,
    progress: showProgress(options.json),
  });
  const advice = advise(loaded, { ...settings, sweep, design: name });
  process.stdout.write(
    options.json ? stableJson({ command: 'advise', file, ...advice }) : `${formatAdvice(advice, file)}\n`,
  );
  return 0;
}
