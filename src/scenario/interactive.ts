import { Dataplane } from '../dataplane/engine.ts';
import type { FlowSpec } from '../dataplane/flow.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';
import type { InstanceState } from '../gateway/controller.ts';
import type { InstanceId } from '../model/azure-defaults.ts';
import type { Topology } from '../model/schema.ts';
import { parseIpv4Prefix } from '../net/ipv4.ts';
import type { FsmState } from '../protocols/bgp/fsm.ts';
import { type DirectionSummary, summarizeDirection } from '../report/metrics.ts';
import type { TraceEntry } from '../sim/trace.ts';
import type { ScenarioEvent, TrafficProfile } from './schema.ts';
import { applyEvent, shiftFlow } from './simulate.ts';
import { generateFlows } from './traffic.ts';
import { World, type WorldOptions } from './world.ts';

/**
 * A run driven step by step — by the web UI, or by a test — instead of from a
 * scenario file: advance the virtual clock, inject an event now, look at the
 * world. Times are relative to the traffic start, as in `simulate`. Same topology,
 * seed and sequence of calls give the same states, so a UI can scrub back by
 * replaying its recorded actions.
 */
export interface WorldSnapshot {
  readonly atMs: number;
  readonly instances: readonly {
    readonly id: InstanceId;
    readonly state: InstanceState;
    readonly hubUsable: boolean;
    /** In planned maintenance: Azure refuses to start maintenance of the other instance meanwhile. */
    readonly plannedMaintenance: boolean;
    readonly publicIp: string;
    /** The public IPs this instance answers on now (its own, and another's after a failover). */
    readonly holdsIps: readonly string[];
  }[];
  readonly devices: readonly { readonly name: string; readonly site: string; readonly alive: boolean }[];
  readonly internetPaths: readonly { readonly name: string; readonly up: boolean }[];
  readonly tunnels: readonly TunnelSnapshot[];
  readonly sessions: readonly {
    readonly id: string;
    readonly instance: InstanceId;
    readonly device: string;
    readonly azureEstablished: boolean;
    readonly deviceEstablished: boolean;
    /** Each side's BGP FSM state (the most advanced of its connections; Idle when its host is down). */
    readonly azureState: FsmState;
    readonly deviceState: FsmState;
    readonly azureAlive: boolean;
    readonly deviceAlive: boolean;
  }[];
  /** Per direction: flows delivering, flows losing packets, flows with no route. */
  readonly traffic: Readonly<
    Record<FlowSpec['direction'], { delivering: number; losing: number; total: number }>
  >;
}

export interface TunnelSnapshot {
  readonly id: string;
  readonly linkConnection: string;
  /** The instance whose public IP the tunnel targets. */
  readonly instance: InstanceId;
  readonly azureIp: string;
  /** Which instance carries that IP now (null while it moves). */
  readonly carriedBy: InstanceId | null;
  readonly device: string;
  readonly site: string;
  /** The device link (internet path) the tunnel runs over. */
  readonly internetPath: string;
  readonly azureUp: boolean;
  readonly deviceUp: boolean;
  readonly dataCapable: boolean;
  readonly generation: number;
  /** Flows routed into this tunnel now, per direction, and how many of them are losing packets. */
  readonly flows: Readonly<
    Record<FlowSpec['direction'], { readonly routed: number; readonly losing: number }>
  >;
  readonly share: Readonly<Record<FlowSpec['direction'], number>>;
}

export interface InteractiveOptions {
  readonly seed: number;
  readonly traffic: TrafficProfile;
  readonly warmupMs?: number;
  readonly platform?: WorldOptions['platform'];
  /** Keep the event trace (default true; long soak runs turn it off). */
  readonly trace?: boolean;
}

export class InteractiveRun {
  readonly world: World;
  readonly dataplane: Dataplane;
  readonly flows: readonly FlowSpec[];
  readonly warmupMs: number;

  constructor(
    readonly topology: Topology,
    options: InteractiveOptions,
  ) {
    this.warmupMs = options.warmupMs ?? 120_000;
    this.world = new World(topology, {
      seed: options.seed,
      trace: options.trace ?? true,
      ...(options.platform ? { platform: options.platform } : {}),
    });
    this.world.start();
    this.world.sim.run(this.warmupMs);
    const vnets = topology.vnets.map((v) => ({
      name: v.name,
      prefixes: v.addressPrefixes.flatMap((p) => {
        const parsed = parseIpv4Prefix(p);
        return parsed.ok ? [parsed.value] : [];
      }),
    }));
    const sites = this.world.locations.map((l) => ({ name: l.name, prefixes: l.prefixes }));
    this.flows = generateFlows(options.traffic, vnets, sites, this.world.sim.rng.fork());
    this.dataplane = new Dataplane(this.flows, this.world.resolve);
    this.world.attachDataplane(this.dataplane);
  }

