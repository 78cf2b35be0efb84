/**
 * Realises a lab plan (lab-plan.ts) in network namespaces: the internet bridge, the two
 * instances with their public IPs and IKE NAT, a tunnel namespace and charon per
 * Azure-side tunnel, the hub router and the VNet hosts, and per remote device its edge
 * (public IP), tunnel namespaces and charons, router (BIRD or FRR on the exporter's
 * own config) and LAN host. The BGP agents and everything that changes at run time
 * belong to the lab controller (lab-controller.ts).
 */
import { renderSwanctlConf as renderDeviceSwanctl } from '../export/strongswan.ts';
import type { InstanceId } from '../model/azure-defaults.ts';
import { Bird } from './bird.ts';
import { assertIfName, assertIpv4 } from './exec.ts';
import { Frr } from './frr.ts';
import {
  type AzureTunnelPlan,
  type CarrierPlan,
  type DeviceLabPlan,
  type DeviceTunnelPlan,
  INSTANCES,
  type LabPlan,
  type LinkPlan,
  type LocationPlan,
} from './lab-plan.ts';
import type { Lab } from './netns.ts';
import { ikeNatTable, type PublicIpForward, publicIpNatTable } from './nft.ts';
import {
  Charon,
  type IkeTiming,
  type IpsecTunnelConfig,
  ikeTimingFor,
  renderSwanctlConf as renderAzureSwanctl,
} from './strongswan.ts';
import { plumbTunnelNamespace } from './tunnel.ts';

/** The device's routing daemon, BIRD or FRR, behind one face. */
export type DeviceRouter = Bird | Frr;

export interface BuildTimings {
  readonly namespacesMs: number;
  readonly linksMs: number;
  readonly routesMs: number;
  readonly daemonsMs: number;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function inBatches<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** strongswan.conf's retransmission settings as the exporter wrote them (profile lab). */
export function exportedRetransmit(strongswanConf: string): {
  timeoutSeconds: number;
  base: number;
  tries: number;
} {
  const value = (key: string): number => {
    const match = new RegExp(`^\\s*${key}\\s*=\\s*([\\d.]+)\\s*$`, 'm').exec(strongswanConf);
    if (!match) throw new Error(`the exported strongswan.conf has no ${key}`);
    return Number(match[1]);
  };
  return {
    timeoutSeconds: value('retransmit_timeout'),
    base: value('retransmit_base'),
    tries: value('retransmit_tries'),
  };
}

/**
 * The device side of one tunnel in the exporter's words: swanctl.conf rendered by the
 * exporter for this one tunnel (each tunnel has its own charon here), with local_addrs
 * set to the tunnel namespace's own address behind the edge's NAT — what the file's
 * comment tells a device behind NAT to do; its IKE id stays the public IP.
 */
export function deviceSwanctlConf(device: DeviceLabPlan, tunnel: DeviceTunnelPlan, psk: string): string {
  const text = renderDeviceSwanctl({ ...device.export, tunnels: [tunnel.export] }, 'lab', {
    kind: 'value',
    secret: psk,
  });
  const line = `    local_addrs = ${assertIpv4(tunnel.export.localAddress)}\n`;
  const parts = text.split(line);
  if (parts.length !== 2)
    throw new Error(`exported swanctl.conf for ${tunnel.export.name}: expected one local_addrs line`);
  return parts.join(`    local_addrs = ${assertIpv4(tunnel.underlay.b.address)}\n`);
}

/** The device charon's timing: the exported strongswan.conf's retransmissions, the tunnel's dpd_delay. */
export function deviceTiming(device: DeviceLabPlan, tunnel: DeviceTunnelPlan): IkeTiming {
  const conf = device.files['strongswan.conf'];
  if (conf === undefined) throw new Error(`device ${device.name}: no exported strongswan.conf`);
  const r = exportedRetransmit(conf);
  return {
    dpdTimeoutSeconds: tunnel.export.dpdTimeoutSeconds,
    dpdDelaySeconds: tunnel.export.dpdDelaySeconds,
    retransmitTimeoutSeconds: r.timeoutSeconds,
    retransmitBase: r.base,
    retransmitTries: r.tries,
    deadAfterSeconds: tunnel.export.dpdDelaySeconds + (r.tries + 1) * r.timeoutSeconds,
  };
}

/** Azure's end of a tunnel: initiator and responder unless the link connection says otherwise. */
export function azureTunnelConfig(
  tunnel: AzureTunnelPlan,
  carrier: CarrierPlan,
  psk: string,
): IpsecTunnelConfig {
  const lc = tunnel.linkConnection;
  const responderOnly = lc.vpnLinkConnectionMode === 'ResponderOnly';
  return {
    name: tunnel.connectionName,
    localAddress: carrier.underlay.b.address,
    localId: tunnel.azureIp,
    remoteAddress: tunnel.devicePublicIp,
    remoteId: tunnel.devicePublicIp,
    psk,
    timing: ikeTimingFor(lc.dpdTimeoutSeconds),
    ikeLifetimeSeconds: lc.ipsec.ikeSaLifeTimeSeconds,
    childLifetimeSeconds: lc.ipsec.saLifeTimeSeconds,
    startAction: responderOnly ? 'none' : 'start',
    closeAction: responderOnly ? 'none' : 'start',
    dpdAction: responderOnly ? 'clear' : 'restart',
  };
}

export class LabNetwork {
  private constructor(
    readonly lab: Lab,
    readonly plan: LabPlan,
  ) {}

