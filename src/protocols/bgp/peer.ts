import type { Core, TimerAction, TimerFired } from '../core.ts';
import { assertNever } from '../core.ts';
import type { FsmConfig, FsmInput, FsmState, FsmTimer, NegotiatedSession, SessionEndReason } from './fsm.ts';
import { BgpFsm, evaluateOpen, resolveFsmConfig } from './fsm.ts';
import { ipv4ToUint32 } from './identifier.ts';
import type { BgpMessage, BgpNotification, BgpUpdate } from './messages.ts';
import { AFI_IPV4, CeaseSubcode, SAFI_UNICAST } from './messages.ts';
import { DEFAULT_IDLE_HOLD_SEC } from './timers.ts';

/**
 * One configured BGP neighbour: up to two TCP connections to it, each with its
 * own RFC 4271 §8 FSM — the one we initiated and the one it initiated — and the
 * connection collision detection of §6.8 that keeps exactly one. This is what
 * lets Azure act as BGP client and server at once ("Azure BGP speaker can act as
 * client or server for BGP TCP Port 179 session", the seed).
 *
 * The peer allocates connection ids. For an inbound connection the runtime says
 * `tcpAccepted` and learns the id from the `accepted` output (or closes the socket
 * on `rejected`); for an outbound one the `connect` output carries the id. A
 * `close` for a connection the runtime no longer has is a no-op.
 */

export type ConnId = number;
export type ConnDirection = 'outbound' | 'inbound';
/** Per-connection FSM timers are namespaced by connection id; `idleHold` delays automatic restarts. */
export type PeerTimer = `${number}:${FsmTimer}` | 'idleHold' | 'prefixRestart';

export interface PeerConfig extends FsmConfig {
  /** May we open TCP to the neighbour (active open)? Default true. */
  readonly initiate?: boolean;
  /** Do we accept TCP from the neighbour (passive open)? Default true. Azure does both (the seed). */
  readonly accept?: boolean;
  /**
   * Drop the session with Cease/1 when the neighbour has more prefixes announced
   * than this (RFC 4486 §4). Azure: 4,000 per session (AZURE-FACTS.md).
   */
  readonly maxPrefixes?: number;
  /** Back-off before an automatic restart after the last connection ended (RFC 4271 §8.1.1 IdleHoldTime). */
  readonly idleHoldSec?: number;
  /**
   * After the prefix limit dropped the session, stay down (refuse and do not open
   * connections) for this long; unset, stay down until an administrative restart —
   * what FRR, BIRD and Cisco do by default (FRR `maximum-prefix … restart N`
   * opts in to a timed restart). Without it a peer over the limit flaps forever.
   */
  readonly maxPrefixRestartSec?: number;
}

export type PeerInput =
  /** Administrative start (Event 1): initiate if allowed, accept if allowed. */
  | { readonly kind: 'start' }
  /** Administrative stop (Event 2) of every connection; Cease subcode default 2 (RFC 4486). */
  | { readonly kind: 'stop'; readonly subcode?: number }
  /** The neighbour opened TCP to us; the answer is `accepted` or `rejected`. */
  | { readonly kind: 'tcpAccepted' }
  | { readonly kind: 'tcpConnected'; readonly conn: ConnId }
  | { readonly kind: 'tcpConnectFailed'; readonly conn: ConnId }
  | { readonly kind: 'tcpClosed'; readonly conn: ConnId }
  | { readonly kind: 'message'; readonly conn: ConnId; readonly msg: BgpMessage }
  | { readonly kind: 'decodeError'; readonly conn: ConnId; readonly notification: BgpNotification }
  /** Send an UPDATE on the Established session; ignored when there is none (re-announce on `established`). */
  | { readonly kind: 'announce'; readonly update: BgpUpdate }
  | TimerFired<PeerTimer>;

