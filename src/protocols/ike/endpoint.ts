import { assertNever, type Core } from '../core.ts';
import { TIMERS } from './endpoint-base.ts';
import {
  findChildSaSpi,
  findIkeSaSpi,
  findNonce,
  findNotifySpi,
  hasNotify,
  type IkeMessage,
  type IkePayload,
} from './messages.ts';
import {
  childTieBreak,
  dpdActive,
  type IkeSa,
  type InFlight,
  idOf,
  ikeTieBreak,
  isUp,
  localOf,
  loses,
  type Pending,
  pendingDueMs,
  type Queued,
  rekeyable,
  remoteOf,
} from './sa.ts';
import { SteadyDpdEndpoint } from './steady-dpd.ts';
import type { IkeInput, IkeOutput, IkeReason, IkeTimer } from './types.ts';

/**
 * One end of one IPsec tunnel: an IKEv2 endpoint (RFC 7296) that behaves, in
 * what matters for availability and timing, like strongSwan's charon and
 * Azure's VPN gateway — establishment in two round trips, retransmission,
 * DPD, DELETE, make-before-break rekeying, recovery from a peer that lost its
 * state. Sans-IO: it only maps (time, input) to outputs.
 *
 * Deterministic choices where IKEv2 leaves room, each documented where it is made:
 * - Simultaneous initiation: both IKE SAs complete; the one holding the lowest
 *   of the four IKE_SA_INIT nonces is deleted by the endpoint that created it —
 *   RFC 7296 §2.8.1's rule for redundant SAs, applied to duplicate IKE SAs. Both
 *   ends see the same nonces, so both agree without talking.
 * - Simultaneous rekeying of the same CHILD or IKE SA: RFC 7296 §2.8.1/§2.8.2.
 * - Other exchange collisions: TEMPORARY_FAILURE (RFC 7296 §2.25), retried
 *   after strongSwan's RETRY_INTERVAL − random(RETRY_JITTER).
 * - A peer that lost its state: INVALID_IKE_SPI for its stale requests
 *   (§2.21.4); its new IKE_AUTH carries INITIAL_CONTACT (§2.4) and we delete
 *   the IKE SAs we had with it before.
 */

export class IkeEndpoint extends SteadyDpdEndpoint implements Core<IkeInput, IkeOutput> {
  handle(nowMs: number, input: IkeInput): IkeOutput[] {
    if (
      input.kind === 'timer' &&
      input.timer === 'dpd' &&
      input.inbound &&
      this.steadyDpdCheck(nowMs, input.inbound)
    ) {
      return [this.steadyRearm];
    }
    this.settleSteady();
    if (input.kind === 'inboundTraffic') {
      this.onInboundTraffic(nowMs, input.inboundSpi, input.atMs);
      // Only an SA's last-inbound time moved: no state, level signal or timer reads it before the
      // next DPD check, so there is nothing to report (the common path: once per DPD check per end).
      return [];
    }
    // The general path may change any SA: what the steady checks cached about them is void.
    this.tableVersion++;
    this.out = [];
    // Code paths below overwrite these with the precise cause of a change.
    this.reason = defaultReason(input);
    this.downReason = 'deleted';
    switch (input.kind) {
      case 'start':
        this.onStart(nowMs);
        break;
      case 'stop':
        this.onStop();
        break;
      case 'reset':
        this.onReset(nowMs);
        break;
      case 'message':
        this.onMessage(nowMs, input.message);
        break;
      case 'timer':
        if (input.inbound) this.onInboundTraffic(nowMs, input.inbound.inboundSpi, input.inbound.atMs);
        this.onTimer(nowMs, input.timer);
        break;
      case 'outboundTraffic':
        if (this.trapped) {
          this.reason = 'trap';
          this.initiate(nowMs);
        }
        break;
      default:
        assertNever(input, 'IKE input');
    }
    this.resolveDuplicates();
    this.pump(nowMs);
    this.report();
    this.reconcileTimers(nowMs);
    return this.out;
  }

  /** ESP arrived on a CHILD SA: its IKE SA counts as alive for DPD (strongSwan reads the kernel SA's use time). */
  private onInboundTraffic(now: number, inboundSpi: number, atMs: number | undefined): void {
    const child = this.findChildByIn(inboundSpi);
    if (!child) return;
    const seen = Math.min(now, atMs ?? now);
    child.parent.lastInboundMs = Math.max(child.parent.lastInboundMs, seen);
  }

  // -------------------------------------------------------------------------
  // Administrative inputs
  // -------------------------------------------------------------------------

  private onStart(now: number): void {
    if (this.adminUp) return;
    this.adminUp = true;
    this.keyingTry = 0;
    this.reason = 'start';
    this.initiate(now);
  }

