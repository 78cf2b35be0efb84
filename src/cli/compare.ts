import type { Command } from 'commander';
import { compareDesigns } from '../analysis/compare.ts';
import { sweepOptions } from '../analysis/failures.ts';
import { stableJson } from '../analysis/json.ts';
import type { SweepResult } from '../analysis/sweep.ts';
import { formatComparison } from '../analysis/text.ts';
import { writeHtmlReport } from './report-html.ts';
import {
  designName,
  fail,
  HTML_OPTION_HELP,
  htmlReport,
  type LoadedDesign,
  loadDesign,
  parseSweepFlags,
  type SweepCliOptions,
  showProgress,
} from './sweep.ts';
import { sweepDesigns } from './sweep-pool.ts';

/**
 * `vwan-ha compare <a> <b> … [--json] [--depth 1|2] [--workers N] [--html FILE]`:
 * the same sweep on every design, one table with a row per failure kind and a
 * column per design — the table for a design review; with --html also one HTML
 * report with the table and every design drawn (docs/REPORT.md). Exit 0, or 1 on
 * bad input or when the report cannot be written.
 */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('sweep several designs with the same failures and compare them side by side')
    .argument('<topologies...>', 'two or more topology files (YAML or JSON)')
    .option('--json', 'print the comparison as JSON (docs/JSON.md)')
    .option('--depth <n>', '1: single failures; 2: also every pair that can happen together', '1')
    .option('--workers <n>', 'worker threads (default: the cores, fewer for small sweeps; 1 = no threads)')
    .option('--html <file>', HTML_OPTION_HELP)
    .action(async (files: string[], options: SweepCliOptions) => {
      process.exitCode = await compareCommand(files, options);
    });
}

async function compareCommand(files: readonly string[], options: SweepCliOptions): Promise<number> {
  const parsed = parseSweepFlags(options);
  if (!parsed.ok) return fail(parsed.error);
  if (files.length < 2) return fail('compare needs at least two topology files');
  // Columns are named after the files; where two files share a name, after their paths.
  const names = files.map((f) => designName(f));
  const designs: LoadedDesign[] = [];
  let broken = false;
  for (const [i, file] of files.entries()) {
    const name =
      names.indexOf(names[i] as string) === names.lastIndexOf(names[i] as string) ? names[i] : file;
    const design = await loadDesign(file, name);
    if (design) designs.push(design);
    else broken = true;
  }
  if (broken) return 1;
  const sweeps = await sweepDesigns(designs, sweepOptions({ depth: parsed.depth }), {
    workers: parsed.workers,
    progress: showProgress(options.json),
  });
  const comparison = compareDesigns(sweeps);
  process.stdout.write(
    options.json
      ? stableJson({ command: 'compare', files, ...comparison })
      : `${formatComparison(comparison)}\n`,
  );
  if (options.html === undefined) return 0;
  return htmlReport(options.html, options.json, () =>
    writeHtmlReport(options.html as string, {
      command: 'compare',
      invocation: `vwan-ha compare ${files.join(' ')}${parsed.depth === 2 ? ' --depth 2' : ''}`,
      designs: designs.map((d, i) => ({
        name: d.name,
        file: files[i] as string,
        load: d.load,
        sweep: sweeps[i] as SweepResult,
      })),
      comparison,
    }),
  );
}