export type PeerOutput =
  | { readonly kind: 'accepted'; readonly conn: ConnId }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'connect'; readonly conn: ConnId }
  | { readonly kind: 'send'; readonly conn: ConnId; readonly msg: BgpMessage }
  | { readonly kind: 'close'; readonly conn: ConnId }
  | TimerAction<PeerTimer>
  | {
      readonly kind: 'state';
      readonly conn: ConnId;
      readonly direction: ConnDirection;
      readonly from: FsmState;
      readonly to: FsmState;
      readonly reason: string;
    }
  | { readonly kind: 'established'; readonly conn: ConnId; readonly negotiated: NegotiatedSession }
  | { readonly kind: 'update'; readonly conn: ConnId; readonly update: BgpUpdate }
  | { readonly kind: 'routeRefresh'; readonly conn: ConnId; readonly afi: number; readonly safi: number }
  /** The Established session ended: withdraw everything learned from this neighbour. */
  | { readonly kind: 'down'; readonly conn: ConnId; readonly reason: SessionEndReason };

export interface ConnectionView {
  readonly conn: ConnId;
  readonly direction: ConnDirection;
  readonly state: FsmState;
}

interface Connection {
  readonly id: ConnId;
  readonly direction: ConnDirection;
  readonly fsm: BgpFsm;
  /** Prefixes the neighbour has announced and not withdrawn on this session (RFC 4486 §4 counts these). */
  readonly prefixes: Set<string>;
}

/** RFC 4486 §4: Data of Cease/1 = AFI (2 octets), SAFI (1 octet), prefix upper bound (4 octets). */
export function maxPrefixData(afi: number, safi: number, limit: number): Uint8Array {
  const data = new Uint8Array(7);
  const view = new DataView(data.buffer);
  view.setUint16(0, afi);
  view.setUint8(2, safi);
  view.setUint32(3, limit);
  return data;
}

export class BgpPeer implements Core<PeerInput, PeerOutput> {
  private readonly fsmConfig: FsmConfig;
  private readonly initiate: boolean;
  private readonly accept: boolean;
  private readonly maxPrefixes: number | undefined;
  private readonly maxPrefixRestartSec: number | undefined;
  private readonly idleHoldSec: number;
  private readonly connections = new Map<ConnId, Connection>();
  private nextConnId = 1;
  private adminUp = false;
  private idleHoldArmed = false;
  /** The prefix limit dropped the session: held down until `maxPrefixRestartSec` or an admin restart. */
  private prefixLimitTripped = false;
  private nowMs = 0;
  private out: PeerOutput[] = [];

  constructor(config: PeerConfig) {
    // Validate once here, so a bad configuration fails at construction, not on the first connection.
    resolveFsmConfig(config);
    this.fsmConfig = config;
    this.initiate = config.initiate ?? true;
    this.accept = config.accept ?? true;
    this.maxPrefixes = config.maxPrefixes;
    this.maxPrefixRestartSec = config.maxPrefixRestartSec;
    this.idleHoldSec = config.idleHoldSec ?? DEFAULT_IDLE_HOLD_SEC;
    if (!this.initiate && !this.accept) throw new RangeError('a BGP peer must initiate, accept, or both');
    if (this.maxPrefixes !== undefined && !(Number.isInteger(this.maxPrefixes) && this.maxPrefixes >= 0)) {
      throw new RangeError(`maxPrefixes ${this.maxPrefixes} must be a non-negative integer`);
    }
  }

  /** Every live connection and its FSM state, for traces and tests. */
  get connectionList(): ConnectionView[] {
    return [...this.connections.values()].map((c) => ({
      conn: c.id,
      direction: c.direction,
      state: c.fsm.state,
    }));
  }

  /** The Established session, if any. */
  get session(): { readonly conn: ConnId; readonly negotiated: NegotiatedSession } | undefined {
    const established = this.establishedConnection();
    const negotiated = established?.fsm.negotiated;
    return established && negotiated ? { conn: established.id, negotiated } : undefined;
  }

  /** What the OPENs on `conn` settled, once its FSM has accepted the neighbour's OPEN (the codec needs it). */
  negotiatedOf(conn: ConnId): NegotiatedSession | undefined {
    return this.connections.get(conn)?.fsm.negotiated;
  }

  /** Prefixes currently announced by the neighbour on the Established session. */
  get receivedPrefixCount(): number {
    return this.establishedConnection()?.prefixes.size ?? 0;
  }

