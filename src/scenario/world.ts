import type { Dataplane } from '../dataplane/engine.ts';
import type { FlowSpec, ResolvedPath } from '../dataplane/flow.ts';
import {
  GatewayController,
  type GatewayOutput,
  type GatewayTimer,
  type GatewayTimings,
} from '../gateway/controller.ts';
import type { HubRoute } from '../gateway/hub-routes.ts';
import { type HubOffer, HubTable } from '../gateway/hub-table.ts';
import { AZURE, type InstanceId } from '../model/azure-defaults.ts';
import type { Topology } from '../model/schema.ts';
import { resolveLinkConnections } from '../model/views.ts';
import { hashString } from '../net/flow-hash.ts';
import { isApipa, parseIpv4, parseIpv4Prefix } from '../net/ipv4.ts';
import { PrefixTrie } from '../net/lpm.ts';
import { describeNotification } from '../protocols/bgp/codec.ts';
import type { BgpUpdate } from '../protocols/bgp/messages.ts';
import { packAnnouncement } from '../protocols/bgp/pack.ts';
import type { RibPeer, RouteChange } from '../protocols/bgp/rib.ts';
import { Rib } from '../protocols/bgp/rib.ts';
import { assertNever } from '../protocols/core.ts';
import { dpdPlan } from '../protocols/ike/dpd-plan.ts';
import { CoreDriver } from '../sim/driver.ts';
import { Simulator } from '../sim/kernel.ts';
import { type TcpConnection, TcpHost } from '../sim/tcp.ts';
import { buildDeviceFib } from '../site/device-fib.ts';
import { BgpSpeakerEnd, type SpeakerEvent, type TcpFabric } from './bgp-link.ts';
import { FlowResolver, type ForwardingState } from './flow-resolver.ts';
import { type TunnelChange, TunnelLink } from './tunnel-link.ts';
import type { DeviceNode, HubEntry, InstanceNode, Location, SessionNode, TunnelNode } from './world-types.ts';

export interface WorldOptions {
  readonly seed: number;
  readonly trace?: boolean;
  /** Overrides of the platform's failover steps (model/azure-defaults AZURE.platform). */
  readonly platform?: Partial<GatewayTimings>;
  /**
   * How long the site LAN takes to stop sending to a dead device and start again
   * when it returns: VRRP's Master_Down_Interval with a 1 s advertisement,
   * 3 × 1 s + skew ≈ 3 s (RFC 5798 §6.1).
   */
  readonly lanDetectionMs?: number;
  /**
   * Azure's own BGP timers. Azure fixes them at keepalive 60 s / hold 180 s; the
   * live lab's "fast" mode shrinks them (and the simulator mirrors the lab when
   * it predicts a lab run). Not a setting a real hub has.
   */
  readonly azureBgpTimers?: { readonly keepaliveSeconds: number; readonly holdSeconds: number };
}

const INSTANCES: readonly InstanceId[] = ['IN_0', 'IN_1'];
const DEFAULT_LAN_DETECTION_MS = 3_000;
/** Maximum ECMP paths a RIB keeps; Azure and common devices (FRR maximum-paths) go well past 2. */
const MAX_PATHS = 8;

/**
 * The simulated world of one topology: the Azure gateway (controller, instances,
 * hub routes), the remote devices, every tunnel (two IKE endpoints) and every BGP
 * session (two speakers over simulated TCP), wired on one simulation kernel.
 * Scenario events go in through the methods below; the data plane asks
 * `resolve(flow)` where a flow's packets go right now.
 */
export class World implements TcpFabric, ForwardingState {
  readonly sim: Simulator;
  readonly instances: Record<InstanceId, InstanceNode>;
  readonly devices = new Map<string, DeviceNode>();
  readonly tunnels: TunnelNode[] = [];
  readonly sessions: SessionNode[] = [];
  readonly locations: Location[] = [];
  readonly internetPaths = new Map<string, { up: boolean; readonly tunnels: TunnelNode[] }>();
  readonly controller: GatewayController;
  private readonly controllerDriver: CoreDriver<
    Parameters<GatewayController['handle']>[1],
    GatewayOutput,
    GatewayTimer
  >;
  private readonly tunnelById = new Map<string, TunnelNode>();
  private readonly tunnelByElement = new Map<string, TunnelNode>();
  private readonly tunnelsByIp = new Map<string, TunnelNode[]>();
  private readonly sessionById = new Map<string, SessionNode>();
  private readonly locationOfSite = new Map<string, Location>();
  private readonly ipMoves: Record<InstanceId, boolean>;
  private readonly azurePrefixes: string[];
  private readonly lanDetectionMs: number;
  private readonly azureBgpTimers: { readonly keepaliveSeconds: number; readonly holdSeconds: number };
  private hubTable = new PrefixTrie<HubEntry>();
  private readonly hub = new HubTable();
  private readonly dirtyOffers = new Set<TunnelNode>();
  /** Every site prefix, to find the traffic locations a hub route change touches. */
  private readonly locationIndex = new PrefixTrie<Location[]>();
  private readonly dirtyDevices = new Set<DeviceNode>();
  private readonly lanCheckPending = new Set<DeviceNode>();
  private readonly dirtyElements = new Set<string>();
  private readonly dirtyForwarding = new Set<TunnelNode>();
  private readonly dirtyGroups = new Set<string>();
  private readonly blockedTcp = new Set<TcpConnection<Uint8Array>>();
  private flushPending = false;
  private tcpIds = 0;
  private dataplane: Dataplane | undefined;
  /** Where a flow's packets go now: what the data plane calls after every change. */
  readonly resolve: (flow: FlowSpec) => ResolvedPath = new FlowResolver(this).resolve;

