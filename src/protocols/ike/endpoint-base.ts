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
  protected readonly armed = new Map<IkeTimer, number>();
  protected out: IkeOutput[] = [];
  protected reported: { state: EndpointState; established: boolean; tunnelUp: boolean } = {
    state: 'stopped',
    established: false,
    tunnelUp: false,
  };
  protected reason: IkeReason = 'start';
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
    const sa: IkeSa = {
      ...init,
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
    this.out.push({ kind: 'childSa', childSa: childIdOf(child), ikeSa: idOf(sa), up: true, reason });
    return child;
  }

  protected removeChild(child: ChildSa, reason: IkeReason): void {
    const siblings = child.parent.children;
    const index = siblings.indexOf(child);
    if (index < 0) return;
    siblings.splice(index, 1);
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
    this.sas.delete(localOf(sa));
    if (isUp(sa) || sa.state === 'deleting') this.out.push({ kind: 'ikeSaClosed', ikeSa: idOf(sa), reason });
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
    if (before.tunnelUp !== tunnelUp) this.out.push({ kind: 'tunnel', up: tunnelUp, reason: this.reason });
    if (before.established && !established) this.out.push({ kind: 'down', reason: this.downReason });
    if (before.state !== state)
      this.out.push({ kind: 'state', state, previous: before.state, reason: this.reason });
    this.reported = { state, established, tunnelUp };
  }

  protected reconcileTimers(now: number): void {
    const desired = new Map<IkeTimer, number>();
    const want = (timer: IkeTimer, atMs: number | undefined): void => {
      if (atMs === undefined) return;
      const current = desired.get(timer);
      if (current === undefined || atMs < current) desired.set(timer, atMs);
    };
    for (const sa of this.sas.values()) {
      if (sa.pending) want('retransmit', pendingDueMs(sa.pending));
      if (sa.state === 'halfOpen') want('halfOpen', sa.halfOpenUntilMs);
      if (this.config.dpdDelayMs > 0 && dpdActive(sa)) want('dpd', sa.dpdCheckAtMs);
      want('lifetime', sa.createChildAtMs);
      if (isUp(sa) || sa.state === 'deleting') want('lifetime', sa.expireAtMs);
      if (rekeyable(sa) && !sa.rekeyQueued) want('lifetime', sa.rekeyAtMs);
      for (const child of sa.children) {
        want('lifetime', child.expireAtMs);
        if (child.state === 'installed' && !child.rekeyQueued && rekeyable(sa))
          want('lifetime', child.rekeyAtMs);
      }
    }
    want('initiate', this.initiateAtMs);
    for (const timer of TIMERS) {
      const atMs = desired.get(timer);
      if (atMs === this.armed.get(timer)) continue;
      if (atMs === undefined) {
        this.armed.delete(timer);
        this.out.push({ kind: 'cancelTimer', timer });
      } else {
        this.armed.set(timer, atMs);
        this.out.push({ kind: 'armTimer', timer, delayMs: Math.max(0, atMs - now) });
      }
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
