import type { BgpMessage, BgpUpdate } from '../../src/protocols/bgp/messages.ts';
import type { ConnId, PeerConfig, PeerTimer } from '../../src/protocols/bgp/peer.ts';
import type { RibPeer, RouteChange } from '../../src/protocols/bgp/rib.ts';
import { Rib } from '../../src/protocols/bgp/rib.ts';
import type { WireInput, WireOutput } from '../../src/protocols/bgp/wire.ts';
import { BgpWire } from '../../src/protocols/bgp/wire.ts';
import { assertNever } from '../../src/protocols/core.ts';
import { CoreDriver, timerFired } from '../../src/sim/driver.ts';
import type { Simulator } from '../../src/sim/kernel.ts';

/**
 * Two BGP speakers on the simulation kernel, joined by a TCP model with a fixed
 * one-way latency. Every message crosses as bytes (codec encode, MessageFramer,
 * decode), so the session runs exactly the wire path a live peer would.
 *
 * TCP model: SYN reaches the other host after one latency, SYN-ACK back after
 * two (Tcp_CR_Acked at the client), the ACK after three (the server accepts).
 * Port 179 is always listening; the BGP peer then accepts or rejects. Data and
 * FIN keep their order. A host that is `silent` transmits nothing at all.
 */

export interface Delivery {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly msg: BgpMessage;
}

interface TcpConnection {
  readonly client: SimSpeaker;
  readonly clientConn: ConnId;
  readonly server: SimSpeaker;
  serverConn: ConnId | undefined;
  clientOpen: boolean;
  serverOpen: boolean;
}

export class SimSpeaker {
  readonly wire: BgpWire;
  readonly rib: Rib;
  readonly driver: CoreDriver<WireInput, WireOutput, PeerTimer>;
  /** Everything the speaker's core produced, stamped: the test's view of it. */
  readonly outputs: { readonly atMs: number; readonly output: WireOutput }[] = [];
  readonly routeChanges: { readonly atMs: number; readonly change: RouteChange }[] = [];
  silent = false;
  link: SimLink | undefined;
  private ribPeer: RibPeer | undefined;

  constructor(
    readonly name: string,
    private readonly sim: Simulator,
    readonly config: PeerConfig,
    /** The address the neighbour sees us at, also our NEXT_HOP. */
    readonly address: string,
    /** What we announce as soon as a session is Established. */
    private readonly advertisement: BgpUpdate,
  ) {
    this.wire = new BgpWire(config);
    this.rib = new Rib({ localAsn: config.localAsn });
    this.driver = new CoreDriver(
      sim,
      this.wire,
      (output) => this.onOutput(output),
      (timer) => timerFired(timer),
    );
  }

  deliver(input: WireInput): void {
    this.driver.deliver(input);
  }

  /** Messages this speaker sent (successfully encoded), with their times. */
  sentMessages(): { atMs: number; msg: BgpMessage }[] {
    return this.outputs.flatMap(({ atMs, output }) =>
      output.kind === 'send' ? [{ atMs, msg: output.msg }] : [],
    );
  }

  private onOutput(output: WireOutput): void {
    this.outputs.push({ atMs: this.sim.nowMs, output });
    const link = this.link;
    if (!link) throw new Error(`${this.name} is not linked`);
    switch (output.kind) {
      case 'connect':
        link.connect(this, output.conn);
        break;
      case 'send':
        link.send(this, output.conn, output.bytes, output.msg);
        break;
      case 'close':
        link.close(this, output.conn);
        break;
      case 'accepted':
        link.bindAccepted(this, output.conn);
        break;
      case 'rejected':
        link.rejectAccepted(this);
        break;
      case 'established': {
        this.ribPeer = {
          key: 'neighbour',
          address: link.other(this).address,
          bgpId: output.negotiated.peerBgpId,
          asn: output.negotiated.peerAsn,
        };
        // Announce after the FSM's own outputs have been carried out.
        this.sim.schedule(0, () => this.deliver({ kind: 'announce', update: this.advertisement }));
        break;
      }
      case 'update':
        if (this.ribPeer) this.record(this.rib.applyUpdate(this.ribPeer, output.update));
        break;
      case 'down':
        this.record(this.rib.withdrawPeer('neighbour'));
        break;
      case 'state':
      case 'routeRefresh':
      case 'decodeWarning':
      // Timer actions never reach here: the CoreDriver keeps them.
      case 'armTimer':
      case 'cancelTimer':
        break;
      default:
        assertNever(output, 'wire output');
    }
  }