  constructor(
    readonly topology: Topology,
    options: WorldOptions,
  ) {
    this.sim = new Simulator({ seed: options.seed, trace: options.trace ?? true });
    this.lanDetectionMs = options.lanDetectionMs ?? DEFAULT_LAN_DETECTION_MS;
    this.azureBgpTimers = options.azureBgpTimers ?? {
      keepaliveSeconds: AZURE.bgp.keepaliveSeconds,
      holdSeconds: AZURE.bgp.holdSeconds,
    };
    const resolved = resolveLinkConnections(topology);
    const byId = (id: InstanceId) => {
      const instance = topology.vpnGateway.instances.find((i) => i.id === id);
      if (!instance) throw new Error(`topology has no ${id}`);
      return instance;
    };
    this.instances = {
      IN_0: this.makeInstance('IN_0', byId('IN_0').tunnelIpAddress),
      IN_1: this.makeInstance('IN_1', byId('IN_1').tunnelIpAddress),
    };
    // A public IP moves only when it carries a single static tunnel (seed, "Single Tunnel Configuration").
    this.ipMoves = { IN_0: false, IN_1: false };
    for (const entry of resolved) {
      const only = entry.instances.length === 1 ? entry.instances[0] : undefined;
      if (only && !entry.linkConnection.enableBgp) this.ipMoves[only] = true;
    }
    this.controller = new GatewayController({
      timings: { ...AZURE.platform, ...options.platform },
      publicIps: { IN_0: this.instances.IN_0.publicIp, IN_1: this.instances.IN_1.publicIp },
      ipMovesOnFailure: this.ipMoves,
    });
    this.controllerDriver = new CoreDriver(
      this.sim,
      this.controller,
      (output) => this.onGateway(output),
      (timer) => ({ kind: 'timer' as const, timer }),
    );
    this.azurePrefixes = [
      topology.virtualHub.addressPrefix,
      ...topology.vnets.flatMap((v) => v.addressPrefixes),
    ];

    for (const site of topology.vpnSites) {
      for (const device of site.devices) {
        const bgpLink = device.vpnSiteLinks.find((l) => l.bgpProperties);
        const node: DeviceNode = {
          name: device.name,
          hash: hashString(device.name),
          site: site.name,
          location: site.name,
          asn: bgpLink?.bgpProperties?.asn,
          bgpAddress: bgpLink?.bgpProperties?.bgpPeeringAddress,
          host: new TcpHost(device.name),
          ecmp: device.ecmp,
          bgpAddressOn: device.bgpAddressOn,
          deadTunnelRoutes: device.deadTunnelRoutes,
          advertisedPrefixes: device.advertisedPrefixes,
          alive: true,
          lanSeesAlive: true,
          rib: this.deviceRib(),
          tunnels: [],
          fib: undefined,
          fibKey: undefined,
        };
        this.devices.set(device.name, node);
        for (const link of device.vpnSiteLinks) this.internetPaths.set(link.name, { up: true, tunnels: [] });
      }
    }
    this.buildLocations();
    for (const entry of resolved) {
      for (const instance of entry.instances) this.buildTunnel(entry, instance);
    }
  }

  // ---------------------------------------------------------------------------
  // Building
  // ---------------------------------------------------------------------------

  private makeInstance(id: InstanceId, publicIp: string): InstanceNode {
    return {
      id,
      publicIp,
      host: new TcpHost(id),
      state: 'up',
      hubUsable: true,
      rib: this.azureRib(),
    };
  }

  private azureRib(): Rib {
    // The hub compares AS-path lengths itself (hub-routes.ts); the instance keeps every equal path.
    return new Rib({ localAsn: AZURE.bgp.asn, maxPaths: MAX_PATHS, multipathRelax: true });
  }