  private onStop(): void {
    if (!this.adminUp) return;
    this.reason = 'stopped';
    this.downReason = 'stopped';
    for (const sa of [...this.sas.values()]) {
      // Planned maintenance: tell the peer, but do not wait for its answer.
      if (isUp(sa)) this.sendDeleteAndForget(sa);
      this.removeSa(sa, 'stopped');
    }
    this.adminUp = false;
    this.initiateAtMs = undefined;
    this.trapped = false;
    this.keyingTry = 0;
  }

  private onReset(now: number): void {
    this.reason = 'reset';
    this.downReason = 'reset';
    for (const sa of [...this.sas.values()]) this.removeSa(sa, 'reset');
    this.initiateAtMs = undefined;
    this.trapped = false;
    this.keyingTry = 0;
    // The old incarnation's timers mean nothing now; the runtime may still hold them.
    for (const timer of TIMERS) {
      this.out.push({ kind: 'cancelTimer', timer });
      this.armed[timer] = undefined;
    }
    if (this.adminUp) this.initiate(now);
  }

  // -------------------------------------------------------------------------
  // Initiation
  // -------------------------------------------------------------------------

  private initiate(now: number): void {
    if (!this.adminUp || !this.canInitiate) return;
    if (this.hasUp()) return;
    for (const sa of this.sas.values()) if (sa.state === 'initSent' || sa.state === 'authSent') return;
    this.initiateAtMs = undefined;
    this.trapped = false;
    const nonce = this.nonce();
    const sa = this.createSa(now, {
      initiatorSpi: this.newIkeSpi(),
      responderSpi: 0,
      originalInitiator: true,
      state: 'initSent',
      nonces: [nonce, 0],
    });
    this.sendRequest(now, sa, 'IKE_SA_INIT', [{ type: 'nonce', nonce }], { kind: 'init', nonce });
  }

  /** strongSwan keyingtries: another retransmission sequence, after `retryDelayMs`. */
  private connectFailed(now: number): void {
    this.keyingTry++;
    if (this.config.keyingTries === 0 || this.keyingTry < this.config.keyingTries) {
      this.reason = 'retry';
      this.scheduleInitiate(now, this.config.retryDelayMs);
    } else {
      this.reason = 'giveUp';
      this.keyingTry = 0;
    }
  }

  private scheduleInitiate(now: number, delayMs: number): void {
    if (!this.adminUp || !this.canInitiate) return;
    if (delayMs <= 0) this.initiate(now);
    else this.initiateAtMs = now + delayMs;
  }

  /** dpd_action after the peer was declared dead and we hold no other IKE SA. */
  private afterPeerDead(now: number): void {
    switch (this.config.dpdAction) {
      case 'restart':
        this.initiate(now);
        break;
      case 'clear':
        break;
      case 'trap':
        this.trapped = this.canInitiate;
        break;
      default:
        assertNever(this.config.dpdAction, 'dpd action');
    }
  }

  // -------------------------------------------------------------------------
  // Receiving
  // -------------------------------------------------------------------------

  private onMessage(now: number, m: IkeMessage): void {
    // A stopped endpoint has no connection loaded: it answers nothing.
    if (!this.adminUp) return;
    if (m.exchange === 'IKE_SA_INIT' && !m.isResponse && m.responderSpi === 0) {
      this.onInitRequest(now, m);
      return;
    }
    // §3.1: the I flag tells which half of the SPI pair is ours.
    const localSpi = m.fromOriginalInitiator ? m.responderSpi : m.initiatorSpi;
    const remoteSpi = m.fromOriginalInitiator ? m.initiatorSpi : m.responderSpi;
    const sa = this.sas.get(localSpi);
    const known =
      sa !== undefined &&
      sa.originalInitiator !== m.fromOriginalInitiator &&
      (remoteOf(sa) === 0 || remoteOf(sa) === remoteSpi);
    if (!sa || !known) {
      // §2.21.4: a request for an SA we do not know (we restarted, or it is long
      // gone) MAY get an unprotected INVALID_IKE_SPI; a response MUST NOT be answered.
      if (!m.isResponse && this.config.answerUnknownSpi) {
        this.send({
          exchange: m.exchange,
          isResponse: true,
          fromOriginalInitiator: !m.fromOriginalInitiator,
          initiatorSpi: m.initiatorSpi,
          responderSpi: m.responderSpi,
          messageId: m.messageId,
          payloads: [{ type: 'notify', notify: 'INVALID_IKE_SPI' }],
        });
      }
      return;
    }
    if (m.isResponse) this.onResponse(now, sa, m);
    else this.onRequest(now, sa, m);
  }

