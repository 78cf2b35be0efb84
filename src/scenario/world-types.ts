import type { ResolvedPath } from '../dataplane/flow.ts';
import type { InstanceState } from '../gateway/controller.ts';
import type { HubRoute } from '../gateway/hub-routes.ts';
import type { InstanceId } from '../model/azure-defaults.ts';
import type { ResolvedLinkConnection } from '../model/views.ts';
import type { Ipv4Prefix } from '../net/ipv4.ts';
import type { PrefixTrie } from '../net/lpm.ts';
import type { Rib } from '../protocols/bgp/rib.ts';
import type { TcpHost } from '../sim/tcp.ts';
import type { BgpSpeakerEnd } from './bgp-link.ts';
import type { TunnelLink } from './tunnel-link.ts';

/** The Azure side of one instance, as the world keeps it. */
export interface InstanceNode {
  readonly id: InstanceId;
  readonly publicIp: string;
  readonly host: TcpHost;
  state: InstanceState;
  /** The hub's view: does it send traffic to this instance (platform health, drains)? */
  hubUsable: boolean;
  rib: Rib;
}

export interface DeviceNode {
  readonly name: string;
  /** hashString(name), for the LAN's ECMP. */
  readonly hash: number;
  readonly site: string;
  /** The traffic location (set of sites sharing an address space) this device serves. */
  location: string;
  readonly asn: number | undefined;
  readonly bgpAddress: string | undefined;
  readonly host: TcpHost;
  readonly ecmp: boolean;
  readonly bgpAddressOn: 'loopback' | 'tunnel';
  readonly deadTunnelRoutes: 'withdrawOnDpd' | 'keepUntilBgpHold';
  readonly advertisedPrefixes: readonly string[];
  alive: boolean;
  /** The site LAN's view of the device (VRRP-like detection delay). */
  lanSeesAlive: boolean;
  rib: Rib;
  readonly tunnels: TunnelNode[];
  /** Its forwarding towards Azure, built when first needed after a change (World.deviceFib). */
  fib: PrefixTrie<readonly TunnelNode[]> | undefined;
  /** That FIB's routes as a string, when last compared (World.fibChanged). */
  fibKey: string | undefined;
}

export interface TunnelNode {
  /** `<linkConnection>@<instance>`. */
  readonly id: string;
  /** `tunnel:<id>`: the tunnel as an element of flow paths. */
  readonly element: string;
  /**
   * What the data plane last saw of the tunnel's forwarding (generation × 2 + data-capable):
   * the only link state a path depends on, so other IKE changes (rekeys) move no flows.
   */
  flushedForwarding: number;
  /** hashString(id), for ECMP over tunnels. */
  readonly hash: number;
  /**
   * The data plane's view of paths through this tunnel, built once per (direction,
   * instance) and reused while nothing on them changes: re-resolving a million
   * flows must not allocate a million path objects.
   */
  readonly paths: Map<string, ResolvedPath>;
  readonly link: TunnelLink;
  readonly resolved: ResolvedLinkConnection;
  /** The instance whose public IP this tunnel targets (it may be carried by the other one after a move). */
  readonly instance: InstanceId;
  readonly azureIp: string;
  readonly device: DeviceNode;
  readonly internetPath: string;
  /** That internet path's state (World.internetPaths), read by every resolution through the tunnel. */
  readonly internet: { readonly up: boolean };
  readonly latencyMs: number;
  session: SessionNode | undefined;
}

export interface SessionNode {
  readonly id: string;
  readonly tunnel: TunnelNode;
  readonly instance: InstanceId;
  readonly azure: BgpSpeakerEnd;
  readonly device: BgpSpeakerEnd;
  readonly azureBgpIp: string;
  /** Why Azure's end last went down (the trace's words), for the health report. */
  lastAzureDown: string | undefined;
}

export interface Location {
  readonly name: string;
  readonly prefixes: readonly Ipv4Prefix[];
  readonly devices: DeviceNode[];
}

/** A hub route with what the resolver needs precomputed (hashes, tunnel objects). */
export interface HubEntry {
  readonly route: HubRoute;
  readonly instances: readonly {
    readonly id: InstanceId;
    readonly hash: number;
    readonly tunnels: readonly TunnelNode[];
  }[];
}
