import type { Core, TimerAction, TimerFired } from '../core.ts';
import { assertNever } from '../core.ts';
import { ipv4ToUint32 } from './identifier.ts';
import type {
  BgpMessage,
  BgpNotification,
  BgpOpen,
  BgpRouteRefresh,
  BgpUpdate,
  Capability,
} from './messages.ts';
import {
  AFI_IPV4,
  AS_TRANS,
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  OpenSubcode,
  SAFI_UNICAST,
} from './messages.ts';
import {
  AZURE_HOLD_TIME_SEC,
  DEFAULT_CONNECT_RETRY_SEC,
  isAcceptableHoldTime,
  keepaliveIntervalSec,
  negotiateHoldTime,
  OPEN_SENT_HOLD_TIME_SEC,
} from './timers.ts';

/**
 * The BGP-4 session state machine of RFC 4271 §8 for one TCP connection,
 * sans-IO: it consumes BgpMessage objects and runtime events and returns what to
 * send, which timers to arm and what happened. It never parses bytes (wire.ts
 * does) and never decides between two connections to the same neighbour
 * (peer.ts does, RFC 4271 §6.8) — it only obeys an OpenCollisionDump.
 *
 * Not implemented, by choice: DelayOpen (Events 12, 20), peer oscillation damping
 * (Events 6, 7, 13 — the automatic restart back-off lives in peer.ts), and
 * SendNOTIFICATIONwithoutOPEN (errors before OpenSent close silently).
 */

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type FsmTimer = 'connectRetry' | 'hold' | 'keepalive';

export interface FsmConfig {
  readonly localAsn: number;
  readonly localBgpId: string;
  /** The neighbour's ASN as configured; an OPEN from any other AS is refused with 2/2 (RFC 4271 §6.2). */
  readonly peerAsn: number;
  /** Hold time we propose (default 180 s, Azure's; RFC 4271 §10 suggests 90 s). 0 disables keepalives. */
  readonly holdTimeSec?: number;
  /** RFC 4271 §10 ConnectRetryTime (default 120 s). */
  readonly connectRetrySec?: number;
  /**
   * Send keepalives at this interval whatever the negotiated hold time. Unset,
   * the interval is negotiated hold / 3 (RFC 4271 §4.4). Azure keeps 60 s
   * (AZURE-FACTS.md "does not negotiate them down").
   */
  readonly fixedKeepaliveSec?: number;
  /** Advertise and use the 4-octet AS capability (RFC 6793); default true. */
  readonly fourOctetAs?: boolean;
  /** Advertise ROUTE-REFRESH (RFC 2918) and report received ones; default false. */
  readonly routeRefresh?: boolean;
  /**
   * May this FSM open TCP itself when ConnectRetryTimer expires in Active
   * (RFC 4271 §8.2.2 Active, Event 9)? Default true. False models a speaker that
   * must never initiate, e.g. Azure towards an APIPA-addressed device
   * (AZURE-FACTS.md "Who opens BGP").
   */
  readonly allowInitiate?: boolean;
}

/** What both OPENs settled (RFC 4271 §4.2, RFC 6793, RFC 2918). */
export interface NegotiatedSession {
  readonly holdTimeSec: number;
  /** 0 when the hold time is 0: no keepalives are sent (RFC 4271 §4.4). */
  readonly keepaliveSec: number;
  /** Both sides advertised RFC 6793 capability 65: AS_PATH carries 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  readonly peerBgpId: string;
  /** The neighbour's real ASN (from capability 65 when present, else the OPEN's My AS). */
  readonly peerAsn: number;
}