  handle(nowMs: number, input: PeerInput): PeerOutput[] {
    this.nowMs = nowMs;
    this.out = [];
    this.dispatch(input);
    return this.out;
  }

  private dispatch(input: PeerInput): void {
    switch (input.kind) {
      case 'start':
        if (this.adminUp) return;
        this.adminUp = true;
        this.prefixLimitTripped = false;
        if (this.initiate) this.startOutbound(false);
        return;
      case 'stop':
        this.adminUp = false;
        this.cancelIdleHold();
        for (const connection of [...this.connections.values()]) {
          this.feed(connection, {
            kind: 'stop',
            subcode: input.subcode ?? CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
          });
        }
        return;
      case 'tcpAccepted':
        this.onAccepted();
        return;
      case 'tcpConnected':
        this.toConnection(input.conn, { kind: 'tcpConnected', direction: 'outbound' }, true);
        return;
      case 'tcpConnectFailed':
        this.toConnection(input.conn, { kind: 'tcpConnectFailed' }, false);
        return;
      case 'tcpClosed':
        this.toConnection(input.conn, { kind: 'tcpClosed' }, false);
        return;
      case 'message':
        this.onMessage(input.conn, input.msg);
        return;
      case 'decodeError':
        this.toConnection(input.conn, { kind: 'decodeError', notification: input.notification }, true);
        return;
      case 'announce': {
        const established = this.establishedConnection();
        if (established) this.feed(established, { kind: 'sendUpdate', update: input.update });
        return;
      }
      case 'timer':
        this.onTimer(input.timer);
        return;
      default:
        assertNever(input, 'BGP peer input');
    }
  }

  private onAccepted(): void {
    if (!this.adminUp) {
      this.out.push({
        kind: 'rejected',
        reason: 'peer administratively down (RFC 4271 §8.2.2 Idle refuses connections)',
      });
      return;
    }
    if (!this.accept) {
      this.out.push({ kind: 'rejected', reason: 'peer configured not to accept connections' });
      return;
    }
    if (this.prefixLimitTripped) {
      this.out.push({
        kind: 'rejected',
        reason: 'held down after exceeding the prefix limit (RFC 4486 Cease/1)',
      });
      return;
    }
    // The neighbour runs one outbound attempt at a time, so a newer inbound connection
    // supersedes an older one still negotiating (it would otherwise idle until its hold timer).
    for (const connection of [...this.connections.values()]) {
      if (connection.direction === 'inbound' && connection.fsm.state !== 'Established') {
        this.feed(connection, { kind: 'collisionDump' });
      }
    }
    const connection = this.createConnection('inbound');
    this.out.push({ kind: 'accepted', conn: connection.id });
    // Event 5 then Event 17: the FSM passes through Active straight to OpenSent, so
    // the peer only looks at where it ended up.
    this.feed(connection, { kind: 'start', passive: true, automatic: true }, false);
    this.feed(connection, { kind: 'tcpConnected', direction: 'inbound' });
  }

  private onMessage(conn: ConnId, msg: BgpMessage): void {
    const connection = this.connections.get(conn);
    if (!connection) {
      this.out.push({ kind: 'close', conn });
      return;
    }
    if (msg.type === 'open' && connection.fsm.state === 'OpenSent') {
      const evaluation = evaluateOpen(this.fsmConfig, msg);
      // An unacceptable OPEN is the FSM's to refuse (Event 22); collisions concern valid ones only.
      if (evaluation.ok && this.resolveCollision(connection, msg.bgpIdentifier)) return;
    }
    this.feed(connection, { kind: 'message', msg });
  }

