/**
 * The twin check: the simulator's prediction for the topology, scenario and timers a
 * lab run used, next to what the lab measured, metric by metric.
 *
 * The simulator runs with the lab's numbers: the same effective topology (fast timers
 * write device BGP timers and DPD into it), Azure's BGP timers and the platform's
 * steps as the lab controller used them, the same traffic profile.
 *
 * Keepalive phase. Where an outage ends when a BGP hold timer expires (a silent
 * instance, BGP before DPD), its length depends on when the device last heard from the
 * instance — anywhere within one keepalive interval, a matter of chance in the lab and
 * of the seed in the simulator. The lab reads, right before the failure, how much of the
 * device's hold timer is left; the twin then shifts the simulator's warm-up so its
 * device has exactly that much left at the failure (one extra run). The prediction
 * without that shift is reported too.
 */
import { Dataplane } from '../dataplane/engine.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';
import type { Topology } from '../model/schema.ts';
import { parseIpv4Prefix } from '../net/ipv4.ts';
import { type DirectionSummary, summarizeDirection } from '../report/metrics.ts';
import type { Scenario } from '../scenario/schema.ts';
import { applyEvent, type EventOutcome, eventOutcomes } from '../scenario/simulate.ts';
import { generateFlows } from '../scenario/traffic.ts';
import { World } from '../scenario/world.ts';
import type { TraceEntry } from '../sim/trace.ts';
import type { LabTimers } from './lab-plan.ts';
import type { LabDirectionSummary, LabRunResult } from './lab-run.ts';

export interface TwinSimulation {
  readonly summary: { readonly toSite: DirectionSummary; readonly toAzure: DirectionSummary };
  readonly events: readonly EventOutcome[];
  readonly flows: readonly FlowMetrics[];
  /** Relative to the traffic start. */
  readonly trace: readonly TraceEntry[];
  readonly warmupMs: number;
}

/**
 * `simulate()` with every option the lab needs. (simulate() in scenario/simulate.ts
 * accepts `azureBgpTimers` and `lanDetectionMs` but does not hand them to World yet, so
 * the world is built here the same way, with them.)
 */
export function simulateTwin(
  topology: Topology,
  scenario: Scenario,
  timers: LabTimers,
  options: { readonly warmupShiftMs?: number } = {},
): TwinSimulation {
  const world = new World(topology, {
    seed: scenario.seed,
    trace: true,
    platform: timers.platform,
    azureBgpTimers: timers.azureBgp,
    lanDetectionMs: timers.lanDetectionMs,
  });
  world.start();
  const warmupMs = scenario.warmup + Math.round(options.warmupShiftMs ?? 0);
  world.sim.run(warmupMs);
  const vnets = topology.vnets.map((v) => ({
    name: v.name,
    prefixes: v.addressPrefixes.flatMap((p) => {
      const parsed = parseIpv4Prefix(p);
      return parsed.ok ? [parsed.value] : [];
    }),
  }));
  const sites = world.locations.map((l) => ({ name: l.name, prefixes: l.prefixes }));
  const flows = generateFlows(scenario.traffic, vnets, sites, world.sim.rng.fork());
  const dataplane = new Dataplane(flows, world.resolve);
  world.attachDataplane(dataplane);
  for (const event of scenario.events) {
    world.sim.scheduleAt(warmupMs + event.at, () => applyEvent(world, event), 'scenario');
  }
  world.sim.run(warmupMs + scenario.duration);
  dataplane.finish(warmupMs + scenario.duration);
  const metrics = dataplane.meter.all().map((m) => ({
    ...m,
    outages: m.outages.map((o) => ({ startMs: o.startMs - warmupMs, endMs: o.endMs - warmupMs })),
  }));
  return {
    summary: {
      toSite: summarizeDirection('toSite', metrics),
      toAzure: summarizeDirection('toAzure', metrics),
    },
    events: eventOutcomes(scenario.events, metrics),
    flows: metrics,
    trace: world.sim.trace.all().map((e) => ({ ...e, atMs: e.atMs - warmupMs })),
    warmupMs,
  };
}

/** When the BGP end named `source` (World: `<device>/bgp:<tunnel>` or `<IN_x>/bgp:<tunnel>`) dropped on its hold timer after `afterMs`. */
export function holdExpiry(
  trace: readonly TraceEntry[],
  source: string,
  afterMs: number,
): number | undefined {
  const entry = trace.find(
    (e) =>
      e.source === source &&
      e.event === 'bgp.down' &&
      e.atMs >= afterMs &&
      /hold timer/i.test(String(e.detail?.reason ?? '')),
  );
  return entry?.atMs;
}

