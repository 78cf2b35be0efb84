/**
 * A whole lab run: bring a topology up (plan, namespaces, daemons, agents, controller,
 * convergence), play a scenario on it in real time with UDP flows between the VNet
 * hosts and the sites' LAN hosts, and measure every flow in the simulator's shape.
 *
 * Flows: for every (VNet, site) pair and direction, `flowsPerPair` flows, each from its
 * own source port (its own 5-tuple: ECMP hashes flows, not packets), at the scenario's
 * rate. A flow is hit when it had an outage — two or more probes lost in a row
 * (traffic/analysis.ts); single lost probes (a re-initiation race) are counted as loss
 * but do not make an outage.
 */
import { randomBytes } from 'node:crypto';
import type { Topology } from '../model/schema.ts';
import type { Scenario, ScenarioEvent } from '../scenario/schema.ts';
import { describeEvent } from '../scenario/simulate.ts';
import { sleep } from './exec.ts';
import { LabController, type LabEvent } from './lab-controller.ts';
import { INSTANCES, type LabPlan, planLab, type TimersMode } from './lab-plan.ts';
import { type BuildTimings, LabNetwork } from './lab-topology.ts';
import { Lab } from './netns.ts';
import { registerSecret, Secret } from './secret.ts';
import type { Outage } from './traffic/analysis.ts';
import {
  type FlowResult,
  type TrafficEndpoint,
  type TrafficFlowSpec,
  type TrafficResult,
  TrafficRun,
} from './traffic/runner.ts';

export interface RunningLab {
  readonly lab: Lab;
  readonly plan: LabPlan;
  readonly network: LabNetwork;
  readonly controller: LabController;
  readonly timings: BuildTimings & { readonly convergedMs: number; readonly totalMs: number };
}

export interface BringUpOptions {
  readonly timers: TimersMode;
  readonly frrDevices?: readonly string[] | 'all';
  readonly log?: (line: string) => void;
  readonly pollIntervalMs?: number;
  readonly convergeTimeoutMs?: number;
  /** Use an existing (empty) lab instead of creating one. */
  readonly lab?: Lab;
  /** The tunnels' pre-shared key; random (24 bytes, base64url) when omitted. Never printed. */
  readonly psk?: Secret;
}

/** Plans, builds and starts a lab for `topology`, and waits until it has converged. */
export async function bringUpLab(topology: Topology, options: BringUpOptions): Promise<RunningLab> {
  const started = performance.now();
  const psk = options.psk ?? new Secret(randomBytes(24).toString('base64url'));
  registerSecret(psk);
  const planned = planLab(topology, {
    timers: options.timers,
    frrDevices: options.frrDevices,
    psk,
  });
  if (!planned.ok) throw new Error(planned.error);
  const lab = options.lab ?? (await Lab.create());
  try {
    const { network, timings } = await LabNetwork.build(lab, planned.plan);
    const controller = new LabController(network, {
      log: options.log,
      pollIntervalMs: options.pollIntervalMs,
    });
    const convergeStart = performance.now();
    try {
      await controller.start();
      await controller.waitConverged(options.convergeTimeoutMs ?? 90_000);
    } catch (error) {
      // Its poller and agents would keep this process alive.
      await controller.stop();
      throw error;
    }
    lab.markUp();
    const now = performance.now();
    return {
      lab,
      plan: planned.plan,
      network,
      controller,
      timings: {
        ...timings,
        convergedMs: Math.round(now - convergeStart),
        totalMs: Math.round(now - started),
      },
    };
  } catch (error) {
    if (!options.lab) await lab.destroy();
    throw error;
  }
}

/** One flow as the lab measured it, in the simulator's FlowMetrics shape. */
export interface LabFlowMetrics {
  readonly id: number;
  readonly direction: 'toSite' | 'toAzure';
  readonly vnet: string;
  readonly site: string;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly outages: readonly Outage[];
  /**
   * Times the tunnel was re-established under the flow (its outage ended on another IKE
   * SA of the same tunnel); undefined where that is not measurable (the site has
   * several tunnels, so which one carried the flow is the kernel's hash).
   */
  readonly sessionResets: number | undefined;
  /** Where the flow went at the start, as the kernel's ECMP decided (ip route get). */
  readonly initialPath: string;
}