  /** A handle on a lab already built (by this or another process). */
  static attach(lab: Lab, plan: LabPlan): LabNetwork {
    return new LabNetwork(lab, plan);
  }

  ns(role: string): string {
    return this.lab.netns(role);
  }

  azureCharon(carrier: CarrierPlan): Charon {
    return Charon.existing(this.lab, this.ns(carrier.role), carrier.charonName);
  }

  deviceCharon(tunnel: DeviceTunnelPlan): Charon {
    return Charon.existing(this.lab, this.ns(tunnel.role), tunnel.charonName);
  }

  router(device: DeviceLabPlan): DeviceRouter {
    return device.routing === 'frr'
      ? Frr.existing(this.lab, this.ns(device.role), device.daemonName)
      : Bird.existing(this.lab, this.ns(device.role), device.daemonName);
  }

  /** Builds everything but the BGP agents; returns how long each phase took. */
  static async build(lab: Lab, plan: LabPlan): Promise<{ network: LabNetwork; timings: BuildTimings }> {
    const network = new LabNetwork(lab, plan);
    let mark = performance.now();
    const lap = (): number => {
      const now = performance.now();
      const elapsed = now - mark;
      mark = now;
      return Math.round(elapsed);
    };
    await inBatches(plan.roles, 8, async (role) => {
      await lab.addNamespace(role);
    });
    const namespacesMs = lap();
    await network.buildLinks();
    const linksMs = lap();
    await network.buildRoutes();
    const routesMs = lap();
    await network.startDaemons();
    const daemonsMs = lap();
    return { network, timings: { namespacesMs, linksMs, routesMs, daemonsMs } };
  }

  private async veth(link: LinkPlan): Promise<void> {
    await this.lab.addVeth(
      { netns: this.ns(link.a.role), ifname: link.a.ifname, cidr: `${link.a.address}/30` },
      { netns: this.ns(link.b.role), ifname: link.b.ifname, cidr: `${link.b.address}/30` },
    );
  }

  /** The site LAN host's default route: ECMP over these devices (the LAN's view of who serves). */
  async setLanGateways(location: LocationPlan, devices: readonly DeviceLabPlan[]): Promise<void> {
    if (devices.length === 0) return;
    const hops = devices.map((d) => ({ via: d.lanAddress, dev: 'lan' }));
    const [only] = hops;
    await this.lab.replaceRoute(
      this.ns(location.hostRole),
      hops.length === 1 && only
        ? { dst: 'default', via: only.via, dev: 'lan', src: location.hostAddress }
        : { dst: 'default', nexthops: hops, src: location.hostAddress },
    );
  }