  private deviceRib(): Rib {
    return new Rib({ localAsn: 0xfffffffe, maxPaths: MAX_PATHS, multipathRelax: true });
  }

  /**
   * Sites announcing the same prefixes are one place with several devices (the
   * seed's diversity: "a second remote VPN GW … another VPN site"); its LAN
   * spreads traffic over whichever devices are alive.
   */
  private buildLocations(): void {
    const byKey = new Map<string, Location>();
    for (const site of this.topology.vpnSites) {
      const devices = [...this.devices.values()].filter((d) => d.site === site.name);
      const prefixes = [
        ...new Set([...site.addressSpace, ...devices.flatMap((d) => d.advertisedPrefixes)]),
      ].sort();
      const key = prefixes.join(',');
      const existing = key ? byKey.get(key) : undefined;
      const parsed = prefixes.flatMap((p) => {
        const r = parseIpv4Prefix(p);
        return r.ok ? [r.value] : [];
      });
      if (existing) {
        const merged: Location = {
          name: `${existing.name}+${site.name}`,
          prefixes: existing.prefixes,
          devices: [...existing.devices, ...devices],
        };
        this.locations[this.locations.indexOf(existing)] = merged;
        byKey.set(key, merged);
      } else {
        const location: Location = { name: site.name, prefixes: parsed, devices };
        this.locations.push(location);
        if (key) byKey.set(key, location);
      }
    }
    for (const location of this.locations) {
      for (const device of location.devices) {
        device.location = location.name;
        this.locationOfSite.set(device.site, location);
      }
      for (const prefix of location.prefixes) {
        const existing = this.locationIndex.get(prefix.address, prefix.length);
        if (existing) existing.push(location);
        else this.locationIndex.set(prefix.address, prefix.length, [location]);
      }
    }
  }

  private buildTunnel(entry: ReturnType<typeof resolveLinkConnections>[number], instance: InstanceId): void {
    const lc = entry.linkConnection;
    const device = this.devices.get(entry.device.name);
    if (!device) return;
    const id = `${lc.name}@${instance}`;
    const azureIp = this.instances[instance].publicIp;
    // Both ends probe after a third of Azure's DPD timeout without IKE or ESP and give up when it has
    // passed: the mapping the exported strongSwan configs use (protocols/ike/dpd-plan.ts), so the
    // simulator and the live lab declare a peer dead at the same moment.
    const dpd = dpdPlan([lc.dpdTimeoutSeconds]);
    const dpdDelaySeconds = dpd.delaySeconds.get(lc.dpdTimeoutSeconds) ?? lc.dpdTimeoutSeconds / 3;
    const shared = {
      dpdDelayMs: Math.round(dpdDelaySeconds * 1000),
      dpdTimeoutMs: Math.round((lc.dpdTimeoutSeconds - dpdDelaySeconds) * 1000),
      childSaLifetimeMs: lc.ipsec.saLifeTimeSeconds * 1000,
      ikeSaLifetimeMs: lc.ipsec.ikeSaLifeTimeSeconds * 1000,
    };
    const link = new TunnelLink(
      this.sim,
      id,
      {
        azure: {
          name: `${id}/azure`,
          mode: lc.vpnLinkConnectionMode,
          rng: this.sim.rng.fork(),
          ...shared,
        },
        device: {
          name: `${id}/device`,
          mode: entry.device.connectionMode,
          rng: this.sim.rng.fork(),
          ...shared,
        },
        oneWayLatencyMs: entry.link.latencyMs,
      },
      (change) => this.onTunnel(change),
    );
    const node: TunnelNode = {
      id,
      element: `tunnel:${id}`,
      flushedForwarding: forwardingOf(link),
      hash: hashString(id),
      paths: new Map(),
      link,
      resolved: entry,
      instance,
      azureIp,
      device,
      internetPath: entry.link.name,
      internet: this.internetPaths.get(entry.link.name) ?? { up: false, tunnels: [] },
      latencyMs: entry.link.latencyMs,
      session: undefined,
    };
    this.tunnels.push(node);
    this.tunnelById.set(id, node);
    this.tunnelByElement.set(node.element, node);
    device.tunnels.push(node);
    this.internetPaths.get(entry.link.name)?.tunnels.push(node);
    const onIp = this.tunnelsByIp.get(azureIp);
    if (onIp) onIp.push(node);
    else this.tunnelsByIp.set(azureIp, [node]);
    if (lc.enableBgp && entry.link.bgpProperties) this.buildSession(node, instance, entry.link.bgpProperties);
  }