  private record(changes: RouteChange[]): void {
    for (const change of changes) this.routeChanges.push({ atMs: this.sim.nowMs, change });
  }
}

export class SimLink {
  readonly deliveries: Delivery[] = [];
  private readonly byEnd = new Map<SimSpeaker, Map<ConnId, TcpConnection>>();
  private pendingAccept: TcpConnection | undefined;

  constructor(
    private readonly sim: Simulator,
    readonly a: SimSpeaker,
    readonly b: SimSpeaker,
    readonly latencyMs: number,
  ) {
    for (const end of [a, b]) {
      end.link = this;
      this.byEnd.set(end, new Map());
    }
  }

  other(end: SimSpeaker): SimSpeaker {
    return end === this.a ? this.b : this.a;
  }

  connect(client: SimSpeaker, conn: ConnId): void {
    const server = this.other(client);
    const tcp: TcpConnection = {
      client,
      clientConn: conn,
      server,
      serverConn: undefined,
      clientOpen: true,
      serverOpen: false,
    };
    this.conns(client).set(conn, tcp);
    if (client.silent) return;
    // SYN → SYN-ACK → ACK.
    this.later(2, () => {
      if (!tcp.clientOpen || server.silent) return;
      this.later(1, () => {
        if (!tcp.clientOpen) return;
        this.pendingAccept = tcp;
        tcp.serverOpen = true;
        server.deliver({ kind: 'tcpAccepted' });
        this.pendingAccept = undefined;
      });
      client.deliver({ kind: 'tcpConnected', conn });
    });
  }

  bindAccepted(server: SimSpeaker, conn: ConnId): void {
    const tcp = this.pendingAccept;
    if (!tcp || tcp.server !== server) throw new Error('accepted without a pending connection');
    tcp.serverConn = conn;
    this.conns(server).set(conn, tcp);
  }

  rejectAccepted(server: SimSpeaker): void {
    const tcp = this.pendingAccept;
    if (!tcp || tcp.server !== server) throw new Error('rejected without a pending connection');
    tcp.serverOpen = false;
    this.later(1, () => this.finArrives(tcp, tcp.client));
  }

  /** `msg` is only for the delivery log; the receiver gets the bytes and decodes them itself. */
  send(from: SimSpeaker, conn: ConnId, bytes: Uint8Array, msg: BgpMessage): void {
    const tcp = this.conns(from).get(conn);
    if (!tcp || from.silent) return;
    const to = this.other(from);
    this.later(1, () => {
      const toConn = to === tcp.client ? tcp.clientConn : tcp.serverConn;
      const open = to === tcp.client ? tcp.clientOpen : tcp.serverOpen;
      if (!open || toConn === undefined) return;
      this.deliveries.push({ atMs: this.sim.nowMs, from: from.name, to: to.name, msg });
      // Exercise the framer: every message arrives in two chunks.
      const cut = Math.floor(bytes.length / 2);
      to.deliver({ kind: 'bytes', conn: toConn, bytes: bytes.subarray(0, cut) });
      to.deliver({ kind: 'bytes', conn: toConn, bytes: bytes.subarray(cut) });
    });
  }

  close(from: SimSpeaker, conn: ConnId): void {
    const tcp = this.conns(from).get(conn);
    if (!tcp) return;
    this.conns(from).delete(conn);
    if (from === tcp.client) tcp.clientOpen = false;
    else tcp.serverOpen = false;
    if (from.silent) return;
    this.later(1, () => this.finArrives(tcp, this.other(from)));
  }

  /** Messages delivered to `to`, in order. */
  deliveredTo(to: string): Delivery[] {
    return this.deliveries.filter((d) => d.to === to);
  }

  private finArrives(tcp: TcpConnection, to: SimSpeaker): void {
    const isClient = to === tcp.client;
    const conn = isClient ? tcp.clientConn : tcp.serverConn;
    const open = isClient ? tcp.clientOpen : tcp.serverOpen;
    if (!open || conn === undefined) return;
    // A connection the client never saw come up fails; one it had is closed.
    to.deliver({ kind: 'tcpClosed', conn });
  }

  private conns(end: SimSpeaker): Map<ConnId, TcpConnection> {
    const map = this.byEnd.get(end);
    if (!map) throw new Error(`${end.name} is not on this link`);
    return map;
  }

  private later(latencies: number, run: () => void): void {
    this.sim.schedule(latencies * this.latencyMs, run);
  }
}