export type FsmInput =
  /** Events 1, 3, 4, 5: Manual/AutomaticStart, optionally with passive TCP establishment. */
  | { readonly kind: 'start'; readonly passive?: boolean; readonly automatic?: boolean }
  /**
   * Event 2 ManualStop, or Event 8 AutomaticStop (e.g. the prefix limit). The
   * Cease subcode defaults to 2 Administrative Shutdown (RFC 4486 §4).
   */
  | {
      readonly kind: 'stop';
      readonly automatic?: boolean;
      readonly subcode?: number;
      readonly data?: Uint8Array;
    }
  /** Event 16 Tcp_CR_Acked (we initiated) or Event 17 TcpConnectionConfirmed (we accepted). */
  | { readonly kind: 'tcpConnected'; readonly direction: 'outbound' | 'inbound' }
  /** Event 18 TcpConnectionFails, before the connection came up. */
  | { readonly kind: 'tcpConnectFailed' }
  /** Event 18 TcpConnectionFails, on an established TCP connection (FIN or RST). */
  | { readonly kind: 'tcpClosed' }
  /** Events 19, 24-27 (and 22 when the OPEN is syntactically fine but unacceptable). */
  | { readonly kind: 'message'; readonly msg: BgpMessage }
  /** Events 21, 22, 28: the codec refused a message; `notification` is what RFC 4271 §6 says to send. */
  | { readonly kind: 'decodeError'; readonly notification: BgpNotification }
  /** Event 23 OpenCollisionDump: peer.ts chose this connection to lose a collision (RFC 4271 §6.8). */
  | { readonly kind: 'collisionDump' }
  /** Local route advertisement; only sent in Established. */
  | { readonly kind: 'sendUpdate'; readonly update: BgpUpdate }
  /** Events 9, 10, 11. */
  | TimerFired<FsmTimer>;

export type SessionEndReason =
  | { readonly kind: 'notificationSent'; readonly notification: BgpNotification }
  | { readonly kind: 'notificationReceived'; readonly notification: BgpNotification }
  | { readonly kind: 'transportClosed' };

export type FsmOutput =
  /** Open a TCP connection to the neighbour's port 179. */
  | { readonly kind: 'connect' }
  | { readonly kind: 'send'; readonly msg: BgpMessage }
  /** Drop the TCP connection (after any `send` listed before it). */
  | { readonly kind: 'close' }
  | TimerAction<FsmTimer>
  /** `reason` names the RFC 4271 §8.1 event, e.g. "Event 17 TcpConnectionConfirmed". */
  | { readonly kind: 'state'; readonly from: FsmState; readonly to: FsmState; readonly reason: string }
  | { readonly kind: 'established'; readonly negotiated: NegotiatedSession }
  /** Routes received (Event 27). */
  | { readonly kind: 'update'; readonly update: BgpUpdate }
  /** The neighbour asks for our routes again (RFC 2918), only when we advertised the capability. */
  | { readonly kind: 'routeRefresh'; readonly afi: number; readonly safi: number }
  /** The Established session ended: every route learned over it must go (RFC 4271 §8.2.2 Established). */
  | { readonly kind: 'down'; readonly reason: SessionEndReason };

export type OpenEvaluation =
  | { readonly ok: true; readonly negotiated: NegotiatedSession }
  | { readonly ok: false; readonly notification: BgpNotification; readonly reason: string };

/** RFC 4271 §4.2: the only version we speak; also the Data of an Unsupported Version Number error (§6.2). */
const BGP_VERSION = 4;

