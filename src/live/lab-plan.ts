/**
 * The plan of a live lab for one topology: every namespace, link, address, tunnel,
 * BGP session and daemon, worked out before anything is created, from the same
 * Topology the simulator reads and the same device plans the exporter writes.
 * Pure data, no I/O; `lab-topology.ts` realises it.
 *
 *   VNet hosts ─ hub ─┬─ in0 (IN_0: public IP, BGP agent, NAT) ─┬─ a<n>i0 (charon) ─┐
 *                     └─ in1 (IN_1: public IP, BGP agent, NAT) ─┴─ a<n>i1 (charon) ─┤
 *                                                                         inet (br0)
 *   LAN host h<k> ─ l<k> (site LAN) ─ d<i> (device router: BIRD/FRR, BGP address) ─ t<n> (charon) ─ e<j> ─┘
 *
 * Roles become namespace names `vh<id>-<role>`. Lab-internal links use /30s from
 * 198.18.0.0/15 (RFC 2544's benchmarking range), site LANs /24s from its top end
 * (198.19.255.0/24 down); the topology's own addresses (public
 * IPs, BGP addresses, VNet and site prefixes) are used as they are, inside namespaces
 * that have no link to the machine's own network.
 */

import type { DevicePlan, TunnelPlan } from '../export/device.ts';
import { exportDevice } from '../export/index.ts';
import type { GatewayTimings } from '../gateway/controller.ts';
import { AZURE, type InstanceId } from '../model/azure-defaults.ts';
import type { Topology, VpnLinkConnection } from '../model/schema.ts';
import { type ResolvedLinkConnection, resolveLinkConnections } from '../model/views.ts';
import {
  formatIpv4,
  type Ipv4Prefix,
  isApipa,
  parseIpv4,
  parseIpv4Prefix,
  prefixContains,
  prefixesOverlap,
  prefixSize,
} from '../net/ipv4.ts';
import { Secret } from './secret.ts';

export type TimersMode = 'azure' | 'fast';
export type RoutingDaemon = 'bird' | 'frr';

export const INSTANCES: readonly InstanceId[] = ['IN_0', 'IN_1'];

/** Everything timing-related a lab run and its simulator twin must share. */
export interface LabTimers {
  readonly mode: TimersMode;
  /** Azure's BGP timers (the agents'; the simulator's `azureBgpTimers`). */
  readonly azureBgp: { readonly keepaliveSeconds: number; readonly holdSeconds: number };
  /** The platform's failover steps (the lab controller's and the simulator's `platform`). */
  readonly platform: GatewayTimings;
  /** Device BGP timers and DPD forced onto the topology (fast), or undefined (azure: the topology's own). */
  readonly deviceBgp?: { readonly keepaliveSeconds: number; readonly holdSeconds: number };
  readonly dpdTimeoutSeconds?: number;
  /**
   * How long a site LAN takes to stop sending to a device that no longer serves and to
   * use it again (VRRP with uplink tracking): the simulator's default, 3 s, in both modes.
   */
  readonly lanDetectionMs: number;
}

const LAN_DETECTION_MS = 3_000;

/**
 * `azure`: Azure's own numbers (BGP 60/180 s, the topology's DPD and device timers,
 * AZURE.platform). `fast`: BGP keepalive 3 / hold 9 on both sides, DPD 9 s on every
 * link connection, and the platform's steps shortened — detection 5 s, drain 2 s, IP
 * move 3 s (unplanned: detection + move, as Azure's 60 s + 30 s = 90 s).
 */
export function labTimers(mode: TimersMode): LabTimers {
  if (mode === 'azure') {
    return {
      mode,
      azureBgp: { keepaliveSeconds: AZURE.bgp.keepaliveSeconds, holdSeconds: AZURE.bgp.holdSeconds },
      platform: { ...AZURE.platform },
      lanDetectionMs: LAN_DETECTION_MS,
    };
  }
  return {
    mode,
    azureBgp: { keepaliveSeconds: 3, holdSeconds: 9 },
    deviceBgp: { keepaliveSeconds: 3, holdSeconds: 9 },
    dpdTimeoutSeconds: 9,
    lanDetectionMs: LAN_DETECTION_MS,
    platform: {
      plannedDrainMs: 2_000,
      plannedIpMoveMs: 3_000,
      unplannedDetectionMs: 5_000,
      unplannedIpMoveMs: 8_000,
      recoveryBootMs: 0,
      failbackDelayMs: 0,
    },
  };
}