  private buildSession(
    tunnel: TunnelNode,
    instance: InstanceId,
    bgp: { asn: number; bgpPeeringAddress: string },
  ): void {
    const topologyInstance = this.topology.vpnGateway.instances.find((i) => i.id === instance);
    const custom = tunnel.resolved.linkConnection.vpnGatewayCustomBgpAddresses.find(
      (c) => c.ipConfigurationId === instance,
    );
    const azureBgpIp = custom?.customBgpIpAddress ?? topologyInstance?.defaultBgpIpAddress ?? '0.0.0.0';
    const deviceIsApipa = (() => {
      const parsed = parseIpv4(bgp.bgpPeeringAddress);
      return parsed.ok && isApipa(parsed.value);
    })();
    const device = tunnel.device;
    const deviceTimers = tunnel.resolved.device.bgpTimers;
    const id = tunnel.id;
    const azure = new BgpSpeakerEnd(
      `${instance}/bgp:${id}`,
      this.instances[instance].host,
      {
        localAsn: AZURE.bgp.asn,
        localBgpId: azureBgpIp,
        peerAsn: bgp.asn,
        holdTimeSec: this.azureBgpTimers.holdSeconds,
        fixedKeepaliveSec: this.azureBgpTimers.keepaliveSeconds,
        // Azure opens BGP towards non-APIPA peers; an APIPA peer must open it (AZURE-FACTS "Who opens BGP").
        initiate: !deviceIsApipa,
        accept: true,
        maxPrefixes: AZURE.bgp.maxPrefixesPerSession,
      },
      this,
      (end, event) => this.onSpeaker(session, 'azure', end, event),
    );
    const deviceEnd = new BgpSpeakerEnd(
      `${device.name}/bgp:${id}`,
      device.host,
      {
        localAsn: bgp.asn,
        localBgpId: bgp.bgpPeeringAddress,
        peerAsn: AZURE.bgp.asn,
        holdTimeSec: deviceTimers.holdSeconds,
        fixedKeepaliveSec: deviceTimers.keepaliveSeconds,
        initiate: true,
        accept: true,
      },
      this,
      (end, event) => this.onSpeaker(session, 'device', end, event),
    );
    const session: SessionNode = {
      id,
      tunnel,
      instance,
      azure,
      device: deviceEnd,
      azureBgpIp,
      lastAzureDown: undefined,
    };
    BgpSpeakerEnd.connect(azure, deviceEnd, () => ({
      up: tunnel.link.dataCapable && (this.internetPaths.get(tunnel.internetPath)?.up ?? false),
      latencyMs: tunnel.latencyMs,
    }));
    tunnel.session = session;
    this.sessions.push(session);
    this.sessionById.set(id, session);
  }

  /** Starts every tunnel end and BGP speaker (time 0 of the world). */
  start(): void {
    for (const tunnel of this.tunnels) {
      tunnel.link.ike.start('a');
      tunnel.link.ike.start('b');
    }
    for (const session of this.sessions) {
      session.azure.start();
      session.device.start();
    }
    for (const tunnel of this.tunnels) this.markOffers(tunnel);
  }

  // ---------------------------------------------------------------------------
  // Scenario events
  // ---------------------------------------------------------------------------

  failInstance(instance: InstanceId, mode: 'planned' | 'unplanned'): void {
    this.controllerDriver.deliver({ kind: 'fail', instance, mode });
  }

  recoverInstance(instance: InstanceId): void {
    this.controllerDriver.deliver({ kind: 'recover', instance });
  }

  failDevice(name: string): void {
    const device = this.requireDevice(name);
    if (!device.alive) return;
    device.alive = false;
    device.host.crash();
    for (const tunnel of device.tunnels) {
      tunnel.link.crash('b');
      tunnel.session?.device.crash();
    }
    device.rib = this.deviceRib();
    this.traceEvent(name, 'device.fail');
    this.markElement(`device:${name}`);
    this.markDevice(device);
  }

  recoverDevice(name: string): void {
    const device = this.requireDevice(name);
    if (device.alive) return;
    device.alive = true;
    device.host.reboot();
    for (const tunnel of device.tunnels) {
      tunnel.link.revive('b');
      tunnel.session?.device.reboot();
    }
    this.traceEvent(name, 'device.recover');
    this.markElement(`device:${name}`);
    this.markDevice(device);
  }

  setInternetPath(name: string, up: boolean): void {
    const path = this.internetPaths.get(name);
    if (!path) throw new Error(`no internet path (site link) named ${name}`);
    if (path.up === up) return;
    path.up = up;
    for (const tunnel of path.tunnels) tunnel.link.setPathUp(up);
    this.traceEvent(name, up ? 'path.up' : 'path.down');
    this.markElement(`link:${name}`);
  }