  private onInitRequest(now: number, m: IkeMessage): void {
    if (!this.canRespond) return;
    const ni = findNonce(m);
    if (ni === undefined || m.messageId !== 0) return;
    for (const sa of this.sas.values()) {
      if (!sa.originalInitiator && sa.initiatorSpi === m.initiatorSpi) {
        // §2.1: a retransmitted IKE_SA_INIT gets the same response again.
        if (sa.state === 'halfOpen' && sa.lastResponse) this.send(sa.lastResponse);
        return;
      }
    }
    const nr = this.nonce();
    const sa = this.createSa(now, {
      initiatorSpi: m.initiatorSpi,
      responderSpi: this.newIkeSpi(),
      originalInitiator: false,
      state: 'halfOpen',
      nonces: [ni, nr],
    });
    sa.halfOpenUntilMs = now + this.config.halfOpenTimeoutMs;
    this.respond(sa, m, [{ type: 'nonce', nonce: nr }]);
  }

  private onRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    // The peer sends no request on an SA we are still initiating.
    if (sa.state === 'initSent' || sa.state === 'authSent') return;
    if (m.messageId === sa.expectedRequestId - 1 && sa.lastResponse) {
      // §2.1: a retransmitted request gets the cached response, never a second processing.
      sa.lastInboundMs = now;
      this.send(sa.lastResponse);
      return;
    }
    if (m.messageId !== sa.expectedRequestId) return;
    sa.lastInboundMs = now;
    if (sa.state === 'halfOpen') {
      if (m.exchange === 'IKE_AUTH') this.onAuthRequest(now, sa, m);
      return;
    }
    switch (m.exchange) {
      case 'INFORMATIONAL':
        this.onInformationalRequest(now, sa, m);
        break;
      case 'CREATE_CHILD_SA':
        if (findIkeSaSpi(m) !== undefined) this.onIkeRekeyRequest(now, sa, m);
        else if (hasNotify(m, 'REKEY_SA')) this.onChildRekeyRequest(now, sa, m);
        else this.onCreateChildRequest(now, sa, m);
        break;
      case 'IKE_SA_INIT':
      case 'IKE_AUTH':
        break;
      default:
        assertNever(m.exchange, 'exchange type');
    }
  }

  private onAuthRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    const peerChildSpi = findChildSaSpi(m);
    if (peerChildSpi === undefined) return;
    this.establish(now, sa);
    const inSpi = this.newChildSpi();
    this.installChild(now, sa, inSpi, peerChildSpi, sa.nonces, 'established');
    this.respond(sa, m, [
      { type: 'identity', id: this.config.name },
      { type: 'childSa', spi: inSpi },
    ]);
    this.out.push({ kind: 'established', ikeSa: idOf(sa), role: 'responder' });
    if (hasNotify(m, 'INITIAL_CONTACT')) {
      // §2.4 INITIAL_CONTACT: the peer holds no other IKE SA with us, so the ones
      // we kept from before it (re)started are stale. Only SAs established
      // before this one's IKE_SA_INIT arrived qualify, so a late IKE_AUTH can
      // never take down an SA the peer negotiated afterwards. Their CHILD SAs go
      // at once (the peer has none), the IKE SA after a DELETE the peer answers
      // with INVALID_IKE_SPI or not at all (strongSwan likewise sends a DELETE).
      for (const other of [...this.sas.values()]) {
        if (other !== sa && isUp(other) && !other.condemned && other.createdAtMs < sa.createdAtMs) {
          for (const child of [...other.children]) this.removeChild(child, 'replaced');
          this.condemn(other, 'replaced');
        }
      }
    }
    this.abandonOwnInitiation();
  }

  /**
   * The peer's IKE SA completed while our own IKE_SA_INIT is still unanswered:
   * drop ours rather than build a duplicate (libreswan does the same; once our
   * IKE_AUTH is out the duplicate rule decides instead). Also stops a pending retry.
   */
  private abandonOwnInitiation(): void {
    for (const sa of [...this.sas.values()]) {
      if (sa.originalInitiator && sa.state === 'initSent') this.dropSa(sa);
    }
    this.initiateAtMs = undefined;
    this.keyingTry = 0;
  }

  private onInformationalRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    if (m.payloads.some((p) => p.type === 'deleteIke')) {
      // §1.4.1: answer with an empty INFORMATIONAL and delete at once.
      this.respond(sa, m, []);
      this.onPeerDeletedIke(now, sa);
      return;
    }
    const ourSpis: number[] = [];
    for (const p of m.payloads) {
      if (p.type !== 'deleteChild') continue;
      for (const spi of p.spis) {
        const child = sa.children.find((c) => c.outSpi === spi);
        if (!child) continue;
        ourSpis.push(child.inSpi);
        this.removeChild(child, child.state === 'rekeyed' ? 'rekeyed' : 'deleted');
      }
    }
    // §1.4.1: the response deletes the other direction of each pair.
    this.respond(sa, m, ourSpis.length > 0 ? [{ type: 'deleteChild', spis: ourSpis }] : []);
    if (ourSpis.length > 0) this.ensureChild(sa);
  }

  private onPeerDeletedIke(now: number, sa: IkeSa): void {
    const pending = sa.pending?.inFlight;
    let replaced = sa.state === 'rekeyed';
    if (pending?.kind === 'rekeyIke' && pending.collision && this.sas.has(localOf(pending.collision))) {
      // §2.25.2: the peer won a rekey collision and deletes the old SA before our
      // own rekey completed: our CHILD SAs live on under its new IKE SA.
      this.moveChildren(sa, pending.collision);
      replaced = true;
    }
    const wasUp = isUp(sa) && !replaced;
    this.removeSa(sa, replaced ? 'rekeyed' : 'deleted');
    if (wasUp && !this.hasUp()) {
      this.reason = 'deleted';
      this.downReason = 'deleted';
      this.scheduleInitiate(now, this.config.reestablishDelayMs);
    }
  }

  private onIkeRekeyRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    const peerSpi = findIkeSaSpi(m);
    const ni = findNonce(m);
    if (peerSpi === undefined || ni === undefined) return;
    const own = sa.pending?.inFlight;
    const childTaskInFlight = own?.kind === 'rekeyChild' || own?.kind === 'createChild';
    const collision = sa.state === 'rekeying' && own?.kind === 'rekeyIke';
    if (!((sa.state === 'established' && !sa.condemned && !childTaskInFlight) || collision)) {
      // §2.25: rekeying an SA we are deleting, already replaced, or while one of
      // its CHILD SAs is half-created cannot complete now.
      this.respond(sa, m, [{ type: 'notify', notify: 'TEMPORARY_FAILURE' }]);
      return;
    }
    const nr = this.nonce();
    const successor = this.createSa(now, {
      initiatorSpi: peerSpi,
      responderSpi: this.newIkeSpi(),
      originalInitiator: false,
      state: 'established',
      nonces: [ni, nr],
    });
    this.establish(now, successor);
    this.respond(sa, m, [
      { type: 'ikeSa', spi: successor.responderSpi },
      { type: 'nonce', nonce: nr },
    ]);
    this.out.push({ kind: 'ikeSaRekeyed', old: idOf(sa), ikeSa: idOf(successor), role: 'responder' });
    if (collision && own?.kind === 'rekeyIke') {
      // §2.8.2: both ends rekey at once. CHILD SAs stay on the old SA until our
      // own exchange completes and the nonces tell which new SA survives.
      own.collision = successor;
    } else {
      this.supersede(sa);
      this.moveChildren(sa, successor);
    }
  }

  private onChildRekeyRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    const rekeyedSpi = findNotifySpi(m, 'REKEY_SA');
    const peerSpi = findChildSaSpi(m);
    const ni = findNonce(m);
    if (peerSpi === undefined || ni === undefined) return;
    if (sa.state !== 'established' || sa.condemned) {
      this.respond(sa, m, [{ type: 'notify', notify: 'TEMPORARY_FAILURE' }]);
      return;
    }
    // §1.3.3: REKEY_SA carries the SPI the initiator receives on, our outbound one.
    const child = sa.children.find((c) => c.outSpi === rekeyedSpi);
    if (!child) {
      this.respond(sa, m, [{ type: 'notify', notify: 'CHILD_SA_NOT_FOUND', spi: rekeyedSpi }]);
      return;
    }
    if (child.state === 'rekeyed' || child.state === 'deleting') {
      // §2.25.1: a CHILD SA we are closing (or already replaced) is not rekeyed again.
      this.respond(sa, m, [{ type: 'notify', notify: 'TEMPORARY_FAILURE' }]);
      return;
    }
    const nr = this.nonce();
    const inSpi = this.newChildSpi();
    const replacement = this.installChild(now, sa, inSpi, peerSpi, [ni, nr], 'rekeyed');
    this.respond(sa, m, [
      { type: 'childSa', spi: inSpi },
      { type: 'nonce', nonce: nr },
    ]);
    const own = sa.pending?.inFlight;
    if (child.state === 'rekeying' && own?.kind === 'rekeyChild' && own.target === child) {
      // §2.8.1: we are rekeying it too; decided when our own exchange completes.
      own.collision = replacement;
    } else {
      // Make-before-break: the replacement is installed; the peer deletes the old one.
      child.state = 'rekeyed';
    }
  }

  private onCreateChildRequest(now: number, sa: IkeSa, m: IkeMessage): void {
    const peerSpi = findChildSaSpi(m);
    const ni = findNonce(m);
    if (peerSpi === undefined || ni === undefined) return;
    if (sa.state !== 'established' || sa.condemned) {
      this.respond(sa, m, [{ type: 'notify', notify: 'TEMPORARY_FAILURE' }]);
      return;
    }
    const nr = this.nonce();
    const inSpi = this.newChildSpi();
    this.installChild(now, sa, inSpi, peerSpi, [ni, nr], 'established');
    this.respond(sa, m, [
      { type: 'childSa', spi: inSpi },
      { type: 'nonce', nonce: nr },
    ]);
  }

  private onResponse(now: number, sa: IkeSa, m: IkeMessage): void {
    const pending = sa.pending;
    if (!pending || m.messageId !== pending.message.messageId || m.exchange !== pending.message.exchange)
      return;
    // §2.21.4: INVALID_IKE_SPI is unprotected and MUST NOT change any SA. Our
    // request stays outstanding and is itself the liveness check it hints at.
    if (hasNotify(m, 'INVALID_IKE_SPI')) return;
    const flight = pending.inFlight;
    switch (flight.kind) {
      case 'init': {
        const nr = findNonce(m);
        if (nr === undefined || m.responderSpi === 0) return;
        sa.pending = undefined;
        sa.lastInboundMs = now;
        sa.responderSpi = m.responderSpi;
        sa.nonces = [flight.nonce, nr];
        sa.state = 'authSent';
        const inSpi = this.newChildSpi();
        const payloads: IkePayload[] = [
          { type: 'identity', id: this.config.name },
          { type: 'childSa', spi: inSpi },
        ];
        // §2.4: assert INITIAL_CONTACT only when we hold nothing else with the peer
        // (not even a half-open SA it started), so it only ever clears real leftovers.
        if (this.sas.size === 1) payloads.push({ type: 'notify', notify: 'INITIAL_CONTACT' });
        this.sendRequest(now, sa, 'IKE_AUTH', payloads, { kind: 'auth', inSpi });
        return;
      }
      case 'auth': {
        const peerChildSpi = findChildSaSpi(m);
        if (peerChildSpi === undefined) return;
        sa.pending = undefined;
        sa.lastInboundMs = now;
        this.establish(now, sa);
        this.installChild(now, sa, flight.inSpi, peerChildSpi, sa.nonces, 'established');
        this.out.push({ kind: 'established', ikeSa: idOf(sa), role: 'initiator' });
        this.keyingTry = 0;
        this.initiateAtMs = undefined;
        return;
      }
      default:
        break;
    }
    sa.pending = undefined;
    sa.lastInboundMs = now;
    switch (flight.kind) {
      case 'dpd':
        break;
      case 'rekeyChild':
        this.onChildRekeyResponse(now, sa, m, flight);
        break;
      case 'createChild': {
        const peerSpi = findChildSaSpi(m);
        const nr = findNonce(m);
        if (peerSpi !== undefined && nr !== undefined) {
          this.installChild(now, sa, flight.inSpi, peerSpi, [flight.nonce, nr], 'established');
        } else if (hasNotify(m, 'TEMPORARY_FAILURE')) {
          sa.createChildAtMs = now + this.rekeyRetryDelay();
        }
        break;
      }
      case 'rekeyIke':
        this.onIkeRekeyResponse(now, sa, m, flight);
        break;
      case 'deleteChild': {
        const child = this.findChildByIn(flight.inSpi);
        if (child) this.removeChild(child, flight.reason);
        break;
      }
      case 'deleteIke':
        this.removeSa(sa, sa.closeReason ?? 'deleted');
        break;
      default:
        assertNever(flight, 'request in flight');
    }
  }

  private onChildRekeyResponse(
    now: number,
    sa: IkeSa,
    m: IkeMessage,
    flight: Extract<InFlight, { kind: 'rekeyChild' }>,
  ): void {
    const target = flight.target;
    const targetAlive = this.findChildByIn(target.inSpi) === target;
    if (hasNotify(m, 'TEMPORARY_FAILURE')) {
      if (flight.collision) {
        // The peer finished its own rekey first; its replacement stands and it deletes the old SA.
        if (targetAlive) target.state = 'rekeyed';
      } else if (targetAlive && target.state === 'rekeying') {
        target.state = 'installed';
        target.rekeyAtMs = now + this.rekeyRetryDelay();
      }
      return;
    }
    if (hasNotify(m, 'CHILD_SA_NOT_FOUND')) {
      // §2.25: delete ours silently and create afresh if nothing is left.
      if (targetAlive) this.removeChild(target, 'deleted');
      this.ensureChild(sa);
      return;
    }
    const peerSpi = findChildSaSpi(m);
    const nr = findNonce(m);
    if (peerSpi === undefined || nr === undefined) return;
    const ours = this.installChild(now, sa, flight.inSpi, peerSpi, [flight.nonce, nr], 'rekeyed');
    const other = flight.collision;
    if (other && this.findChildByIn(other.inSpi) === other) {
      // §2.8.1: "the SA created with the lowest of the four nonces used in the two
      // exchanges SHOULD be closed by the endpoint that created it".
      if (loses(ours.nonces, other.nonces, childTieBreak(ours), childTieBreak(other))) {
        ours.state = 'rekeyed';
        sa.queue.push({ kind: 'deleteChild', inSpi: ours.inSpi, reason: 'duplicate' });
        if (targetAlive) target.state = 'rekeyed';
      } else {
        other.state = 'rekeyed';
        if (targetAlive) {
          target.state = 'rekeyed';
          sa.queue.push({ kind: 'deleteChild', inSpi: target.inSpi, reason: 'rekeyed' });
        }
      }
      return;
    }
    // §2.8: the new SA is installed; now the old one is deleted (make-before-break).
    if (targetAlive) {
      target.state = 'rekeyed';
      sa.queue.push({ kind: 'deleteChild', inSpi: target.inSpi, reason: 'rekeyed' });
    }
  }

  private onIkeRekeyResponse(
    now: number,
    sa: IkeSa,
    m: IkeMessage,
    flight: Extract<InFlight, { kind: 'rekeyIke' }>,
  ): void {
    const other = flight.collision && this.sas.has(localOf(flight.collision)) ? flight.collision : undefined;
    if (hasNotify(m, 'TEMPORARY_FAILURE')) {
      if (other) {
        // The peer completed its rekey first and will delete the old SA.
        this.supersede(sa);
        this.moveChildren(sa, other);
      } else if (sa.state === 'rekeying') {
        sa.state = 'established';
        sa.rekeyAtMs = now + this.rekeyRetryDelay();
      }
      return;
    }
    const peerSpi = findIkeSaSpi(m);
    const nr = findNonce(m);
    if (peerSpi === undefined || nr === undefined) {
      if (sa.state === 'rekeying') sa.state = 'established';
      return;
    }
    // §2.18 / §3.1: the rekey initiator is the original initiator of the new SA.
    const successor = this.createSa(now, {
      initiatorSpi: flight.spi,
      responderSpi: peerSpi,
      originalInitiator: true,
      state: 'established',
      nonces: [flight.nonce, nr],
    });
    this.establish(now, successor);
    this.out.push({ kind: 'ikeSaRekeyed', old: idOf(sa), ikeSa: idOf(successor), role: 'initiator' });
    this.supersede(sa);
    if (other) {
      // §2.8.2: the new IKE SA with the lowest nonce is redundant and deleted by
      // its creator; the winner's creator deletes the old one.
      const oursLoses = loses(successor.nonces, other.nonces, ikeTieBreak(successor), ikeTieBreak(other));
      this.moveChildren(sa, oursLoses ? other : successor);
      if (oursLoses) this.condemn(successor, 'duplicate');
      else sa.queue.push({ kind: 'deleteIke' });
      return;
    }
    this.moveChildren(sa, successor);
    sa.queue.push({ kind: 'deleteIke' });
  }

  // -------------------------------------------------------------------------
  // Timers
  // -------------------------------------------------------------------------

  /**
   * Whatever is due now, whichever timer fired. A pass runs only when its timer
   * is due: `armed` holds each kind's earliest deadline, and skipping a pass whose
   * deadline lies ahead skips exactly a pass that would find nothing to do (most
   * firings are one DPD check, and the passes copy the SA table before they act).
   */
  private onTimer(now: number, fired: IkeTimer): void {
    const pendingDue = this.isDue('retransmit', fired, now);
    const halfOpenDue = this.isDue('halfOpen', fired, now);
    const dpdDue = this.isDue('dpd', fired, now);
    const lifetimeDue = this.isDue('lifetime', fired, now);
    // The timer that fired is gone from the runtime: re-armed below if still wanted.
    this.armed[fired] = undefined;
    if (pendingDue) {
      for (const sa of [...this.sas.values()]) {
        if (this.sas.get(localOf(sa)) !== sa) continue;
        const p = sa.pending;
        if (p && now >= pendingDueMs(p)) this.onPendingDue(now, sa, p);
      }
    }
    if (halfOpenDue) {
      for (const sa of [...this.sas.values()]) {
        if (sa.state === 'halfOpen' && sa.halfOpenUntilMs !== undefined && now >= sa.halfOpenUntilMs) {
          // Never completed IKE_AUTH: dropped without a word (strongSwan half-open timeout).
          this.dropSa(sa);
        }
      }
    }
    if (dpdDue && this.config.dpdDelayMs > 0) {
      for (const sa of this.sas.values()) {
        if (dpdActive(sa) && sa.dpdCheckAtMs !== undefined && now >= sa.dpdCheckAtMs) this.dpdCheck(now, sa);
      }
    }
    if (lifetimeDue) {
      for (const sa of [...this.sas.values()]) {
        if (this.sas.get(localOf(sa)) === sa) this.lifetimeCheck(now, sa);
      }
    }
    if (this.initiateAtMs !== undefined && now >= this.initiateAtMs) {
      this.initiateAtMs = undefined;
      this.reason = 'retry';
      this.initiate(now);
    }
  }

  private isDue(timer: IkeTimer, fired: IkeTimer, now: number): boolean {
    const atMs = this.armed[timer];
    return timer === fired || (atMs !== undefined && atMs <= now);
  }

  private onPendingDue(now: number, sa: IkeSa, p: Pending): void {
    const r = this.config.retransmit;
    const more = p.deadlineMs !== undefined ? now < p.deadlineMs : p.retransmitted < r.tries;
    if (more) {
      // §2.1: retransmit the identical message, on strongSwan's exponential schedule.
      p.retransmitted++;
      p.nextAtMs = now + this.retransmitTimeout(p.retransmitted);
      this.send(p.message);
      return;
    }
    sa.pending = undefined;
    switch (sa.state) {
      case 'initSent':
      case 'authSent':
        this.dropSa(sa);
        this.connectFailed(now);
        return;
      case 'deleting':
        this.removeSa(sa, sa.closeReason ?? 'deleted');
        return;
      case 'halfOpen':
        return;
      case 'established':
      case 'rekeying':
      case 'rekeyed': {
        // The peer did not answer within the liveness timeout: it is dead (RFC 7296 §2.4).
        const wasOnlyUp = !this.hasUp((other) => other !== sa);
        this.removeSa(sa, sa.closeReason ?? 'dpd');
        if (wasOnlyUp) {
          this.reason = 'dpd';
          this.downReason = 'dpd';
          this.afterPeerDead(now);
        }
        return;
      }
      default:
        assertNever(sa.state, 'IKE SA state');
    }
  }

  /** strongSwan ike_sa.c send_dpd, verbatim in behaviour (see dpdDeclaredDeadAtMs in config.ts). */
  private dpdCheck(now: number, sa: IkeSa): void {
    const delay = this.config.dpdDelayMs;
    if (sa.pending || sa.queue.length > 0) {
      // "an exchange is in the air, no need to start a DPD check"
      sa.dpdCheckAtMs = now + delay;
      return;
    }
    const diff = now - sa.lastInboundMs;
    if (diff >= delay) {
      sa.queue.push({ kind: 'dpd' });
      sa.dpdCheckAtMs = now + delay;
    } else {
      sa.dpdCheckAtMs = now + (delay - diff);
    }
  }

  private lifetimeCheck(now: number, sa: IkeSa): void {
    if (sa.createChildAtMs !== undefined && now >= sa.createChildAtMs) {
      sa.createChildAtMs = undefined;
      this.ensureChild(sa);
    }
    if (sa.expireAtMs !== undefined && now >= sa.expireAtMs) {
      this.expireSa(now, sa);
      return;
    }
    if (rekeyable(sa) && !sa.rekeyQueued && sa.rekeyAtMs !== undefined && now >= sa.rekeyAtMs) {
      sa.rekeyQueued = true;
      sa.queue.push({ kind: 'rekeyIke' });
    }
    for (const child of [...sa.children]) {
      if (now >= child.expireAtMs) {
        // Hard lifetime reached (rekeying kept failing): the kernel drops the SA.
        this.removeChild(child, 'expired');
        if (sa.state === 'established')
          sa.queue.push({ kind: 'deleteChild', inSpi: child.inSpi, reason: 'expired' });
        this.ensureChild(sa);
      } else if (
        child.state === 'installed' &&
        !child.rekeyQueued &&
        rekeyable(sa) &&
        now >= child.rekeyAtMs
      ) {
        child.rekeyQueued = true;
        sa.queue.push({ kind: 'rekeyChild', child });
      }
    }
  }

  private expireSa(now: number, sa: IkeSa): void {
    if (sa.state === 'established' || sa.state === 'rekeying') {
      // strongSwan over_time: an IKE SA that failed to rekey is closed at its hard lifetime.
      const wasOnlyUp = !this.hasUp((other) => other !== sa);
      this.sendDeleteAndForget(sa);
      this.removeSa(sa, 'expired');
      if (wasOnlyUp) {
        this.reason = 'expired';
        this.downReason = 'expired';
        this.initiate(now);
      }
    } else {
      this.removeSa(sa, sa.closeReason ?? (sa.state === 'rekeyed' ? 'rekeyed' : 'deleted'));
    }
  }

  // -------------------------------------------------------------------------
  // Sending requests (one outstanding per IKE SA)
  // -------------------------------------------------------------------------

  private pump(now: number): void {
    for (const sa of this.sas.values()) {
      while (!sa.pending && sa.queue.length > 0) {
        const task = sa.queue.shift();
        if (task) this.startTask(now, sa, task);
      }
    }
  }

  private startTask(now: number, sa: IkeSa, task: Queued): void {
    switch (task.kind) {
      case 'dpd':
        // §2.4: an INFORMATIONAL request with no payloads is a liveness check.
        if (dpdActive(sa)) this.sendRequest(now, sa, 'INFORMATIONAL', [], { kind: 'dpd' });
        return;
      case 'rekeyChild': {
        const child = task.child;
        child.rekeyQueued = false;
        if (child.parent !== sa || child.state !== 'installed' || !rekeyable(sa)) return;
        if (this.findChildByIn(child.inSpi) !== child) return;
        const nonce = this.nonce();
        const inSpi = this.newChildSpi();
        child.state = 'rekeying';
        this.sendRequest(
          now,
          sa,
          'CREATE_CHILD_SA',
          [
            { type: 'notify', notify: 'REKEY_SA', spi: child.inSpi },
            { type: 'childSa', spi: inSpi },
            { type: 'nonce', nonce },
          ],
          { kind: 'rekeyChild', target: child, nonce, inSpi },
        );
        return;
      }
      case 'createChild': {
        if (!rekeyable(sa) || sa.children.length > 0) return;
        const nonce = this.nonce();
        const inSpi = this.newChildSpi();
        this.sendRequest(
          now,
          sa,
          'CREATE_CHILD_SA',
          [
            { type: 'childSa', spi: inSpi },
            { type: 'nonce', nonce },
          ],
          { kind: 'createChild', nonce, inSpi },
        );
        return;
      }
      case 'rekeyIke': {
        sa.rekeyQueued = false;
        if (!rekeyable(sa)) return;
        const nonce = this.nonce();
        const spi = this.newIkeSpi();
        sa.state = 'rekeying';
        this.sendRequest(
          now,
          sa,
          'CREATE_CHILD_SA',
          [
            { type: 'ikeSa', spi },
            { type: 'nonce', nonce },
          ],
          { kind: 'rekeyIke', nonce, spi },
        );
        return;
      }
      case 'deleteChild': {
        if (!isUp(sa)) return;
        const child = this.findChildByIn(task.inSpi);
        if (child) child.state = 'deleting';
        this.sendRequest(now, sa, 'INFORMATIONAL', [{ type: 'deleteChild', spis: [task.inSpi] }], {
          kind: 'deleteChild',
          inSpi: task.inSpi,
          reason: task.reason,
        });
        return;
      }
      case 'deleteIke':
        if (sa.state === 'deleting' || !isUp(sa)) return;
        sa.state = 'deleting';
        sa.closeReason = sa.closeReason ?? 'rekeyed';
        this.sendRequest(now, sa, 'INFORMATIONAL', [{ type: 'deleteIke' }], { kind: 'deleteIke' });
        return;
      default:
        assertNever(task, 'queued task');
    }
  }

  /**
   * Duplicate IKE SAs (both ends initiated at once): every established one but
   * the winner is deleted by the endpoint that created it. Winner: the SA whose
   * lowest nonce is highest — RFC 7296 §2.8.1 ("the SA created with the lowest
   * of the four nonces … SHOULD be closed by the endpoint that created it").
   */
  private resolveDuplicates(): void {
    // Runs after every input; duplicates are rare, so count before collecting.
    let count = 0;
    for (const sa of this.sas.values()) if (liveForDuplicates(sa)) count++;
    if (count < 2) return;
    const live = [...this.sas.values()].filter(liveForDuplicates);
    if (live.length < 2) return;
    let winner = live[0] as IkeSa;
    for (const sa of live)
      if (loses(winner.nonces, sa.nonces, ikeTieBreak(winner), ikeTieBreak(sa))) winner = sa;
    for (const sa of live) if (sa !== winner && sa.originalInitiator) this.condemn(sa, 'duplicate');
  }
}

function liveForDuplicates(sa: IkeSa): boolean {
  return sa.state === 'established' && !sa.condemned;
}

function defaultReason(input: IkeInput): IkeReason {
  switch (input.kind) {
    case 'start':
      return 'start';
    case 'stop':
      return 'stopped';
    case 'reset':
      return 'reset';
    case 'message':
      return 'established';
    case 'timer':
      return 'timeout';
    case 'inboundTraffic':
      return 'established';
    case 'outboundTraffic':
      return 'trap';
    default:
      return assertNever(input, 'IKE input');
  }
}
