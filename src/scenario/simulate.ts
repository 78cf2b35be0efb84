import { Dataplane } from '../dataplane/engine.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';
import type { Topology } from '../model/schema.ts';
import { parseIpv4Prefix } from '../net/ipv4.ts';
import { type DirectionSummary, summarizeDirection } from '../report/metrics.ts';
import type { TraceEntry } from '../sim/trace.ts';
import { type Health, healthOf } from './health.ts';
import type { Scenario, ScenarioEvent } from './schema.ts';
import { generateFlows } from './traffic.ts';
import { World, type WorldOptions } from './world.ts';

/** One scenario event as it happened, with how long the traffic took to settle after it. */
export interface EventOutcome {
  readonly atMs: number;
  readonly description: string;
  /**
   * From the event until the last flow it interrupted was delivering again (0 when
   * it interrupted none). Outages are attributed to the latest event at or before
   * their start.
   */
  readonly convergenceMs: number;
  readonly flowsInterrupted: number;
}

export interface SimulationResult {
  readonly topology: string;
  readonly scenario: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Tunnels and BGP sessions when the warm-up ended and traffic started, before any event. */
  readonly baseline: Health;
  readonly summary: { readonly toSite: DirectionSummary; readonly toAzure: DirectionSummary };
  readonly events: readonly EventOutcome[];
  readonly flows: readonly FlowMetrics[];
  /** Times relative to traffic start (the warm-up is negative). */
  readonly trace: readonly TraceEntry[];
}

export interface SimulateOptions {
  readonly trace?: boolean;
  readonly platform?: WorldOptions['platform'];
  readonly azureBgpTimers?: WorldOptions['azureBgpTimers'];
  readonly lanDetectionMs?: WorldOptions['lanDetectionMs'];
  /** Called with the world after it is built, before it starts (tests and the UI hook in here). */
  readonly onWorld?: (world: World) => void;
}

/**
 * Runs one scenario: builds the world, lets tunnels and BGP come up during the
 * warm-up, starts the traffic, plays the events at their times (relative to the
 * traffic start) and measures every flow until the end.
 */
export function simulate(
  topology: Topology,
  scenario: Scenario,
  options: SimulateOptions = {},
): SimulationResult {
  const world = new World(topology, {
    seed: scenario.seed,
    trace: options.trace ?? true,
    platform: options.platform,
    ...(options.azureBgpTimers ? { azureBgpTimers: options.azureBgpTimers } : {}),
    ...(options.lanDetectionMs !== undefined ? { lanDetectionMs: options.lanDetectionMs } : {}),
  });
  options.onWorld?.(world);
  world.start();
  const warmupMs = scenario.warmup;
  world.sim.run(warmupMs);
  const baseline = healthOf(world);

  const endpoint = (name: string, prefixes: readonly string[]) => ({
    name,
    prefixes: prefixes.flatMap((p) => {
      const parsed = parseIpv4Prefix(p);
      return parsed.ok ? [parsed.value] : [];
    }),
  });
  const vnets = topology.vnets.map((v) => endpoint(v.name, v.addressPrefixes));
  const sites = world.locations.map((l) => ({ name: l.name, prefixes: l.prefixes }));
  const flows = generateFlows(scenario.traffic, vnets, sites, world.sim.rng.fork());
  const dataplane = new Dataplane(flows, world.resolve);
  world.attachDataplane(dataplane);

  for (const event of scenario.events) {
    world.sim.scheduleAt(warmupMs + event.at, () => applyEvent(world, event), 'scenario');
  }
  world.sim.run(warmupMs + scenario.duration);
  dataplane.finish(warmupMs + scenario.duration);

  const flowMetrics = dataplane.meter.all().map((m) => shiftFlow(m, warmupMs));
  const events = eventOutcomes(scenario.events, flowMetrics);
  return {
    topology: topology.virtualHub.name,
    scenario: scenario.name,
    seed: scenario.seed,
    durationMs: scenario.duration,
    warmupMs,
    baseline,
    summary: {
      toSite: summarizeDirection('toSite', flowMetrics),
      toAzure: summarizeDirection('toAzure', flowMetrics),
    },
    events,
    flows: flowMetrics,
    trace: world.sim.trace.all().map((e) => ({ ...e, atMs: e.atMs - warmupMs })),
  };
}

export function applyEvent(world: World, event: ScenarioEvent): void {
  if ('instance' in event) {
    if (event.action === 'fail') world.failInstance(event.instance, event.mode);
    else world.recoverInstance(event.instance);
  } else if ('device' in event) {
    if (event.action === 'fail') world.failDevice(event.device);
    else world.recoverDevice(event.device);
  } else if ('link' in event) {
    world.setInternetPath(event.link, event.action === 'up');
  } else {
    world.resetTunnel(event.tunnel.linkConnection, event.tunnel.instance);
  }
}

export function describeEvent(event: ScenarioEvent): string {
  if ('instance' in event)
    return event.action === 'fail' ? `${event.instance} fails (${event.mode})` : `${event.instance} recovers`;
  if ('device' in event) return `device ${event.device} ${event.action === 'fail' ? 'fails' : 'recovers'}`;
  if ('link' in event) return `internet path ${event.link} ${event.action}`;
  return `tunnel ${event.tunnel.linkConnection}@${event.tunnel.instance} reset`;
}

export function shiftFlow(m: FlowMetrics, offsetMs: number): FlowMetrics {
  return {
    ...m,
    outages: m.outages.map((o) => ({ startMs: o.startMs - offsetMs, endMs: o.endMs - offsetMs })),
  };
}

/** Each event with the convergence it caused, outages attributed to the latest event at or before their start. */
export function eventOutcomes(
  events: readonly ScenarioEvent[],
  flows: readonly FlowMetrics[],
): EventOutcome[] {
  return [...events]
    .sort((a, b) => a.at - b.at)
    .map((event, index, sorted) => outcomeOf(event, sorted[index + 1]?.at, flows));
}

function outcomeOf(
  event: ScenarioEvent,
  nextAt: number | undefined,
  flows: readonly FlowMetrics[],
): EventOutcome {
  let convergence = 0;
  let interrupted = 0;
  for (const flow of flows) {
    let hit = false;
    for (const outage of flow.outages) {
      if (outage.startMs < event.at || (nextAt !== undefined && outage.startMs >= nextAt)) continue;
      hit = true;
      convergence = Math.max(convergence, outage.endMs - event.at);
    }
    if (hit) interrupted++;
  }
  return {
    atMs: event.at,
    description: describeEvent(event),
    convergenceMs: convergence,
    flowsInterrupted: interrupted,
  };
}