  /**
   * RFC 4271 §6.8, on receipt of a valid OPEN on `fresh`: if another connection to
   * the neighbour is in OpenConfirm (its BGP Identifier is known) or Established,
   * keep one. Against Established the new connection always loses (§6.8, last
   * paragraph: CollisionDetectEstablishedState is off). Otherwise the connection
   * initiated by the speaker with the higher BGP Identifier survives — §6.8 steps
   * 2 and 3 say "existing" and "new", which with one connection per direction is
   * the same rule — and with equal identifiers the one initiated by the speaker
   * with the larger AS (RFC 6286 §2.3). The loser gets Event 23, hence Cease/7.
   * Returns true when `fresh` itself was dropped.
   */
  private resolveCollision(fresh: Connection, remoteBgpId: string): boolean {
    for (const existing of [...this.connections.values()]) {
      if (existing === fresh) continue;
      const state = existing.fsm.state;
      if (state !== 'OpenConfirm' && state !== 'Established') continue;
      let loser: Connection;
      if (state === 'Established' || existing.direction === fresh.direction) {
        loser = fresh;
      } else {
        const local = ipv4ToUint32(this.fsmConfig.localBgpId) ?? 0;
        const remote = ipv4ToUint32(remoteBgpId) ?? 0;
        const localWins =
          local !== remote ? local > remote : this.fsmConfig.localAsn > this.fsmConfig.peerAsn;
        const survivor: ConnDirection = localWins ? 'outbound' : 'inbound';
        loser = fresh.direction === survivor ? existing : fresh;
      }
      this.feed(loser, { kind: 'collisionDump' });
      if (loser === fresh) return true;
    }
    return false;
  }

  private onTimer(timer: PeerTimer): void {
    if (timer === 'idleHold') {
      this.idleHoldArmed = false;
      if (this.mayRestart()) this.startOutbound(true);
      return;
    }
    if (timer === 'prefixRestart') {
      this.prefixLimitTripped = false;
      this.scheduleRestart();
      return;
    }
    const separator = timer.indexOf(':');
    const connection = this.connections.get(Number(timer.slice(0, separator)));
    const fsmTimer = timer.slice(separator + 1) as FsmTimer;
    // Timers of a connection already discarded were cancelled with it; a late one is a runtime race.
    if (connection) this.feed(connection, { kind: 'timer', timer: fsmTimer });
  }

  /** Delivers a transport or message event; unknown connections are closed (when they carry a socket) or ignored. */
  private toConnection(conn: ConnId, input: FsmInput, closeIfUnknown: boolean): void {
    const connection = this.connections.get(conn);
    if (connection) this.feed(connection, input);
    else if (closeIfUnknown) this.out.push({ kind: 'close', conn });
  }

  private startOutbound(automatic: boolean): void {
    const connection = this.createConnection('outbound');
    this.feed(connection, { kind: 'start', automatic });
  }

  private createConnection(direction: ConnDirection): Connection {
    const connection: Connection = {
      id: this.nextConnId++,
      direction,
      // An accepted connection's FSM must never dial out itself: the neighbour reached us.
      fsm: new BgpFsm({ ...this.fsmConfig, allowInitiate: direction === 'outbound' }),
      prefixes: new Set(),
    };
    this.connections.set(connection.id, connection);
    return connection;
  }

