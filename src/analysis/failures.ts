/**
 * Every failure a topology can suffer, as scenarios: each instance in planned
 * maintenance and failing unplanned, each remote device, each internet path, each
 * tunnel reset — and, at depth 2, every pair of them that can happen together.
 * Platform-free: the sweep runs these in-process, in worker threads or in a browser.
 */
import type { InstanceId } from '../model/azure-defaults.ts';
import type { Topology } from '../model/schema.ts';
import { resolveLinkConnections } from '../model/views.ts';
import { hashString } from '../net/flow-hash.ts';
import { type Scenario, scenarioSchema, type TrafficProfile } from '../scenario/schema.ts';

export type InstanceMode = 'planned' | 'unplanned';

/** One element that fails in a failure scenario. */
export type FailureElement =
  | { readonly kind: 'instance'; readonly instance: InstanceId; readonly mode: InstanceMode }
  | { readonly kind: 'device'; readonly device: string; readonly site: string }
  | {
      /**
       * A device's access to the internet: its public IP. Site links that share one
       * public IP (two tunnel interfaces on one line, as in the seed's "second IPSec
       * tunnel … on a different tunnel interface") go down together.
       */
      readonly kind: 'internetPath';
      readonly ipAddress: string;
      readonly links: readonly string[];
      readonly device: string;
      readonly site: string;
    }
  | {
      readonly kind: 'tunnel';
      readonly linkConnection: string;
      readonly instance: InstanceId;
      /** The site link (internet path) the tunnel crosses. */
      readonly link: string;
      readonly device: string;
      readonly site: string;
    };

/**
 * What a failure is, independent of names, so designs can be compared row by row:
 * "IN_0 planned" and "IN_1 planned" are both `instance-planned`, every device
 * failure is `device`.
 */
export type ElementKind =
  | 'instance-planned'
  | 'instance-unplanned'
  | 'device'
  | 'internet-path'
  | 'tunnel-reset';

export const ELEMENT_KINDS: readonly ElementKind[] = [
  'instance-planned',
  'instance-unplanned',
  'device',
  'internet-path',
  'tunnel-reset',
];

export interface Failure {
  /** Unique within a topology, stable, readable: "IN_0 planned", "device fw1 + tunnel lc@IN_1". */
  readonly id: string;
  /** Element kinds joined with " + " in ELEMENT_KINDS order: the row a comparison puts it in. */
  readonly kind: string;
  readonly elements: readonly FailureElement[];
  readonly description: string;
  /** Whether the scenario brings the elements back (a tunnel reset has nothing to bring back). */
  readonly recovers: boolean;
  readonly scenario: Scenario;
}

/** When things happen in every failure scenario (ms, relative to the traffic start). */
export interface SweepTiming {
  /** Tunnels and BGP come up before the traffic starts. */
  readonly warmupMs: number;
  readonly failAtMs: number;
  readonly recoverAtMs: number;
  readonly durationMs: number;
  /**
   * The window before recovery in which a site still losing every packet counts as
   * cut off: [recoverAtMs − settleWindowMs, recoverAtMs). See sweep.ts.
   */
  readonly settleWindowMs: number;
}

export interface SweepOptions {
  /** 1: single failures; 2: single failures and every pair that can happen together. */
  readonly depth: 1 | 2;
  readonly timing: SweepTiming;
  readonly traffic: TrafficProfile;
  /** Mixed with each failure's id into that scenario's own seed. */
  readonly seed: number;
}

/**
 * Failure at 1:00, the element back at 5:00, 10 minutes of traffic after a 2
 * minute warm-up (the demo's and the acceptance tests' timeline). 20 flows per
 * VNet×site pair and direction at 10 packets/s: 40 flows per site and direction
 * with the examples' two VNets — shares to 2.5 %, outages to 100 ms.
 */
export const DEFAULT_SWEEP_OPTIONS: SweepOptions = {
  depth: 1,
  timing: {
    warmupMs: 120_000,
    failAtMs: 60_000,
    recoverAtMs: 300_000,
    durationMs: 600_000,
    settleWindowMs: 60_000,
  },
  traffic: { flowsPerPair: 20, ratePps: 10, directions: 'both', protocol: 'tcp' },
  seed: 1,
};

export function sweepOptions(overrides: Partial<SweepOptions> = {}): SweepOptions {
  const options = { ...DEFAULT_SWEEP_OPTIONS, ...overrides };
  const t = options.timing;
  // Exceptions are for bugs: the timeline comes from code, not from a user's file.
  if (
    !(t.failAtMs >= 0 && t.failAtMs < t.recoverAtMs - t.settleWindowMs) ||
    !(t.settleWindowMs > 0 && t.recoverAtMs < t.durationMs)
  ) {
    throw new Error(`sweep timing out of order: ${JSON.stringify(t)}`);
  }
  return options;
}

/** The single failures of a topology, in a fixed order: instances, devices, internet paths, tunnels. */
export function singleElements(topology: Topology): FailureElement[] {
  const elements: FailureElement[] = [];
  for (const instance of ['IN_0', 'IN_1'] as const) {
    for (const mode of ['planned', 'unplanned'] as const) elements.push({ kind: 'instance', instance, mode });
  }
  const resolved = resolveLinkConnections(topology);
  for (const site of topology.vpnSites) {
    for (const device of site.devices)
      elements.push({ kind: 'device', device: device.name, site: site.name });
  }
  // An internet path matters only if a tunnel crosses it.
  for (const site of topology.vpnSites) {
    for (const device of site.devices) {
      const byIp = new Map<string, string[]>();
      for (const link of device.vpnSiteLinks) {
        if (!resolved.some((r) => r.link === link && r.instances.length > 0)) continue;
        const links = byIp.get(link.ipAddress) ?? [];
        links.push(link.name);
        byIp.set(link.ipAddress, links);
      }
      for (const [ipAddress, links] of byIp) {
        elements.push({ kind: 'internetPath', ipAddress, links, device: device.name, site: site.name });
      }
    }
  }
  for (const entry of resolved) {
    for (const instance of entry.instances) {
      elements.push({
        kind: 'tunnel',
        linkConnection: entry.linkConnection.name,
        instance,
        link: entry.link.name,
        device: entry.device.name,
        site: entry.site.name,
      });
    }
  }
  return elements;
}