/** The topology with the timers' device BGP timers and DPD written in (what both the lab and the simulator run). */
export function topologyForTimers(topology: Topology, timers: LabTimers): Topology {
  const { deviceBgp, dpdTimeoutSeconds } = timers;
  if (deviceBgp === undefined && dpdTimeoutSeconds === undefined) return topology;
  return {
    ...topology,
    vpnSites: topology.vpnSites.map((site) => ({
      ...site,
      devices: site.devices.map((device) => ({ ...device, bgpTimers: deviceBgp ?? device.bgpTimers })),
    })),
    vpnConnections: topology.vpnConnections.map((connection) => ({
      ...connection,
      vpnLinkConnections: connection.vpnLinkConnections.map(
        (lc): VpnLinkConnection => ({ ...lc, dpdTimeoutSeconds: dpdTimeoutSeconds ?? lc.dpdTimeoutSeconds }),
      ),
    })),
  };
}

/** A point-to-point link between two namespaces: a veth with a /30. */
export interface LinkPlan {
  readonly a: { readonly role: string; readonly ifname: string; readonly address: string };
  readonly b: { readonly role: string; readonly ifname: string; readonly address: string };
}

export interface InstancePlan {
  readonly id: InstanceId;
  readonly role: string;
  readonly publicIp: string;
  /** The instance's BGP addresses in use (default, custom APIPA), on its loopback. */
  readonly bgpAddresses: readonly string[];
  readonly hubLink: LinkPlan;
  /** Port of the internet bridge. */
  readonly bridgePort: string;
  readonly agentName: string;
}

/** One Azure-side home of a tunnel: a tunnel namespace with its charon, joined to one instance. */
export interface CarrierPlan {
  readonly instance: InstanceId;
  readonly role: string;
  readonly charonName: string;
  /** Instance ⇄ tunnel namespace, the IKE/ESP side (NAT target). */
  readonly underlay: LinkPlan;
  /** Instance ⇄ tunnel namespace, the cleartext side (what the instance routes into the tunnel). */
  readonly inner: LinkPlan;
}

export interface AzureTunnelPlan {
  /** `<linkConnection>@<instance>`, the simulator's tunnel id. */
  readonly id: string;
  readonly index: number;
  /** The instance whose public IP the tunnel targets. */
  readonly instance: InstanceId;
  readonly azureIp: string;
  readonly devicePublicIp: string;
  readonly device: string;
  readonly location: string;
  readonly link: string;
  readonly linkConnection: VpnLinkConnection;
  readonly staticPrefixes: readonly string[];
  /** swanctl connection name on the Azure side. */
  readonly connectionName: string;
  /** Where the tunnel can live: its own instance, and the other one when its IP moves. */
  readonly carriers: Partial<Record<InstanceId, CarrierPlan>>;
  readonly session?: SessionPlan;
}

export interface SessionPlan {
  readonly tunnelId: string;
  readonly instance: InstanceId;
  readonly azureAddress: string;
  readonly deviceAddress: string;
  readonly deviceAsn: number;
  /** Azure opens BGP towards non-APIPA device addresses only. */
  readonly azureInitiates: boolean;
  /** BIRD protocol name (or FRR neighbour address) on the device. */
  readonly deviceProtocol: string;
}

export interface DeviceTunnelPlan {
  readonly tunnelId: string;
  readonly role: string;
  readonly charonName: string;
  readonly export: TunnelPlan;
  /** Edge (public IP) ⇄ tunnel namespace. */
  readonly underlay: LinkPlan;
  /** Tunnel namespace ⇄ device router; the router's end is the exported interface name. */
  readonly inner: LinkPlan;
  readonly edgeRole: string;
}

export interface EdgePlan {
  /** The site link. */
  readonly link: string;
  readonly role: string;
  readonly publicIp: string;
  readonly bridgePort: string;
  readonly device: string;
}