  /** Virtual time since the traffic started. */
  get nowMs(): number {
    return this.world.sim.nowMs - this.warmupMs;
  }

  /** Advances the virtual clock by whole milliseconds (fractions are rounded: the clock is integral). */
  advance(durationMs: number): void {
    this.world.sim.advance(Math.max(0, Math.round(durationMs)));
  }

  /** How many trace entries exist: with `traceFrom`, lets a UI read the trace incrementally. */
  get traceLength(): number {
    return this.world.sim.trace.all().length;
  }

  /** Trace entries from index `start` on (relative times). */
  traceFrom(start: number): TraceEntry[] {
    return this.world.sim.trace
      .all()
      .slice(start)
      .map((entry) => ({ ...entry, atMs: entry.atMs - this.warmupMs }));
  }

  /** Applies an event now (its `at` is ignored). */
  apply(event: ScenarioEvent): void {
    applyEvent(this.world, event);
    // Let the world settle the consequences that happen in this very millisecond.
    this.world.sim.run(this.world.sim.nowMs);
  }

  /** Trace entries from `sinceMs` on (relative times). */
  traceSince(sinceMs: number): TraceEntry[] {
    const out: TraceEntry[] = [];
    for (const entry of this.world.sim.trace.all()) {
      const atMs = entry.atMs - this.warmupMs;
      if (atMs >= sinceMs) out.push({ ...entry, atMs });
    }
    return out;
  }

  flowMetrics(): FlowMetrics[] {
    const now = this.world.sim.nowMs;
    return this.flows.map((f) => shiftFlow(this.dataplane.meter.metricsAt(f.id, now), this.warmupMs));
  }

  summary(): { toSite: DirectionSummary; toAzure: DirectionSummary } {
    const flows = this.flowMetrics();
    return { toSite: summarizeDirection('toSite', flows), toAzure: summarizeDirection('toAzure', flows) };
  }

  snapshot(): WorldSnapshot {
    const world = this.world;
    const perTunnel = new Map<string, Record<FlowSpec['direction'], { routed: number; losing: number }>>();
    const traffic = {
      toSite: { delivering: 0, losing: 0, total: 0 },
      toAzure: { delivering: 0, losing: 0, total: 0 },
    };
    for (const flow of this.flows) {
      const path = this.dataplane.pathOf(flow.id);
      const bucket = traffic[flow.direction];
      bucket.total++;
      if (path?.viable) bucket.delivering++;
      else bucket.losing++;
      if (!path?.tunnel) continue;
      let counts = perTunnel.get(path.tunnel.id);
      if (!counts) {
        counts = { toSite: { routed: 0, losing: 0 }, toAzure: { routed: 0, losing: 0 } };
        perTunnel.set(path.tunnel.id, counts);
      }
      counts[flow.direction].routed++;
      if (!path.viable) counts[flow.direction].losing++;
    }
    return {
      atMs: this.nowMs,
      instances: (['IN_0', 'IN_1'] as const).map((id) => ({
        id,
        state: world.instances[id].state,
        hubUsable: world.instances[id].hubUsable,
        plannedMaintenance: world.controller.inPlannedMaintenance(id),
        publicIp: world.instances[id].publicIp,
        holdsIps: world.controller.ipsOf(id),
      })),
      devices: [...world.devices.values()].map((d) => ({ name: d.name, site: d.site, alive: d.alive })),
      internetPaths: [...world.internetPaths].map(([name, p]) => ({ name, up: p.up })),
      tunnels: world.tunnels.map((t) => {
        const flows = perTunnel.get(t.id) ?? {
          toSite: { routed: 0, losing: 0 },
          toAzure: { routed: 0, losing: 0 },
        };
        return {
          id: t.id,
          linkConnection: t.resolved.linkConnection.name,
          instance: t.instance,
          azureIp: t.azureIp,
          carriedBy: world.controller.ownerOf(t.azureIp),
          device: t.device.name,
          site: t.device.site,
          internetPath: t.internetPath,
          azureUp: t.link.azureUp,
          deviceUp: t.link.deviceUp,
          dataCapable: t.link.dataCapable,
          generation: t.link.generation,
          flows,
          share: {
            toSite: traffic.toSite.total === 0 ? 0 : flows.toSite.routed / traffic.toSite.total,
            toAzure: traffic.toAzure.total === 0 ? 0 : flows.toAzure.routed / traffic.toAzure.total,
          },
        };
      }),
      sessions: world.sessions.map((s) => ({
        id: s.id,
        instance: s.instance,
        device: s.tunnel.device.name,
        azureEstablished: s.azure.established,
        deviceEstablished: s.device.established,
        azureState: s.azure.fsmState,
        deviceState: s.device.fsmState,
        azureAlive: s.azure.isAlive,
        deviceAlive: s.device.isAlive,
      })),
      traffic,
    };
  }
}
