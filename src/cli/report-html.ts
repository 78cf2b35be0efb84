import { writeFile } from 'node:fs/promises';
import { type Advice, advise } from '../analysis/advise.ts';
import type { Comparison } from '../analysis/compare.ts';
import type { SweepResult } from '../analysis/sweep.ts';
import type { LoadResult } from '../model/load.ts';
import { type ReportCommand, reportData, singleFailureSweep } from '../report/html-data.ts';
import { buildReportHtml } from '../server/build-report.ts';

/**
 * `--html <file>` of sweep, advise and compare: the self-contained HTML report
 * (docs/REPORT.md) of what the command just simulated, with the advice on the same
 * single-failure sweep. Node-only: writes the file.
 */
export interface ReportDesign {
  readonly name: string;
  readonly file: string;
  readonly load: Extract<LoadResult, { ok: true }>;
  readonly sweep: SweepResult;
  /** Given by advise; computed here otherwise (from the sweep's single failures, plus advise's what-if runs). */
  readonly advice?: Advice;
}

export async function writeHtmlReport(
  path: string,
  input: {
    readonly command: ReportCommand;
    readonly invocation: string;
    readonly designs: readonly ReportDesign[];
    readonly comparison: Comparison | null;
  },
): Promise<{ bytes: number; failures: number }> {
  const designs = input.designs.map((d) => ({
    name: d.name,
    file: d.file,
    topology: d.load.topology,
    sweep: d.sweep,
    advice: d.advice ?? adviceFor(d),
  }));
  const title = `vwan-ha ${input.command}: ${input.designs.map((d) => d.name).join(', ')}`;
  const html = await buildReportHtml(
    reportData({
      command: input.command,
      title,
      invocation: input.invocation,
      designs,
      comparison: input.comparison,
    }),
  );
  await writeFile(path, html);
  return {
    bytes: Buffer.byteLength(html),
    failures: designs.reduce((n, d) => n + d.sweep.failures.length, 0),
  };
}

function adviceFor(design: ReportDesign): Advice {
  const { sweep } = design;
  return advise(design.load, {
    timing: sweep.timing,
    traffic: sweep.traffic,
    seed: sweep.seed,
    sweep: singleFailureSweep(design.load.topology, sweep),
    design: design.name,
  });
}

/** What the CLI says on stderr after writing the report (not with --json: stdout is for machines then, stderr quiet). */
export function reportWritten(path: string, written: { bytes: number; failures: number }): string {
  return `wrote ${path}: HTML report, ${Math.round(written.bytes / 1024)} KiB, ${written.failures} failure${written.failures === 1 ? '' : 's'} drawn\n`;
}
