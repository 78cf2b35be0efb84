import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { sweepOptions } from '../analysis/failures.ts';
import { stableJson } from '../analysis/json.ts';
import { formatSweep } from '../analysis/text.ts';
import { formatIssue } from '../model/index.ts';
import type { LoadResult } from '../model/load.ts';
import { loadTopologyFile } from '../model/load-file.ts';
import { reportWritten, writeHtmlReport } from './report-html.ts';
import { type Design, sweepDesigns } from './sweep-pool.ts';

/**
 * `vwan-ha sweep <topology> [--depth 1|2] [--json] [--workers N] [--html FILE]`:
 * every single failure of the design (and with --depth 2 every pair that can
 * happen together), each simulated with its failback; a table of what each did,
 * and the single points of failure; with --html also the HTML report
 * (docs/REPORT.md). Exit 0, or 1 on bad input or when the report cannot be written.
 */
export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description(
      'simulate every failure of a design (instances, devices, internet paths, tunnels) and find its single points of failure',
    )
    .argument('<topology>', 'topology file (YAML or JSON)')
    .option('--depth <n>', '1: single failures; 2: also every pair that can happen together', '1')
    .option('--json', 'print the results as JSON (docs/JSON.md)')
    .option('--workers <n>', 'worker threads (default: the cores, fewer for small sweeps; 1 = no threads)')
    .option('--html <file>', HTML_OPTION_HELP)
    .action(async (file: string, options: SweepCliOptions) => {
      process.exitCode = await sweepCommand(file, options);
    });
}

export interface SweepCliOptions {
  readonly depth?: string;
  readonly json?: boolean;
  readonly workers?: string;
  readonly html?: string;
}

export const HTML_OPTION_HELP =
  'also write one self-contained HTML report: the design drawn normal and under each failure, charts, the tables (docs/REPORT.md)';

async function sweepCommand(file: string, options: SweepCliOptions): Promise<number> {
  const parsed = parseSweepFlags(options);
  if (!parsed.ok) return fail(parsed.error);
  const design = await loadDesign(file);
  if (!design) return 1;
  const [result] = await sweepDesigns([design], sweepOptions({ depth: parsed.depth }), {
    workers: parsed.workers,
    progress: showProgress(options.json),
  });
  if (!result) return 1;
  process.stdout.write(
    options.json ? stableJson({ command: 'sweep', file, ...result }) : `${formatSweep(result, file)}\n`,
  );
  if (options.html === undefined) return 0;
  return htmlReport(options.html, options.json, () =>
    writeHtmlReport(options.html as string, {
      command: 'sweep',
      invocation: `vwan-ha sweep ${file}${parsed.depth === 2 ? ' --depth 2' : ''}`,
      designs: [{ name: design.name, file, load: design.load, sweep: result }],
      comparison: null,
    }),
  );
}

/** Writes the HTML report; says so on stderr (unless --json), or why it could not. */
export async function htmlReport(
  path: string,
  json: boolean | undefined,
  write: () => Promise<{ bytes: number; failures: number }>,
): Promise<number> {
  try {
    const written = await write();
    if (json !== true) process.stderr.write(reportWritten(path, written));
    return 0;
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code;
    if (code === undefined) throw thrown;
    return fail(`cannot write the HTML report to ${path}: ${(thrown as Error).message}`);
  }
}

export function parseSweepFlags(
  options: SweepCliOptions,
): { ok: true; depth: 1 | 2; workers: number | undefined } | { ok: false; error: string } {
  const depth = options.depth ?? '1';
  if (depth !== '1' && depth !== '2') return { ok: false, error: `--depth ${depth}: use 1 or 2` };
  let workers: number | undefined;
  if (options.workers !== undefined) {
    workers = Number(options.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 1024) {
      return { ok: false, error: `--workers ${options.workers}: use a whole number from 1 to 1024` };
    }
  }
  return { ok: true, depth: depth === '2' ? 2 : 1, workers };
}

/** A design as loaded from its file: the load result is kept for advice (its warnings) and the HTML report. */
export interface LoadedDesign extends Design {
  readonly load: Extract<LoadResult, { ok: true }>;
}

/** The topology of a file, or its errors on stderr (file, line, field) and undefined. */
export async function loadDesign(file: string, name = designName(file)): Promise<LoadedDesign | undefined> {
  const loaded = await loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.errors) process.stderr.write(`error: ${formatIssue(issue, file)}\n`);
    return undefined;
  }
  return { name, topology: loaded.topology, load: loaded };
}

/** The file name without directory and extension: examples/bgp-two-devices.yaml → bgp-two-devices. */
export function designName(file: string): string {
  return basename(file, extname(file));
}

export function showProgress(json: boolean | undefined): boolean {
  return process.stderr.isTTY === true && json !== true;
}

export function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 1;
}
