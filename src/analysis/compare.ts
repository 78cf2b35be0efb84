/**
 * Several designs through the same sweep, side by side: one row per failure kind
 * (names differ between designs, kinds do not — "IN_0 planned" and "IN_1 planned"
 * are both an instance maintenance, every device failure is a device failure),
 * one column per design, each cell the worst failure of that kind in that design.
 * Platform-free.
 */
import { ELEMENT_KINDS, type ElementKind } from './failures.ts';
import { compareStrings, type FailureResult, type SweepResult } from './sweep.ts';

export interface ComparisonCell {
  /** How many failures of this kind the design has (e.g. two devices → 2). */
  readonly failures: number;
  /** The failure shown: the worst of the kind (cut off, then still losing, then longest outage, share hit, resets). */
  readonly worstFailure: string;
  /** Longest single outage of any flow, either direction. */
  readonly worstOutageMs: number;
  /** Flows that lost at least one packet, both directions together, of the flows simulated. */
  readonly shareHit: number;
  /** Sessions re-established per flow over the run (failure and failback), both directions. */
  readonly sessionResetsPerFlow: number;
  readonly failoverConvergenceMs: number;
  /** The failback's longest outage; null when nothing returns (tunnel reset). */
  readonly failbackOutageMs: number | null;
  readonly cutOff: boolean;
  readonly stillLosing: boolean;
}

export interface ComparisonRow {
  readonly kind: string;
  readonly label: string;
  /** One per design, in the designs' order; null when the design has no failure of this kind. */
  readonly cells: readonly (ComparisonCell | null)[];
}

export interface DesignTotals {
  readonly design: string;
  readonly topologySummary: string;
  readonly failures: number;
  readonly singlePointsOfFailure: readonly string[];
  readonly failuresCuttingOff: number;
  readonly failuresResettingSessions: number;
  readonly worstOutageMs: number;
  readonly simulationErrors: number;
}

export interface Comparison {
  readonly designs: readonly string[];
  readonly depth: 1 | 2;
  readonly rows: readonly ComparisonRow[];
  readonly totals: readonly DesignTotals[];
}

const KIND_LABELS: Record<ElementKind, string> = {
  'instance-planned': 'instance maintenance (planned)',
  'instance-unplanned': 'instance failure (unplanned)',
  device: 'device failure',
  'internet-path': 'internet path down',
  'tunnel-reset': 'tunnel reset',
};

const KIND_SHORT: Record<ElementKind, string> = {
  'instance-planned': 'maintenance',
  'instance-unplanned': 'instance failure',
  device: 'device',
  'internet-path': 'internet path',
  'tunnel-reset': 'tunnel reset',
};

export function kindLabel(kind: string): string {
  const parts = kind.split(' + ') as ElementKind[];
  if (parts.length === 1) return KIND_LABELS[parts[0] as ElementKind] ?? kind;
  return parts.map((p) => KIND_SHORT[p] ?? p).join(' + ');
}

/** Singles in ELEMENT_KINDS order, then pairs in the order of their first and second kinds. */
function kindOrder(a: string, b: string): number {
  const rank = (kind: string) => kind.split(' + ').map((k) => ELEMENT_KINDS.indexOf(k as ElementKind));
  const ra = rank(a);
  const rb = rank(b);
  if (ra.length !== rb.length) return ra.length - rb.length;
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return compareStrings(a, b);
}

function flowsOf(f: FailureResult): number {
  return f.toSite.flows + f.toAzure.flows;
}

export function shareHitOf(f: FailureResult): number {
  const flows = flowsOf(f);
  return flows === 0 ? 0 : (f.toSite.flowsHit + f.toAzure.flowsHit) / flows;
}

export function resetsPerFlowOf(f: FailureResult): number {
  const flows = flowsOf(f);
  return flows === 0 ? 0 : (f.toSite.sessionResets + f.toAzure.sessionResets) / flows;
}

export function worstOutageOf(f: FailureResult): number {
  return Math.max(f.toSite.worstOutageMs, f.toAzure.worstOutageMs);
}

/** Positive when a is worse than b. */
export function severityOrder(a: FailureResult, b: FailureResult): number {
  return (
    Number(a.cutOff.length > 0) - Number(b.cutOff.length > 0) ||
    Number(a.stillLosing.length > 0) - Number(b.stillLosing.length > 0) ||
    worstOutageOf(a) - worstOutageOf(b) ||
    shareHitOf(a) - shareHitOf(b) ||
    resetsPerFlowOf(a) - resetsPerFlowOf(b) ||
    // Equal impact: the first by id, so the choice never depends on run order.
    compareStrings(b.id, a.id)
  );
}

function cellOf(failures: readonly FailureResult[]): ComparisonCell | null {
  let worst: FailureResult | undefined;
  for (const f of failures) if (!worst || severityOrder(f, worst) > 0) worst = f;
  if (!worst) return null;
  return {
    failures: failures.length,
    worstFailure: worst.id,
    worstOutageMs: worstOutageOf(worst),
    shareHit: shareHitOf(worst),
    sessionResetsPerFlow: resetsPerFlowOf(worst),
    failoverConvergenceMs: worst.failover.convergenceMs,
    failbackOutageMs: worst.failback ? worst.failback.worstOutageMs : null,
    cutOff: worst.cutOff.length > 0,
    stillLosing: worst.stillLosing.length > 0,
  };
}

/** Designs must have been swept with the same depth, timing and traffic. */
export function compareDesigns(sweeps: readonly SweepResult[]): Comparison {
  const first = sweeps[0];
  if (!first) throw new Error('compareDesigns needs at least one design');
  for (const s of sweeps) {
    if (s.depth !== first.depth || JSON.stringify(s.timing) !== JSON.stringify(first.timing)) {
      throw new Error(`design ${s.design} was swept differently from ${first.design}`);
    }
  }
  const kinds = [...new Set(sweeps.flatMap((s) => s.failures.map((f) => f.kind)))].sort(kindOrder);
  const rows = kinds.map((kind) => ({
    kind,
    label: kindLabel(kind),
    cells: sweeps.map((s) => cellOf(s.failures.filter((f) => f.kind === kind))),
  }));
  return {
    designs: sweeps.map((s) => s.design),
    depth: first.depth,
    rows,
    totals: sweeps.map((s) => ({
      design: s.design,
      topologySummary: s.topologySummary,
      failures: s.totals.failures,
      singlePointsOfFailure: s.totals.singlePointsOfFailure,
      failuresCuttingOff: s.totals.failuresCuttingOff,
      failuresResettingSessions: s.totals.failuresResettingSessions,
      worstOutageMs: s.totals.worstOutageMs,
      simulationErrors: s.totals.simulationErrors,
    })),
  };
}
