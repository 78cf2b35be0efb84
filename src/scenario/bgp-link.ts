import type { FsmState } from '../protocols/bgp/fsm.ts';
import type { BgpUpdate } from '../protocols/bgp/messages.ts';
import type { ConnId, PeerConfig } from '../protocols/bgp/peer.ts';
import { BgpWire, type WireInput, type WireOutput } from '../protocols/bgp/wire.ts';
import { CoreDriver, timerFired } from '../sim/driver.ts';
import type { Simulator } from '../sim/kernel.ts';
import { TcpConnection, type TcpEndpointEvents, type TcpHost, type TcpPath } from '../sim/tcp.ts';

/**
 * One end of a BGP session on the simulator: the project's BGP speaker (codec,
 * FSM, collision handling — the very code the live lab puts on the wire) bound
 * to a simulated TCP stack. Every message crosses as bytes. When the host dies
 * the speaker dies with it; a reboot brings a fresh speaker with no memory.
 */
const FSM_ORDER: readonly FsmState[] = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
];

export type SpeakerEvent = Exclude<WireOutput, { kind: 'armTimer' | 'cancelTimer' | 'send' }>;

export interface TcpFabric {
  readonly sim: Simulator;
  nextConnectionId(): number;
  /** A connection has data it could not send (the path is down): retry it when paths change. */
  blocked(conn: TcpConnection<Uint8Array>): void;
}

export class BgpSpeakerEnd {
  private wire: BgpWire;
  private driver: CoreDriver<WireInput, WireOutput>;
  private alive = true;
  private incarnation = 0;
  private started = false;
  private readonly tcpOf = new Map<ConnId, { tcp: TcpConnection<Uint8Array>; side: 'a' | 'b' }>();
  private readonly connOf = new Map<TcpConnection<Uint8Array>, ConnId>();
  private pendingAccept: TcpConnection<Uint8Array> | undefined;
  /** The other end of the session and the path to it, set when the session is wired. */
  private remote: { end: BgpSpeakerEnd; path: TcpPath } | undefined;

  constructor(
    readonly name: string,
    readonly host: TcpHost,
    private readonly config: PeerConfig,
    private readonly fabric: TcpFabric,
    private readonly onEvent: (end: BgpSpeakerEnd, event: SpeakerEvent) => void,
  ) {
    this.wire = new BgpWire(config);
    this.driver = this.makeDriver();
  }

  /** Joins two ends; `path` says whether a segment between their hosts gets through now. */
  static connect(a: BgpSpeakerEnd, b: BgpSpeakerEnd, path: TcpPath): void {
    a.remote = { end: b, path };
    b.remote = { end: a, path };
  }

  get isAlive(): boolean {
    return this.alive;
  }

  get established(): boolean {
    return this.alive && this.wire.peer.session !== undefined;
  }

  /** The most advanced FSM state among the speaker's connections ('Idle' when dead or none). */
  get fsmState(): FsmState {
    if (!this.alive) return 'Idle';
    let best: FsmState = 'Idle';
    for (const c of this.wire.peer.connectionList)
      if (FSM_ORDER.indexOf(c.state) > FSM_ORDER.indexOf(best)) best = c.state;
    return best;
  }

  start(): void {
    this.started = true;
    if (this.alive) this.driver.deliver({ kind: 'start' });
  }

  /** Administrative stop: Cease (RFC 4486 subcode 2, administrative shutdown) and TCP close. */
  stop(): void {
    if (this.alive) this.driver.deliver({ kind: 'stop' });
  }

  /** Sends an UPDATE on the Established session (the peer drops it when there is none). */
  announce(update: BgpUpdate): void {
    if (this.alive) this.driver.deliver({ kind: 'announce', update });
  }

  /** The host died silently: no NOTIFICATION, no FIN; the peer finds out from its hold timer. */
  crash(): void {
    if (!this.alive) return;
    this.alive = false;
    this.incarnation++;
    this.driver.cancelAllTimers();
    for (const { tcp } of this.tcpOf.values()) tcp.abandon();
    this.tcpOf.clear();
    this.connOf.clear();
  }

