import type { FlowSpec, ResolvedPath } from '../dataplane/flow.ts';
import type { InstanceId } from '../model/azure-defaults.ts';
import { hashString, mix32 } from '../net/flow-hash.ts';
import type { PrefixTrie } from '../net/lpm.ts';
import type { DeviceNode, HubEntry, InstanceNode, Location, TunnelNode } from './world-types.ts';

/** What the resolver reads of the world: its forwarding state, nothing else. */
export interface ForwardingState {
  readonly instances: Readonly<Record<InstanceId, InstanceNode>>;
  /** The hub's route (longest prefix match) for a destination address. */
  hubEntry(address: number): HubEntry | undefined;
  /** The instance holding a public IP now, if any. */
  ownerOf(ip: string): InstanceId | null;
  /** The traffic location a flow's site belongs to. */
  locationOf(site: string): Location | undefined;
  /** A device's forwarding towards Azure: per Azure prefix, the tunnels it may use, in preference order. */
  deviceFib(device: DeviceNode): PrefixTrie<readonly TunnelNode[]>;
}

const HUB_HASH_SALT = hashString('hub');

/**
 * Where a flow's packets go right now — a pure function of the world's current
 * forwarding state, so the data plane can re-resolve any flow at any time:
 *
 * - Azure→site: hub LPM → rendezvous pick of an instance → rendezvous pick of a
 *   tunnel that instance can use → device.
 * - site→Azure: the site LAN picks a live device → the device's FIB → ECMP or
 *   primary tunnel → the instance carrying the tunnel's public IP.
 *
 * A million flows are re-resolved after a failure, so the common path allocates
 * nothing: path objects are cached per tunnel and rebuilt only when their state
 * differs, and the rendezvous picks below loop over the candidates in place.
 */
export class FlowResolver {
  private readonly noRoutePaths = new Map<string, ResolvedPath>();

  constructor(private readonly state: ForwardingState) {}

  readonly resolve = (flow: FlowSpec): ResolvedPath => {
    return flow.direction === 'toSite' ? this.toSite(flow) : this.toAzure(flow);
  };

  private toSite(flow: FlowSpec): ResolvedPath {
    const route = this.state.hubEntry(flow.tuple.dstIp);
    if (!route) return NO_HUB_ROUTE;
    const choice = pickByHash(flow.hash ^ HUB_HASH_SALT, route.instances);
    if (!choice) return NO_HUB_ROUTE;
    const tunnel = pickByHash(flow.hash ^ choice.hash, choice.tunnels);
    if (!tunnel) return NO_HUB_ROUTE;
    const instance = this.state.instances[choice.id];
    const viable =
      (instance.state === 'up' || instance.state === 'draining') &&
      this.state.ownerOf(tunnel.azureIp) === choice.id &&
      tunnel.link.dataCapable &&
      tunnel.device.alive &&
      tunnel.internet.up;
    return pathThrough(tunnel, TO_SITE_KEY[choice.id], viable, toSiteShape, choice.id);
  }

  private toAzure(flow: FlowSpec): ResolvedPath {
    const location = this.state.locationOf(flow.site);
    if (!location) return NO_DEVICE;
    // With no device serving, the LAN still has its gateways: it keeps sending to whichever is alive.
    const device =
      pickDevice(flow.hash, location.devices, servingLan) ?? pickDevice(flow.hash, location.devices, alive);
    if (!device) return NO_DEVICE;
    const candidates = this.state.deviceFib(device).lookup(flow.tuple.dstIp)?.value ?? NO_TUNNELS;
    const tunnel = device.ecmp ? pickByHash(flow.hash ^ device.hash, candidates) : candidates[0];
    if (!tunnel) return this.noRouteAt(device);
    const owner = this.state.ownerOf(tunnel.azureIp);
    const instance = owner ? this.state.instances[owner] : undefined;
    const viable =
      device.alive &&
      tunnel.internet.up &&
      tunnel.link.dataCapable &&
      instance !== undefined &&
      (instance.state === 'up' || instance.state === 'draining');
    return pathThrough(tunnel, owner ? TO_AZURE_KEY[owner] : TO_AZURE_NOBODY, viable, toAzureShape, owner);
  }