  /** Runs one FSM input and translates its outputs; then (if `react`) reacts to where the FSM ended up. */
  private feed(connection: Connection, input: FsmInput, react = true): void {
    const id = connection.id;
    let limitExceeded = false;
    let becameEstablished = false;
    let lostTransport = false;
    for (const output of connection.fsm.handle(this.nowMs, input)) {
      switch (output.kind) {
        case 'connect':
        case 'close':
          this.out.push({ kind: output.kind, conn: id });
          break;
        case 'send':
          this.out.push({ kind: 'send', conn: id, msg: output.msg });
          break;
        case 'armTimer':
          this.out.push({ kind: 'armTimer', timer: `${id}:${output.timer}`, delayMs: output.delayMs });
          break;
        case 'cancelTimer':
          this.out.push({ kind: 'cancelTimer', timer: `${id}:${output.timer}` });
          break;
        case 'state':
          this.out.push({ ...output, conn: id, direction: connection.direction });
          if (output.to === 'Established') becameEstablished = true;
          if (output.from === 'OpenSent' && output.to === 'Active') lostTransport = true;
          break;
        case 'established':
          this.out.push({ kind: 'established', conn: id, negotiated: output.negotiated });
          break;
        case 'update':
          if (limitExceeded || this.countPrefixes(connection, output.update)) {
            limitExceeded = true;
          } else {
            this.out.push({ kind: 'update', conn: id, update: output.update });
          }
          break;
        case 'routeRefresh':
          this.out.push({ kind: 'routeRefresh', conn: id, afi: output.afi, safi: output.safi });
          break;
        case 'down':
          connection.prefixes.clear();
          this.out.push({ kind: 'down', conn: id, reason: output.reason });
          break;
        default:
          assertNever(output, 'FSM output');
      }
    }
    if (limitExceeded && this.maxPrefixes !== undefined) {
      // RFC 4486 §4 via Event 8 AutomaticStop; the offending UPDATE never reaches the RIB.
      this.prefixLimitTripped = true;
      if (this.maxPrefixRestartSec !== undefined) {
        this.out.push({ kind: 'armTimer', timer: 'prefixRestart', delayMs: this.maxPrefixRestartSec * 1000 });
      }
      this.feed(connection, {
        kind: 'stop',
        automatic: true,
        subcode: CeaseSubcode.MAX_PREFIXES_REACHED,
        data: maxPrefixData(AFI_IPV4, SAFI_UNICAST, this.maxPrefixes),
      });
      return;
    }
    if (react) this.afterTransition(connection, becameEstablished, lostTransport);
  }

  /** Applies an UPDATE to the session's prefix set; true when the limit is now exceeded. */
  private countPrefixes(connection: Connection, update: BgpUpdate): boolean {
    // Withdrawals first, then announcements, as the RIB applies them.
    for (const prefix of update.withdrawn) connection.prefixes.delete(prefix);
    for (const prefix of update.nlri) connection.prefixes.add(prefix);
    return this.maxPrefixes !== undefined && connection.prefixes.size > this.maxPrefixes;
  }

  private afterTransition(connection: Connection, becameEstablished: boolean, lostTransport: boolean): void {
    const state = connection.fsm.state;
    if (state === 'Idle') {
      this.connections.delete(connection.id);
      this.scheduleRestart();
      return;
    }
    if (lostTransport && connection.direction === 'inbound') {
      // An accepted connection lost its TCP in OpenSent (§8.2.2 → Active). Listening is
      // the peer's job, not this FSM's: discard it; a new accept gets a new FSM.
      for (const timer of connection.fsm.armedTimers)
        this.out.push({ kind: 'cancelTimer', timer: `${connection.id}:${timer}` });
      this.connections.delete(connection.id);
      this.scheduleRestart();
      return;
    }
    if (becameEstablished) this.cancelIdleHold();
    // While a session is Established, attempts without a TCP session (Connect, or
    // Active after losing one) can only end in a collision with it (§6.8, the newer
    // connection loses), so stop them (Event 2: silent, there is no session on them).
    const established = this.establishedConnection();
    if (!established) return;
    for (const other of [...this.connections.values()]) {
      if (other !== established && (other.fsm.state === 'Connect' || other.fsm.state === 'Active')) {
        this.feed(other, { kind: 'stop' });
      }
    }
  }

  private mayRestart(): boolean {
    return this.adminUp && this.initiate && !this.prefixLimitTripped && this.connections.size === 0;
  }

  /**
   * Automatic restart (Event 3) after IdleHoldTime, once no connection is left.
   * While any connection is alive it may still become the session, and a new
   * outbound attempt would only collide with it.
   */
  private scheduleRestart(): void {
    if (!this.mayRestart() || this.idleHoldArmed) return;
    this.idleHoldArmed = true;
    this.out.push({ kind: 'armTimer', timer: 'idleHold', delayMs: this.idleHoldSec * 1000 });
  }

  private cancelIdleHold(): void {
    if (!this.idleHoldArmed) return;
    this.idleHoldArmed = false;
    this.out.push({ kind: 'cancelTimer', timer: 'idleHold' });
  }

  private establishedConnection(): Connection | undefined {
    for (const connection of this.connections.values()) {
      if (connection.fsm.state === 'Established') return connection;
    }
    return undefined;
  }
}
