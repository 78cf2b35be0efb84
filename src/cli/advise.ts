import type { Command } from 'commander';
import { advise } from '../analysis/advise.ts';
import { sweepOptions } from '../analysis/failures.ts';
import { stableJson } from '../analysis/json.ts';
import { formatAdvice } from '../analysis/text.ts';
import { formatIssue } from '../model/index.ts';
import { loadTopologyFile } from '../model/load-file.ts';
import { writeHtmlReport } from './report-html.ts';
import { designName, fail, HTML_OPTION_HELP, htmlReport, parseSweepFlags, showProgress } from './sweep.ts';
import { sweepDesigns } from './sweep-pool.ts';

/**
 * `vwan-ha advise <topology> [--json] [--workers N] [--html FILE]`: findings with
 * severity, what the simulator measured, and the fix; with --html also the HTML
 * report of the sweep behind them (docs/REPORT.md). Exits 0 whatever it finds
 * (findings are advice, not errors; gate a pipeline on `counts` in --json); 1 when
 * the file does not load (its errors are then the findings, nothing is simulated
 * and no report is written) or the report cannot be written.
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
    .option('--html <file>', HTML_OPTION_HELP)
    .action(async (file: string, options: AdviseCliOptions) => {
      process.exitCode = await adviseCommand(file, options);
    });
}

interface AdviseCliOptions {
  readonly json?: boolean;
  readonly workers?: string;
  readonly html?: string;
}

async function adviseCommand(file: string, options: AdviseCliOptions): Promise<number> {
  const parsed = parseSweepFlags({ workers: options.workers });
  if (!parsed.ok) return fail(parsed.error);
  const loaded = await loadTopologyFile(file);
  if (!loaded.ok) {
    if (options.json) process.stdout.write(stableJson({ command: 'advise', file, ...advise(loaded) }));
    for (const issue of loaded.errors) process.stderr.write(`error: ${formatIssue(issue, file)}\n`);
    for (const issue of loaded.warnings) process.stderr.write(`warning: ${formatIssue(issue, file)}\n`);
    process.stderr.write(
      `${file}: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}; nothing simulated${options.html === undefined ? '' : ', no HTML report written'}\n`,
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
  if (options.html === undefined || !sweep) return 0;
  return htmlReport(options.html, options.json, () =>
    writeHtmlReport(options.html as string, {
      command: 'advise',
      invocation: `vwan-ha advise ${file}`,
      designs: [{ name, file, load: loaded, sweep, advice }],
      comparison: null,
    }),
  );
}