  /** An administrator resets the connection on the Azure side: DELETE, then start afresh. */
  resetTunnel(linkConnection: string, instance: InstanceId): void {
    const tunnel = this.tunnelById.get(`${linkConnection}@${instance}`);
    if (!tunnel) throw new Error(`no tunnel ${linkConnection}@${instance}`);
    this.traceEvent(tunnel.id, 'tunnel.reset');
    tunnel.link.ike.stop('a');
    if (this.controller.ownerOf(tunnel.azureIp) !== null) tunnel.link.ike.start('a');
  }

  private requireDevice(name: string): DeviceNode {
    const device = this.devices.get(name);
    if (!device) throw new Error(`no device named ${name}`);
    return device;
  }

  /**
   * The site LAN stops sending to a device that is dead or has no route to Azure
   * left (VRRP with uplink tracking, or LAN-side routing), and starts again when it
   * serves again — each after the LAN's detection delay.
   */
  private trackUplink(device: DeviceNode): void {
    if (this.lanCheckPending.has(device)) return;
    if (this.servesAzure(device) === device.lanSeesAlive) return;
    this.lanCheckPending.add(device);
    this.sim.schedule(this.lanDetectionMs, () => {
      this.lanCheckPending.delete(device);
      const serving = this.servesAzure(device);
      if (serving === device.lanSeesAlive) return;
      device.lanSeesAlive = serving;
      this.traceEvent(device.name, 'lan.view', { serving });
      this.markGroup('toAzure', device.location);
    });
  }

  private servesAzure(device: DeviceNode): boolean {
    return device.alive && this.deviceFib(device).size > 0;
  }

  // ---------------------------------------------------------------------------
  // Gateway (platform) outputs
  // ---------------------------------------------------------------------------

  private onGateway(output: GatewayOutput): void {
    switch (output.kind) {
      case 'armTimer':
      case 'cancelTimer':
        return;
      case 'instanceState': {
        this.instances[output.instance].state = output.state;
        this.pushInstanceView(output.instance);
        this.traceEvent(output.instance, 'instance.state', { state: output.state });
        this.markElement(`instance:${output.instance}`);
        return;
      }
      case 'hubNextHop':
        this.instances[output.instance].hubUsable = output.usable;
        this.traceEvent(output.instance, 'hub.nextHop', { usable: output.usable });
        this.pushInstanceView(output.instance);
        return;
      case 'gracefulShutdown': {
        const instance = this.instances[output.instance];
        for (const session of this.sessions) if (session.instance === output.instance) session.azure.stop();
        // Tunnels with a partner on the other instance go now; a single tunnel keeps carrying until the IP moves.
        if (!this.ipMoves[output.instance]) {
          for (const tunnel of this.tunnelsByIp.get(instance.publicIp) ?? []) tunnel.link.ike.stop('a');
        }
        this.traceEvent(output.instance, 'instance.graceful');
        return;
      }
      case 'powerOff':
        this.powerOff(output.instance, output.silent);
        return;
      case 'powerOn':
        this.powerOn(output.instance);
        return;
      case 'releaseIp':
        for (const tunnel of this.tunnelsByIp.get(output.ip) ?? []) tunnel.link.ike.stop('a');
        return;
      case 'ipOwner': {
        this.traceEvent(output.ip, 'ip.owner', { owner: output.owner });
        for (const tunnel of this.tunnelsByIp.get(output.ip) ?? []) {
          if (output.owner === null) tunnel.link.crash('a');
          else tunnel.link.revive('a');
          this.markElement(tunnel.element);
          this.markOffers(tunnel);
        }
        return;
      }
      case 'rejected':
        this.traceEvent('gateway', 'gateway.rejected', { reason: output.reason });
        return;
      default:
        assertNever(output, 'gateway output');
    }
  }

  private powerOff(id: InstanceId, silent: boolean): void {
    const instance = this.instances[id];
    for (const ip of this.controller.ipsOf(id)) {
      for (const tunnel of this.tunnelsByIp.get(ip) ?? []) {
        // Planned: whatever is still up is deleted properly before the lights go out.
        if (!silent) tunnel.link.ike.stop('a');
        tunnel.link.crash('a');
      }
    }
    for (const session of this.sessions) if (session.instance === id) session.azure.crash();
    instance.host.crash();
    // The hub keeps the instance's last routes until the platform notices (offers stay frozen).
  }

  private powerOn(id: InstanceId): void {
    const instance = this.instances[id];
    instance.host.reboot();
    instance.rib = this.azureRib();
    for (const ip of this.controller.ipsOf(id)) {
      for (const tunnel of this.tunnelsByIp.get(ip) ?? []) tunnel.link.revive('a');
    }
    for (const session of this.sessions) if (session.instance === id) session.azure.reboot();
    for (const ip of this.controller.ipsOf(id))
      for (const tunnel of this.tunnelsByIp.get(ip) ?? []) this.markOffers(tunnel);
  }

