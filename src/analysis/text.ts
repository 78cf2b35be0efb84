/**
 * The readable forms of a sweep, a comparison and advice: tables for terminals
 * and design reviews (report/table.ts), findings as short paragraphs. Platform-free.
 */

import { formatTable } from '../report/table.ts';
import { formatClock } from '../report/text.ts';
import { formatDuration } from '../scenario/duration.ts';
import type { Advice, Finding } from './advise.ts';
import { directionsText } from './advise-support.ts';
import type { Comparison, ComparisonCell } from './compare.ts';
import type { FailureResult, SweepResult } from './sweep.ts';

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number) => `${Math.round(share * 100)} %`;

/** Durations short enough for a table cell: 20ms, 10.1s, 1m30.1s, 4m. */
export function compactDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${trim((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return seconds === 0 ? `${minutes}m` : `${minutes}m${trim(seconds.toFixed(1))}s`;
}

function trim(fixed: string): string {
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}

function flagOf(f: FailureResult): string {
  if (f.error !== null) return 'ERROR';
  if (f.singlePointOfFailure) return 'SPOF';
  if (f.cutOff.length > 0) return 'cut off';
  if (f.stillLosing.length > 0) return 'partial';
  return '';
}

function sweepRow(f: FailureResult): string[] {
  if (f.error !== null) return [f.id, '', '', '', '', '', '', '', 'ERROR'];
  const flows = f.toSite.flows + f.toAzure.flows;
  const hit = flows === 0 ? 0 : (f.toSite.flowsHit + f.toAzure.flowsHit) / flows;
  const outage = (d: FailureResult['toSite']) =>
    d.flowsHit === 0 ? '—' : `${compactDuration(d.worstOutageMs)} · ${compactDuration(d.medianOutageMs)}`;
  const resets = f.failback
    ? `${count(f.failover.sessionResets)} + ${count(f.failback.sessionResets)}`
    : count(f.failover.sessionResets);
  const converged =
    f.cutOff.length > 0
      ? 'not while failed'
      : f.stillLosing.length > 0
        ? 'partly'
        : f.failover.flowsInterrupted === 0
          ? '—'
          : compactDuration(f.failover.convergenceMs);
  const failback =
    !f.failback || f.failback.flowsInterrupted === 0
      ? '—'
      : `${compactDuration(f.failback.worstOutageMs)}, ${count(f.failback.flowsInterrupted)} flows`;
  return [
    f.id,
    percent(hit),
    outage(f.toSite),
    outage(f.toAzure),
    count(f.toSite.packetsLost + f.toAzure.packetsLost),
    resets,
    converged,
    failback,
    flagOf(f),
  ];
}

function cutOffList(f: FailureResult): string {
  const bySite = new Map<string, FailureResult['cutOff'][number]['direction'][]>();
  for (const c of f.cutOff) bySite.set(c.site, [...(bySite.get(c.site) ?? []), c.direction]);
  return [...bySite].map(([site, dirs]) => `${site} ${directionsText(dirs)}`).join(', ');
}

/** `vwan-ha sweep`'s table and verdict. */
export function formatSweep(sweep: SweepResult, source: string): string {
  const { timing, traffic } = sweep;
  const singles = sweep.failures.filter((f) => f.elements.length === 1).length;
  const pairs = sweep.failures.length - singles;
  const lines = [
    `sweep of ${source} — ${sweep.topologySummary}`,
    `${count(singles)} single failures${pairs > 0 ? ` and ${count(pairs)} pairs` : ''}, each at ${formatClock(timing.failAtMs)} and back at ${formatClock(timing.recoverAtMs)} ` +
      `(${formatDuration(timing.durationMs)} of traffic after a ${formatDuration(timing.warmupMs)} warm-up; ${traffic.flowsPerPair} flows per VNet×site pair each way, ${traffic.ratePps} packets/s)`,
    '',
    formatTable(
      [
        'failure',
        'flows hit',
        'Azure→site worst · median',
        'site→Azure worst · median',
        'packets lost',
        'sessions reset',
        'converged',
        'failback',
        '',
      ],
      sweep.failures.map(sweepRow),
    ),
    '',
    'sessions reset: on failure + on failback; converged: until the last interrupted flow delivered again.',
  ];
  const baselineLost = sweep.baseline.toSite.packetsLost + sweep.baseline.toAzure.packetsLost;
  if (baselineLost > 0) {
    lines.push(
      `without any failure ${count(baselineLost)} packets are lost (baseline run): check the design first.`,
    );
  }
  const spofs = sweep.failures.filter((f) => f.singlePointOfFailure);
  if (spofs.length === 0) lines.push('no single point of failure: no single failure cut a site off.');
  else {
    lines.push(`single points of failure (${spofs.length}):`);
    for (const f of spofs) lines.push(`  ${f.id} — cuts off ${cutOffList(f)}`);
  }
  const pairCuts = sweep.failures.filter((f) => f.elements.length > 1 && f.cutOff.length > 0);
  if (pairCuts.length > 0) lines.push(`pairs of failures that cut a site off: ${pairCuts.length}`);
  const errors = sweep.failures.filter((f) => f.error !== null);
  for (const f of errors) lines.push(`simulator error in ${f.id}: ${f.error}`);
  lines.push(
    `SPOF: a single failure after which some site, in some direction, loses every packet of every flow in the last ${formatDuration(timing.settleWindowMs)} before the element returns (and did not without failure). partial: some flows still lose every packet then.`,
  );
  return lines.join('\n');
}

function cellText(cell: ComparisonCell | null): string {
  if (!cell) return '—';
  const outage = cell.cutOff
    ? 'cut off'
    : `${compactDuration(cell.worstOutageMs)}${cell.stillLosing ? '!' : ''}`;
  return `${outage} · ${percent(cell.shareHit)} · ${cell.sessionResetsPerFlow.toFixed(1)}`;
}

/** `vwan-ha compare`'s table: failure kinds down, designs across, totals below. */
export function formatComparison(comparison: Comparison): string {
  const header = ['failure', ...comparison.designs];
  const rows = comparison.rows.map((row) => [row.label, ...row.cells.map(cellText)]);
  const totals = comparison.totals;
  const rule = ['', ...totals.map(() => '')];
  const totalRows = [
    rule,
    ['failures simulated', ...totals.map((t) => count(t.failures))],
    ['single points of failure', ...totals.map((t) => count(t.singlePointsOfFailure.length))],
    ['failures resetting sessions', ...totals.map((t) => count(t.failuresResettingSessions))],
    ['worst outage', ...totals.map((t) => compactDuration(t.worstOutageMs))],
  ];
  if (totals.some((t) => t.simulationErrors > 0)) {
    totalRows.push(['simulator errors', ...totals.map((t) => count(t.simulationErrors))]);
  }
  const lines = [
    `${comparison.designs.length} designs, ${comparison.depth === 1 ? 'single failures' : 'single failures and pairs'}; each cell: the worst failure of that kind in that design —`,
    'worst outage (cut off: a site lost everything until the element returned; !: some flows did) · flows hit · sessions re-established per flow',
    '',
    formatTable(header, [...rows, ...totalRows]),
  ];
  for (const t of totals) {
    if (t.singlePointsOfFailure.length > 0) {
      lines.push(`${t.design}: single points of failure: ${t.singlePointsOfFailure.join(', ')}`);
    }
  }
  return lines.join('\n');
}

const WIDTH = 100;

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(indent + line);
  return lines;
}

function findingText(f: Finding): string[] {
  const head = `${f.severity.toUpperCase().padEnd(6)}  ${f.title}`;
  const lines = [...wrap(head, '').map((l, i) => (i === 0 ? l : `        ${l}`))];
  lines.push(
    ...wrap(`about: ${f.subject}${f.paths.length > 0 ? ` (${f.paths.join(', ')})` : ''}`, '        '),
  );
  lines.push(...wrap(`${f.simulated ? 'measured' : 'cited'}: ${f.evidence}`, '        '));
  lines.push(...wrap(`fix: ${f.fix}`, '        '));
  for (const w of f.validatorWarnings) lines.push(...wrap(`validator: ${w}`, '        '));
  return lines;
}

/** `vwan-ha advise`'s report. */
export function formatAdvice(advice: Advice, source: string): string {
  const lines = [
    advice.loaded
      ? `advice for ${source} — ${advice.topologySummary}`
      : `advice for ${source} — the topology does not load`,
  ];
  if (advice.loaded) {
    lines.push(
      `simulated ${count(advice.scenariosSimulated)} scenarios (the failure sweep and targeted what-if runs)`,
    );
  }
  lines.push('');
  for (const f of advice.findings) lines.push(...findingText(f), '');
  const c = advice.counts;
  lines.push(
    `${c.high} high, ${c.medium} medium, ${c.low} low, ${c.info} info. ` +
      (advice.loaded
        ? 'advise exits 0 whatever it finds; gate a pipeline on the counts in --json.'
        : 'nothing was simulated; fix the errors and run advise again.'),
  );
  return lines.join('\n');
}