  private async buildLinks(): Promise<void> {
    const { lab, plan } = this;
    const inet = this.ns('inet');
    await lab.addBridge(inet, 'br0');
    // Each site LAN: a bridge with the host and every device of the place on it.
    for (const location of plan.locations) {
      const lanNs = this.ns(location.role);
      await lab.addBridge(lanNs, 'br0');
      await lab.addVeth(
        { netns: lanNs, ifname: 'host' },
        { netns: this.ns(location.hostRole), ifname: 'lan', cidr: `${location.hostLanAddress}/24` },
      );
      await lab.setMaster(lanNs, 'host', 'br0');
      for (const device of plan.devices.filter((d) => d.location === location.name)) {
        await lab.addVeth(
          { netns: lanNs, ifname: device.lanPort },
          { netns: this.ns(device.role), ifname: 'lan', cidr: `${device.lanAddress}/24` },
        );
        await lab.setMaster(lanNs, device.lanPort, 'br0');
      }
    }
    const ports = [
      ...INSTANCES.map((id) => ({
        port: plan.instances[id].bridgePort,
        role: plan.instances[id].role,
        ip: plan.instances[id].publicIp,
      })),
      ...plan.devices.flatMap((d) =>
        d.edges.map((e) => ({ port: e.bridgePort, role: e.role, ip: e.publicIp })),
      ),
    ];
    await inBatches(ports, 4, async ({ port, role, ip }) => {
      // An instance's public IP can move away and back: only the edges' are set here for good.
      const isInstance = INSTANCES.some((id) => plan.instances[id].role === role);
      await lab.addVeth(
        { netns: inet, ifname: port },
        { netns: this.ns(role), ifname: 'inet', ...(isInstance ? {} : { cidr: `${ip}/32` }) },
      );
      await lab.setMaster(inet, port, 'br0');
    });
    await inBatches(plan.links, 8, (link) => this.veth(link));
  }

