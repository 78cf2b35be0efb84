import {
  type IkeEndpointConfig,
  type IkeEndpointOptions,
  ikeEndpointConfig,
  maxRekeyMarginMs,
  retransmitTimeoutMs,
} from './config.ts';
import type { ExchangeType, IkeMessage, IkePayload, IkeSpi } from './messages.ts';
import {
  type ChildSa,
  childIdOf,
  dpdActive,
  type IkeSa,
  type InFlight,
  idOf,
  isUp,
  localOf,
  pendingDueMs,
  rekeyable,
} from './sa.ts';
import type {
  DownReason,
  EndpointState,
  IkeEndpointSnapshot,
  IkeOutput,
  IkeReason,
  IkeSaId,
  IkeTimer,
} from './types.ts';

/**
 * The IKE endpoint's state and bookkeeping: its SA table, the outputs of the
 * input being handled, sending with retransmission state, CHILD SA
 * installation (reported to the data plane as it happens), and the derived
 * level signals and timers. The protocol itself — what each input and message
 * does — is in endpoint.ts.
 */

export const TIMERS: readonly IkeTimer[] = ['retransmit', 'dpd', 'lifetime', 'initiate', 'halfOpen'];

export abstract class IkeEndpointBase {
  readonly config: IkeEndpointConfig;
  protected adminUp = false;
  /** Keyed by our own SPI of each IKE SA (the one we chose). */
  protected readonly sas = new Map<IkeSpi, IkeSa>();
  protected keyingTry = 0;
  protected initiateAtMs: number | undefined;
  protected trapped = false;
  /**
   * When each named timer is armed to fire (undefined: not armed): the earliest
   * deadline of its kind as of the last input, since every input ends with
   * reconcileTimers. A plain record, read on every input.
   */
  protected readonly armed: Record<IkeTimer, number | undefined> = {
    retransmit: undefined,
    dpd: undefined,
    lifetime: undefined,
    initiate: undefined,
    halfOpen: undefined,
  };
  protected out: IkeOutput[] = [];
  protected reported: { state: EndpointState; established: boolean; tunnelUp: boolean } = {
    state: 'stopped',
    established: false,
    tunnelUp: false,
  };
  protected reason: IkeReason = 'start';
  /**
   * Bumped whenever the SA table or any SA's CHILD SAs change: what the steady
   * DPD check (endpoint.ts) cached about them is valid while this stays put.
   */
  protected tableVersion = 0;
  protected downReason: DownReason = 'deleted';

  constructor(options: IkeEndpointOptions) {
    this.config = ikeEndpointConfig(options);
  }

  get canInitiate(): boolean {
    return this.config.mode !== 'ResponderOnly';
  }

  get canRespond(): boolean {
    return this.config.mode !== 'InitiatorOnly';
  }

  snapshot(): IkeEndpointSnapshot {
    return {
      state: this.reported.state,
      tunnelUp: this.reported.tunnelUp,
      ikeSas: [...this.sas.values()].map((sa) => ({
        id: idOf(sa),
        state: sa.state === 'initSent' || sa.state === 'authSent' ? 'connecting' : sa.state,
        originalInitiator: sa.originalInitiator,
        requestInFlight: sa.pending !== undefined,
        childSas: sa.children.map(childIdOf),
      })),
    };
  }

  /** IKE SAs that have completed IKE_AUTH and are not being torn down. */
  establishedIkeSas(): IkeSaId[] {
    return [...this.sas.values()].filter(isUp).map(idOf);
  }