export interface PhaseMatch {
  readonly tunnelId: string;
  /** Whose hold timer decided: the device's (a silent instance) or Azure's (a silent device). */
  readonly side: 'device' | 'azure';
  /** What was left of that hold timer at the failure, in the lab. */
  readonly labHoldLeftMs: number;
  /** The same in the simulator without and with the warm-up shift (undefined: it did not expire). */
  readonly simHoldLeftMs: number | undefined;
  readonly matchedHoldLeftMs: number | undefined;
  readonly warmupShiftMs: number;
  readonly note: string;
}

export interface TwinResult {
  /** The prediction used for the comparison (phase-matched when that was possible). */
  readonly predicted: TwinSimulation;
  /** The simulator's own prediction (its seed's keepalive phase). */
  readonly unmatched: TwinSimulation;
  readonly phase?: PhaseMatch;
}

/**
 * The simulator's prediction for a lab run: the scenario with its events at the times
 * the lab applied them, keepalive phase matched where a hold timer decides the outage —
 * the device's for a silent instance, Azure's for a silent device.
 */
export function twinFor(
  topology: Topology,
  planned: Scenario,
  timers: LabTimers,
  lab: LabRunResult,
  deviceOf: (tunnelId: string) => string | undefined,
): TwinResult {
  const scenario: Scenario = {
    ...planned,
    events: lab.events.map((e) => ({ ...e.event, at: e.appliedAtMs })),
  };
  const unmatched = simulateTwin(topology, scenario, timers);
  const event = lab.events.find((e) => e.deviceHoldLeftMs !== undefined || e.azureHoldLeftMs !== undefined);
  const side: 'device' | 'azure' = event?.deviceHoldLeftMs !== undefined ? 'device' : 'azure';
  const left = event?.deviceHoldLeftMs ?? event?.azureHoldLeftMs;
  const first = left ? Object.entries(left)[0] : undefined;
  if (!event || !first) return { predicted: unmatched, unmatched };
  const [tunnelId, labLeft] = first;
  const deviceName = deviceOf(tunnelId) ?? '';
  const device = topology.vpnSites.flatMap((s) => s.devices).find((d) => d.name === deviceName);
  const instance = tunnelId.slice(tunnelId.lastIndexOf('@') + 1);
  // The session's hold time is the smaller of the two proposed; the side that keeps the
  // hold timer hears the other side's keepalives.
  const holdMs =
    Math.min(timers.azureBgp.holdSeconds, device?.bgpTimers.holdSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const keepaliveMs =
    (side === 'device' ? timers.azureBgp.keepaliveSeconds : (device?.bgpTimers.keepaliveSeconds ?? 60)) *
    1000;
  const source = side === 'device' ? `${deviceName}/bgp:${tunnelId}` : `${instance}/bgp:${tunnelId}`;
  const whose = side === 'device' ? 'the device' : instance;
  const at = event.appliedAtMs;
  const labLastHeard = holdMs - labLeft;
  const expiry = holdExpiry(unmatched.trace, source, at);
  const base = { tunnelId, side, labHoldLeftMs: labLeft, warmupShiftMs: 0, matchedHoldLeftMs: undefined };
  if (expiry === undefined) {
    const note = `${whose}'s session did not end on its hold timer in the simulator (DPD or a Cease came first): no phase to match`;
    return { predicted: unmatched, unmatched, phase: { ...base, simHoldLeftMs: undefined, note } };
  }
  const simLeft = expiry - at;
  const simLastHeard = holdMs - simLeft;
  if (labLastHeard >= keepaliveMs) {
    // A hold timer that runs short of the negotiated hold time gets here: BIRD restarts
    // it at a random 75–100 % of it (its RFC 1771 timer jitter, applied to the hold
    // timer too); the simulator's runs the full hold time.
    const note = `${whose} had ${(labLeft / 1000).toFixed(2)} s of hold time left in the lab, less than the simulator can have (≥ hold − keepalive = ${((holdMs - keepaliveMs) / 1000).toFixed(0)} s): its hold timer was restarted short of ${holdMs / 1000} s`;
    return { predicted: unmatched, unmatched, phase: { ...base, simHoldLeftMs: simLeft, note } };
  }
  const shift = (((labLastHeard - simLastHeard) % keepaliveMs) + keepaliveMs) % keepaliveMs;
  const predicted = simulateTwin(topology, scenario, timers, { warmupShiftMs: shift });
  const matchedExpiry = holdExpiry(predicted.trace, source, at);
  const matchedLeft = matchedExpiry === undefined ? undefined : matchedExpiry - at;
  return {
    predicted,
    unmatched,
    phase: {
      ...base,
      simHoldLeftMs: simLeft,
      matchedHoldLeftMs: matchedLeft,
      warmupShiftMs: shift,
      note: `simulator warm-up shifted by ${(shift / 1000).toFixed(3)} s so ${whose} has ${((matchedLeft ?? Number.NaN) / 1000).toFixed(2)} s of hold time left at the failure (lab: ${(labLeft / 1000).toFixed(2)} s)`,
    },
  };
}

export interface TwinRow {
  readonly direction: 'toSite' | 'toAzure';
  readonly metric: string;
  readonly lab: string;
  readonly sim: string;
  readonly diff: string;
  /** undefined: informational (not judged). */
  readonly agrees: boolean | undefined;
  readonly labValue: number | undefined;
  readonly simValue: number | undefined;
}

/** ±1 s or ±10 % of the prediction, whichever is larger. */
export function outageAgrees(labMs: number, simMs: number): boolean {
  return Math.abs(labMs - simMs) <= Math.max(1000, 0.1 * simMs);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const signed = (ms: number): string => `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(2)} s`;

export function twinRows(lab: LabRunResult, predicted: TwinSimulation): TwinRow[] {
  const rows: TwinRow[] = [];
  for (const direction of ['toSite', 'toAzure'] as const) {
    const l: LabDirectionSummary = lab.summary[direction];
    const s: DirectionSummary = predicted.summary[direction];
    if (l.flows === 0 && s.flows === 0) continue;
    for (const [metric, labMs, simMs] of [
      ['worst outage', l.worstOutageMs, s.worstOutageMs],
      ['median outage', l.medianOutageMs, s.medianOutageMs],
    ] as const) {
      rows.push({
        direction,
        metric,
        lab: seconds(labMs),
        sim: seconds(simMs),
        diff: signed(labMs - simMs),
        agrees: outageAgrees(labMs, simMs),
        labValue: labMs,
        simValue: simMs,
      });
    }
    rows.push({
      direction,
      metric: 'flows hit',
      lab: `${l.flowsHit}/${l.flows} (${Math.round(l.shareHit * 100)} %)`,
      sim: `${s.flowsHit}/${s.flows} (${Math.round(s.shareHit * 100)} %)`,
      diff: `${Math.round((l.shareHit - s.shareHit) * 100)} pts`,
      // Which flows an ECMP hash puts on the failed path differs (Linux's hash, the simulator's rendezvous).
      agrees: undefined,
      labValue: l.shareHit,
      simValue: s.shareHit,
    });
    rows.push({
      direction,
      metric: 'sessions re-established',
      lab: l.flowsReset === undefined ? 'n/m' : `${l.flowsReset} flows (${l.sessionResets})`,
      sim: `${s.flowsReset} flows (${s.sessionResets})`,
      diff: l.flowsReset === undefined ? '' : `${l.flowsReset - s.flowsReset}`,
      agrees:
        l.flowsReset === undefined || l.flowsHit !== s.flowsHit
          ? undefined
          : l.flowsReset === s.flowsReset && l.sessionResets === s.sessionResets,
      labValue: l.flowsReset,
      simValue: s.flowsReset,
    });
  }
  return rows;
}

export function formatTwin(lab: LabRunResult, twin: TwinResult): string {
  const rows = twinRows(lab, twin.predicted);
  const header = ['direction', 'metric', 'lab (measured)', 'simulator', 'lab − sim', 'agrees'];
  const cells = rows.map((r) => [
    r.direction,
    r.metric,
    r.lab,
    r.sim,
    r.diff,
    r.agrees === undefined ? '·' : r.agrees ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  if (twin.phase) out.push('', `keepalive phase (${twin.phase.tunnelId}): ${twin.phase.note}`);
  const u = twin.unmatched.summary;
  if (twin.predicted !== twin.unmatched) {
    out.push(
      `simulator without the phase match: toSite worst ${seconds(u.toSite.worstOutageMs)}, toAzure worst ${seconds(u.toAzure.worstOutageMs)}`,
    );
  }
  out.push(
    'agrees: outages within ±1 s or ±10 % of the prediction, whichever is larger; "·": not judged (which flows an ECMP hash puts on the failed path is the kernel\'s hash in the lab, rendezvous hashing in the simulator; sessions n/m: not measurable with several tunnels)',
  );
  return out.join('\n');
}