  // ---------------------------------------------------------------------------
  // Protocol events
  // ---------------------------------------------------------------------------

  private onTunnel(change: TunnelChange): void {
    const { tunnel: link, side, output } = change;
    const tunnel = this.tunnelById.get(link.id);
    if (!tunnel) return;
    if (output.kind === 'childSa' || output.kind === 'tunnel') this.markForwarding(tunnel);
    if (output.kind !== 'tunnel') return;
    if (side === 'a') {
      this.markOffers(tunnel);
    } else {
      this.markDevice(tunnel.device);
      // BGP sourced from the tunnel interface dies with it (the seed's reason to prefer a loopback).
      if (!output.up && tunnel.device.bgpAddressOn === 'tunnel') tunnel.session?.device.dropConnections();
    }
    if (link.dataCapable) this.retryBlockedTcp();
  }

  private onSpeaker(
    session: SessionNode,
    side: 'azure' | 'device',
    end: BgpSpeakerEnd,
    event: SpeakerEvent,
  ): void {
    switch (event.kind) {
      case 'established': {
        this.traceEvent(end.name, 'bgp.established', {
          holdTimeSec: event.negotiated.holdTimeSec,
          keepaliveSec: event.negotiated.keepaliveSec,
        });
        const announcement =
          side === 'azure' ? this.azureAdvertisement(session) : this.deviceAdvertisement(session);
        // 4-octet AS paths are the larger encoding, so packing for them fits either session.
        for (const update of packAnnouncement(announcement, { fourOctetAs: true, externalPeer: true })) {
          end.announce(update);
        }
        return;
      }
      case 'update': {
        const changes = this.ribFor(session, side).applyUpdate(this.ribPeer(session, side), event.update);
        this.afterRibChange(session, side, changes);
        return;
      }
      case 'down': {
        const reason = event.reason;
        const words =
          reason.kind === 'transportClosed'
            ? 'transport closed'
            : `${reason.kind === 'notificationSent' ? 'sent' : 'received'} ${describeNotification(reason.notification)}`;
        if (side === 'azure') session.lastAzureDown = words;
        this.traceEvent(end.name, 'bgp.down', { reason: words });
        const changes = this.ribFor(session, side).withdrawPeer(session.id);
        this.afterRibChange(session, side, changes);
        return;
      }
      case 'state':
        this.traceEvent(end.name, 'bgp.state', { from: event.from, to: event.to, reason: event.reason });
        return;
      case 'connect':
      case 'close':
      case 'accepted':
        return;
      case 'rejected':
        this.traceEvent(end.name, 'bgp.rejected', { reason: event.reason });
        return;
      case 'routeRefresh':
        return;
      case 'decodeWarning':
        this.traceEvent(end.name, 'bgp.decodeWarning', { warnings: event.warnings.join('; ') });
        return;
      default:
        assertNever(event, 'speaker event');
    }
  }

  private ribFor(session: SessionNode, side: 'azure' | 'device'): Rib {
    return side === 'azure' ? this.instances[session.instance].rib : session.tunnel.device.rib;
  }

  private ribPeer(session: SessionNode, side: 'azure' | 'device'): RibPeer {
    if (side === 'azure') {
      const device = session.tunnel.device;
      return {
        key: session.id,
        address: device.bgpAddress ?? '0.0.0.0',
        bgpId: device.bgpAddress ?? '0.0.0.0',
        asn: device.asn ?? 0,
      };
    }
    return { key: session.id, address: session.azureBgpIp, bgpId: session.azureBgpIp, asn: AZURE.bgp.asn };
  }

  private afterRibChange(
    session: SessionNode,
    side: 'azure' | 'device',
    changes: readonly RouteChange[],
  ): void {
    if (changes.length === 0) return;
    if (side === 'azure') this.markOffers(session.tunnel);
    else this.markDevice(session.tunnel.device);
  }