const EVENT = {
  manualStart: 'Event 1 ManualStart',
  manualStop: 'Event 2 ManualStop',
  automaticStart: 'Event 3 AutomaticStart',
  manualStartPassive: 'Event 4 ManualStart_with_PassiveTcpEstablishment',
  automaticStartPassive: 'Event 5 AutomaticStart_with_PassiveTcpEstablishment',
  automaticStop: 'Event 8 AutomaticStop',
  connectRetryExpires: 'Event 9 ConnectRetryTimer_Expires',
  holdExpires: 'Event 10 HoldTimer_Expires',
  keepaliveExpires: 'Event 11 KeepaliveTimer_Expires',
  tcpCrAcked: 'Event 16 Tcp_CR_Acked',
  tcpConfirmed: 'Event 17 TcpConnectionConfirmed',
  tcpFails: 'Event 18 TcpConnectionFails',
  bgpOpen: 'Event 19 BGPOpen',
  headerErr: 'Event 21 BGPHeaderErr',
  openMsgErr: 'Event 22 BGPOpenMsgErr',
  collisionDump: 'Event 23 OpenCollisionDump',
  notifVerErr: 'Event 24 NotifMsgVerErr',
  notifMsg: 'Event 25 NotifMsg',
  keepaliveMsg: 'Event 26 KeepAliveMsg',
  updateMsg: 'Event 27 UpdateMsg',
  updateMsgErr: 'Event 28 UpdateMsgErr',
  routeRefreshMsg: 'ROUTE-REFRESH received (RFC 2918)',
} as const;

interface ResolvedConfig {
  readonly localAsn: number;
  readonly localBgpId: string;
  readonly peerAsn: number;
  readonly holdTimeSec: number;
  readonly connectRetrySec: number;
  readonly fixedKeepaliveSec: number | undefined;
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  readonly allowInitiate: boolean;
}

/** Fills defaults and refuses configurations no speaker could run with (a bug in the caller, hence a throw). */
export function resolveFsmConfig(config: FsmConfig): ResolvedConfig {
  const resolved: ResolvedConfig = {
    localAsn: config.localAsn,
    localBgpId: config.localBgpId,
    peerAsn: config.peerAsn,
    holdTimeSec: config.holdTimeSec ?? AZURE_HOLD_TIME_SEC,
    connectRetrySec: config.connectRetrySec ?? DEFAULT_CONNECT_RETRY_SEC,
    fixedKeepaliveSec: config.fixedKeepaliveSec,
    fourOctetAs: config.fourOctetAs ?? true,
    routeRefresh: config.routeRefresh ?? false,
    allowInitiate: config.allowInitiate ?? true,
  };
  for (const [name, asn] of [
    ['localAsn', resolved.localAsn],
    ['peerAsn', resolved.peerAsn],
  ] as const) {
    if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff)
      throw new RangeError(`${name} ${asn} is not an ASN`);
    if (asn > 0xffff && !resolved.fourOctetAs) {
      throw new RangeError(`${name} ${asn} needs the 4-octet AS capability (RFC 6793)`);
    }
  }
  const id = ipv4ToUint32(resolved.localBgpId);
  if (id === undefined || id === 0)
    throw new RangeError(`localBgpId ${resolved.localBgpId} is not a BGP Identifier`);
  if (!isAcceptableHoldTime(resolved.holdTimeSec)) {
    throw new RangeError(`holdTimeSec ${resolved.holdTimeSec}: must be 0 or 3..65535 (RFC 4271 §4.2)`);
  }
  if (!(resolved.connectRetrySec > 0))
    throw new RangeError(`connectRetrySec ${resolved.connectRetrySec} must be > 0`);
  if (resolved.fixedKeepaliveSec !== undefined && !(resolved.fixedKeepaliveSec > 0)) {
    throw new RangeError(`fixedKeepaliveSec ${resolved.fixedKeepaliveSec} must be > 0`);
  }
  return resolved;
}

/** The OPEN this speaker sends (RFC 4271 §4.2, RFC 5492 capabilities). */
export function buildOpen(config: FsmConfig): BgpOpen {
  const c = resolveFsmConfig(config);
  const capabilities: Capability[] = [{ code: 'multiprotocol', afi: AFI_IPV4, safi: SAFI_UNICAST }];
  if (c.routeRefresh) capabilities.push({ code: 'routeRefresh' });
  if (c.fourOctetAs) capabilities.push({ code: 'fourOctetAs', asn: c.localAsn });
  return {
    type: 'open',
    version: BGP_VERSION,
    // RFC 6793 §3: a 4-octet ASN travels in capability 65; the 2-octet field carries AS_TRANS.
    myAsn: c.localAsn > 0xffff ? AS_TRANS : c.localAsn,
    holdTimeSec: c.holdTimeSec,
    bgpIdentifier: c.localBgpId,
    capabilities,
  };
}

