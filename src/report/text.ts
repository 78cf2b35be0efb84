import { formatDuration } from '../scenario/duration.ts';
import type { Health } from '../scenario/health.ts';
import type { SimulationResult } from '../scenario/simulate.ts';
import type { DirectionSummary } from './metrics.ts';
import { formatTable } from './table.ts';

const percent = (share: number) => `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)} %`;
const count = (n: number) => n.toLocaleString('en-US');

export function formatClock(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.abs(ms);
  const minutes = Math.floor(total / 60_000);
  const seconds = (total % 60_000) / 1000;
  const secondsText =
    seconds % 1 === 0 ? String(seconds).padStart(2, '0') : seconds.toFixed(3).padStart(6, '0');
  return `${sign}${minutes}:${secondsText}`;
}

function column(s: DirectionSummary): string[] {
  return [
    `${count(s.flowsHit)} / ${count(s.flows)} (${percent(s.shareHit)})`,
    formatDuration(s.worstOutageMs),
    formatDuration(s.medianOutageMs),
    `${count(s.packetsLost)} of ${count(s.packetsSent)}`,
    `${count(s.sessionResets)} (${count(s.flowsReset)} flows)`,
    count(s.pathChanges),
  ];
}

const SHOWN_DOWN = 8;

/**
 * Said only when something is down before the first event: losses then come from the
 * design itself, not from the failures the table goes on to measure.
 */
function baselineLines(baseline: Health): string[] {
  const { tunnels, bgpSessions } = baseline;
  if (tunnels.down.length === 0 && bgpSessions.down.length === 0) return [];
  const lines = [
    `NOT CONVERGED before the first event: ${tunnels.up} of ${tunnels.total} tunnels up, ${bgpSessions.established} of ${bgpSessions.total} BGP sessions established`,
  ];
  const items = [
    ...tunnels.down.map((id) => `tunnel ${id}: down`),
    ...bgpSessions.down.map((d) => `BGP ${d.session}: ${d.reason}`),
  ];
  for (const item of items.slice(0, SHOWN_DOWN)) lines.push(`  ${item}`);
  if (items.length > SHOWN_DOWN) lines.push(`  … and ${items.length - SHOWN_DOWN} more`);
  return lines;
}

/** The readable summary `vwan-ha simulate` prints. */
export function formatSimulation(result: SimulationResult, topologySummary: string): string {
  const { toSite, toAzure } = result.summary;
  const a = column(toSite);
  const b = column(toAzure);
  const labels = [
    'flows hit',
    'worst outage',
    'outage per hit flow (median)',
    'packets lost',
    'sessions re-established',
    'path changes',
  ];
  const lines = [
    `${result.scenario} — ${topologySummary}`,
    `seed ${result.seed}, ${formatDuration(result.durationMs)} of traffic after a ${formatDuration(result.warmupMs)} warm-up`,
    ...baselineLines(result.baseline),
    '',
    formatTable(
      ['', 'Azure → site', 'site → Azure'],
      labels.map((label, i) => [label, a[i] ?? '', b[i] ?? '']),
    ),
    '',
    'events',
  ];
  if (result.events.length === 0) lines.push('  (none)');
  const width = Math.max(0, ...result.events.map((e) => e.description.length));
  for (const event of result.events) {
    const effect =
      event.flowsInterrupted === 0
        ? 'no flow interrupted'
        : `${count(event.flowsInterrupted)} flows interrupted, all delivering again after ${formatDuration(event.convergenceMs)}`;
    lines.push(`  ${formatClock(event.atMs).padStart(8)}  ${event.description.padEnd(width)}  ${effect}`);
  }
  return lines.join('\n');
}
