/**
 * The pieces advise's rules share: the context they read, targeted what-if runs,
 * and the wording of numbers. Platform-free.
 */
import type { Direction } from '../dataplane/flow.ts';
import type { Topology } from '../model/schema.ts';
import { formatClock } from '../report/text.ts';
import { formatDuration } from '../scenario/duration.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import { type SimulationResult, simulate } from '../scenario/simulate.ts';
import type { DraftFinding } from './advise.ts';
import { type FailureElement, failureOf, type SweepOptions, scenarioSeed } from './failures.ts';
import { scopeOfSites } from './scope.ts';
import { type FailureMeasurement, type FailureResult, measureFailure, type SweepResult } from './sweep.ts';
import { locationsOf } from './topology-views.ts';

export interface AdviceContext {
  readonly topology: Topology;
  /** The depth-1 sweep of the topology. */
  readonly sweep: SweepResult;
  readonly options: SweepOptions;
  /** Every targeted simulation calls this once (the report counts them). */
  readonly countRun: () => void;
}

/** A rule reads the context (and the findings raised before it) and returns its findings. */
export type AdviceRule = (context: AdviceContext, earlier: readonly DraftFinding[]) => DraftFinding[];

export const percent = (share: number) => `${Math.round(share * 100)} %`;
export const duration = formatDuration;
export const clock = formatClock;
export const count = (n: number) => n.toLocaleString('en-US');
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

export function failureById(context: AdviceContext, id: string): FailureResult | undefined {
  const failure = context.sweep.failures.find((f) => f.id === id);
  return failure && failure.error === null ? failure : undefined;
}

export function locationOf(context: AdviceContext, site: string): string {
  return locationsOf(context.topology).get(site) ?? site;
}

/** One location's flows in a measurement, per direction and both together. */
export function locationImpact(
  context: AdviceContext,
  measurement: FailureMeasurement,
  location: string,
  direction?: Direction,
): {
  flows: number;
  flowsHit: number;
  packetsLost: number;
  worstOutageMs: number;
  sessionResets: number;
  flowsReset: number;
  flowsLosing: number;
} {
  const total = {
    flows: 0,
    flowsHit: 0,
    packetsLost: 0,
    worstOutageMs: 0,
    sessionResets: 0,
    flowsReset: 0,
    flowsLosing: 0,
  };
  for (const s of measurement.sites) {
    if (s.site !== location || (direction && s.direction !== direction)) continue;
    total.flows += s.flows;
    total.flowsHit += s.flowsHit;
    total.packetsLost += s.packetsLost;
    total.worstOutageMs = Math.max(total.worstOutageMs, s.worstOutageMs);
    total.sessionResets += s.sessionResets;
    total.flowsReset += s.flowsReset;
    total.flowsLosing += s.flowsLosingThroughoutWindow;
  }
  // A location the run did not touch is not listed; its flows are the traffic profile's.
  if (total.flows === 0) total.flows = flowsPerLocation(context, direction);
  return total;
}

/** Flows per location: flowsPerPair for every VNet, per direction generated. */
export function flowsPerLocation(context: AdviceContext, direction?: Direction): number {
  const { traffic } = context.options;
  const vnets = context.topology.vnets.filter((v) => v.addressPrefixes.length > 0).length;
  const directions =
    traffic.directions === 'both'
      ? direction
        ? 1
        : 2
      : !direction || direction === traffic.directions
        ? 1
        : 0;
  return vnets * traffic.flowsPerPair * directions;
}

/** A failure of the sweep, measured on a what-if copy of the topology (same seed, so the same flows). */
export function measureVariant(
  context: AdviceContext,
  variant: Topology,
  elements: readonly FailureElement[],
): FailureMeasurement {
  context.countRun();
  return measureFailure(variant, failureOf(elements, context.options), { timing: context.options.timing });
}

export type TracedRun =
  | { readonly ok: true; readonly result: SimulationResult }
  | { readonly ok: false; readonly error: string };

/**
 * A targeted run with its trace, limited to the given sites and those they can
 * affect (scope.ts). Events are scenario events; times are ms after the traffic start.
 */
export function tracedRun(
  context: AdviceContext,
  topology: Topology,
  input: {
    readonly label: string;
    readonly sites: readonly string[] | undefined;
    readonly events?: readonly unknown[];
    readonly durationMs?: number;
  },
): TracedRun {
  context.countRun();
  const { timing } = context.options;
  const scope = scopeOfSites(topology, input.sites);
  const scenario = scenarioSchema.parse({
    name: input.label,
    duration: `${input.durationMs ?? timing.durationMs}ms`,
    warmup: `${timing.warmupMs}ms`,
    seed: scenarioSeed(context.options.seed, `advise: ${input.label}`),
    traffic: context.options.traffic,
    events: input.events ?? [],
  });
  try {
    return { ok: true, result: simulate(scope.topology, scenario, { trace: true }) };
  } catch (thrown) {
    return { ok: false, error: thrown instanceof Error ? thrown.message : String(thrown) };
  }
}

/** Trace entries of BGP sessions over the given tunnels (`<end>/bgp:<tunnel id>`). */
export function bgpEntries(result: SimulationResult, tunnelIds: readonly string[], event: string) {
  const suffixes = tunnelIds.map((id) => `/bgp:${id}`);
  return result.trace.filter((e) => e.event === event && suffixes.some((s) => e.source.endsWith(s)));
}

/** "both directions", "Azure→site" or "site→Azure". */
export function directionsText(directions: readonly Direction[]): string {
  const set = new Set(directions);
  if (set.has('toSite') && set.has('toAzure')) return 'both directions';
  return set.has('toSite') ? 'Azure→site' : 'site→Azure';
}