/**
 * RFC 4271 §6.2 OPEN message checks, in the order the section lists them, plus
 * RFC 6793 (the real ASN comes from capability 65) and RFC 6286 §2.2 (any
 * non-zero identifier is valid; only an internal peer may not share ours).
 * Pure, so peer.ts can evaluate an OPEN before deciding a collision.
 */
export function evaluateOpen(config: FsmConfig, open: BgpOpen): OpenEvaluation {
  const c = resolveFsmConfig(config);
  if (open.version !== BGP_VERSION) {
    // §6.2: Data is the largest locally supported version, as a 2-octet integer.
    return refuse(OpenSubcode.UNSUPPORTED_VERSION, `version ${open.version}`, Uint8Array.of(0, BGP_VERSION));
  }
  let fourOctetCapability: number | undefined;
  let peerRouteRefresh = false;
  for (const capability of open.capabilities) {
    if (capability.code === 'fourOctetAs') fourOctetCapability = capability.asn;
    else if (capability.code === 'routeRefresh') peerRouteRefresh = true;
  }
  const fourOctetAs = c.fourOctetAs && fourOctetCapability !== undefined;
  const peerAsn = fourOctetAs && fourOctetCapability !== undefined ? fourOctetCapability : open.myAsn;
  if (peerAsn !== c.peerAsn) {
    return refuse(OpenSubcode.BAD_PEER_AS, `peer AS ${peerAsn}, configured ${c.peerAsn}`);
  }
  if (!isAcceptableHoldTime(open.holdTimeSec)) {
    return refuse(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${open.holdTimeSec} s`);
  }
  const peerId = ipv4ToUint32(open.bgpIdentifier);
  if (peerId === undefined || peerId === 0) {
    return refuse(OpenSubcode.BAD_BGP_IDENTIFIER, `BGP Identifier ${open.bgpIdentifier}`);
  }
  if (peerAsn === c.localAsn && peerId === ipv4ToUint32(c.localBgpId)) {
    return refuse(
      OpenSubcode.BAD_BGP_IDENTIFIER,
      `internal peer uses our BGP Identifier ${open.bgpIdentifier}`,
    );
  }
  const holdTimeSec = negotiateHoldTime(c.holdTimeSec, open.holdTimeSec);
  return {
    ok: true,
    negotiated: {
      holdTimeSec,
      keepaliveSec: keepaliveIntervalSec(holdTimeSec, c.fixedKeepaliveSec),
      fourOctetAs,
      routeRefresh: c.routeRefresh && peerRouteRefresh,
      peerBgpId: open.bgpIdentifier,
      peerAsn,
    },
  };
}

function refuse(subcode: number, reason: string, data: Uint8Array = new Uint8Array(0)): OpenEvaluation {
  return {
    ok: false,
    notification: { type: 'notification', code: ErrorCode.OPEN_MESSAGE, subcode, data },
    reason,
  };
}

function notification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): BgpNotification {
  return { type: 'notification', code, subcode, data };
}

type SessionState = 'OpenSent' | 'OpenConfirm' | 'Established';

/** RFC 6608 §4: the FSM Error subcode names the state the unexpected message arrived in. */
const FSM_SUBCODE: Record<SessionState, number> = {
  OpenSent: FsmSubcode.UNEXPECTED_IN_OPENSENT,
  OpenConfirm: FsmSubcode.UNEXPECTED_IN_OPENCONFIRM,
  Established: FsmSubcode.UNEXPECTED_IN_ESTABLISHED,
};

export class BgpFsm implements Core<FsmInput, FsmOutput> {
  private readonly config: ResolvedConfig;
  private readonly open: BgpOpen;
  private current: FsmState = 'Idle';
  private readonly armed = new Set<FsmTimer>();
  private session: NegotiatedSession | undefined;
  private retryCounter = 0;
  private out: FsmOutput[] = [];

  constructor(config: FsmConfig) {
    this.config = resolveFsmConfig(config);
    this.open = buildOpen(config);
  }

  get state(): FsmState {
    return this.current;
  }

  /** Known once a valid OPEN has been received (OpenConfirm and Established). */
  get negotiated(): NegotiatedSession | undefined {
    return this.session;
  }

  /** RFC 4271 §8.1.2 ConnectRetryCounter. */
  get connectRetryCounter(): number {
    return this.retryCounter;
  }

  get armedTimers(): ReadonlySet<FsmTimer> {
    return this.armed;
  }

  handle(_nowMs: number, input: FsmInput): FsmOutput[] {
    this.out = [];
    this.dispatch(input);
    return this.out;
  }

  private dispatch(input: FsmInput): void {
    switch (input.kind) {
      case 'start':
        this.onStart(input.passive ?? false, input.automatic ?? false);
        return;
      case 'stop':
        this.onStop(
          input.automatic ?? false,
          input.subcode ?? CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
          input.data,
        );
        return;
      case 'tcpConnected':
        this.onTcpConnected(input.direction === 'outbound' ? EVENT.tcpCrAcked : EVENT.tcpConfirmed);
        return;
      case 'tcpConnectFailed':
      case 'tcpClosed':
        this.onTcpFails();
        return;
      case 'message':
        this.onMessage(input.msg);
        return;
      case 'decodeError':
        this.onDecodeError(input.notification);
        return;
      case 'collisionDump':
        this.onCollisionDump();
        return;
      case 'sendUpdate':
        this.onSendUpdate(input.update);
        return;
      case 'timer':
        // A timer we did not arm (fired just before a cancel reached the runtime) is a
        // runtime race, not an RFC event: honouring it could kill a healthy session.
        if (!this.armed.delete(input.timer)) return;
        this.onTimer(input.timer);
        return;
      default:
        assertNever(input, 'BGP FSM input');
    }
  }

  // --- Events 1-5, 8: administrative and automatic start/stop ----------------------------

  private onStart(passive: boolean, automatic: boolean): void {
    // §8.2.2: start events are ignored in every state but Idle.
    if (this.current !== 'Idle') return;
    const event = passive
      ? automatic
        ? EVENT.automaticStartPassive
        : EVENT.manualStartPassive
      : automatic
        ? EVENT.automaticStart
        : EVENT.manualStart;
    this.retryCounter = 0;
    this.arm('connectRetry', this.config.connectRetrySec);
    if (passive) {
      this.moveTo('Active', event);
    } else {
      this.out.push({ kind: 'connect' });
      this.moveTo('Connect', event);
    }
  }

  private onStop(automatic: boolean, subcode: number, data: Uint8Array | undefined): void {
    const event = automatic ? EVENT.automaticStop : EVENT.manualStop;
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
      case 'Active':
        // Event 2 zeroes the ConnectRetryCounter; Event 8 falls under "any other event" (+1).
        this.retryCounter = automatic ? this.retryCounter + 1 : 0;
        this.toIdle(event, undefined, { close: true });
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established':
        this.retryCounter = automatic ? this.retryCounter + 1 : 0;
        this.failWith(notification(ErrorCode.CEASE, subcode, data), event, { count: false });
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  // --- Events 16-18: transport --------------------------------------------------------------

  private onTcpConnected(event: string): void {
    switch (this.current) {
      case 'Idle':
        // §8.2.2 Idle: "refuses all incoming BGP connections".
        this.out.push({ kind: 'close' });
        return;
      case 'Connect':
      case 'Active':
        this.cancel('connectRetry');
        this.out.push({ kind: 'send', msg: this.open });
        this.arm('hold', OPEN_SENT_HOLD_TIME_SEC);
        this.moveTo('OpenSent', event);
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established':
        // A second connection is tracked by collision detection (§6.8), which gives it its own FSM in peer.ts.
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  private onTcpFails(): void {
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
        // No DelayOpen: stop ConnectRetryTimer, drop the connection, Idle; the counter is untouched.
        this.toIdle(EVENT.tcpFails, undefined, { close: true });
        return;
      case 'Active':
        // The RFC text also restarts ConnectRetryTimer here, but Idle ignores Event 9, so we cancel it.
        this.retryCounter++;
        this.toIdle(EVENT.tcpFails, undefined, { close: true });
        return;
      case 'OpenSent':
        // §8.2.2 OpenSent, Event 18: close, restart ConnectRetryTimer, keep listening in Active.
        this.cancel('hold');
        this.out.push({ kind: 'close' });
        this.arm('connectRetry', this.config.connectRetrySec);
        this.moveTo('Active', EVENT.tcpFails);
        return;
      case 'OpenConfirm':
      case 'Established':
        this.retryCounter++;
        this.toIdle(EVENT.tcpFails, { kind: 'transportClosed' }, { close: true });
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  // --- Events 19, 24-27: messages ----------------------------------------------------------

  private onMessage(msg: BgpMessage): void {
    if (this.current === 'Idle') return;
    if (this.current === 'Connect' || this.current === 'Active') {
      // No TCP session yet, so no message can belong to one: "any other event" → Idle.
      this.retryCounter++;
      this.toIdle(messageEvent(msg), undefined, { close: true });
      return;
    }
    switch (msg.type) {
      case 'open':
        this.onOpen(msg, this.current);
        return;
      case 'notification':
        this.onNotification(msg);
        return;
      case 'keepalive':
        this.onKeepalive(this.current);
        return;
      case 'update':
        this.onUpdate(msg, this.current);
        return;
      case 'routeRefresh':
        this.onRouteRefresh(msg, this.current);
        return;
      default:
        assertNever(msg, 'BGP message');
    }
  }

  private onOpen(open: BgpOpen, state: SessionState): void {
    // In OpenConfirm and Established an OPEN on this same connection is out of place
    // (RFC 6608); an OPEN on another connection is peer.ts's collision check.
    if (state !== 'OpenSent') {
      this.fsmError(state, EVENT.bgpOpen);
      return;
    }
    const evaluation = evaluateOpen(this.config, open);
    if (!evaluation.ok) {
      this.failWith(evaluation.notification, `${EVENT.openMsgErr}: ${evaluation.reason}`);
      return;
    }
    const negotiated = evaluation.negotiated;
    this.session = negotiated;
    this.cancel('connectRetry');
    this.out.push({ kind: 'send', msg: { type: 'keepalive' } });
    if (negotiated.holdTimeSec === 0) {
      // §8.2.2 OpenSent, Event 19: with a zero hold time neither timer is started.
      this.cancel('hold');
    } else {
      this.arm('keepalive', negotiated.keepaliveSec);
      this.arm('hold', negotiated.holdTimeSec);
    }
    this.moveTo('OpenConfirm', EVENT.bgpOpen);
  }

  private onNotification(received: BgpNotification): void {
    // A NOTIFICATION is never answered with one: the sender closes right after it (RFC 4271 §4.5).
    const versionError =
      received.code === ErrorCode.OPEN_MESSAGE && received.subcode === OpenSubcode.UNSUPPORTED_VERSION;
    // Event 24 leaves the ConnectRetryCounter alone; Event 25 increments it (§8.2.2).
    if (!versionError) this.retryCounter++;
    this.toIdle(
      versionError ? EVENT.notifVerErr : EVENT.notifMsg,
      { kind: 'notificationReceived', notification: received },
      { close: true },
    );
  }

  private onKeepalive(state: SessionState): void {
    switch (state) {
      case 'OpenSent':
        this.fsmError(state, EVENT.keepaliveMsg);
        return;
      case 'OpenConfirm': {
        this.restartHold();
        this.moveTo('Established', EVENT.keepaliveMsg);
        const negotiated = this.session;
        if (negotiated) this.out.push({ kind: 'established', negotiated });
        return;
      }
      case 'Established':
        this.restartHold();
        return;
      default:
        assertNever(state, 'session state');
    }
  }

  private onUpdate(update: BgpUpdate, state: SessionState): void {
    if (state !== 'Established') {
      this.fsmError(state, EVENT.updateMsg);
      return;
    }
    this.restartHold();
    this.out.push({ kind: 'update', update });
  }

  private onRouteRefresh(refresh: BgpRouteRefresh, state: SessionState): void {
    if (state !== 'Established') {
      this.fsmError(state, EVENT.routeRefreshMsg);
      return;
    }
    this.restartHold();
    // RFC 2918 §4: a ROUTE-REFRESH for a capability we did not advertise is ignored; so are
    // RFC 7313 Beginning/End-of-RIB markers (subtype 1, 2), as we do not advertise Enhanced Route Refresh.
    if (this.config.routeRefresh && (refresh.subtype ?? 0) === 0) {
      this.out.push({ kind: 'routeRefresh', afi: refresh.afi, safi: refresh.safi });
    }
  }

  // --- Events 21, 22, 28: the codec refused a message --------------------------------------

  private onDecodeError(error: BgpNotification): void {
    const event =
      error.code === ErrorCode.OPEN_MESSAGE
        ? EVENT.openMsgErr
        : error.code === ErrorCode.UPDATE_MESSAGE
          ? EVENT.updateMsgErr
          : EVENT.headerErr;
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
      case 'Active':
        this.retryCounter++;
        this.toIdle(event, undefined, { close: true });
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established': {
        // The codec's NOTIFICATION is right for the message itself (§6.1-§6.3); but a
        // message type the state does not expect is an FSM error first (RFC 6608):
        // an OPEN after OpenSent, an UPDATE or ROUTE-REFRESH before Established.
        const expected =
          error.code === ErrorCode.OPEN_MESSAGE
            ? this.current === 'OpenSent'
            : error.code === ErrorCode.UPDATE_MESSAGE || error.code === ErrorCode.ROUTE_REFRESH_MESSAGE
              ? this.current === 'Established'
              : true;
        if (!expected) {
          this.fsmError(this.current, event);
          return;
        }
        this.failWith(error, event);
        return;
      }
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  // --- Event 23 -------------------------------------------------------------------------------

  private onCollisionDump(): void {
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
      case 'Active':
        this.retryCounter++;
        this.toIdle(EVENT.collisionDump, undefined, { close: true });
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established':
        // RFC 4486: Cease subcode 7 names the reason.
        this.failWith(
          notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
          EVENT.collisionDump,
        );
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  private onSendUpdate(update: BgpUpdate): void {
    if (this.current !== 'Established') return;
    this.out.push({ kind: 'send', msg: update });
    // §8.2.2 Established: every KEEPALIVE or UPDATE sent restarts the KeepaliveTimer (unless hold is 0).
    this.restartKeepalive();
  }

  // --- Events 9, 10, 11: timers ------------------------------------------------------------

  private onTimer(timer: FsmTimer): void {
    switch (timer) {
      case 'connectRetry':
        this.onConnectRetryExpires();
        return;
      case 'hold':
        this.onHoldExpires();
        return;
      case 'keepalive':
        this.onKeepaliveExpires();
        return;
      default:
        assertNever(timer, 'FSM timer');
    }
  }

  private onConnectRetryExpires(): void {
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
        // Abandon the attempt in flight and try again, staying in Connect.
        this.out.push({ kind: 'close' });
        this.arm('connectRetry', this.config.connectRetrySec);
        this.out.push({ kind: 'connect' });
        return;
      case 'Active':
        this.arm('connectRetry', this.config.connectRetrySec);
        // Deviation for passive-only speakers: RFC 4271 would initiate TCP here, a
        // speaker that must never initiate keeps listening instead.
        if (!this.config.allowInitiate) return;
        this.out.push({ kind: 'connect' });
        this.moveTo('Connect', EVENT.connectRetryExpires);
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established':
        this.fsmError(this.current, EVENT.connectRetryExpires);
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  private onHoldExpires(): void {
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
      case 'Active':
        this.retryCounter++;
        this.toIdle(EVENT.holdExpires, undefined, { close: true });
        return;
      case 'OpenSent':
      case 'OpenConfirm':
      case 'Established':
        // §6.5: NOTIFICATION Hold Timer Expired (code 4, no subcode), then close.
        this.failWith(notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), EVENT.holdExpires);
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  private onKeepaliveExpires(): void {
    switch (this.current) {
      case 'Idle':
        return;
      case 'Connect':
      case 'Active':
        this.retryCounter++;
        this.toIdle(EVENT.keepaliveExpires, undefined, { close: true });
        return;
      case 'OpenSent':
        this.fsmError(this.current, EVENT.keepaliveExpires);
        return;
      case 'OpenConfirm':
      case 'Established':
        this.out.push({ kind: 'send', msg: { type: 'keepalive' } });
        this.restartKeepalive();
        return;
      default:
        assertNever(this.current, 'FSM state');
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private fsmError(state: SessionState, event: string): void {
    this.failWith(notification(ErrorCode.FSM, FSM_SUBCODE[state]), `${event} unexpected in ${state}`);
  }

  /**
   * The common ending of every error in OpenSent, OpenConfirm and Established:
   * send the NOTIFICATION, drop TCP, stop the timers, count the failure, Idle
   * (and, from Established, the session's routes go).
   */
  private failWith(
    sent: BgpNotification,
    event: string,
    options: { count: boolean } = { count: true },
  ): void {
    this.out.push({ kind: 'send', msg: sent });
    if (options.count) this.retryCounter++;
    this.toIdle(event, { kind: 'notificationSent', notification: sent }, { close: true });
  }

  private toIdle(event: string, ending: SessionEndReason | undefined, options: { close: boolean }): void {
    for (const timer of [...this.armed]) this.cancel(timer);
    if (options.close) this.out.push({ kind: 'close' });
    if (this.current === 'Established') {
      this.out.push({ kind: 'down', reason: ending ?? { kind: 'transportClosed' } });
    }
    this.session = undefined;
    this.moveTo('Idle', event);
  }

  private restartHold(): void {
    const hold = this.session?.holdTimeSec ?? 0;
    if (hold > 0) this.arm('hold', hold);
  }

  private restartKeepalive(): void {
    const keepalive = this.session?.keepaliveSec ?? 0;
    if (keepalive > 0) this.arm('keepalive', keepalive);
  }

  private arm(timer: FsmTimer, seconds: number): void {
    this.armed.add(timer);
    this.out.push({ kind: 'armTimer', timer, delayMs: seconds * 1000 });
  }

  private cancel(timer: FsmTimer): void {
    if (this.armed.delete(timer)) this.out.push({ kind: 'cancelTimer', timer });
  }

  private moveTo(to: FsmState, reason: string): void {
    const from = this.current;
    this.current = to;
    this.out.push({ kind: 'state', from, to, reason });
  }
}

function messageEvent(msg: BgpMessage): string {
  switch (msg.type) {
    case 'open':
      return EVENT.bgpOpen;
    case 'notification':
      return EVENT.notifMsg;
    case 'keepalive':
      return EVENT.keepaliveMsg;
    case 'update':
      return EVENT.updateMsg;
    case 'routeRefresh':
      return EVENT.routeRefreshMsg;
    default:
      assertNever(msg, 'BGP message');
  }
}
