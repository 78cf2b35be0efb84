/**
 * Which part of a topology a failure can reach. In the simulated world, sites
 * touch each other only through the gateway's instances and through the hub's
 * route table; a failure of a device, an internet path or a tunnel changes
 * neither the instances nor the routes of sites whose prefixes do not overlap its
 * own. So a site-local failure is simulated on its *scope* — the sites whose
 * prefixes overlap the failed elements' sites, transitively (overlapping prefixes
 * meet in the hub's longest-prefix match) — and its shares are shares of the
 * scope's flows. Instance failures reach every site (and a public IP that moves
 * moves for every tunnel to it), so they always run on the whole topology.
 *
 * On a 100-site hub this makes a device failure cost one site's simulation
 * instead of a hundred. When the scope is every site, the topology itself is
 * simulated, unchanged.
 */
import type { Topology } from '../model/schema.ts';
import { type Ipv4Prefix, parseIpv4Prefix, prefixesOverlap } from '../net/ipv4.ts';
import type { FailureElement } from './failures.ts';

export interface Scope {
  /** The topology to simulate: the original one when the scope is every site. */
  readonly topology: Topology;
  readonly wholeTopology: boolean;
  /** VPN site names simulated, in file order. */
  readonly sites: readonly string[];
}

/** Groups of VPN sites that can affect each other's traffic: connected by overlapping prefixes. */
export function siteGroups(topology: Topology): Map<string, number> {
  const sites = topology.vpnSites;
  const prefixes: Ipv4Prefix[][] = sites.map((site) => {
    const texts = new Set(site.addressSpace);
    for (const device of site.devices) for (const p of device.advertisedPrefixes) texts.add(p);
    for (const connection of topology.vpnConnections) {
      if (connection.remoteVpnSite !== site.name) continue;
      for (const lc of connection.vpnLinkConnections) for (const p of lc.staticRoutes) texts.add(p);
    }
    return [...texts].flatMap((text) => {
      const parsed = parseIpv4Prefix(text);
      return parsed.ok ? [parsed.value] : [];
    });
  });
  const parent = sites.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    return root;
  };
  // Sorting by address lets each prefix be checked only against the ones that can still overlap it.
  const all = prefixes
    .flatMap((list, site) => list.map((prefix) => ({ prefix, site })))
    .sort((a, b) => a.prefix.address - b.prefix.address || a.prefix.length - b.prefix.length);
  const open: { end: number; site: number; prefix: Ipv4Prefix }[] = [];
  for (const entry of all) {
    const start = entry.prefix.address;
    for (let i = open.length - 1; i >= 0; i--)
      if ((open[i] as { end: number }).end < start) open.splice(i, 1);
    for (const other of open) {
      if (prefixesOverlap(other.prefix, entry.prefix)) parent[find(entry.site)] = find(other.site);
    }
    const size = 2 ** (32 - entry.prefix.length);
    open.push({ end: start + size - 1, site: entry.site, prefix: entry.prefix });
  }
  const groups = new Map<string, number>();
  sites.forEach((site, i) => {
    groups.set(site.name, find(i));
  });
  return groups;
}

const groupCache = new WeakMap<Topology, Map<string, number>>();

function groupsOf(topology: Topology): Map<string, number> {
  let groups = groupCache.get(topology);
  if (!groups) {
    groups = siteGroups(topology);
    groupCache.set(topology, groups);
  }
  return groups;
}

/** The sites a set of failing elements can reach, and the topology to simulate for them. */
export function scopeOf(topology: Topology, elements: readonly FailureElement[]): Scope {
  if (elements.length === 0) return scopeOfSites(topology, undefined);
  const sites: string[] = [];
  for (const element of elements) {
    if (element.kind === 'instance') return scopeOfSites(topology, undefined);
    sites.push(element.site);
  }
  return scopeOfSites(topology, sites);
}

/** The given VPN sites and every site they can affect (undefined: the whole topology). */
export function scopeOfSites(topology: Topology, siteNames: readonly string[] | undefined): Scope {
  const whole: Scope = { topology, wholeTopology: true, sites: topology.vpnSites.map((s) => s.name) };
  if (siteNames === undefined) return whole;
  const groups = groupsOf(topology);
  const reached = new Set<number>();
  for (const name of siteNames) {
    const group = groups.get(name);
    if (group === undefined) return whole;
    reached.add(group);
  }
  const sites = topology.vpnSites.filter((site) => reached.has(groups.get(site.name) ?? -1));
  if (sites.length === topology.vpnSites.length) return whole;
  const names = new Set(sites.map((s) => s.name));
  return {
    topology: {
      ...topology,
      vpnSites: sites,
      vpnConnections: topology.vpnConnections.filter((c) => names.has(c.remoteVpnSite)),
    },
    wholeTopology: false,
    sites: sites.map((s) => s.name),
  };
}

/**
 * A rough cost of simulating a failure, in milliseconds of one core: the
 * protocol machinery (IKE, DPD, BGP keepalives) dominates and grows with the
 * tunnels simulated — about 5 ms per scenario plus 2.5 ms per tunnel on the
 * benchmark machine (bench/sweep.ts). Used to schedule big scenarios first and to
 * decide whether worker threads pay for their start-up.
 */
export function estimatedCostMs(topology: Topology, elements: readonly FailureElement[]): number {
  const scope = scopeOf(topology, elements);
  let tunnels = 0;
  for (const connection of scope.topology.vpnConnections) {
    for (const lc of connection.vpnLinkConnections) tunnels += lc.instances.length;
  }
  return 5 + 2.5 * tunnels;
}