  private noRouteAt(device: DeviceNode): ResolvedPath {
    let path = this.noRoutePaths.get(device.name);
    if (!path) {
      path = { viable: false, signature: `${device.name}: no route`, elements: [`device:${device.name}`] };
      this.noRoutePaths.set(device.name, path);
    }
    return path;
  }
}

interface PathShape {
  readonly signature: string;
  readonly elements: readonly string[];
}

/** The (cached) path object for a route through `tunnel`; rebuilt only when its state differs. */
function pathThrough<Via>(
  tunnel: TunnelNode,
  key: string,
  viable: boolean,
  shape: (tunnel: TunnelNode, via: Via) => PathShape,
  via: Via,
): ResolvedPath {
  const cached = tunnel.paths.get(key);
  const generation = tunnel.link.generation;
  if (cached && cached.viable === viable && cached.tunnel?.generation === generation) return cached;
  const { signature, elements } = cached ?? shape(tunnel, via);
  const path: ResolvedPath = { viable, signature, tunnel: { id: tunnel.id, generation }, elements };
  tunnel.paths.set(key, path);
  return path;
}

function toSiteShape(tunnel: TunnelNode, instance: InstanceId): PathShape {
  return {
    signature: `${instance}>${tunnel.id}`,
    elements: [
      `instance:${instance}`,
      tunnel.element,
      `device:${tunnel.device.name}`,
      `link:${tunnel.internetPath}`,
    ],
  };
}

function toAzureShape(tunnel: TunnelNode, owner: InstanceId | null): PathShape {
  return {
    signature: `${tunnel.device.name}>${tunnel.id}>${owner ?? 'nobody'}`,
    elements: [
      `device:${tunnel.device.name}`,
      `link:${tunnel.internetPath}`,
      tunnel.element,
      `instance:${owner ?? 'none'}`,
    ],
  };
}

// Path cache keys per direction and instance, made once rather than per resolution.
const TO_SITE_KEY: Readonly<Record<InstanceId, string>> = { IN_0: 'toSite:IN_0', IN_1: 'toSite:IN_1' };
const TO_AZURE_KEY: Readonly<Record<InstanceId, string>> = { IN_0: 'toAzure:IN_0', IN_1: 'toAzure:IN_1' };
const TO_AZURE_NOBODY = 'toAzure:nobody';

/**
 * rendezvousPickBy (net/flow-hash.ts) over items carrying their hash, written
 * out: the highest mix32(flowHash ^ hash) wins, the earlier item on a tie.
 */
function pickByHash<T extends { readonly hash: number }>(
  flowHash: number,
  items: readonly T[],
): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const item of items) {
    const weight = mix32(flowHash ^ item.hash);
    if (weight > bestWeight) {
      bestWeight = weight;
      best = item;
    }
  }
  return best;
}

/** The same pick over the devices that pass `eligible`, without building the filtered list. */
function pickDevice(
  flowHash: number,
  devices: readonly DeviceNode[],
  eligible: (device: DeviceNode) => boolean,
): DeviceNode | undefined {
  let best: DeviceNode | undefined;
  let bestWeight = -1;
  for (const device of devices) {
    if (!eligible(device)) continue;
    const weight = mix32(flowHash ^ device.hash);
    if (weight > bestWeight) {
      bestWeight = weight;
      best = device;
    }
  }
  return best;
}

function servingLan(device: DeviceNode): boolean {
  return device.lanSeesAlive;
}

function alive(device: DeviceNode): boolean {
  return device.alive;
}

const NO_TUNNELS: readonly TunnelNode[] = [];
const NO_HUB_ROUTE: ResolvedPath = { viable: false, signature: 'hub: no route', elements: [] };
const NO_DEVICE: ResolvedPath = { viable: false, signature: 'site: no device', elements: [] };