export interface LabDirectionSummary {
  readonly direction: 'toSite' | 'toAzure';
  readonly flows: number;
  /** Flows with at least one outage (≥ 2 probes lost in a row). */
  readonly flowsHit: number;
  readonly shareHit: number;
  readonly packetsSent: number;
  readonly packetsLost: number;
  readonly worstOutageMs: number;
  /** Median of each hit flow's total outage. */
  readonly medianOutageMs: number;
  /** undefined when not measurable for any flow of the direction. */
  readonly sessionResets: number | undefined;
  readonly flowsReset: number | undefined;
}

export interface LabEventOutcome {
  readonly event: ScenarioEvent;
  readonly atMs: number;
  /** When the lab actually applied it, relative to the traffic start. */
  readonly appliedAtMs: number;
  readonly description: string;
  /**
   * For an unplanned instance failure: per BGP session on it, how much of the device's
   * hold timer was left when the instance died, in ms (when the device will notice).
   */
  readonly deviceHoldLeftMs?: Readonly<Record<string, number>>;
  /**
   * For a device failure: per BGP session of the device, how much of the instance's hold
   * timer (our speaker's) was left when the device died, in ms.
   */
  readonly azureHoldLeftMs?: Readonly<Record<string, number>>;
  /** The gateway controller refused the event (e.g. the instance was not up), and why. */
  readonly rejected?: string;
}

export interface LabRunResult {
  readonly topology: string;
  readonly scenario: string;
  readonly timers: TimersMode;
  readonly t0EpochMs: number;
  readonly durationMs: number;
  readonly ratePps: number;
  readonly flows: readonly LabFlowMetrics[];
  readonly summary: { readonly toSite: LabDirectionSummary; readonly toAzure: LabDirectionSummary };
  readonly events: readonly LabEventOutcome[];
  /** Lab events relative to the traffic start. */
  readonly timeline: readonly (LabEvent & { readonly atMs: number })[];
}

interface PlannedFlow extends TrafficFlowSpec {
  readonly direction: 'toSite' | 'toAzure';
  readonly vnet: string;
  readonly site: string;
  readonly location: string;
}

const LISTEN_PORT = 47000;
const BASE_PORT = 40000;

/** Endpoints (a VNet host per VNet, the first device's LAN host per location) and flows. */
export function labTraffic(
  plan: LabPlan,
  scenario: Scenario,
): { endpoints: TrafficEndpoint[]; flows: PlannedFlow[]; hostOfLocation: Map<string, string> } {
  const endpoints: TrafficEndpoint[] = [];
  const hostOfLocation = new Map<string, string>();
  for (const vnet of plan.vnets)
    endpoints.push({ name: vnet.role, netns: vnet.role, address: vnet.hostAddress });
  for (const location of plan.locations) {
    if (!plan.devices.some((d) => d.location === location.name)) continue;
    endpoints.push({ name: location.hostRole, netns: location.hostRole, address: location.hostAddress });
    hostOfLocation.set(location.name, location.hostRole);
  }
  const { flowsPerPair, directions } = scenario.traffic;
  const flows: PlannedFlow[] = [];
  let port = BASE_PORT;
  for (const vnet of plan.vnets) {
    for (const location of plan.locations) {
      const host = hostOfLocation.get(location.name);
      if (!host) continue;
      const want: ('toSite' | 'toAzure')[] = directions === 'both' ? ['toSite', 'toAzure'] : [directions];
      for (const direction of want) {
        for (let i = 0; i < flowsPerPair; i++) {
          flows.push({
            from: direction === 'toSite' ? vnet.role : host,
            to: direction === 'toSite' ? host : vnet.role,
            srcPort: port++,
            dstPort: LISTEN_PORT,
            direction,
            vnet: vnet.name,
            site: location.name,
            location: location.name,
          });
        }
      }
    }
  }
  return { endpoints, flows, hostOfLocation };
}