  /** What Azure announces to a site: the hub and its VNets, from AS 65515, next hop its BGP address. */
  private azureAdvertisement(session: SessionNode): BgpUpdate {
    return {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [AZURE.bgp.asn] }],
        nextHop: session.azureBgpIp,
      },
      nlri: this.azurePrefixes,
    };
  }

  private deviceAdvertisement(session: SessionNode): BgpUpdate {
    const device = session.tunnel.device;
    return {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [device.asn ?? 0] }],
        nextHop: device.bgpAddress ?? '0.0.0.0',
      },
      nlri: device.advertisedPrefixes,
    };
  }

  // ---------------------------------------------------------------------------
  // TCP fabric
  // ---------------------------------------------------------------------------

  nextConnectionId(): number {
    return ++this.tcpIds;
  }

  blocked(conn: TcpConnection<Uint8Array>): void {
    this.blockedTcp.add(conn);
  }

  private retryBlockedTcp(): void {
    if (this.blockedTcp.size === 0) return;
    const pending = [...this.blockedTcp];
    this.blockedTcp.clear();
    for (const conn of pending) conn.retry();
  }

  // ---------------------------------------------------------------------------
  // Routing state → data plane
  // ---------------------------------------------------------------------------

  /** Binds the data plane; from now on every change re-resolves the flows it touches. */
  attachDataplane(dataplane: Dataplane): void {
    this.flushNow();
    this.dataplane = dataplane;
    dataplane.observeOccupancy((element, occupied) => {
      const tunnel = this.tunnelByElement.get(element);
      if (tunnel) tunnel.link.carriesTraffic = occupied;
    });
    dataplane.start(this.sim.nowMs);
  }

  private markOffers(tunnel: TunnelNode): void {
    this.dirtyOffers.add(tunnel);
    this.scheduleFlush();
  }

  private pushInstanceView(id: InstanceId): void {
    const instance = this.instances[id];
    this.hub.setInstanceView(id, { usable: instance.hubUsable, draining: instance.state === 'draining' });
    this.scheduleFlush();
  }

  private markDevice(device: DeviceNode): void {
    this.dirtyDevices.add(device);
    this.scheduleFlush();
  }

  private markElement(element: string): void {
    this.dirtyElements.add(element);
    this.scheduleFlush();
  }

  /** The tunnel's SAs changed: its flows move only if that changed whether or which establishment carries ESP. */
  private markForwarding(tunnel: TunnelNode): void {
    this.dirtyForwarding.add(tunnel);
    this.scheduleFlush();
  }

  private markGroup(direction: FlowSpec['direction'], location: string): void {
    this.dirtyGroups.add(`${direction}|${location}`);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    // Same millisecond, after everything already queued for it: flows see the settled state.
    this.sim.schedule(0, () => this.flushNow(), 'flush');
  }

  private flushNow(): void {
    this.flushPending = false;
    this.updateHub();
    for (const device of this.dirtyDevices) {
      // Rebuilt (one built since the last flush may predate the change), but flows move only if it differs.
      device.fib = undefined;
      if (this.fibChanged(device)) this.dirtyGroups.add(`toAzure|${device.location}`);
      this.trackUplink(device);
    }
    this.dirtyDevices.clear();
    for (const tunnel of this.dirtyForwarding) {
      const forwarding = forwardingOf(tunnel.link);
      if (forwarding === tunnel.flushedForwarding) continue;
      tunnel.flushedForwarding = forwarding;
      this.dirtyElements.add(tunnel.element);
    }
    this.dirtyForwarding.clear();
    const dataplane = this.dataplane;
    if (dataplane) {
      const now = this.sim.nowMs;
      for (const group of this.dirtyGroups) {
        const [direction, location] = group.split('|') as [FlowSpec['direction'], string];
        dataplane.groupChanged(direction, location, now);
      }
      for (const element of this.dirtyElements) dataplane.elementChanged(element, now);
    }
    this.dirtyGroups.clear();
    this.dirtyElements.clear();
  }

  /** Brings the hub table up to date with the tunnels whose offers changed, and marks the traffic it moves. */
  private updateHub(): void {
    for (const tunnel of this.dirtyOffers) {
      const owner = this.controller.ownerOf(tunnel.azureIp);
      for (const id of INSTANCES) {
        const state = this.instances[id].state;
        // An instance that died keeps offering what it offered: the hub does not know yet, and goes on
        // sending there until the platform's detection delay has passed (then it stops using it at all).
        if (state !== 'up' && state !== 'draining') continue;
        this.hub.setTunnelOffers(`${tunnel.id}@${id}`, id === owner ? this.offersOf(tunnel, id) : []);
      }
    }
    this.dirtyOffers.clear();
    const changes = this.hub.commit();
    if (changes.length === 0) return;
    this.traceEvent('hub', 'hub.routes', { changed: changes.map((c) => c.prefix).join(' ') });
    for (const { prefix, route } of changes) {
      const parsed = parseIpv4Prefix(prefix);
      if (!parsed.ok) continue;
      const { address, length } = parsed.value;
      if (route) {
        this.hubTable.set(address, length, {
          route,
          instances: route.instances.map((id) => ({
            id,
            hash: hashString(id),
            tunnels: (route.tunnelsByInstance.get(id) ?? []).flatMap((t) => this.tunnelById.get(t) ?? []),
          })),
        });
      } else this.hubTable.delete(address, length);
      this.locationIndex.forEachOverlapping(address, length, (locations) => {
        for (const location of locations) this.dirtyGroups.add(`toSite|${location.name}`);
      });
    }
  }

  /**
   * What a tunnel lets the instance carrying it forward: its static prefixes and
   * the routes learned over its BGP session, while the Azure end is up.
   */
  private offersOf(tunnel: TunnelNode, owner: InstanceId): HubOffer[] {
    if (!tunnel.link.azureUp) return [];
    const instance = this.instances[owner];
    const site = tunnel.device.location;
    const offers: HubOffer[] = tunnel.resolved.staticPrefixes.map((prefix) => ({
      prefix,
      instance: owner,
      tunnel: tunnel.id,
      site,
      source: 'static' as const,
      asPathLength: 0,
    }));
    const session = tunnel.session;
    if (session && session.instance === owner) {
      for (const route of instance.rib.adjRibInOf(session.id).values()) {
        // Azure ignores a path that already went through its own AS (RFC 4271 §9.1.2 loop check).
        if (route.attributes.asPath?.some((segment) => segment.asns.includes(AZURE.bgp.asn))) continue;
        offers.push({
          prefix: route.prefix,
          instance: owner,
          tunnel: tunnel.id,
          site,
          source: 'bgp',
          asPathLength: route.asPathLength,
        });
      }
    }
    return offers;
  }

  /** A device's forwarding towards Azure: per Azure prefix, the tunnels it may use, in preference order. */
  deviceFib(device: DeviceNode): PrefixTrie<readonly TunnelNode[]> {
    const cached = device.fib;
    if (cached) return cached;
    const fib = buildDeviceFib<TunnelNode>({
      alive: device.alive,
      deadTunnelRoutes: device.deadTunnelRoutes,
      staticTunnels: device.tunnels.filter((t) => !t.resolved.linkConnection.enableBgp && t.link.deviceUp),
      azurePrefixes: this.azurePrefixes,
      bgpRoutes: [...device.rib.entries()].map((entry) => ({
        prefix: entry.prefix,
        paths: entry.paths.flatMap((path) => {
          const session = this.sessionById.get(path.peer.key);
          return session ? [{ tunnel: session.tunnel, tunnelUp: session.tunnel.link.deviceUp }] : [];
        }),
      })),
    });
    device.fib = fib;
    return fib;
  }

  /**
   * After something that may change a device's FIB (a tunnel of it went up or
   * down, its RIB changed, it failed or came back): whether what the site's
   * flows read of the device — its FIB and whether it is alive; the LAN's view
   * moves them by itself — really is different. Half the time it is not (the
   * BGP session over a tunnel DPD already declared dead ends later; a tunnel is
   * back before its session), and re-resolving the site's flows against the
   * same FIB moves none of them.
   */
  private fibChanged(device: DeviceNode): boolean {
    // The FIB holds routes for the Azure prefixes and the device's BGP prefixes only: read them all back.
    // It is built here to be read and then dropped again: when it is next built stays as it was (a LAN
    // check between flushes builds it from the state of that moment).
    const fib = this.deviceFib(device);
    device.fib = undefined;
    const prefixes = new Set(this.azurePrefixes);
    for (const entry of device.rib.entries()) prefixes.add(entry.prefix);
    // Whether the device is alive is not in the FIB, but the site's flows pick a device by it.
    let key = device.alive ? 'alive;' : 'dead;';
    for (const prefix of [...prefixes].sort()) {
      const parsed = parseIpv4Prefix(prefix);
      const tunnels = parsed.ok ? fib.get(parsed.value.address, parsed.value.length) : undefined;
      if (tunnels) key += `${prefix}=${tunnels.map((t) => t.id).join(',')};`;
    }
    if (key === device.fibKey) return false;
    device.fibKey = key;
    return true;
  }

  // ---------------------------------------------------------------------------
  // Where a flow goes (scenario/flow-resolver.ts)
  // ---------------------------------------------------------------------------

  hubEntry(address: number): HubEntry | undefined {
    return this.hubTable.lookup(address)?.value;
  }

  ownerOf(ip: string): InstanceId | null {
    return this.controller.ownerOf(ip);
  }

  locationOf(site: string): Location | undefined {
    return this.locationOfSite.get(site) ?? this.locations.find((l) => l.name === site);
  }

  /** The hub's current route for an address, for reports and tests. */
  hubRouteFor(address: number): HubRoute | undefined {
    return this.hubTable.lookup(address)?.value.route;
  }

  private traceEvent(
    source: string,
    event: string,
    detail?: Record<string, string | number | boolean | null>,
  ): void {
    if (!this.sim.trace.enabled) return;
    this.sim.trace.record({ atMs: this.sim.nowMs, source, event, ...(detail ? { detail } : {}) });
  }
}

/** The link state paths through a tunnel depend on, as one number (see TunnelNode.flushedForwarding). */
function forwardingOf(link: TunnelLink): number {
  return link.generation * 2 + (link.dataCapable ? 1 : 0);
}