  protected sendRequest(
    now: number,
    sa: IkeSa,
    exchange: ExchangeType,
    payloads: IkePayload[],
    inFlight: InFlight,
  ): void {
    const message: IkeMessage = {
      exchange,
      isResponse: false,
      fromOriginalInitiator: sa.originalInitiator,
      initiatorSpi: sa.initiatorSpi,
      responderSpi: sa.responderSpi,
      messageId: sa.nextRequestId++,
      payloads,
    };
    const live = isUp(sa) || sa.state === 'deleting';
    sa.pending = {
      message,
      inFlight,
      retransmitted: 0,
      nextAtMs: now + this.retransmitTimeout(0),
      deadlineMs: live && this.config.dpdTimeoutMs !== null ? now + this.config.dpdTimeoutMs : undefined,
    };
    this.send(message);
  }

  /** A DELETE sent without waiting for the answer: stop, hard expiry. */
  protected sendDeleteAndForget(sa: IkeSa): void {
    this.send({
      exchange: 'INFORMATIONAL',
      isResponse: false,
      fromOriginalInitiator: sa.originalInitiator,
      initiatorSpi: sa.initiatorSpi,
      responderSpi: sa.responderSpi,
      messageId: sa.nextRequestId++,
      payloads: [{ type: 'deleteIke' }],
    });
  }

  protected respond(sa: IkeSa, request: IkeMessage, payloads: IkePayload[]): void {
    const response: IkeMessage = {
      exchange: request.exchange,
      isResponse: true,
      fromOriginalInitiator: sa.originalInitiator,
      initiatorSpi: sa.initiatorSpi,
      responderSpi: sa.responderSpi,
      messageId: request.messageId,
      payloads,
    };
    sa.lastResponse = response;
    sa.expectedRequestId = request.messageId + 1;
    this.send(response);
  }

  protected send(message: IkeMessage): void {
    this.out.push({ kind: 'send', message });
  }

  protected createSa(
    now: number,
    init: Pick<IkeSa, 'initiatorSpi' | 'responderSpi' | 'originalInitiator' | 'state' | 'nonces'>,
  ): IkeSa {
    // Field by field rather than spread: every SA then shares one shape, whichever call made it.
    const sa: IkeSa = {
      initiatorSpi: init.initiatorSpi,
      responderSpi: init.responderSpi,
      originalInitiator: init.originalInitiator,
      state: init.state,
      nonces: init.nonces,
      createdAtMs: now,
      nextRequestId: 0,
      expectedRequestId: 0,
      lastResponse: undefined,
      pending: undefined,
      queue: [],
      lastInboundMs: now,
      dpdCheckAtMs: undefined,
      rekeyAtMs: undefined,
      expireAtMs: undefined,
      rekeyQueued: false,
      createChildAtMs: undefined,
      halfOpenUntilMs: undefined,
      condemned: false,
      closeReason: undefined,
      children: [],
    };
    this.sas.set(localOf(sa), sa);
    this.tableVersion++;
    return sa;
  }

  protected establish(now: number, sa: IkeSa): void {
    sa.state = 'established';
    sa.halfOpenUntilMs = undefined;
    sa.lastInboundMs = now;
    // strongSwan runs its first DPD check as the SA is established: next one after dpd_delay.
    sa.dpdCheckAtMs = this.config.dpdDelayMs > 0 ? now + this.config.dpdDelayMs : undefined;
    sa.rekeyAtMs = now + this.rekeyAfter(this.config.ikeSaLifetimeMs);
    sa.expireAtMs = now + this.config.ikeSaLifetimeMs;
    if (!this.hasUp((other) => other !== sa)) this.reason = 'established';
  }

  protected supersede(sa: IkeSa): void {
    sa.state = 'rekeyed';
    sa.queue = [];
    sa.rekeyQueued = false;
    sa.dpdCheckAtMs = undefined;
  }

  protected condemn(sa: IkeSa, reason: IkeReason): void {
    sa.condemned = true;
    sa.closeReason = reason;
    sa.queue = [{ kind: 'deleteIke' }];
    sa.rekeyQueued = false;
  }