export interface RunScenarioOptions {
  readonly log?: (line: string) => void;
  /**
   * Apply an unplanned instance failure right after the instance sent the device a
   * KEEPALIVE (at most one keepalive interval after the event's time), so the device's
   * hold timer is as full as it gets. Only where BGP runs and the keepalive interval is
   * short (≤ 10 s); the outcome records when the event was really applied.
   */
  readonly phaseLock?: boolean;
}

/**
 * Plays `scenario` on a converged lab: starts the flows, applies each event at its time
 * after the traffic start, stops at `duration`, and measures. Times in the result are ms
 * since the traffic start, like the simulator's.
 */
export async function runScenario(
  running: RunningLab,
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<LabRunResult> {
  const { lab, plan, controller } = running;
  const log = options.log ?? (() => {});
  const traffic = labTraffic(plan, scenario);
  const endpoints = traffic.endpoints.map((e) => ({ ...e, netns: running.network.ns(e.netns) }));
  const initialPaths = await Promise.all(traffic.flows.map((flow) => initialPath(running, traffic, flow)));
  const timelineStart = controller.timeline.length;
  const run = await TrafficRun.start(lab, {
    endpoints,
    flows: traffic.flows,
    ratePps: scenario.traffic.ratePps,
    listenPort: LISTEN_PORT,
  });
  const outcomes: LabEventOutcome[] = [];
  let stopped: TrafficResult | undefined;
  try {
    const events = [...scenario.events].sort((a, b) => a.at - b.at);
    for (const event of events) {
      const wait = event.at - run.elapsedMs();
      if (wait > 0) await sleep(wait);
      if (options.phaseLock) await afterNextKeepalive(running, event);
      const holdLeft = await holdLeftAt(running, event);
      const azureHoldLeft = azureHoldLeftAt(running, event);
      const appliedAtMs = run.elapsedMs();
      const seen = controller.timeline.length;
      await applyLabEvent(controller, event);
      const rejected = controller.timeline.slice(seen).find((e) => e.event === 'rejected')?.detail?.reason;
      log(`t=${(appliedAtMs / 1000).toFixed(2)} s: ${describeEvent(event)}`);
      outcomes.push({
        event,
        atMs: event.at,
        appliedAtMs: Math.round(appliedAtMs),
        description: describeEvent(event),
        ...(holdLeft ? { deviceHoldLeftMs: holdLeft } : {}),
        ...(azureHoldLeft ? { azureHoldLeftMs: azureHoldLeft } : {}),
        ...(typeof rejected === 'string' ? { rejected } : {}),
      });
      if (typeof rejected === 'string') log(`  refused by the platform: ${rejected}`);
    }
    const rest = scenario.duration - run.elapsedMs();
    if (rest > 0) await sleep(rest);
  } finally {
    // The flows are stopped whatever happened, so their endpoints exit.
    stopped = await run.stop();
  }
  const result = stopped;
  const flows = result.flows.map((flow, index) =>
    labFlow(running, traffic.flows[index] as PlannedFlow, flow, result.t0EpochMs, initialPaths[index] ?? ''),
  );
  return {
    topology: plan.topology.virtualHub.name,
    scenario: scenario.name,
    timers: plan.timers.mode,
    t0EpochMs: result.t0EpochMs,
    durationMs: scenario.duration,
    ratePps: scenario.traffic.ratePps,
    flows,
    summary: { toSite: summarizeLab('toSite', flows), toAzure: summarizeLab('toAzure', flows) },
    events: outcomes,
    timeline: controller.timeline
      .slice(timelineStart)
      .map((e) => ({ ...e, atMs: Math.round(e.atEpochMs - result.t0EpochMs) })),
  };
}

/** Waits until the failing instance's agent has sent the device a KEEPALIVE (its hold timer restarts). */
async function afterNextKeepalive(running: RunningLab, event: ScenarioEvent): Promise<void> {
  if (!('instance' in event) || event.action !== 'fail' || event.mode !== 'unplanned') return;
  const keepaliveMs = running.plan.timers.azureBgp.keepaliveSeconds * 1000;
  const session = running.plan.tunnels.find((t) => t.session?.instance === event.instance)?.session;
  if (!session || keepaliveMs > 10_000) return;
  const since = Date.now();
  const deadline = performance.now() + keepaliveMs + 1000;
  while (performance.now() < deadline) {
    if ((running.controller.lastKeepaliveSent(session) ?? 0) > since) {
      // A millisecond or two through the tunnels to the device.
      await sleep(5);
      return;
    }
    await sleep(2);
  }
}

/** How much of the Azure side's hold timer for a failing device's sessions is left, per session. */
function azureHoldLeftAt(running: RunningLab, event: ScenarioEvent): Record<string, number> | undefined {
  if (!('device' in event) || event.action !== 'fail') return undefined;
  const out: Record<string, number> = {};
  for (const tunnel of running.plan.tunnels) {
    if (!tunnel.session || tunnel.device !== event.device) continue;
    const left = running.controller.azureHoldLeftMs(tunnel.session);
    if (left !== undefined) out[tunnel.session.tunnelId] = Math.round(left);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** How much of each device's hold timer for the failing instance is left, per BGP session. */
async function holdLeftAt(
  running: RunningLab,
  event: ScenarioEvent,
): Promise<Record<string, number> | undefined> {
  if (!('instance' in event) || event.action !== 'fail' || event.mode !== 'unplanned') return undefined;
  const out: Record<string, number> = {};
  for (const tunnel of running.plan.tunnels) {
    const session = tunnel.session;
    if (!session || session.instance !== event.instance) continue;
    const left = await running.controller.deviceHoldLeftMs(session).catch(() => undefined);
    if (left !== undefined) out[session.tunnelId] = Math.round(left);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export async function applyLabEvent(controller: LabController, event: ScenarioEvent): Promise<void> {
  if ('instance' in event) {
    if (event.action === 'fail') controller.failInstance(event.instance, event.mode);
    else controller.recoverInstance(event.instance);
  } else if ('device' in event) {
    if (event.action === 'fail') await controller.failDevice(event.device);
    else await controller.recoverDevice(event.device);
  } else if ('link' in event) {
    await controller.setInternetPath(event.link, event.action === 'up');
  } else {
    await controller.resetTunnel(event.tunnel.linkConnection, event.tunnel.instance);
  }
}

/** The kernel's choice for a flow at the start: hub → instance → tunnel, or device → tunnel. */
async function initialPath(
  running: RunningLab,
  traffic: ReturnType<typeof labTraffic>,
  flow: PlannedFlow,
): Promise<string> {
  const { plan, lab, network } = running;
  const address = (name: string) => traffic.endpoints.find((e) => e.name === name)?.address ?? '';
  const src = address(flow.from);
  const dst = address(flow.to);
  const get = async (netns: string, iif: string): Promise<string | undefined> => {
    const { stdout } = await lab.exec(
      network.ns(netns),
      [
        'ip',
        '-o',
        'route',
        'get',
        dst,
        'from',
        src,
        'iif',
        iif,
        'ipproto',
        'udp',
        'sport',
        String(flow.srcPort),
        'dport',
        String(flow.dstPort),
      ],
      { check: false },
    );
    return /\bdev (\S+)/.exec(stdout)?.[1];
  };
  if (flow.direction === 'toSite') {
    const vnet = plan.vnets.find((v) => v.role === flow.from);
    if (!vnet) return '';
    const dev = await get('hub', vnet.link.a.ifname);
    const instance = INSTANCES.find((id) => plan.instances[id].hubLink.a.ifname === dev);
    if (!instance) return `hub>${dev ?? '?'}`;
    const tunnelDev = await get(plan.instances[instance].role, 'hub');
    const tunnel = plan.tunnels.find((t) => t.carriers[instance]?.inner.a.ifname === tunnelDev);
    return `${instance}>${tunnel?.id ?? tunnelDev ?? '?'}`;
  }
  const location = plan.locations.find((l) => l.hostRole === flow.from);
  if (!location) return '';
  // The host's choice of device (its ECMP default route), then the device's choice of tunnel.
  const { stdout } = await lab.exec(
    network.ns(location.hostRole),
    [
      'ip',
      '-o',
      'route',
      'get',
      dst,
      'from',
      src,
      'ipproto',
      'udp',
      'sport',
      String(flow.srcPort),
      'dport',
      String(flow.dstPort),
    ],
    { check: false },
  );
  const gateway = /\bvia (\S+)/.exec(stdout)?.[1];
  const device = plan.devices.find((d) => d.location === location.name && d.lanAddress === gateway);
  if (!device) return `${location.name}>${gateway ?? '?'}`;
  const dev = await get(device.role, 'lan');
  const tunnel = device.tunnels.find((t) => t.export.interfaceName === dev);
  return `${device.name}>${tunnel?.tunnelId ?? dev ?? '?'}`;
}

function labFlow(
  running: RunningLab,
  planned: PlannedFlow,
  flow: FlowResult,
  t0EpochMs: number,
  initialPath: string,
): LabFlowMetrics {
  return {
    id: flow.id,
    direction: planned.direction,
    vnet: planned.vnet,
    site: planned.site,
    src: flow.src,
    dst: flow.dst,
    srcPort: flow.srcPort,
    dstPort: flow.dstPort,
    sent: flow.sent,
    delivered: flow.delivered,
    lost: flow.lost,
    outages: flow.outages,
    sessionResets: sessionResets(running, planned.location, flow.outages, t0EpochMs),
    initialPath,
  };
}

/**
 * Resets of the seed's kind, where measurable: the location has one device with one
 * tunnel, and an outage of the flow ended on a different IKE SA of that tunnel than
 * the one it started on (as seen by the device's charon, polled).
 */
function sessionResets(
  running: RunningLab,
  location: string,
  outages: readonly Outage[],
  t0EpochMs: number,
): number | undefined {
  const devices = running.plan.devices.filter((d) => d.location === location);
  const only = devices.length === 1 ? devices[0] : undefined;
  const tunnel = only?.tunnels.length === 1 ? only.tunnels[0] : undefined;
  if (!tunnel) return undefined;
  const history = running.controller.generations.get(tunnel.tunnelId) ?? [];
  const saAt = (epochMs: number): number | null => {
    let sa: number | null = null;
    for (const entry of history) {
      if (entry.atEpochMs > epochMs) break;
      if (entry.ikeSa !== null) sa = entry.ikeSa;
    }
    return sa;
  };
  // The poller sees a new SA up to one interval after packets flow over it again.
  const slackMs = 1_000;
  let resets = 0;
  for (const outage of outages) {
    const before = saAt(t0EpochMs + outage.startMs);
    const after = saAt(t0EpochMs + outage.endMs + slackMs);
    if (before !== null && after !== null && before !== after) resets++;
  }
  return resets;
}

export function summarizeLab(
  direction: 'toSite' | 'toAzure',
  flows: readonly LabFlowMetrics[],
): LabDirectionSummary {
  const mine = flows.filter((f) => f.direction === direction);
  const hit = mine.filter((f) => f.outages.length > 0);
  const totals = hit
    .map((f) => f.outages.reduce((sum, o) => sum + (o.endMs - o.startMs), 0))
    .sort((a, b) => a - b);
  let worst = 0;
  for (const f of mine) for (const o of f.outages) worst = Math.max(worst, o.endMs - o.startMs);
  const measurable = mine.filter((f) => f.sessionResets !== undefined);
  return {
    direction,
    flows: mine.length,
    flowsHit: hit.length,
    shareHit: mine.length === 0 ? 0 : hit.length / mine.length,
    packetsSent: mine.reduce((sum, f) => sum + f.sent, 0),
    packetsLost: mine.reduce((sum, f) => sum + f.lost, 0),
    worstOutageMs: Math.round(worst),
    medianOutageMs: Math.round(median(totals)),
    sessionResets:
      measurable.length === 0 ? undefined : measurable.reduce((sum, f) => sum + (f.sessionResets ?? 0), 0),
    flowsReset:
      measurable.length === 0 ? undefined : measurable.filter((f) => (f.sessionResets ?? 0) > 0).length,
  };
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
