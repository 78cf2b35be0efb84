/**
 * The Azure platform of the live lab: the simulator's GatewayController (sans-IO,
 * gateway/controller.ts) driven by real timers, its outputs carried out on real
 * namespaces and daemons, and the hub's routes kept in line with what the BGP agents
 * learn and what charon reports — the world's job (scenario/world.ts), done for real.
 *
 *   gracefulShutdown  SIGTERM the instance's BGP agent (Cease to every neighbour); for
 *                     tunnels with a partner on the other instance, unload the charon's
 *                     connection and terminate the IKE SA (DELETE): the peer learns at once
 *                     and its re-initiation finds no connection, as the simulator's stopped
 *                     endpoint "answers nothing"
 *   powerOff          planned: DELETE whatever is still up; then nft drop-all in the
 *                     instance namespace and its tunnel namespaces, SIGKILL the agent
 *   powerOn           SIGKILL the old charons, lift the drops, start fresh charons for the
 *                     public IPs the instance holds and a fresh agent
 *   releaseIp         unload + terminate (DELETE) the tunnels on that IP
 *   ipOwner           move the public IP (NAT first, then the address and a gratuitous
 *                     ARP); the new holder's tunnel namespaces get fresh charons
 *   hubNextHop        the hub router's multipath routes are recomputed
 *
 * Tunnel state is polled (`swanctl --list-sas`, every `pollIntervalMs`, 250 ms by
 * default): that interval is part of the lab's own detection delay. BGP state comes as
 * JSON events from each agent's stdout, at once.
 */

import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  GatewayController,
  type GatewayInput,
  type GatewayOutput,
  type GatewayTimer,
  type InstanceState,
} from '../gateway/controller.ts';
import { AZURE, type InstanceId } from '../model/azure-defaults.ts';
import { assertNever } from '../protocols/core.ts';
import type { AgentConfig } from './bgp-agent-main.ts';
import { Bird } from './bird.ts';
import { sleep, waitFor } from './exec.ts';
import { Frr } from './frr.ts';
import {
  type AgentRib,
  type ForwardingPlan,
  forwardingPlan,
  type HubOffer,
  hubRoutes,
  type InstanceView,
  offersOf,
} from './lab-hub.ts';
import {
  type AzureTunnelPlan,
  carriersOn,
  type DeviceLabPlan,
  type DeviceTunnelPlan,
  deviceRoles,
  INSTANCES,
  type SessionPlan,
  sessionsOf,
} from './lab-plan.ts';
import type { LabNetwork } from './lab-topology.ts';
import type { NextHop, RouteSpec } from './netns.ts';
import { blackholeNetns, bridgePortDropTable, restoreNetns } from './nft.ts';
import { RealTimers } from './real-timers.ts';
import type { Charon, IkeSaStatus } from './strongswan.ts';
import { nodeScriptArgv } from './traffic/node-argv.ts';

export const DEFAULT_POLL_INTERVAL_MS = 250;