  protected installChild(
    now: number,
    sa: IkeSa,
    inSpi: number,
    outSpi: number,
    nonces: readonly [number, number],
    reason: IkeReason,
  ): ChildSa {
    const child: ChildSa = {
      inSpi,
      outSpi,
      nonces,
      state: 'installed',
      rekeyAtMs: now + this.rekeyAfter(this.config.childSaLifetimeMs),
      expireAtMs: now + this.config.childSaLifetimeMs,
      rekeyQueued: false,
      parent: sa,
    };
    sa.children.push(child);
    this.tableVersion++;
    this.out.push({ kind: 'childSa', childSa: childIdOf(child), ikeSa: idOf(sa), up: true, reason });
    return child;
  }

  protected removeChild(child: ChildSa, reason: IkeReason): void {
    const siblings = child.parent.children;
    const index = siblings.indexOf(child);
    if (index < 0) return;
    siblings.splice(index, 1);
    this.tableVersion++;
    this.out.push({
      kind: 'childSa',
      childSa: childIdOf(child),
      ikeSa: idOf(child.parent),
      up: false,
      reason,
    });
  }

  protected moveChildren(from: IkeSa, to: IkeSa): void {
    for (const child of from.children) {
      child.parent = to;
      child.rekeyQueued = false;
      to.children.push(child);
    }
    from.children = [];
    this.tableVersion++;
  }

  /** An established IKE SA without CHILD SAs gets one (the tunnel exists to carry traffic). */
  protected ensureChild(sa: IkeSa): void {
    if (sa.state !== 'established' || sa.condemned || sa.children.length > 0) return;
    const flight = sa.pending?.inFlight.kind;
    if (flight === 'createChild' || flight === 'rekeyChild') return;
    if (sa.queue.some((t) => t.kind === 'createChild')) return;
    sa.queue.push({ kind: 'createChild' });
  }

  protected removeSa(sa: IkeSa, reason: IkeReason): void {
    if (this.sas.get(localOf(sa)) !== sa) return;
    for (const child of [...sa.children]) this.removeChild(child, reason);
    this.dropSa(sa);
    if (isUp(sa) || sa.state === 'deleting') this.out.push({ kind: 'ikeSaClosed', ikeSa: idOf(sa), reason });
  }

  /** Removes the SA from the table without a word (it never completed IKE_AUTH, or removeSa). */
  protected dropSa(sa: IkeSa): void {
    this.sas.delete(localOf(sa));
    this.tableVersion++;
  }

  protected hasUp(filter: (sa: IkeSa) => boolean = () => true): boolean {
    for (const sa of this.sas.values()) if (isUp(sa) && filter(sa)) return true;
    return false;
  }

  protected findChildByIn(inSpi: number): ChildSa | undefined {
    for (const sa of this.sas.values()) {
      for (const child of sa.children) if (child.inSpi === inSpi) return child;
    }
    return undefined;
  }

  protected report(): void {
    const established = this.hasUp();
    let connecting = false;
    let tunnelUp = false;
    for (const sa of this.sas.values()) {
      if (sa.state === 'initSent' || sa.state === 'authSent') connecting = true;
      if (sa.children.length > 0) tunnelUp = true;
    }
    const state: EndpointState = !this.adminUp
      ? 'stopped'
      : established
        ? 'established'
        : connecting
          ? 'connecting'
          : this.initiateAtMs !== undefined
            ? 'retrying'
            : 'idle';
    const before = this.reported;
    // Most inputs (a timer re-arming a DPD check, a retransmission) change none of the three.
    if (before.state === state && before.established === established && before.tunnelUp === tunnelUp) return;
    if (before.tunnelUp !== tunnelUp) this.out.push({ kind: 'tunnel', up: tunnelUp, reason: this.reason });
    if (before.established && !established) this.out.push({ kind: 'down', reason: this.downReason });
    if (before.state !== state)
      this.out.push({ kind: 'state', state, previous: before.state, reason: this.reason });
    this.reported = { state, established, tunnelUp };
  }