  private async buildRoutes(): Promise<void> {
    const { lab, plan } = this;
    const deviceIps = [...new Set(plan.tunnels.map((t) => t.devicePublicIp))];
    const instanceIps = INSTANCES.map((id) => plan.instances[id].publicIp);

    await inBatches(INSTANCES, 2, async (id) => {
      const instance = plan.instances[id];
      const netns = this.ns(instance.role);
      for (const address of instance.bgpAddresses) await lab.addAddress(netns, 'lo', `${address}/32`);
      for (const ip of deviceIps) await lab.addRoute(netns, { dst: `${ip}/32`, dev: 'inet' });
      for (const prefix of plan.azurePrefixes)
        await lab.addRoute(netns, { dst: prefix, via: instance.hubLink.a.address });
      // BGP to each device address over that session's tunnel (sessions do not move: BGP tunnels keep their IP).
      for (const tunnel of plan.tunnels) {
        const carrier = tunnel.carriers[id];
        if (tunnel.session?.instance !== id || !carrier) continue;
        await lab.replaceRoute(netns, {
          dst: `${tunnel.session.deviceAddress}/32`,
          via: carrier.inner.b.address,
        });
      }
    });

    const hub = this.ns('hub');
    for (const vnet of plan.vnets) {
      for (const prefix of vnet.prefixes) await lab.addRoute(hub, { dst: prefix, via: vnet.link.b.address });
      const host = this.ns(vnet.role);
      await lab.addAddress(host, 'hub', `${vnet.hostAddress}/32`);
      await lab.addRoute(host, { dst: 'default', via: vnet.link.a.address, src: vnet.hostAddress });
    }

    const carriers = plan.tunnels.flatMap((tunnel) =>
      INSTANCES.flatMap((id) => {
        const carrier = tunnel.carriers[id];
        return carrier ? [{ tunnel, carrier }] : [];
      }),
    );
    await inBatches(carriers, 4, async ({ tunnel, carrier }) => {
      await plumbTunnelNamespace(lab, {
        netns: this.ns(carrier.role),
        routerIfname: 'rtr',
        routerAddress: carrier.inner.a.address,
        peerPublicAddress: tunnel.devicePublicIp,
        underlayGateway: carrier.underlay.a.address,
        transparentHop: true,
      });
    });

    for (const device of plan.devices) {
      for (const edge of device.edges) {
        const netns = this.ns(edge.role);
        for (const ip of instanceIps) await lab.addRoute(netns, { dst: `${ip}/32`, dev: 'inet' });
        const forwards = device.tunnels
          .filter((t) => t.edgeRole === edge.role)
          .map((t) => ({ tunnelAddress: t.underlay.b.address, peerAddress: t.export.remoteAddress }));
        await lab.applyNftTable(
          netns,
          ikeNatTable({ outsideIfname: 'inet', publicAddress: edge.publicIp, forwards }),
        );
      }
      await inBatches(device.tunnels, 4, async (tunnel) => {
        const netns = this.ns(tunnel.role);
        await plumbTunnelNamespace(lab, {
          netns,
          routerIfname: 'rtr',
          routerAddress: tunnel.inner.b.address,
          peerPublicAddress: tunnel.export.remoteAddress,
          underlayGateway: tunnel.underlay.a.address,
          transparentHop: true,
        });
        // The exported routing sends into the tunnel interface without a gateway ("via ifname",
        // as over an XFRM interface): this end answers ARP for whatever lies beyond the tunnel.
        await lab.exec(netns, [
          'sysctl',
          '-q',
          '-w',
          'net.ipv4.conf.rtr.proxy_arp=1',
          'net.ipv4.neigh.rtr.proxy_delay=0',
        ]);
      });
      const router = this.ns(device.role);
      for (const address of device.export.loopbackAddresses)
        await lab.addAddress(router, 'lo', `${address}/32`);
      if (device.export.bgpAddressOn === 'tunnel') {
        for (const tunnel of device.tunnels) {
          const bgp = tunnel.export.bgp;
          if (!bgp) continue;
          await lab.exec(router, [
            'ip',
            'addr',
            'add',
            `${assertIpv4(bgp.localAddress)}/32`,
            'peer',
            `${assertIpv4(bgp.peerAddress)}/32`,
            'dev',
            assertIfName(tunnel.export.interfaceName),
          ]);
        }
      }
      // Like the exported updown.sh does to XFRM interfaces: a tunnel interface is up only while
      // its tunnel is (the controller follows charon), so routes over a dead tunnel leave at once.
      if (device.export.deadTunnelRoutes === 'withdrawOnDpd') {
        for (const tunnel of device.tunnels) await lab.setLink(router, tunnel.export.interfaceName, 'down');
      }
      const location = plan.locations.find((l) => l.name === device.location);
      if (!location) throw new Error(`device ${device.name} has no location`);
      await lab.changeRoutes(
        router,
        device.prefixes.map((prefix) => ({
          op: 'add',
          route: { dst: prefix, via: location.hostLanAddress },
        })),
      );
    }
    for (const location of plan.locations) {
      const host = this.ns(location.hostRole);
      await lab.addAddress(host, 'lan', `${location.hostAddress}/32`);
      await this.setLanGateways(
        location,
        plan.devices.filter((d) => d.location === location.name),
      );
    }

    // Each instance holds its own public IP to begin with.
    for (const id of INSTANCES) await this.setPublicIps(id, [plan.instances[id].publicIp]);
  }