export interface DeviceLabPlan {
  readonly name: string;
  readonly site: string;
  readonly location: string;
  readonly role: string;
  readonly routing: RoutingDaemon;
  readonly export: DevicePlan;
  /** The exported files (lab profile) but swanctl.conf: bird.conf or frr.conf, strongswan.conf, interfaces.sh. */
  readonly files: Readonly<Record<string, string>>;
  readonly tunnels: readonly DeviceTunnelPlan[];
  readonly edges: readonly EdgePlan[];
  /** The router's address on its location's LAN (/24), and its port on the LAN switch. */
  readonly lanAddress: string;
  readonly lanPort: string;
  readonly prefixes: readonly string[];
  readonly daemonName: string;
}

export interface VnetPlan {
  readonly name: string;
  readonly role: string;
  readonly prefixes: readonly string[];
  readonly hostAddress: string;
  readonly link: LinkPlan;
}

/**
 * Sites announcing the same prefixes are one place (the simulator's location): one LAN
 * (a bridge in the `l<k>` namespace) with every device of the place on it and one host.
 * The host spreads its flows over the devices that serve (ECMP, as the simulator's LAN
 * spreads flows over devices), and the lab controller follows device failures after the
 * LAN's detection delay (VRRP-like).
 */
export interface LocationPlan {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly devices: readonly string[];
  /** The LAN switch namespace. */
  readonly role: string;
  readonly hostRole: string;
  readonly hostAddress: string;
  /** The LAN's own subnet (198.19.<255-k>.0/24) and the host's address on it. */
  readonly lanPrefix: string;
  readonly hostLanAddress: string;
}

export interface LabPlan {
  readonly topology: Topology;
  readonly timers: LabTimers;
  /** The one pre-shared key of every tunnel: shown as `[hidden]` wherever the plan is printed. */
  readonly psk: Secret;
  readonly instances: Readonly<Record<InstanceId, InstancePlan>>;
  readonly vnets: readonly VnetPlan[];
  readonly devices: readonly DeviceLabPlan[];
  readonly tunnels: readonly AzureTunnelPlan[];
  readonly locations: readonly LocationPlan[];
  /** Public IPs that move to the other instance when theirs fails (single static tunnel). */
  readonly ipMoves: Readonly<Record<InstanceId, boolean>>;
  /** Every namespace role, in creation order. */
  readonly roles: readonly string[];
  readonly links: readonly LinkPlan[];
  readonly azurePrefixes: readonly string[];
}

export interface LabPlanOptions {
  readonly timers: TimersMode;
  /** Devices run BIRD unless named here (or `all`). */
  readonly frrDevices?: readonly string[] | 'all';
  readonly psk: string | Secret;
}

export type LabPlanResult = { ok: true; plan: LabPlan } | { ok: false; error: string };

const INTERNAL: Ipv4Prefix = { address: 0xc6120000, length: 15 };

const suffix = (instance: InstanceId): string => (instance === 'IN_0' ? '0' : '1');

function prefixOf(text: string): Ipv4Prefix {
  const parsed = parseIpv4Prefix(text);
  if (!parsed.ok) throw new Error(`invalid prefix ${text}`);
  return parsed.value;
}

function addressOf(text: string): number {
  const parsed = parseIpv4(text);
  if (!parsed.ok) throw new Error(`invalid address ${text}`);
  return parsed.value;
}

/** A host address inside a prefix: .10 when the prefix is big enough, else its first usable one. */
function hostIn(prefix: Ipv4Prefix, avoid: ReadonlySet<number>): string {
  const size = prefixSize(prefix);
  const candidates = size >= 16 ? [10, 11, 12, 13, 14] : size > 2 ? [1, 2] : [0];
  for (const offset of candidates) {
    const address = (prefix.address + offset) >>> 0;
    if (!avoid.has(address)) return formatIpv4(address);
  }
  throw new Error(`no free host address in ${formatIpv4(prefix.address)}/${prefix.length}`);
}