  /**
   * Arms each named timer for the earliest deadline of its kind across all SAs
   * (and cancels those with none), emitting only what changed. Runs after every
   * input, so it keeps to plain locals: no map or closure per call.
   */
  protected reconcileTimers(now: number): void {
    const dpdOn = this.config.dpdDelayMs > 0;
    let retransmit: number | undefined;
    let halfOpen: number | undefined;
    let dpd: number | undefined;
    let lifetime: number | undefined;
    for (const sa of this.sas.values()) {
      if (sa.pending) retransmit = earliest(retransmit, pendingDueMs(sa.pending));
      if (sa.state === 'halfOpen') halfOpen = earliest(halfOpen, sa.halfOpenUntilMs);
      if (dpdOn && dpdActive(sa)) dpd = earliest(dpd, sa.dpdCheckAtMs);
      lifetime = earliest(lifetime, sa.createChildAtMs);
      if (isUp(sa) || sa.state === 'deleting') lifetime = earliest(lifetime, sa.expireAtMs);
      const rekeys = rekeyable(sa);
      if (rekeys && !sa.rekeyQueued) lifetime = earliest(lifetime, sa.rekeyAtMs);
      for (const child of sa.children) {
        lifetime = earliest(lifetime, child.expireAtMs);
        if (child.state === 'installed' && !child.rekeyQueued && rekeys)
          lifetime = earliest(lifetime, child.rekeyAtMs);
      }
    }
    // TIMERS order, so the outputs come in the same order as ever.
    this.setTimer(now, 'retransmit', retransmit);
    this.setTimer(now, 'dpd', dpd);
    this.setTimer(now, 'lifetime', lifetime);
    this.setTimer(now, 'initiate', this.initiateAtMs);
    this.setTimer(now, 'halfOpen', halfOpen);
  }

  private setTimer(now: number, timer: IkeTimer, atMs: number | undefined): void {
    if (atMs === this.armed[timer]) return;
    this.armed[timer] = atMs;
    if (atMs === undefined) {
      this.out.push({ kind: 'cancelTimer', timer });
    } else {
      this.out.push({ kind: 'armTimer', timer, delayMs: Math.max(0, atMs - now) });
    }
  }

  protected retransmitTimeout(n: number): number {
    const r = this.config.retransmit;
    const timeout = retransmitTimeoutMs(r, n);
    if (!r.jitterPercent) return timeout;
    // strongSwan: timeout − random(0, jitter% × timeout).
    return Math.max(1, timeout - Math.floor(((timeout * r.jitterPercent) / 100) * this.config.rng.next()));
  }

  /** ipsec.conf: rekey at lifetime − (margintime + random(0, margintime × rekeyfuzz)). */
  protected rekeyAfter(lifetimeMs: number): number {
    const { rekeyMarginMs } = this.config;
    const fuzz = maxRekeyMarginMs(this.config) - rekeyMarginMs;
    return lifetimeMs - rekeyMarginMs - this.config.rng.int(fuzz + 1);
  }

  protected rekeyRetryDelay(): number {
    const { rekeyRetryIntervalMs, rekeyRetryJitterMs } = this.config;
    return rekeyRetryIntervalMs - this.config.rng.int(rekeyRetryJitterMs + 1);
  }

  protected nonce(): number {
    return this.nonZero();
  }

  protected newIkeSpi(): IkeSpi {
    for (;;) {
      const spi = this.nonZero();
      if (!this.sas.has(spi)) return spi;
    }
  }

  protected newChildSpi(): number {
    for (;;) {
      const spi = this.nonZero();
      if (!this.findChildByIn(spi)) return spi;
    }
  }

  protected nonZero(): number {
    for (;;) {
      const value = this.config.rng.nextUint32();
      if (value !== 0) return value;
    }
  }
}

/** The earlier of two optional deadlines. */
function earliest(current: number | undefined, atMs: number | undefined): number | undefined {
  if (atMs === undefined) return current;
  return current === undefined || atMs < current ? atMs : current;
}