/** Something that happened in the lab, for reports and the twin check (epoch ms). */
export interface LabEvent {
  readonly atEpochMs: number;
  readonly source: string;
  readonly event: string;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface LabControllerOptions {
  readonly pollIntervalMs?: number;
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

interface AgentEvent {
  readonly kind: string;
  readonly epochMs?: number;
  readonly neighbor?: string;
  readonly nlri?: readonly string[];
  readonly withdrawn?: readonly string[];
  readonly asPath?: readonly number[];
  readonly reason?: string;
  readonly code?: number;
  readonly subcode?: number;
  /** NOTIFICATION data (hex) and name, on `down`; the whole message's bytes (hex) on `notificationSent`. */
  readonly data?: string;
  readonly notification?: string;
  readonly bytes?: string;
}

/** How a BGP session last went down, as the instance's agent saw it. */
export interface SessionDown {
  readonly atEpochMs: number;
  /** notificationSent, notificationReceived or transportClosed. */
  readonly reason: string;
  readonly code: number | null;
  readonly subcode: number | null;
  /** As the simulator traces `bgp.down`: "sent Cease / Maximum Number of Prefixes Reached (6/1)", "transport closed". */
  readonly text: string;
  /** The NOTIFICATION the agent wrote to the socket (hex), when it sent one. */
  readonly bytes?: string;
}

/** One BGP session as the Azure side sees it (`lab up` prints these). */
export interface SessionStatus {
  readonly tunnelId: string;
  readonly instance: InstanceId;
  readonly azureAddress: string;
  readonly deviceAddress: string;
  readonly established: boolean;
  /** Prefixes the agent holds from the device (its Adj-RIB-In). */
  readonly prefixes: number;
  /** How often the session went down since the lab started. */
  readonly drops: number;
  /** Connections from the device the agent refused since the session last went down. */
  readonly refused: number;
  readonly lastDown?: SessionDown;
  /**
   * The agent sent Cease / Maximum Number of Prefixes Reached: it now refuses the
   * device's connections and opens none until it restarts (an instance power-on), as the
   * simulator's speaker does (no `maxPrefixRestartSec`).
   */
  readonly heldDown: boolean;
}

/** One observation of a device-side tunnel: which IKE SA carries it (null: none established). */
export interface TunnelGeneration {
  readonly atEpochMs: number;
  readonly ikeSa: number | null;
}

function isUp(sas: readonly IkeSaStatus[]): IkeSaStatus | undefined {
  return sas.find((sa) => sa.state === 'ESTABLISHED' && sa.children.some((c) => c.state === 'INSTALLED'));
}

export class LabController {
  readonly timeline: LabEvent[] = [];
  readonly gateway: GatewayController;
  private readonly plan: LabNetwork['plan'];
  private readonly pollIntervalMs: number;
  private readonly log: (line: string) => void;
  private readonly timers = new RealTimers<GatewayTimer>((timer) => this.deliver({ kind: 'timer', timer }));
  private queue: Promise<void> = Promise.resolve();
  private readonly states: Record<InstanceId, InstanceState> = { IN_0: 'up', IN_1: 'up' };
  private readonly hubUsable: Record<InstanceId, boolean> = { IN_0: true, IN_1: true };
  /** Powered (not blackholed): the lab's side of the instance's lifecycle. */
  private readonly powered: Record<InstanceId, boolean> = { IN_0: true, IN_1: true };
  private readonly offers: Record<InstanceId, HubOffer[]> = { IN_0: [], IN_1: [] };
  private readonly ribs: Record<InstanceId, Map<string, Map<string, number>>> = {
    IN_0: new Map(),
    IN_1: new Map(),
  };
  private readonly established: Record<InstanceId, Set<string>> = { IN_0: new Set(), IN_1: new Set() };
  private readonly agents: Partial<Record<InstanceId, ChildProcess>> = {};
  /** Who holds each public IP in the namespaces right now (null: nobody, it is moving). */
  private readonly ipHolder = new Map<string, InstanceId | null>();
  private readonly azureUp = new Map<string, boolean>();
  private readonly deviceUp = new Map<string, boolean>();
  private readonly deviceLinkUp = new Map<string, boolean>();
  private readonly deviceAlive = new Map<string, boolean>();
  /** Whether each device has a route to Azure now (polled), and whether its site LAN uses it. */
  private readonly deviceServes = new Map<string, boolean>();
  private readonly lanUses = new Map<string, boolean>();
  private readonly lanTimers = new Map<string, NodeJS.Timeout>();
  private readonly pathsDown = new Set<string>();
  readonly generations = new Map<string, TunnelGeneration[]>();
  /** When each agent last sent a KEEPALIVE to each neighbour (epoch ms), by `<instance>|<neighbour>`. */
  private readonly keepaliveSent = new Map<string, number>();
  /** When each agent last heard a message from each neighbour (epoch ms): its hold timer restarted then. */
  private readonly heard = new Map<string, number>();
  /** Per `<instance>|<neighbour>`: how the session last went down, how often, the last NOTIFICATION sent. */
  private readonly lastDown = new Map<string, SessionDown>();
  private readonly drops = new Map<string, number>();
  private readonly notificationSent = new Map<string, string>();
  private readonly refused = new Map<string, number>();
  /** Sessions the agent holds down after the prefix limit (Cease/1), by `<instance>|<neighbour>`. */
  private readonly heldDown = new Set<string>();
  private installed: ForwardingPlan = { hub: new Map(), instances: { IN_0: new Map(), IN_1: new Map() } };
  private recomputePending = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    readonly network: LabNetwork,
    options: LabControllerOptions = {},
  ) {
    this.plan = network.plan;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.log = options.log ?? (() => {});
    const { plan } = this;
    this.gateway = new GatewayController({
      timings: plan.timers.platform,
      publicIps: { IN_0: plan.instances.IN_0.publicIp, IN_1: plan.instances.IN_1.publicIp },
      ipMovesOnFailure: plan.ipMoves,
    });
    for (const id of INSTANCES) this.ipHolder.set(plan.instances[id].publicIp, id);
    for (const device of plan.devices) this.deviceAlive.set(device.name, true);
  }

  // ---------------------------------------------------------------------------
  // Life cycle
  // ---------------------------------------------------------------------------

  /** Starts both agents and the tunnel poller; the hub follows from then on. */
  async start(): Promise<void> {
    await Promise.all(INSTANCES.map((id) => this.startAgent(id)));
    this.schedulePoll(0);
  }

  /** Stops timers, the poller and the agents (SIGKILL: teardown follows, nobody needs a Cease). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
    for (const timer of this.lanTimers.values()) clearTimeout(timer);
    this.lanTimers.clear();
    clearTimeout(this.pollTimer);
    await this.queue.catch(() => undefined);
    for (const id of INSTANCES) await this.killAgent(id);
  }

  private record(source: string, event: string, detail?: LabEvent['detail']): void {
    this.timeline.push({ atEpochMs: Date.now(), source, event, ...(detail ? { detail } : {}) });
    this.log(`${source} ${event}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
  }

  /** Runs lab actions one after another, in the order the controller emitted them. */
  private enqueue(what: string, action: () => Promise<void>): Promise<void> {
    const next = this.queue.then(action).catch((error: unknown) => {
      this.record('lab', 'action.failed', { action: what, error: String(error).slice(0, 500) });
    });
    this.queue = next;
    return next;
  }

  /** Resolves once every action queued so far is done. */
  settled(): Promise<void> {
    return this.queue;
  }

  // ---------------------------------------------------------------------------
  // Scenario events
  // ---------------------------------------------------------------------------

  failInstance(instance: InstanceId, mode: 'planned' | 'unplanned'): void {
    this.deliver({ kind: 'fail', instance, mode });
  }

  recoverInstance(instance: InstanceId): void {
    this.deliver({ kind: 'recover', instance });
  }

  /** A remote device dies silently: its router, tunnel and edge namespaces drop everything. */
  failDevice(name: string): Promise<void> {
    const device = this.requireDevice(name);
    return this.enqueue(`fail device ${name}`, async () => {
      if (!this.deviceAlive.get(name)) return;
      this.deviceAlive.set(name, false);
      await Promise.all(
        deviceRoles(device).map((role) => blackholeNetns(this.network.lab, this.network.ns(role))),
      );
      this.record(name, 'device.fail');
      for (const tunnel of device.tunnels) this.setDeviceUp(tunnel, false, null);
      this.trackLan(device, false);
    });
  }

  /** The device returns with no state: fresh charons and router, then the drops are lifted. */
  recoverDevice(name: string): Promise<void> {
    const device = this.requireDevice(name);
    return this.enqueue(`recover device ${name}`, async () => {
      if (this.deviceAlive.get(name)) return;
      const { lab } = this.network;
      await Promise.all([
        ...device.tunnels.map((t) => lab.killProcess(t.charonName)),
        ...routerProcesses(device).map((p) => lab.killProcess(p)),
      ]);
      const router = this.network.ns(device.role);
      if (device.export.deadTunnelRoutes === 'withdrawOnDpd') {
        for (const tunnel of device.tunnels) {
          await lab.setLink(router, tunnel.export.interfaceName, 'down');
          this.deviceLinkUp.set(tunnel.tunnelId, false);
        }
      }
      await Promise.all(deviceRoles(device).map((role) => restoreNetns(lab, this.network.ns(role))));
      this.deviceAlive.set(name, true);
      this.record(name, 'device.recover');
      await Promise.all([
        ...device.tunnels.map((t) => this.network.startDeviceCharon(device, t)),
        this.network.startRouter(device),
      ]);
    });
  }

  /** The device link's internet path is cut or restored: the internet bridge drops its frames. */
  setInternetPath(link: string, up: boolean): Promise<void> {
    const edge = this.plan.devices.flatMap((d) => d.edges).find((e) => e.link === link);
    if (!edge) throw new Error(`no site link named ${link}`);
    return this.enqueue(`path ${link} ${up ? 'up' : 'down'}`, async () => {
      if (up) this.pathsDown.delete(edge.bridgePort);
      else this.pathsDown.add(edge.bridgePort);
      await this.network.lab.applyNftTable(this.network.ns('inet'), bridgePortDropTable([...this.pathsDown]));
      this.record(link, up ? 'path.up' : 'path.down');
    });
  }

  /** Azure resets the connection: IKE DELETE, then a new SA (the device re-initiates too). */
  resetTunnel(linkConnection: string, instance: InstanceId): Promise<void> {
    const tunnel = this.plan.tunnels.find((t) => t.id === `${linkConnection}@${instance}`);
    if (!tunnel) throw new Error(`no tunnel ${linkConnection}@${instance}`);
    return this.enqueue(`reset ${tunnel.id}`, async () => {
      const holder = this.ipHolder.get(tunnel.azureIp);
      const carrier = holder ? tunnel.carriers[holder] : undefined;
      if (!carrier) return;
      const charon = this.network.azureCharon(carrier);
      this.record(tunnel.id, 'tunnel.reset');
      await charon.terminate(tunnel.connectionName, 3).catch(() => undefined);
      await charon.initiate(tunnel.connectionName).catch(() => undefined);
    });
  }

  private requireDevice(name: string): DeviceLabPlan {
    const device = this.plan.devices.find((d) => d.name === name);
    if (!device) throw new Error(`no device named ${name}`);
    return device;
  }

  // ---------------------------------------------------------------------------
  // The gateway controller on real timers
  // ---------------------------------------------------------------------------

  private deliver(input: GatewayInput): void {
    if (this.stopped) return;
    for (const output of this.gateway.handle(Date.now(), input)) {
      switch (output.kind) {
        case 'armTimer':
        case 'cancelTimer':
          this.timers.apply(output);
          break;
        default:
          this.record('gateway', output.kind, describeOutput(output));
          void this.enqueue(output.kind, () => this.carryOut(output));
      }
    }
  }

  private async carryOut(
    output: Exclude<GatewayOutput, { kind: 'armTimer' | 'cancelTimer' }>,
  ): Promise<void> {
    switch (output.kind) {
      case 'instanceState':
        this.states[output.instance] = output.state;
        await this.recompute();
        return;
      case 'hubNextHop':
        this.hubUsable[output.instance] = output.usable;
        await this.recompute();
        return;
      case 'gracefulShutdown': {
        const id = output.instance;
        const tunnels = this.plan.ipMoves[id] ? [] : this.tunnelsHeldBy(id);
        await Promise.all([this.stopAgent(id), ...tunnels.map((t) => this.deleteTunnel(t, id))]);
        return;
      }
      case 'powerOff':
        await this.powerOff(output.instance, output.silent);
        return;
      case 'powerOn':
        await this.powerOn(output.instance);
        return;
      case 'releaseIp':
        await Promise.all(
          this.plan.tunnels
            .filter((t) => t.azureIp === output.ip)
            .map((t) => this.deleteTunnel(t, output.from)),
        );
        return;
      case 'ipOwner':
        await this.moveIp(output.ip, output.owner);
        await this.recompute();
        return;
      case 'rejected':
        return;
      default:
        assertNever(output, 'gateway output');
    }
  }

  private tunnelsHeldBy(instance: InstanceId): AzureTunnelPlan[] {
    return this.plan.tunnels.filter((t) => this.ipHolder.get(t.azureIp) === instance);
  }

  /** Stops an Azure end for good: no connection loaded (nothing answered), IKE DELETE to the peer. */
  private async deleteTunnel(tunnel: AzureTunnelPlan, on: InstanceId): Promise<void> {
    const carrier = tunnel.carriers[on];
    if (!carrier || !this.network.lab.processByName(carrier.charonName)) return;
    const charon = this.network.azureCharon(carrier);
    await charon.unloadAll().catch(() => undefined);
    await charon.terminate(tunnel.connectionName, 3).catch(() => undefined);
    this.record(tunnel.id, 'tunnel.deleted', { on });
  }

  private async powerOff(id: InstanceId, silent: boolean): Promise<void> {
    const { lab } = this.network;
    if (!silent) await Promise.all(this.tunnelsHeldBy(id).map((t) => this.deleteTunnel(t, id)));
    const roles = [this.plan.instances[id].role, ...carriersOn(this.plan, id).map((c) => c.carrier.role)];
    await Promise.all(roles.map((role) => blackholeNetns(lab, this.network.ns(role))));
    this.powered[id] = false;
    await this.killAgent(id);
    for (const { tunnel } of carriersOn(this.plan, id)) this.setAzureUp(tunnel, false);
    this.record(id, 'power.off', { silent });
  }

  private async powerOn(id: InstanceId): Promise<void> {
    const { lab } = this.network;
    const carriers = carriersOn(this.plan, id);
    await Promise.all(carriers.map(({ carrier }) => lab.killProcess(carrier.charonName)));
    const roles = [this.plan.instances[id].role, ...carriers.map((c) => c.carrier.role)];
    await Promise.all(roles.map((role) => restoreNetns(lab, this.network.ns(role))));
    this.powered[id] = true;
    this.ribs[id] = new Map();
    this.established[id].clear();
    this.record(id, 'power.on');
    await Promise.all([
      ...this.tunnelsHeldBy(id).map((tunnel) => {
        const carrier = tunnel.carriers[id];
        return carrier ? this.network.startAzureCharon(tunnel, carrier) : Promise.resolve();
      }),
      this.startAgent(id),
    ]);
  }

  private async moveIp(ip: string, owner: InstanceId | null): Promise<void> {
    const { lab } = this.network;
    const previous = this.ipHolder.get(ip) ?? null;
    if (previous === owner) return;
    const held = (instance: InstanceId): string[] =>
      [...this.ipHolder].filter(([, holder]) => holder === instance).map(([address]) => address);
    const tunnels = this.plan.tunnels.filter((t) => t.azureIp === ip);
    if (previous) {
      const before = held(previous);
      this.ipHolder.set(ip, null);
      await this.network.setPublicIps(previous, held(previous), before);
      await Promise.all(
        tunnels.map((t) => {
          const carrier = t.carriers[previous];
          return carrier ? lab.killProcess(carrier.charonName) : Promise.resolve('gone' as const);
        }),
      );
      for (const tunnel of tunnels) this.setAzureUp(tunnel, false);
    }
    if (owner) {
      const before = held(owner);
      this.ipHolder.set(ip, owner);
      await this.network.setPublicIps(owner, held(owner), before);
      if (this.powered[owner]) {
        await Promise.all(
          tunnels.map(async (tunnel) => {
            const carrier = tunnel.carriers[owner];
            if (!carrier) return;
            await lab.killProcess(carrier.charonName);
            await this.network.startAzureCharon(tunnel, carrier);
          }),
        );
      }
    }
    this.record(ip, 'ip.moved', { from: previous, to: owner });
  }

  // ---------------------------------------------------------------------------
  // BGP agents
  // ---------------------------------------------------------------------------

  private agentConfig(id: InstanceId): AgentConfig {
    const { plan } = this;
    const gateway = plan.topology.vpnGateway.instances.find((i) => i.id === id);
    const localAddress = gateway?.defaultBgpIpAddress ?? plan.instances[id].bgpAddresses[0] ?? '0.0.0.0';
    return {
      localAddress,
      localAsn: AZURE.bgp.asn,
      neighbors: sessionsOf(plan, id).map((session) => ({
        ...(session.azureAddress === localAddress ? {} : { localAddress: session.azureAddress }),
        remoteAddress: session.deviceAddress,
        remoteAsn: session.deviceAsn,
        holdTimeSec: plan.timers.azureBgp.holdSeconds,
        keepaliveSec: plan.timers.azureBgp.keepaliveSeconds,
        initiate: session.azureInitiates,
        maxPrefixes: AZURE.bgp.maxPrefixesPerSession,
        advertise: [...plan.azurePrefixes],
      })),
    };
  }

  private async startAgent(id: InstanceId): Promise<void> {
    const { lab } = this.network;
    const instance = this.plan.instances[id];
    if (sessionsOf(this.plan, id).length === 0) return;
    // A fresh agent holds nobody down (the simulator's speaker reboot).
    for (const key of [...this.heldDown]) if (key.startsWith(`${id}|`)) this.heldDown.delete(key);
    const file = lab.writePrivateFile(`${instance.agentName}.json`, JSON.stringify(this.agentConfig(id)));
    const child = await lab.spawnAttached({
      name: instance.agentName,
      netns: this.network.ns(instance.role),
      argv: nodeScriptArgv('../bgp-agent-main.ts', [file]),
    });
    this.agents[id] = child;
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (this.agents[id] !== child) return;
      try {
        this.onAgentEvent(id, JSON.parse(line) as AgentEvent);
      } catch {
        this.record(instance.agentName, 'agent.garbage', { line: line.slice(0, 200) });
      }
    });
    child.once('exit', (code, signal) => {
      if (this.agents[id] === child) this.agents[id] = undefined;
      if (code !== 0 && signal === null && !this.stopped) {
        this.record(instance.agentName, 'agent.exited', { code, stderr: stderr.join('').slice(-500) });
      }
    });
    this.record(instance.agentName, 'agent.started', { pid: child.pid ?? 0 });
  }

  /** Planned: SIGTERM, the agent sends Cease to every neighbour and exits. */
  private async stopAgent(id: InstanceId): Promise<void> {
    const child = this.agents[id];
    if (!child) return;
    await this.network.lab.stopProcess(this.plan.instances[id].agentName, 2000);
    if (this.agents[id] === child) this.agents[id] = undefined;
  }

  /** Unplanned: SIGKILL, nobody is told. */
  private async killAgent(id: InstanceId): Promise<void> {
    const child = this.agents[id];
    if (!child) return;
    this.agents[id] = undefined;
    await this.network.lab.killProcess(this.plan.instances[id].agentName);
  }

  private onAgentEvent(id: InstanceId, event: AgentEvent): void {
    const neighbor = event.neighbor;
    switch (event.kind) {
      case 'keepaliveSent':
        if (neighbor) this.keepaliveSent.set(`${id}|${neighbor}`, event.epochMs ?? Date.now());
        return;
      case 'heard':
        if (neighbor) this.heard.set(`${id}|${neighbor}`, event.epochMs ?? Date.now());
        return;
      case 'established':
        if (neighbor) {
          this.established[id].add(neighbor);
          this.heldDown.delete(`${id}|${neighbor}`);
        }
        this.record(`${id}/bgp:${neighbor}`, 'bgp.established');
        return;
      case 'rejected': {
        // The agent refused a connection from the device (held down after the prefix limit, …).
        if (!neighbor) return;
        const key = `${id}|${neighbor}`;
        this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
        this.record(`${id}/bgp:${neighbor}`, 'bgp.rejected', { reason: event.reason ?? '' });
        return;
      }
      case 'notificationSent':
        if (!neighbor || !event.bytes) return;
        this.notificationSent.set(`${id}|${neighbor}`, event.bytes);
        this.record(`${id}/bgp:${neighbor}`, 'bgp.notification.sent', { bytes: event.bytes });
        return;
      case 'update': {
        if (!neighbor) return;
        const routes = this.ribs[id].get(neighbor) ?? new Map<string, number>();
        for (const prefix of event.withdrawn ?? []) routes.delete(prefix);
        for (const prefix of event.nlri ?? []) routes.set(prefix, event.asPath?.length ?? 0);
        this.ribs[id].set(neighbor, routes);
        this.record(`${id}/bgp:${neighbor}`, 'bgp.update', {
          nlri: listed(event.nlri ?? []),
          withdrawn: listed(event.withdrawn ?? []),
          prefixes: routes.size,
        });
        this.scheduleRecompute();
        return;
      }
      case 'down': {
        if (!neighbor) return;
        const key = `${id}|${neighbor}`;
        this.established[id].delete(neighbor);
        this.ribs[id].delete(neighbor);
        const down = sessionDown(event, this.notificationSent.get(key));
        this.notificationSent.delete(key);
        this.lastDown.set(key, down);
        this.drops.set(key, (this.drops.get(key) ?? 0) + 1);
        this.refused.delete(key);
        // Over Azure's prefix limit: the agent's speaker will not take the neighbour back (peer.ts).
        if (down.reason === 'notificationSent' && down.code === 6 && down.subcode === 1)
          this.heldDown.add(key);
        this.record(`${id}/bgp:${neighbor}`, 'bgp.down', {
          reason: event.reason ?? '',
          code: event.code ?? null,
          subcode: event.subcode ?? null,
          text: down.text,
          ...(event.data ? { data: event.data } : {}),
          ...(down.bytes ? { bytes: down.bytes } : {}),
        });
        this.scheduleRecompute();
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------
  // Tunnel state (polled)
  // ---------------------------------------------------------------------------

  private schedulePoll(delayMs: number): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    const started = performance.now();
    try {
      await Promise.all([
        ...this.plan.tunnels.map((tunnel) => this.pollAzure(tunnel)),
        ...this.plan.devices.flatMap((device) => device.tunnels.map((t) => this.pollDevice(device, t))),
        ...this.plan.devices.map((device) => this.pollServing(device)),
      ]);
    } finally {
      this.polling = false;
      this.schedulePoll(Math.max(0, this.pollIntervalMs - (performance.now() - started)));
    }
  }

  private async listSas(charon: Charon): Promise<IkeSaStatus[] | undefined> {
    if (!this.network.lab.processByName(charon.name)) return undefined;
    try {
      return await charon.listSas();
    } catch {
      return undefined;
    }
  }

  private async pollAzure(tunnel: AzureTunnelPlan): Promise<void> {
    const holder = this.ipHolder.get(tunnel.azureIp) ?? null;
    const carrier = holder && this.powered[holder] ? tunnel.carriers[holder] : undefined;
    const sas = carrier ? await this.listSas(this.network.azureCharon(carrier)) : undefined;
    // The holder may have changed while swanctl ran: only a still-current answer counts.
    if ((this.ipHolder.get(tunnel.azureIp) ?? null) !== holder) return;
    this.setAzureUp(tunnel, sas !== undefined && isUp(sas) !== undefined);
  }

  private setAzureUp(tunnel: AzureTunnelPlan, up: boolean): void {
    if ((this.azureUp.get(tunnel.id) ?? false) === up) return;
    this.azureUp.set(tunnel.id, up);
    this.record(tunnel.id, up ? 'azure.tunnel.up' : 'azure.tunnel.down');
    this.scheduleRecompute();
  }

  private async pollDevice(device: DeviceLabPlan, tunnel: DeviceTunnelPlan): Promise<void> {
    if (!this.deviceAlive.get(device.name)) return;
    const sas = await this.listSas(this.network.deviceCharon(tunnel));
    if (!this.deviceAlive.get(device.name) || sas === undefined) return;
    const sa = isUp(sas);
    this.setDeviceUp(tunnel, sa !== undefined, sa?.uniqueId ?? null);
    if (device.export.deadTunnelRoutes === 'withdrawOnDpd') {
      const up = sa !== undefined;
      if ((this.deviceLinkUp.get(tunnel.tunnelId) ?? false) !== up) {
        this.deviceLinkUp.set(tunnel.tunnelId, up);
        await this.network.lab
          .setLink(this.network.ns(device.role), tunnel.export.interfaceName, up ? 'up' : 'down')
          .catch(() => undefined);
        this.record(tunnel.tunnelId, up ? 'device.link.up' : 'device.link.down');
      }
    }
  }

  /** A device serves its site while it is alive and has a route to Azure (World.servesAzure). */
  private async pollServing(device: DeviceLabPlan): Promise<void> {
    if (!this.deviceAlive.get(device.name)) return;
    const routes = await this.network.lab.routes(this.network.ns(device.role)).catch(() => undefined);
    if (!routes || !this.deviceAlive.get(device.name)) return;
    const serves = routes.some((r) => this.plan.azurePrefixes.includes(r.dst));
    this.trackLan(device, serves);
  }

  /**
   * The site LAN stops using a device that no longer serves, and uses it again when it
   * does, each after the LAN's detection delay (the simulator's trackUplink); with no
   * device serving it keeps sending to whichever are alive.
   */
  private trackLan(device: DeviceLabPlan, serves: boolean): void {
    this.deviceServes.set(device.name, serves);
    // The LAN starts out using every device (the build's default route); it follows from the first change on.
    if (!this.lanUses.has(device.name)) this.lanUses.set(device.name, true);
    if (this.lanUses.get(device.name) === serves || this.lanTimers.has(device.name) || this.stopped) return;
    this.lanTimers.set(
      device.name,
      setTimeout(() => {
        this.lanTimers.delete(device.name);
        const now = this.deviceServes.get(device.name) ?? false;
        if (this.lanUses.get(device.name) === now) return;
        this.lanUses.set(device.name, now);
        this.record(device.name, 'lan.view', { serving: now });
        const location = this.plan.locations.find((l) => l.name === device.location);
        if (!location) return;
        const onLan = this.plan.devices.filter((d) => d.location === location.name);
        const serving = onLan.filter((d) => this.lanUses.get(d.name));
        const alive = onLan.filter((d) => this.deviceAlive.get(d.name));
        const gateways = serving.length > 0 ? serving : alive;
        void this.enqueue(`lan ${location.name}`, () => this.network.setLanGateways(location, gateways));
      }, this.plan.timers.lanDetectionMs),
    );
  }

  private setDeviceUp(tunnel: DeviceTunnelPlan, up: boolean, ikeSa: number | null): void {
    const history = this.generations.get(tunnel.tunnelId) ?? [];
    const last = history[history.length - 1];
    if (!last || last.ikeSa !== ikeSa) {
      history.push({ atEpochMs: Date.now(), ikeSa });
      this.generations.set(tunnel.tunnelId, history);
    }
    if ((this.deviceUp.get(tunnel.tunnelId) ?? false) === up) return;
    this.deviceUp.set(tunnel.tunnelId, up);
    this.record(tunnel.tunnelId, up ? 'device.tunnel.up' : 'device.tunnel.down', { ikeSa });
  }

  // ---------------------------------------------------------------------------
  // Hub and instance routes
  // ---------------------------------------------------------------------------

  private scheduleRecompute(): void {
    if (this.recomputePending || this.stopped) return;
    this.recomputePending = true;
    void this.enqueue('recompute', () => this.recompute());
  }

  private views(): Record<InstanceId, InstanceView> {
    const views = {} as Record<InstanceId, InstanceView>;
    for (const id of INSTANCES)
      views[id] = { state: this.states[id], hubUsable: this.hubUsable[id], offers: this.offers[id] };
    return views;
  }

  /** Offers of live instances (a dead one's stay frozen until detected), the hub's choice, kernel routes. */
  private async recompute(): Promise<void> {
    this.recomputePending = false;
    for (const id of INSTANCES) {
      const state = this.states[id];
      if (state !== 'up' && state !== 'draining') continue;
      this.offers[id] = offersOf(this.plan, id, {
        ownerOf: (ip) => this.ipHolder.get(ip) ?? null,
        azureUp: (tunnelId) => this.azureUp.get(tunnelId) ?? false,
        rib: (instance): AgentRib => this.ribs[instance],
      });
    }
    const views = this.views();
    const desired = forwardingPlan(hubRoutes(views), views);
    await this.applyForwarding(desired);
  }

  private async applyForwarding(desired: ForwardingPlan): Promise<void> {
    const { lab, plan } = this.network;
    const hub = this.network.ns('hub');
    const jobs: Promise<void>[] = [];
    // One `ip -batch` per namespace: a site may announce thousands of prefixes (Azure takes 4,000).
    const sync = <T>(
      netns: string,
      want: ReadonlyMap<string, readonly T[]>,
      have: ReadonlyMap<string, readonly T[]>,
      hop: (t: T) => NextHop,
    ): void => {
      const changes: { op: 'replace' | 'del'; route: RouteSpec }[] = [];
      for (const [prefix, targets] of want) {
        if (sameList(have.get(prefix), targets) || targets.length === 0) continue;
        changes.push({ op: 'replace', route: routeTo(prefix, targets.map(hop)) });
      }
      for (const prefix of have.keys()) {
        if ((want.get(prefix)?.length ?? 0) > 0) continue;
        changes.push({ op: 'del', route: { dst: prefix } });
      }
      jobs.push(lab.changeRoutes(netns, changes));
    };
    sync(hub, desired.hub, this.installed.hub, (id: InstanceId) => ({
      via: plan.instances[id].hubLink.b.address,
      dev: plan.instances[id].hubLink.a.ifname,
    }));
    for (const id of INSTANCES) {
      sync(
        this.network.ns(plan.instances[id].role),
        desired.instances[id],
        this.installed.instances[id],
        (tunnelId: string) => {
          const carrier = plan.tunnels.find((t) => t.id === tunnelId)?.carriers[id];
          if (!carrier) throw new Error(`${id} carries no tunnel ${tunnelId}`);
          return { via: carrier.inner.b.address, dev: carrier.inner.a.ifname };
        },
      );
    }
    const changed = [...desired.hub].filter(
      ([prefix, ids]) => !sameList(this.installed.hub.get(prefix), ids),
    );
    const removed = [...this.installed.hub.keys()].filter((prefix) => !desired.hub.has(prefix));
    this.installed = desired;
    await Promise.all(jobs);
    if (changed.length > 0 || removed.length > 0) {
      this.record('hub', 'hub.routes', {
        routes: listed([...desired.hub].map(([prefix, ids]) => `${prefix}>${ids.join(',')}`)),
        prefixes: desired.hub.size,
      });
    }
  }

  // ---------------------------------------------------------------------------
  // Observations
  // ---------------------------------------------------------------------------

  /** The hub's current next-hop instances per prefix. */
  hubTable(): ReadonlyMap<string, readonly InstanceId[]> {
    return this.installed.hub;
  }

  isAzureUp(tunnelId: string): boolean {
    return this.azureUp.get(tunnelId) ?? false;
  }

  isDeviceUp(tunnelId: string): boolean {
    return this.deviceUp.get(tunnelId) ?? false;
  }

  holderOf(ip: string): InstanceId | null {
    return this.ipHolder.get(ip) ?? null;
  }

  agentEstablished(session: SessionPlan): boolean {
    return this.established[session.instance].has(session.deviceAddress);
  }

  /** The agent holds this session down: it sent Cease / Maximum Number of Prefixes Reached. */
  heldDownByPrefixLimit(session: SessionPlan): boolean {
    return this.heldDown.has(`${session.instance}|${session.deviceAddress}`);
  }

  /** Every BGP session as the Azure side sees it: up or not, and if not, why (the last NOTIFICATION). */
  sessions(): SessionStatus[] {
    return this.plan.tunnels.flatMap(({ session }) => {
      if (!session) return [];
      const key = `${session.instance}|${session.deviceAddress}`;
      const lastDown = this.lastDown.get(key);
      return [
        {
          tunnelId: session.tunnelId,
          instance: session.instance,
          azureAddress: session.azureAddress,
          deviceAddress: session.deviceAddress,
          established: this.agentEstablished(session),
          prefixes: this.ribs[session.instance].get(session.deviceAddress)?.size ?? 0,
          drops: this.drops.get(key) ?? 0,
          refused: this.refused.get(key) ?? 0,
          ...(lastDown ? { lastDown } : {}),
          heldDown: this.heldDown.has(key),
        },
      ];
    });
  }

  /** The device's view of one BGP session (BIRD protocol / FRR neighbour). */
  async deviceBgpState(session: SessionPlan): Promise<string | undefined> {
    const device = this.deviceOfSession(session);
    const router = this.network.router(device);
    return router instanceof Frr
      ? router.bgpState(session.azureAddress)
      : router.bgpState(session.deviceProtocol);
  }

  /** When the instance's agent last sent this session a KEEPALIVE (epoch ms). */
  lastKeepaliveSent(session: SessionPlan): number | undefined {
    return this.keepaliveSent.get(`${session.instance}|${session.deviceAddress}`);
  }

  /**
   * How much of the instance's hold timer for this session is left, in ms: our speaker
   * restarts it at the negotiated hold time (the smaller of the two proposed) on every
   * message it hears.
   */
  azureHoldLeftMs(session: SessionPlan): number | undefined {
    const heard = this.heard.get(`${session.instance}|${session.deviceAddress}`);
    if (heard === undefined) return undefined;
    const device = this.deviceOfSession(session);
    const holdMs = Math.min(this.plan.timers.azureBgp.holdSeconds, device.export.timers.holdSeconds) * 1000;
    return holdMs - (Date.now() - heard);
  }

  /**
   * How much of the device's hold timer for this session is left, in ms. BIRD says so
   * itself (`show protocols all`: it restarts the timer at a random 75–100 % of the hold
   * time); FRR restarts it at the full hold time on every message, so it is the hold time
   * minus the time since the agent's last KEEPALIVE (FRR reports that age in whole
   * seconds only).
   */
  async deviceHoldLeftMs(session: SessionPlan): Promise<number | undefined> {
    const router = this.network.router(this.deviceOfSession(session));
    const holdMs = this.plan.timers.azureBgp.holdSeconds * 1000;
    if (router instanceof Bird) {
      const since = await router.sinceLastHeardMs(session.deviceProtocol);
      return since === undefined ? undefined : holdMs - since;
    }
    const sent = this.lastKeepaliveSent(session);
    return sent === undefined ? undefined : holdMs - (Date.now() - sent);
  }

  private deviceOfSession(session: SessionPlan): DeviceLabPlan {
    const tunnel = this.plan.tunnels.find((t) => t.id === session.tunnelId);
    const device = this.plan.devices.find((d) => d.name === tunnel?.device);
    if (!device) throw new Error(`no device for session ${session.tunnelId}`);
    return device;
  }

  /**
   * Steady state: every tunnel whose IP is held by a live instance and whose device is
   * alive is up at both ends, every BGP session is Established at both ends, the hub
   * routes every site prefix over every instance that has a tunnel to the site, and
   * every device's kernel has every Azure prefix over all its tunnels (ECMP) or one.
   */
  async converged(): Promise<string | undefined> {
    const { plan } = this;
    for (const tunnel of plan.tunnels) {
      const holder = this.ipHolder.get(tunnel.azureIp) ?? null;
      if (!holder || !this.powered[holder] || !this.deviceAlive.get(tunnel.device)) continue;
      if (!this.isAzureUp(tunnel.id)) return `tunnel ${tunnel.id} not up on Azure's side`;
      if (!this.isDeviceUp(tunnel.id)) return `tunnel ${tunnel.id} not up on the device`;
      const session = tunnel.session;
      // A session over the prefix limit stays down for good (Azure drops it): settled, not converging.
      if (session && this.states[session.instance] === 'up' && !this.heldDownByPrefixLimit(session)) {
        const last = this.lastDown.get(`${session.instance}|${session.deviceAddress}`);
        const why = last ? ` (last down: ${last.text})` : '';
        if (!this.agentEstablished(session))
          return `BGP ${session.tunnelId} not Established at ${session.instance}${why}`;
        if ((await this.deviceBgpState(session)) !== 'Established')
          return `BGP ${session.tunnelId} not Established at the device${why}`;
      }
    }
    for (const location of plan.locations) {
      const expected = INSTANCES.filter(
        (id) =>
          this.states[id] === 'up' &&
          plan.tunnels.some(
            (t) =>
              t.location === location.name &&
              this.ipHolder.get(t.azureIp) === id &&
              this.deviceAlive.get(t.device) &&
              !(t.session && this.heldDownByPrefixLimit(t.session)),
          ),
      );
      for (const prefix of location.prefixes) {
        const have = this.installed.hub.get(prefix) ?? [];
        if (!sameList(have, expected))
          return `hub routes ${prefix} over [${have.join(',')}], expected [${expected.join(',')}]`;
      }
    }
    for (const device of plan.devices) {
      if (!this.deviceAlive.get(device.name)) continue;
      const up = device.tunnels.filter((t) => {
        const tunnel = plan.tunnels.find((a) => a.id === t.tunnelId);
        const holder = tunnel ? this.ipHolder.get(tunnel.azureIp) : null;
        // Over a session held down by the prefix limit the device learns no Azure prefix.
        if (tunnel?.session && this.heldDownByPrefixLimit(tunnel.session)) return false;
        return holder && this.states[holder] === 'up';
      }).length;
      const want = device.export.ecmp ? up : Math.min(1, up);
      for (const prefix of plan.azurePrefixes) {
        const hops = await this.kernelNextHops(this.network.ns(device.role), prefix);
        if (hops < want) return `${device.name} routes ${prefix} over ${hops} tunnel(s), expected ${want}`;
      }
    }
    return undefined;
  }

  async waitConverged(timeoutMs: number): Promise<void> {
    let last: string | undefined = 'not checked';
    await waitFor(
      'the lab to converge',
      async () => {
        await this.settled();
        last = await this.converged();
        return last === undefined ? true : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${last}`);
    });
  }

  private async kernelNextHops(netns: string, prefix: string): Promise<number> {
    const routes = await this.network.lab.routes(netns);
    const route = routes.find((r) => r.dst === prefix);
    if (!route) return 0;
    return route.nexthops?.length ?? 1;
  }

  /** Waits until the queue is idle for a moment (the tests' way to let the lab settle). */
  async quiet(ms = 300): Promise<void> {
    await this.settled();
    await sleep(ms);
    await this.settled();
  }
}

function routerProcesses(device: DeviceLabPlan): string[] {
  return device.routing === 'frr'
    ? ['zebra', 'bgpd', 'staticd'].map((d) => `${device.daemonName}-${d}`)
    : [device.daemonName];
}

/** A long prefix list shortened for the log: the first 16 and how many more. */
function listed(items: readonly string[]): string {
  return items.length <= 16 ? items.join(' ') : `${items.slice(0, 16).join(' ')} … (${items.length} in all)`;
}

/** An agent's `down` event as the simulator's trace words it, with the NOTIFICATION's bytes when they match. */
function sessionDown(event: AgentEvent, sentBytes: string | undefined): SessionDown {
  const reason = event.reason ?? 'transportClosed';
  const code = event.code ?? null;
  const subcode = event.subcode ?? null;
  const name = event.notification ?? `NOTIFICATION (${code}/${subcode})`;
  const text =
    reason === 'transportClosed'
      ? 'transport closed'
      : `${reason === 'notificationSent' ? 'sent' : 'received'} ${name}`;
  // Bytes 19 and 20 of a NOTIFICATION are its code and subcode (RFC 4271 §4.5).
  const matches =
    reason === 'notificationSent' &&
    sentBytes !== undefined &&
    Number.parseInt(sentBytes.slice(38, 40), 16) === code &&
    Number.parseInt(sentBytes.slice(40, 42), 16) === subcode;
  return {
    atEpochMs: event.epochMs ?? Date.now(),
    reason,
    code,
    subcode,
    text,
    ...(matches ? { bytes: sentBytes } : {}),
  };
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function routeTo(prefix: string, hops: readonly NextHop[]): RouteSpec {
  if (hops.length === 1) {
    const [hop] = hops as [NextHop];
    return { dst: prefix, via: hop.via, ...(hop.dev ? { dev: hop.dev } : {}) };
  }
  return { dst: prefix, nexthops: hops };
}

function describeOutput(
  output: Exclude<GatewayOutput, { kind: 'armTimer' | 'cancelTimer' }>,
): LabEvent['detail'] {
  switch (output.kind) {
    case 'instanceState':
      return { instance: output.instance, state: output.state };
    case 'hubNextHop':
      return { instance: output.instance, usable: output.usable };
    case 'gracefulShutdown':
    case 'powerOn':
      return { instance: output.instance };
    case 'powerOff':
      return { instance: output.instance, silent: output.silent };
    case 'releaseIp':
      return { ip: output.ip, from: output.from };
    case 'ipOwner':
      return { ip: output.ip, owner: output.owner };
    case 'rejected':
      return { reason: output.reason };
    default:
      return assertNever(output, 'gateway output');
  }
}