  /**
   * Makes `instance` hold exactly `ips`: NAT first (a packet that beats the NAT rule makes a
   * conntrack entry every later packet of that flow follows, un-NATed), then the addresses.
   */
  async setPublicIps(
    instance: InstanceId,
    ips: readonly string[],
    previous: readonly string[] = [],
  ): Promise<void> {
    const { lab, plan } = this;
    const netns = this.ns(plan.instances[instance].role);
    const forwards: PublicIpForward[] = [];
    for (const tunnel of plan.tunnels) {
      const carrier = tunnel.carriers[instance];
      if (!carrier || !ips.includes(tunnel.azureIp)) continue;
      forwards.push({
        publicAddress: tunnel.azureIp,
        peerAddress: tunnel.devicePublicIp,
        tunnelAddress: carrier.underlay.b.address,
      });
    }
    const gone = previous.filter((ip) => !ips.includes(ip));
    for (const ip of gone) await lab.delAddress(netns, 'inet', `${ip}/32`);
    await lab.applyNftTable(netns, publicIpNatTable({ outsideIfname: 'inet', forwards }));
    for (const ip of ips) {
      if (previous.includes(ip)) continue;
      await lab.addAddress(netns, 'inet', `${ip}/32`);
      // Gratuitous ARP: the edges repoint their ARP entry for this IP at once (arping lingers ~1 s).
      void lab.announceAddress(netns, 'inet', ip).catch(() => undefined);
    }
    // Removing an interface's last IPv4 address flushes every route through it: put the
    // routes to the devices' public IPs back whenever the instance holds one again.
    if (ips.length > 0) {
      for (const ip of new Set(plan.tunnels.map((t) => t.devicePublicIp))) {
        await lab.replaceRoute(netns, { dst: `${ip}/32`, dev: 'inet' });
      }
    }
  }

  /** Starts the Azure-side charon of a tunnel on one carrier and loads its tunnel. */
  async startAzureCharon(tunnel: AzureTunnelPlan, carrier: CarrierPlan, psk?: string): Promise<Charon> {
    const lc = tunnel.linkConnection;
    const charon = await Charon.start(this.lab, {
      netns: this.ns(carrier.role),
      name: carrier.charonName,
      timing: ikeTimingFor(lc.dpdTimeoutSeconds),
    });
    if (psk !== undefined) this.writeAzureConfig(tunnel, carrier, psk);
    await charon.reload();
    return charon;
  }

  private writeAzureConfig(tunnel: AzureTunnelPlan, carrier: CarrierPlan, psk: string): void {
    this.lab.writePrivateFile(
      `${carrier.charonName}.swanctl.conf`,
      renderAzureSwanctl([azureTunnelConfig(tunnel, carrier, psk)]),
    );
  }

  async startDeviceCharon(device: DeviceLabPlan, tunnel: DeviceTunnelPlan, psk?: string): Promise<Charon> {
    const charon = await Charon.start(this.lab, {
      netns: this.ns(tunnel.role),
      name: tunnel.charonName,
      timing: deviceTiming(device, tunnel),
    });
    if (psk !== undefined) {
      this.lab.writePrivateFile(`${tunnel.charonName}.swanctl.conf`, deviceSwanctlConf(device, tunnel, psk));
    }
    await charon.reload();
    return charon;
  }

  async startRouter(device: DeviceLabPlan): Promise<DeviceRouter> {
    const netns = this.ns(device.role);
    if (device.routing === 'frr') {
      const text = device.files['frr.conf'];
      if (text === undefined) throw new Error(`device ${device.name}: no exported frr.conf`);
      return Frr.start(this.lab, { netns, name: device.daemonName, text });
    }
    const text = device.files['bird.conf'];
    if (text === undefined) throw new Error(`device ${device.name}: no exported bird.conf`);
    return Bird.startExported(this.lab, { netns, name: device.daemonName, text });
  }

  private async startDaemons(): Promise<void> {
    const { plan } = this;
    const psk = plan.psk.reveal();
    // Configs for every carrier are written now, idle ones included: a charon started later
    // (a rebooted instance, a moved public IP) loads the same file, and the PSK goes nowhere else.
    const jobs: (() => Promise<unknown>)[] = [];
    for (const tunnel of plan.tunnels) {
      for (const id of INSTANCES) {
        const carrier = tunnel.carriers[id];
        if (!carrier) continue;
        if (id === tunnel.instance) jobs.push(() => this.startAzureCharon(tunnel, carrier, psk));
        else this.writeAzureConfig(tunnel, carrier, psk);
      }
    }
    for (const device of plan.devices) {
      for (const tunnel of device.tunnels) jobs.push(() => this.startDeviceCharon(device, tunnel, psk));
      jobs.push(() => this.startRouter(device));
    }
    await inBatches(jobs, 4, async (job) => {
      await job();
    });
  }
}