  /** The host is back: a new speaker process, started if it was before. */
  reboot(): void {
    if (this.alive) return;
    this.alive = true;
    this.wire = new BgpWire(this.config);
    this.driver = this.makeDriver();
    if (this.started) this.driver.deliver({ kind: 'start' });
  }

  /** The interface the session is sourced from went away (BGP on a tunnel interface): sockets die at once. */
  dropConnections(): void {
    if (!this.alive) return;
    for (const [conn, { tcp, side }] of [...this.tcpOf]) {
      tcp.abandon(side);
      this.forget(conn);
      this.driver.deliver({ kind: 'tcpClosed', conn });
    }
  }

  private makeDriver(): CoreDriver<WireInput, WireOutput> {
    return new CoreDriver<WireInput, WireOutput>(
      this.fabric.sim,
      this.wire,
      (output) => this.onOutput(output),
      (timer) => timerFired(timer),
    );
  }

  private onOutput(output: WireOutput): void {
    switch (output.kind) {
      case 'connect':
        this.dial(output.conn);
        return;
      case 'send': {
        const link = this.tcpOf.get(output.conn);
        link?.tcp.send(link.side, output.bytes);
        return;
      }
      case 'close': {
        const link = this.tcpOf.get(output.conn);
        if (link) link.tcp.close(link.side);
        this.forget(output.conn);
        return;
      }
      case 'accepted':
        if (this.pendingAccept) this.bind(output.conn, this.pendingAccept, 'b');
        this.onEvent(this, output);
        return;
      case 'rejected':
        this.pendingAccept?.close('b');
        this.onEvent(this, output);
        return;
      case 'armTimer':
      case 'cancelTimer':
        return;
      default:
        this.onEvent(this, output);
    }
  }

  private dial(conn: ConnId): void {
    const remote = this.remote;
    if (!remote) {
      this.driver.deliver({ kind: 'tcpConnectFailed', conn });
      return;
    }
    const incarnation = this.incarnation;
    let connected = false;
    const live = () => this.alive && this.incarnation === incarnation;
    const events: TcpEndpointEvents<Uint8Array> = {
      connected: () => {
        if (!live()) return;
        connected = true;
        this.driver.deliver({ kind: 'tcpConnected', conn });
      },
      received: (_tcp, bytes) => {
        if (live() && this.tcpOf.has(conn)) this.driver.deliver({ kind: 'bytes', conn, bytes });
      },
      closed: () => {
        if (!live() || !this.tcpOf.has(conn)) return;
        this.forget(conn);
        this.driver.deliver(connected ? { kind: 'tcpClosed', conn } : { kind: 'tcpConnectFailed', conn });
      },
    };
    const tcp = new TcpConnection<Uint8Array>(
      this.fabric.nextConnectionId(),
      this.fabric.sim,
      remote.path,
      this.host,
      remote.end.host,
      events,
      () => remote.end.listener(),
      (blocked) => this.fabric.blocked(blocked),
    );
    this.bind(conn, tcp, 'a');
  }

  /** What this end's TCP stack does with a connection someone opens to it (port 179 listens while alive). */
  private listener(): TcpEndpointEvents<Uint8Array> | undefined {
    if (!this.alive) return undefined;
    const incarnation = this.incarnation;
    const live = () => this.alive && this.incarnation === incarnation;
    return {
      connected: (tcp) => {
        if (!live()) return;
        this.pendingAccept = tcp;
        this.driver.deliver({ kind: 'tcpAccepted' });
        this.pendingAccept = undefined;
      },
      received: (tcp, bytes) => {
        const conn = this.connOf.get(tcp);
        if (live() && conn !== undefined) this.driver.deliver({ kind: 'bytes', conn, bytes });
      },
      closed: (tcp) => {
        const conn = this.connOf.get(tcp);
        if (!live() || conn === undefined) return;
        this.forget(conn);
        this.driver.deliver({ kind: 'tcpClosed', conn });
      },
    };
  }

  private bind(conn: ConnId, tcp: TcpConnection<Uint8Array>, side: 'a' | 'b'): void {
    this.tcpOf.set(conn, { tcp, side });
    this.connOf.set(tcp, conn);
  }

  private forget(conn: ConnId): void {
    const link = this.tcpOf.get(conn);
    if (link) this.connOf.delete(link.tcp);
    this.tcpOf.delete(conn);
  }
}