export function planLab(input: Topology, options: LabPlanOptions): LabPlanResult {
  try {
    return { ok: true, plan: buildPlan(input, options) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function buildPlan(input: Topology, options: LabPlanOptions): LabPlan {
  checkLabNames(input);
  const psk = typeof options.psk === 'string' ? new Secret(options.psk) : options.psk;
  const timers = labTimers(options.timers);
  const topology = topologyForTimers(input, timers);
  const resolved = resolveLinkConnections(topology);
  const roles: string[] = ['inet', 'hub'];
  const links: LinkPlan[] = [];
  let nextSubnet = 0;
  /** A /30 from 198.18.0.0/15: [.1, .2]. */
  const subnet = (): [string, string] => {
    // 198.18.0.0 up to 198.19.63.255 for links; the site LANs count down from 198.19.255.0/24.
    if (nextSubnet >= 20_480) throw new Error('the lab needs more than 20,480 internal links');
    const base = (INTERNAL.address + nextSubnet * 4) >>> 0;
    nextSubnet++;
    return [formatIpv4(base + 1), formatIpv4(base + 2)];
  };
  const link = (aRole: string, aIf: string, bRole: string, bIf: string): LinkPlan => {
    const [a, b] = subnet();
    const plan: LinkPlan = {
      a: { role: aRole, ifname: aIf, address: a },
      b: { role: bRole, ifname: bIf, address: b },
    };
    links.push(plan);
    return plan;
  };
  checkNoInternalOverlap(topology);

  const azurePrefixes = [
    topology.virtualHub.addressPrefix,
    ...topology.vnets.flatMap((vnet) => vnet.addressPrefixes),
  ];

  // Instances: IN_0 → in0, IN_1 → in1.
  const bgpAddressesOf: Record<InstanceId, Set<string>> = { IN_0: new Set(), IN_1: new Set() };
  const instances = {} as Record<InstanceId, InstancePlan>;
  for (const id of INSTANCES) {
    const instance = topology.vpnGateway.instances.find((i) => i.id === id);
    if (!instance) throw new Error(`the topology has no ${id}`);
    const role = `in${suffix(id)}`;
    roles.push(role);
    instances[id] = {
      id,
      role,
      publicIp: instance.tunnelIpAddress,
      bgpAddresses: [],
      hubLink: link('hub', role, role, 'hub'),
      bridgePort: role,
      agentName: `agent-${role}`,
    };
  }

  // VNets: one host namespace each, behind the hub router.
  const vnets: VnetPlan[] = topology.vnets.map((vnet, index) => {
    const role = `v${index}`;
    roles.push(role);
    const first = prefixOf(vnet.addressPrefixes[0] as string);
    return {
      name: vnet.name,
      role,
      prefixes: vnet.addressPrefixes,
      hostAddress: hostIn(first, new Set()),
      link: link('hub', role, role, 'hub'),
    };
  });

  // Locations: sites with the same prefixes are one place (World.buildLocations).
  interface Place {
    name: string;
    prefixes: string[];
    devices: string[];
  }
  const places: Place[] = [];
  const placeOfSite = new Map<string, Place>();
  for (const site of topology.vpnSites) {
    const prefixes = [
      ...new Set([...site.addressSpace, ...site.devices.flatMap((d) => d.advertisedPrefixes)]),
    ].sort();
    const key = prefixes.join(',');
    const existing = key ? places.find((l) => l.prefixes.join(',') === key) : undefined;
    const devices = site.devices.map((d) => d.name);
    if (existing) {
      existing.name = `${existing.name}+${site.name}`;
      existing.devices.push(...devices);
      placeOfSite.set(site.name, existing);
    } else {
      const place: Place = { name: site.name, prefixes, devices };
      places.push(place);
      placeOfSite.set(site.name, place);
    }
  }
  if (places.length > 200) throw new Error('the lab builds at most 200 site LANs');
  const avoid = new Set(
    topology.vpnSites.flatMap((s) =>
      s.devices.flatMap((d) =>
        d.vpnSiteLinks.flatMap((l) =>
          l.bgpProperties ? [addressOf(l.bgpProperties.bgpPeeringAddress)] : [],
        ),
      ),
    ),
  );
  const locations: LocationPlan[] = places.map((place, k) => {
    const role = `l${k}`;
    const hostRole = `h${k}`;
    roles.push(role, hostRole);
    const lan = `198.19.${255 - k}`;
    const first = place.prefixes[0];
    return {
      name: place.name,
      prefixes: place.prefixes,
      devices: place.devices,
      role,
      hostRole,
      hostAddress: first === undefined ? `${lan}.100` : hostIn(prefixOf(first), avoid),
      lanPrefix: `${lan}.0/24`,
      hostLanAddress: `${lan}.100`,
    };
  });
  const locationOfSite = new Map<string, LocationPlan>();
  for (const [site, place] of placeOfSite) {
    const location = locations[places.indexOf(place)];
    if (location) locationOfSite.set(site, location);
  }

  // Devices, their edges (one per site link: the link's public IP) and exported configs.
  const frr = options.frrDevices;
  const devices: DeviceLabPlan[] = [];
  const deviceTunnelById = new Map<string, DeviceTunnelPlan>();
  let deviceIndex = 0;
  let edgeIndex = 0;
  let deviceTunnelIndex = 0;
  for (const site of topology.vpnSites) {
    for (const device of site.devices) {
      if (!resolved.some((entry) => entry.device === device)) continue;
      const routing: RoutingDaemon = frr === 'all' || frr?.includes(device.name) ? 'frr' : 'bird';
      const exported = exportDevice(topology, {
        site: site.name,
        device: device.name,
        format: routing === 'frr' ? 'strongswan-frr' : 'strongswan-bird',
        profile: 'lab',
        psk: { kind: 'value', secret: psk.reveal() },
      });
      if (!exported.ok) throw new Error(`device ${device.name}: ${exported.error}`);
      const role = `d${deviceIndex}`;
      deviceIndex++;
      roles.push(role);
      const edges: EdgePlan[] = [];
      for (const siteLink of device.vpnSiteLinks) {
        if (!exported.plan.tunnels.some((t) => t.link === siteLink)) continue;
        const edgeRole = `e${edgeIndex++}`;
        roles.push(edgeRole);
        edges.push({
          link: siteLink.name,
          role: edgeRole,
          publicIp: siteLink.ipAddress,
          bridgePort: edgeRole,
          device: device.name,
        });
      }
      const tunnels: DeviceTunnelPlan[] = exported.plan.tunnels.map((tunnel) => {
        const tunnelRole = `t${deviceTunnelIndex++}`;
        roles.push(tunnelRole);
        const edge = edges.find((e) => e.link === tunnel.link.name);
        if (!edge) throw new Error(`tunnel ${tunnel.name} has no site link`);
        const plan: DeviceTunnelPlan = {
          tunnelId: `${tunnel.linkConnection.name}@${tunnel.instance}`,
          role: tunnelRole,
          charonName: `charon-${tunnelRole}`,
          export: tunnel,
          edgeRole: edge.role,
          underlay: link(edge.role, tunnelRole, tunnelRole, 'pub'),
          inner: link(tunnelRole, 'rtr', role, tunnel.interfaceName),
        };
        deviceTunnelById.set(plan.tunnelId, plan);
        return plan;
      });
      const location = locationOfSite.get(site.name);
      if (!location) throw new Error(`site ${site.name} has no location`);
      if (location.prefixes.length === 0)
        throw new Error(`site ${site.name} has no prefixes: nothing to send traffic to`);
      const onLan = devices.filter((d) => d.location === location.name).length;
      const files: Record<string, string> = {};
      // swanctl.conf holds the PSK and all tunnels; the lab renders one per tunnel namespace at build time.
      for (const file of exported.files) if (file.name !== 'swanctl.conf') files[file.name] = file.text;
      devices.push({
        name: device.name,
        site: site.name,
        location: location.name,
        role,
        routing,
        export: exported.plan,
        files,
        tunnels,
        edges,
        lanAddress: `${location.hostLanAddress.replace(/\.100$/, '')}.${1 + onLan}`,
        lanPort: role,
        prefixes: location.prefixes,
        daemonName: `${routing}-${role}`,
      });
    }
  }

  // Azure-side tunnels: one per link connection × instance, carried by the instance whose IP it
  // targets, and by the other instance too when that IP moves (World: single static tunnel).
  const ipMoves: Record<InstanceId, boolean> = { IN_0: false, IN_1: false };
  for (const entry of resolved) {
    const only = entry.instances.length === 1 ? entry.instances[0] : undefined;
    if (only && !entry.linkConnection.enableBgp) ipMoves[only] = true;
  }
  const tunnels: AzureTunnelPlan[] = [];
  for (const entry of resolved) {
    for (const instance of entry.instances) {
      tunnels.push(
        azureTunnel(entry, instance, tunnels.length, {
          topology,
          instances,
          ipMoves,
          link,
          roles,
          bgpAddressesOf,
          location: locationOfSite.get(entry.site.name)?.name ?? entry.site.name,
          deviceTunnel: deviceTunnelById.get(`${entry.linkConnection.name}@${instance}`),
        }),
      );
    }
  }
  for (const id of INSTANCES) {
    const gateway = topology.vpnGateway.instances.find((i) => i.id === id);
    // The default BGP address is always there (the agent listens on it), custom ones when used.
    if (gateway) bgpAddressesOf[id].add(gateway.defaultBgpIpAddress);
    instances[id] = { ...instances[id], bgpAddresses: [...bgpAddressesOf[id]].sort() };
  }
  return {
    topology,
    timers,
    psk,
    instances,
    vnets,
    devices,
    tunnels,
    locations,
    ipMoves,
    roles,
    links,
    azurePrefixes: [...new Set(azurePrefixes)],
  };
}

function azureTunnel(
  entry: ResolvedLinkConnection,
  instance: InstanceId,
  index: number,
  context: {
    topology: Topology;
    instances: Record<InstanceId, InstancePlan>;
    ipMoves: Record<InstanceId, boolean>;
    link: (aRole: string, aIf: string, bRole: string, bIf: string) => LinkPlan;
    roles: string[];
    bgpAddressesOf: Record<InstanceId, Set<string>>;
    location: string;
    deviceTunnel: DeviceTunnelPlan | undefined;
  },
): AzureTunnelPlan {
  const { topology, instances, ipMoves } = context;
  const lc = entry.linkConnection;
  const id = `${lc.name}@${instance}`;
  const carriers: Partial<Record<InstanceId, CarrierPlan>> = {};
  const carriedBy = ipMoves[instance] ? INSTANCES : [instance];
  for (const carrier of carriedBy) {
    const role = `a${index}i${suffix(carrier)}`;
    context.roles.push(role);
    const instanceRole = instances[carrier].role;
    carriers[carrier] = {
      instance: carrier,
      role,
      charonName: `charon-${role}`,
      underlay: context.link(instanceRole, `u${index}`, role, 'pub'),
      inner: context.link(instanceRole, `r${index}`, role, 'rtr'),
    };
  }
  let session: SessionPlan | undefined;
  const bgp = entry.link.bgpProperties;
  const deviceBgp = context.deviceTunnel?.export.bgp;
  if (lc.enableBgp && bgp && deviceBgp) {
    const gateway = topology.vpnGateway.instances.find((i) => i.id === instance);
    const custom = lc.vpnGatewayCustomBgpAddresses.find((c) => c.ipConfigurationId === instance);
    const azureAddress = custom?.customBgpIpAddress ?? gateway?.defaultBgpIpAddress ?? '0.0.0.0';
    context.bgpAddressesOf[instance].add(azureAddress);
    session = {
      tunnelId: id,
      instance,
      azureAddress,
      deviceAddress: bgp.bgpPeeringAddress,
      deviceAsn: bgp.asn,
      azureInitiates: !isApipa(addressOf(bgp.bgpPeeringAddress)),
      deviceProtocol: deviceBgp.protocolName,
    };
  }
  return {
    id,
    index,
    instance,
    azureIp: instances[instance].publicIp,
    devicePublicIp: entry.link.ipAddress,
    device: entry.device.name,
    location: context.location,
    link: entry.link.name,
    linkConnection: lc,
    staticPrefixes: entry.staticPrefixes,
    connectionName: `a${index}`,
    carriers,
    ...(session ? { session } : {}),
  };
}

/**
 * Azure's own rule for these resources' names: letters, digits, `_`, `.` and `-`,
 * starting with a letter or digit, 1–80 characters. The model takes any text; the lab
 * takes only these, because names reach what root runs — the exported bird.conf,
 * frr.conf and swanctl.conf (comments, `description "…"`), the daemons' logs and the
 * terminal — and a newline or quote there would be a line of config nobody wrote.
 */
export const LAB_RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

function checkLabNames(topology: Topology): void {
  const names: [string, string][] = [
    ['virtualHub.name', topology.virtualHub.name],
    ['vpnGateway.name', topology.vpnGateway.name],
    ...topology.vnets.map((v, i): [string, string] => [`vnets[${i}].name`, v.name]),
    ...topology.vpnSites.flatMap((site, i): [string, string][] => [
      [`vpnSites[${i}].name`, site.name],
      ...site.devices.flatMap((device, j): [string, string][] => [
        [`vpnSites[${i}].devices[${j}].name`, device.name],
        ...device.vpnSiteLinks.map((link, k): [string, string] => [
          `vpnSites[${i}].devices[${j}].vpnSiteLinks[${k}].name`,
          link.name,
        ]),
      ]),
    ]),
    ...topology.vpnConnections.flatMap((connection, i): [string, string][] => [
      [`vpnConnections[${i}].name`, connection.name],
      ...connection.vpnLinkConnections.map((lc, j): [string, string] => [
        `vpnConnections[${i}].vpnLinkConnections[${j}].name`,
        lc.name,
      ]),
    ]),
  ];
  for (const [path, name] of names) {
    if (!LAB_RESOURCE_NAME.test(name)) {
      const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
      throw new Error(
        `${path} ${shown}: the live lab takes names of letters, digits, "_", "." and "-" only, starting with a letter or digit (Azure's rule for these resources)`,
      );
    }
  }
}

/** The lab's own links use 198.18.0.0/15; a topology that uses it cannot be realised. */
function checkNoInternalOverlap(topology: Topology): void {
  const prefixes = [
    topology.virtualHub.addressPrefix,
    ...topology.vnets.flatMap((v) => v.addressPrefixes),
    ...topology.vpnSites.flatMap((s) => [
      ...s.addressSpace,
      ...s.devices.flatMap((d) => d.advertisedPrefixes),
    ]),
  ];
  for (const text of prefixes) {
    if (prefixesOverlap(prefixOf(text), INTERNAL)) {
      throw new Error(`${text} overlaps 198.18.0.0/15, which the live lab uses for its own links`);
    }
  }
  const addresses = [
    ...topology.vpnGateway.instances.flatMap((i) => [
      i.tunnelIpAddress,
      i.defaultBgpIpAddress,
      ...i.customBgpIpAddresses,
    ]),
    ...topology.vpnSites.flatMap((s) =>
      s.devices.flatMap((d) =>
        d.vpnSiteLinks.flatMap((l) => [
          l.ipAddress,
          ...(l.bgpProperties ? [l.bgpProperties.bgpPeeringAddress] : []),
        ]),
      ),
    ),
  ];
  for (const text of addresses) {
    if (prefixContains(INTERNAL, addressOf(text))) {
      throw new Error(`${text} is inside 198.18.0.0/15, which the live lab uses for its own links`);
    }
  }
}

/** The namespaces of one device: what a device failure blackholes. */
export function deviceRoles(device: DeviceLabPlan): string[] {
  return [device.role, ...device.tunnels.map((t) => t.role), ...device.edges.map((e) => e.role)];
}

/** Every Azure-side tunnel namespace joined to an instance (what its power-off blackholes). */
export function carriersOn(
  plan: LabPlan,
  instance: InstanceId,
): { tunnel: AzureTunnelPlan; carrier: CarrierPlan }[] {
  return plan.tunnels.flatMap((tunnel) => {
    const carrier = tunnel.carriers[instance];
    return carrier ? [{ tunnel, carrier }] : [];
  });
}

export function sessionsOf(plan: LabPlan, instance: InstanceId): SessionPlan[] {
  return plan.tunnels.flatMap((t) => (t.session && t.session.instance === instance ? [t.session] : []));
}