export function elementKind(element: FailureElement): ElementKind {
  switch (element.kind) {
    case 'instance':
      return element.mode === 'planned' ? 'instance-planned' : 'instance-unplanned';
    case 'device':
      return 'device';
    case 'internetPath':
      return 'internet-path';
    case 'tunnel':
      return 'tunnel-reset';
  }
}

export function elementId(element: FailureElement): string {
  switch (element.kind) {
    case 'instance':
      return `${element.instance} ${element.mode}`;
    case 'device':
      return `device ${element.device}`;
    case 'internetPath':
      return `internet path ${element.links.join('/')}`;
    case 'tunnel':
      return `tunnel ${element.linkConnection}@${element.instance}`;
  }
}

export function describeElement(element: FailureElement): string {
  switch (element.kind) {
    case 'instance':
      return element.mode === 'planned'
        ? `${element.instance} planned maintenance`
        : `${element.instance} fails (unplanned)`;
    case 'device':
      return `device ${element.device} fails`;
    case 'internetPath':
      return `internet path of ${element.device} (${element.ipAddress}) down`;
    case 'tunnel':
      return `tunnel ${element.linkConnection}@${element.instance} reset`;
  }
}

/**
 * Whether two failures can happen at the same time and mean something together.
 * Azure maintains one instance at a time, so never both in planned maintenance; an
 * element never pairs with itself or with a part of itself (a device with its own
 * internet path or tunnels, an internet path with its tunnels, an instance with the
 * tunnels it terminates).
 */
export function canHappenTogether(a: FailureElement, b: FailureElement): boolean {
  if (a.kind === 'instance' && b.kind === 'instance') {
    return a.instance !== b.instance && !(a.mode === 'planned' && b.mode === 'planned');
  }
  return !contains(a, b) && !contains(b, a);
}

function contains(outer: FailureElement, inner: FailureElement): boolean {
  if (outer.kind === 'instance') return inner.kind === 'tunnel' && inner.instance === outer.instance;
  if (outer.kind === 'device') return inner.kind !== 'instance' && inner.device === outer.device;
  if (outer.kind === 'internetPath') {
    return inner.kind === 'tunnel' && inner.device === outer.device && outer.links.includes(inner.link);
  }
  return false;
}

/**
 * Every failure scenario of a topology at the given depth: the single failures,
 * then (depth 2) every unordered pair that can happen together, both failing at
 * the same moment and both recovering together.
 */
export function enumerateFailures(topology: Topology, overrides: Partial<SweepOptions> = {}): Failure[] {
  const options = sweepOptions(overrides);
  const singles = singleElements(topology);
  const failures = singles.map((element) => failureOf([element], options));
  if (options.depth === 2) {
    for (let i = 0; i < singles.length; i++) {
      for (let j = i + 1; j < singles.length; j++) {
        const a = singles[i] as FailureElement;
        const b = singles[j] as FailureElement;
        if (canHappenTogether(a, b)) failures.push(failureOf([a, b], options));
      }
    }
  }
  return failures;
}

export function failureOf(elements: readonly FailureElement[], options: SweepOptions): Failure {
  const id = elements.map(elementId).join(' + ');
  const kind = elements
    .map(elementKind)
    .sort((x, y) => ELEMENT_KINDS.indexOf(x) - ELEMENT_KINDS.indexOf(y))
    .join(' + ');
  const recovers = elements.some((e) => e.kind !== 'tunnel');
  const { timing } = options;
  const at = (ms: number) => `${ms}ms`;
  const events: unknown[] = [];
  for (const element of elements) events.push(...failEvents(element, at(timing.failAtMs)));
  for (const element of elements) events.push(...recoverEvents(element, at(timing.recoverAtMs)));
  const description = elements.map(describeElement).join(', and ');
  const scenario = scenarioSchema.parse({
    name: id,
    description,
    duration: at(timing.durationMs),
    warmup: at(timing.warmupMs),
    seed: scenarioSeed(options.seed, id),
    traffic: options.traffic,
    events,
  });
  return { id, kind, elements, description, recovers, scenario };
}

/** Each scenario has its own seed, from the failure's id: results do not depend on run order. */
export function scenarioSeed(base: number, id: string): number {
  return (hashString(id) ^ base) >>> 0;
}

function failEvents(element: FailureElement, at: string): unknown[] {
  switch (element.kind) {
    case 'instance':
      return [{ at, instance: element.instance, action: 'fail', mode: element.mode }];
    case 'device':
      return [{ at, device: element.device, action: 'fail' }];
    case 'internetPath':
      return element.links.map((link) => ({ at, link, action: 'down' }));
    case 'tunnel':
      return [
        {
          at,
          tunnel: { linkConnection: element.linkConnection, instance: element.instance },
          action: 'reset',
        },
      ];
  }
}

function recoverEvents(element: FailureElement, at: string): unknown[] {
  switch (element.kind) {
    case 'instance':
      return [{ at, instance: element.instance, action: 'recover' }];
    case 'device':
      return [{ at, device: element.device, action: 'recover' }];
    case 'internetPath':
      return element.links.map((link) => ({ at, link, action: 'up' }));
    case 'tunnel':
      return [];
  }
}
