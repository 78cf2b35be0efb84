import type { Direction, FlowSpec } from '../dataplane/flow.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';

/** What one direction of traffic felt over a run, in the numbers the seed's claims are about. */
export interface DirectionSummary {
  readonly direction: Direction;
  readonly flows: number;
  /** Flows that lost at least one packet. */
  readonly flowsHit: number;
  readonly shareHit: number;
  readonly packetsSent: number;
  readonly packetsLost: number;
  /** The longest single outage any flow saw. */
  readonly worstOutageMs: number;
  /** Median of each hit flow's total outage (0 when no flow was hit). */
  readonly medianOutageMs: number;
  readonly sessionResets: number;
  /** Flows whose sessions were re-established at least once. */
  readonly flowsReset: number;
  readonly pathChanges: number;
}

export function summarizeDirection(direction: Direction, flows: readonly FlowMetrics[]): DirectionSummary {
  const mine = flows.filter((f) => f.direction === direction);
  const hit = mine.filter((f) => f.lost > 0);
  const totals = hit
    .map((f) => f.outages.reduce((sum, o) => sum + (o.endMs - o.startMs), 0))
    .sort((a, b) => a - b);
  let worst = 0;
  for (const f of mine) for (const o of f.outages) worst = Math.max(worst, o.endMs - o.startMs);
  return {
    direction,
    flows: mine.length,
    flowsHit: hit.length,
    shareHit: mine.length === 0 ? 0 : hit.length / mine.length,
    packetsSent: sum(mine.map((f) => f.sent)),
    packetsLost: sum(mine.map((f) => f.lost)),
    worstOutageMs: worst,
    medianOutageMs: median(totals),
    sessionResets: sum(mine.map((f) => f.sessionResets)),
    flowsReset: mine.filter((f) => f.sessionResets > 0).length,
    pathChanges: sum(mine.map((f) => f.pathChanges)),
  };
}

/** Share of a direction's flows on each path at one moment (what the UI draws as tunnel thickness). */
export function pathShares(
  flows: readonly FlowSpec[],
  pathOf: (flow: FlowSpec) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const flow of flows) {
    const path = pathOf(flow);
    counts[path] = (counts[path] ?? 0) + 1;
  }
  const shares: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) shares[key] = (counts[key] as number) / flows.length;
  return shares;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
