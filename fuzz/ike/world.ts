/**
 * A runtime for IKE endpoint cores that the fuzzer drives one step at a time:
 * a virtual clock, each side's armed timers (kept from the core's armTimer /
 * cancelTimer outputs, fired when due — or whenever the fuzzer says, armed or
 * not), a network of messages in flight that the fuzzer may deliver out of
 * order, drop, duplicate, replay or mutate, a path per direction that can be
 * cut, and hosts that crash and come back without state. One or two
 * endpoints: side b absent is the hostile-peer mode, where the fuzzer itself
 * plays the peer (fuzz/ike/events.ts).
 *
 * After every input the world checks what must hold whatever the history
 * (a broken one is a `Violation`, the first of which ends the run):
 * - `handle` returns and never throws;
 * - timer requests are finite, non-negative, integer delays;
 * - what the data plane was told (childSa up/down) is exactly what the core
 *   holds: no CHILD SA installed twice or removed unknown; the tunnel level
 *   alternates and matches the snapshot; `state` outputs chain;
 * - requests are only sent on IKE SAs the endpoint holds (a DELETE sent and
 *   forgotten excepted);
 * - the SA table, the CHILD SAs and the task queues stay within bounds that do
 *   not grow with time: a constant, plus what the peer's own requests account for.
 * Platform-free and deterministic: the same seed and events give the same digest.
 */
import type { IkeEndpointOptions } from '../../src/protocols/ike/config.ts';
import { IkeEndpoint } from '../../src/protocols/ike/endpoint.ts';
import type { IkeMessage } from '../../src/protocols/ike/messages.ts';
import type { EndpointState, IkeInput, IkeOutput, IkeTimer } from '../../src/protocols/ike/types.ts';
import { Rng } from '../../src/sim/rng.ts';

export type Side = 'a' | 'b';

export const TIMER_NAMES: readonly IkeTimer[] = ['retransmit', 'dpd', 'lifetime', 'initiate', 'halfOpen'];

export function other(side: Side): Side {
  return side === 'a' ? 'b' : 'a';
}

/** An endpoint's options as the fuzzer varies them (name and rng are the world's). */
export type EndpointSettings = Omit<IkeEndpointOptions, 'name' | 'rng'>;

export interface WorldOptions {
  readonly seed: number;
  readonly latencyMs: number;
  /** Extra random delay per message, 0..jitterMs: messages overtake each other. */
  readonly jitterMs: number;
  readonly a: EndpointSettings;
  /** Absent: one endpoint, and the fuzzer plays a hostile peer. */
  readonly b?: EndpointSettings;
  /**
   * The data plane reports ESP with every timer that fires in `advance` (as the
   * simulator's tunnels do): `combined` as the timer input's `inbound`, `split` as
   * an `inboundTraffic` input just before the bare timer — documented to be the
   * same thing, which the harness checks by running both (the combined form
   * takes the endpoint's steady-DPD fast path). Absent: bare timers.
   */
  readonly esp?: 'combined' | 'split';
}

export interface InFlight {
  readonly seq: number;
  readonly from: Side;
  readonly to: Side;
  readonly atMs: number;
  readonly message: IkeMessage;
  /** Forged or mutated rather than sent by an endpoint. */
  readonly injected?: boolean;
}

export type ViolationKind =
  | 'exception'
  | 'bad-timer'
  | 'data-plane-disagrees'
  | 'tunnel-level'
  | 'state-chain'
  | 'request-on-unknown-sa'
  | 'sa-growth'
  | 'child-growth'
  | 'queue-growth'
  | 'livelock'
  | 'no-convergence'
  | 'split-brain'
  | 'lingering-ike-sa'
  | 'not-cleaned-up'
  | 'nondeterministic'
  /** A timer carrying ESP (`inbound`) did not do what inboundTraffic + the bare timer do. */
  | 'fast-path-differs';

export interface Violation {
  readonly kind: ViolationKind;
  readonly side: Side | 'both';
  readonly atMs: number;
  readonly detail: string;
}

/** Above this, one `advance` is stuck: two cores feeding each other without time passing. */
const MAX_STEPS_PER_ADVANCE = 200_000;
/** Messages each side keeps for replays (the oldest are forgotten). */
const SENT_KEPT = 64;
/** A quiet endpoint holds at most this many IKE SAs (duplicates, a rekey in progress, a half-open one …). */
export const BASE_SA_BOUND = 6;
/** … and this many CHILD SAs per endpoint (a rekey in progress or two, make-before-break). */
export const BASE_CHILD_BOUND = 6;
/** … and this many queued tasks per IKE SA. */
export const BASE_QUEUE_BOUND = 8;

interface Ledger {
  readonly installed: Set<string>;
  tunnelUp: boolean;
  state: EndpointState;
  /** Times at which IKE_SA_INIT requests reached this side (a half-open SA each, at most). */
  readonly initRequests: number[];
  /** CREATE_CHILD_SA requests that reached this side from a forged or mutated source. */
  createRequests: number;
}

/** Field access that survives the core's internals changing shape: undefined when they are not what we think. */
interface SaInternals {
  readonly queue?: unknown;
  readonly state?: unknown;
}

function internalSas(endpoint: IkeEndpoint): SaInternals[] | undefined {
  const sas = (endpoint as unknown as { sas?: unknown }).sas;
  return sas instanceof Map ? ([...sas.values()] as SaInternals[]) : undefined;
}

function fnv(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class IkeFuzzWorld {
  nowMs = 0;
  readonly endpoints: Partial<Record<Side, IkeEndpoint>> = {};
  readonly alive: Record<Side, boolean> = { a: true, b: true };
  /** Path up for messages sent by this side. */
  readonly pathUp: Record<Side, boolean> = { a: true, b: true };
  readonly armed: Record<Side, Map<IkeTimer, number>> = { a: new Map(), b: new Map() };
  inFlight: InFlight[] = [];
  /** Messages each side sent lately (by the hostile peer too, when it plays b). */
  readonly sent: Record<Side, IkeMessage[]> = { a: [], b: [] };
  violation: Violation | undefined;
  digest = 0x811c9dc5;
  /** The same over outputs and times only: equal for `esp: 'combined'` and `'split'`. */
  outputDigest = 0x811c9dc5;
  inputs = 0;
  outputs = 0;
  maxSas = 0;
  maxChildren = 0;
  /** Called with each message an endpoint sends (the hostile peer reads them). */
  onSend: ((from: Side, message: IkeMessage) => void) | undefined;
  private seq = 0;
  private readonly rng: Rng;
  private readonly ledgers: Record<Side, Ledger>;
  private readonly halfOpenMs: Record<Side, number>;

  constructor(readonly options: WorldOptions) {
    this.rng = new Rng(options.seed ^ 0x5bd1e995);
    this.endpoints.a = new IkeEndpoint({
      ...options.a,
      name: 'IN_0',
      rng: new Rng(options.seed).fork(),
    });
    if (options.b !== undefined) {
      this.endpoints.b = new IkeEndpoint({
        ...options.b,
        name: 'site1/dev0',
        rng: new Rng(options.seed + 7919).fork(),
      });
    }
    const ledger = (): Ledger => ({
      installed: new Set(),
      tunnelUp: false,
      state: 'stopped',
      initRequests: [],
      createRequests: 0,
    });
    this.ledgers = { a: ledger(), b: ledger() };
    this.halfOpenMs = {
      a: options.a.halfOpenTimeoutMs ?? 30_000,
      b: options.b?.halfOpenTimeoutMs ?? 30_000,
    };
  }

  get hostile(): boolean {
    return this.endpoints.b === undefined;
  }

  get failed(): boolean {
    return this.violation !== undefined;
  }

  fail(kind: ViolationKind, side: Side | 'both', detail: string): void {
    if (this.violation === undefined) this.violation = { kind, side, atMs: this.nowMs, detail };
  }

  // ------------------------------------------------------------------ inputs

  /** Hands `side` one input now, if its host is alive; carries out and checks the outputs. */
  input(side: Side, input: IkeInput, injected = false): void {
    const endpoint = this.endpoints[side];
    if (endpoint === undefined || !this.alive[side] || this.failed) return;
    if (input.kind === 'message') this.noteArrival(side, input.message, injected);
    this.inputs++;
    let outputs: IkeOutput[];
    try {
      outputs = endpoint.handle(this.nowMs, input);
    } catch (thrown) {
      const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      this.fail('exception', side, `${describeInput(input)}: ${text.split('\n')[0]}`);
      return;
    }
    this.digest = fnv(this.digest, `${this.nowMs}${side}${describeInput(input)}`);
    if (outputs.length > 0) this.outputDigest = fnv(this.outputDigest, `${this.nowMs}${side}`);
    for (const output of outputs) this.carryOut(side, output);
    this.check(side, endpoint);
    // (A timer that fires late may retransmit on an SA its own lifetime pass then removes: not checked.)
    if (input.kind !== 'timer') {
      const sends = outputs.flatMap((output) => (output.kind === 'send' ? [output.message] : []));
      for (const message of sends) this.checkRequest(side, endpoint, message, sends);
    }
  }

  /** The network hands `to` a message (from the other endpoint, a replay or a forgery). */
  deliver(to: Side, message: IkeMessage, injected: boolean): void {
    this.input(to, { kind: 'message', message }, injected);
  }

  /** What the hostile peer (or any third party) puts on the wire towards `to`: it takes the path like any message. */
  transmit(from: Side, message: IkeMessage, injected = false): void {
    if (!this.pathUp[from]) return;
    const to = other(from);
    const jitter = this.options.jitterMs > 0 ? this.rng.int(this.options.jitterMs + 1) : 0;
    this.inFlight.push({
      seq: this.seq++,
      from,
      to,
      atMs: this.nowMs + this.options.latencyMs + jitter,
      message,
      ...(injected ? { injected } : {}),
    });
  }

  /** Keeps a message `side` sent (or the hostile peer made up as side b) for later replays. */
  remember(side: Side, message: IkeMessage): void {
    const kept = this.sent[side];
    kept.push(message);
    if (kept.length > SENT_KEPT) kept.shift();
  }

  crash(side: Side): void {
    if (!this.alive[side]) return;
    this.alive[side] = false;
    this.armed[side].clear();
    this.digest = fnv(this.digest, `${this.nowMs}${side}crash`);
  }

  recover(side: Side): void {
    if (this.alive[side]) return;
    this.alive[side] = true;
    this.input(side, { kind: 'reset' });
  }

  /**
   * A timer fires now, armed or not (a runtime that is late, early, or holds a
   * stale handle), with the ESP the data plane saw on one of the side's CHILD SAs
   * (`inbound`, chosen by `pick` among them) if given: in the timer input, or as
   * an inboundTraffic input just before it (`esp: 'split'`).
   */
  fireTimer(side: Side, timer: IkeTimer, inbound?: { pick: number; lagMs: number }): void {
    this.armed[side].delete(timer);
    if (inbound === undefined) {
      this.input(side, { kind: 'timer', timer });
      return;
    }
    const spis = (this.snapshot(side)?.ikeSas ?? []).flatMap((sa) => sa.childSas.map((c) => c.inboundSpi));
    const report = {
      inboundSpi: spis[inbound.pick % Math.max(1, spis.length)] ?? inbound.pick,
      ...(inbound.lagMs > 0 ? { atMs: Math.max(0, this.nowMs - inbound.lagMs) } : {}),
    };
    if (this.options.esp === 'split') {
      this.input(side, { kind: 'inboundTraffic', ...report });
      this.input(side, { kind: 'timer', timer });
    } else this.input(side, { kind: 'timer', timer, inbound: report });
  }

  /**
   * Time passes as a correct runtime lets it: every message arrives and every
   * armed timer fires at its time, in time order (messages first at equal times,
   * then timers in name order), until `ms` later.
   */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    let steps = 0;
    while (!this.failed) {
      const next = this.nextDue();
      if (next === undefined || next.atMs > until) break;
      if (++steps > MAX_STEPS_PER_ADVANCE) {
        this.fail('livelock', 'both', `over ${MAX_STEPS_PER_ADVANCE} events without reaching +${ms} ms`);
        return;
      }
      this.nowMs = Math.max(this.nowMs, next.atMs);
      if (next.kind === 'message') {
        this.inFlight.splice(this.inFlight.indexOf(next.item), 1);
        this.arrive(next.item);
      } else if (this.options.esp === undefined) {
        this.fireTimer(next.side, next.timer);
      } else {
        // Traffic flows most of the time, seen just now or a while ago; now and then none is reported.
        const report = this.rng.int(4) !== 0;
        const lagMs = this.rng.int(2) === 0 ? 0 : this.rng.int(20_000);
        const pick = this.rng.int(4);
        this.fireTimer(next.side, next.timer, report ? { pick, lagMs } : undefined);
      }
    }
    if (!this.failed) this.nowMs = Math.max(this.nowMs, until);
  }

  /** The clock jumps and nothing runs in between (a stalled event loop); late timers fire at the next advance. */
  stall(ms: number): void {
    this.nowMs += ms;
  }

  /** A message in flight arrives now (possibly before others sent earlier). */
  deliverInFlight(pick: number): void {
    const item = this.inFlight[pick % Math.max(1, this.inFlight.length)];
    if (item === undefined) return;
    this.inFlight.splice(this.inFlight.indexOf(item), 1);
    this.arrive(item);
  }

  dropInFlight(pick: number): void {
    if (this.inFlight.length > 0) this.inFlight.splice(pick % this.inFlight.length, 1);
  }

  /** Every message in flight that `from` sent is lost (the path went down under it). */
  dropFrom(from: Side): void {
    this.inFlight = this.inFlight.filter((item) => item.from !== from);
  }

  // ------------------------------------------------------------------ queries

  snapshot(side: Side) {
    return this.endpoints[side]?.snapshot();
  }

  upSas(side: Side): string[] {
    return (this.endpoints[side]?.establishedIkeSas() ?? [])
      .map((id) => `${id.initiatorSpi}/${id.responderSpi}`)
      .sort();
  }

  /** No request in flight and no half-open SA at either end: a moment to compare the two views. */
  idle(): boolean {
    return (['a', 'b'] as const).every((side) =>
      (this.snapshot(side)?.ikeSas ?? []).every((sa) => !sa.requestInFlight && sa.state !== 'halfOpen'),
    );
  }

  // ------------------------------------------------------------------ internals

  private arrive(item: InFlight): void {
    // Lost if the path in its direction went down meanwhile, or the receiver is dead.
    if (!this.pathUp[item.from]) return;
    this.deliver(item.to, item.message, item.injected === true);
  }

  private nextDue():
    | { kind: 'message'; atMs: number; item: InFlight }
    | { kind: 'timer'; atMs: number; side: Side; timer: IkeTimer }
    | undefined {
    let best:
      | { kind: 'message'; atMs: number; item: InFlight }
      | { kind: 'timer'; atMs: number; side: Side; timer: IkeTimer }
      | undefined;
    for (const item of this.inFlight) {
      if (best === undefined || item.atMs < best.atMs || (item.atMs === best.atMs && item.seq < seqOf(best)))
        best = { kind: 'message', atMs: item.atMs, item };
    }
    for (const side of ['a', 'b'] as const) {
      if (!this.alive[side]) continue;
      for (const timer of TIMER_NAMES) {
        const atMs = this.armed[side].get(timer);
        if (atMs !== undefined && (best === undefined || atMs < best.atMs))
          best = { kind: 'timer', atMs, side, timer };
      }
    }
    return best;
  }

  private noteArrival(side: Side, message: IkeMessage, injected: boolean): void {
    const ledger = this.ledgers[side];
    if (message.exchange === 'IKE_SA_INIT' && !message.isResponse) {
      ledger.initRequests.push(this.nowMs);
      const since = this.nowMs - this.halfOpenMs[side];
      while ((ledger.initRequests[0] ?? Number.POSITIVE_INFINITY) < since) ledger.initRequests.shift();
    }
    if (
      (injected || this.hostile) &&
      !message.isResponse &&
      (message.exchange === 'CREATE_CHILD_SA' || message.exchange === 'IKE_AUTH')
    )
      ledger.createRequests++;
  }

  private carryOut(side: Side, output: IkeOutput): void {
    this.outputs++;
    switch (output.kind) {
      case 'armTimer': {
        const { delayMs } = output;
        if (!(Number.isInteger(delayMs) && delayMs >= 0)) {
          this.fail('bad-timer', side, `armTimer ${output.timer} with delay ${delayMs}`);
          return;
        }
        this.armed[side].set(output.timer, this.nowMs + delayMs);
        this.digest = fnv(this.digest, `T${output.timer}${delayMs}`);
        this.outputDigest = fnv(this.outputDigest, `T${output.timer}${delayMs}`);
        return;
      }
      case 'cancelTimer':
        this.armed[side].delete(output.timer);
        this.digest = fnv(this.digest, `C${output.timer}`);
        this.outputDigest = fnv(this.outputDigest, `C${output.timer}`);
        return;
      case 'send': {
        this.remember(side, output.message);
        this.digest = fnv(this.digest, `S${messageKey(output.message)}`);
        this.outputDigest = fnv(this.outputDigest, `S${messageKey(output.message)}`);
        this.onSend?.(side, output.message);
        if (this.alive[side]) this.transmit(side, output.message);
        return;
      }
      case 'childSa': {
        const ledger = this.ledgers[side];
        const key = `${output.childSa.inboundSpi}/${output.childSa.outboundSpi}`;
        this.digest = fnv(this.digest, `c${key}${output.up}${output.reason}`);
        this.outputDigest = fnv(this.outputDigest, `c${key}${output.up}${output.reason}`);
        if (output.up) {
          if (ledger.installed.has(key))
            this.fail('data-plane-disagrees', side, `CHILD SA ${key} installed twice`);
          ledger.installed.add(key);
        } else {
          if (!ledger.installed.has(key))
            this.fail('data-plane-disagrees', side, `CHILD SA ${key} removed but never installed`);
          ledger.installed.delete(key);
        }
        return;
      }
      case 'tunnel': {
        const ledger = this.ledgers[side];
        this.digest = fnv(this.digest, `t${output.up}${output.reason}`);
        this.outputDigest = fnv(this.outputDigest, `t${output.up}${output.reason}`);
        if (output.up === ledger.tunnelUp)
          this.fail('tunnel-level', side, `tunnel ${output.up ? 'up' : 'down'} twice in a row`);
        ledger.tunnelUp = output.up;
        return;
      }
      case 'state': {
        const ledger = this.ledgers[side];
        this.digest = fnv(this.digest, `s${output.state}${output.reason}`);
        this.outputDigest = fnv(this.outputDigest, `s${output.state}${output.reason}`);
        if (output.previous !== ledger.state)
          this.fail(
            'state-chain',
            side,
            `state ${output.previous} → ${output.state}, but it was ${ledger.state}`,
          );
        ledger.state = output.state;
        return;
      }
      default:
        this.digest = fnv(this.digest, output.kind);
        this.outputDigest = fnv(this.outputDigest, output.kind);
    }
  }

  private check(side: Side, endpoint: IkeEndpoint): void {
    if (this.failed) return;
    const ledger = this.ledgers[side];
    const snapshot = endpoint.snapshot();
    const held = new Set<string>();
    for (const sa of snapshot.ikeSas)
      for (const child of sa.childSas) held.add(`${child.inboundSpi}/${child.outboundSpi}`);
    if (held.size !== ledger.installed.size || [...held].some((key) => !ledger.installed.has(key))) {
      this.fail(
        'data-plane-disagrees',
        side,
        `the core holds ${held.size} CHILD SAs, the data plane was told of ${ledger.installed.size}`,
      );
      return;
    }
    if (snapshot.tunnelUp !== ledger.installed.size > 0 || snapshot.tunnelUp !== ledger.tunnelUp) {
      this.fail(
        'tunnel-level',
        side,
        `snapshot tunnelUp ${snapshot.tunnelUp}, last reported ${ledger.tunnelUp}`,
      );
      return;
    }
    if (snapshot.state !== ledger.state) {
      this.fail('state-chain', side, `snapshot state ${snapshot.state}, last reported ${ledger.state}`);
      return;
    }
    this.maxSas = Math.max(this.maxSas, snapshot.ikeSas.length);
    this.maxChildren = Math.max(this.maxChildren, held.size);
    // Every IKE_SA_INIT request within the half-open timeout may have made a half-open SA; and a forged
    // or hostile IKE_AUTH / CREATE_CHILD_SA may have made an IKE SA or CHILD SA the peer then abandoned.
    const saBound = BASE_SA_BOUND + ledger.initRequests.length + ledger.createRequests;
    if (snapshot.ikeSas.length > saBound) {
      this.fail(
        'sa-growth',
        side,
        `${snapshot.ikeSas.length} IKE SAs (${summariseStates(snapshot.ikeSas.map((sa) => sa.state))}); bound ${saBound}`,
      );
      return;
    }
    const childBound = BASE_CHILD_BOUND + ledger.createRequests;
    if (held.size > childBound) {
      this.fail('child-growth', side, `${held.size} CHILD SAs; bound ${childBound}`);
      return;
    }
    const internals = internalSas(endpoint);
    if (internals !== undefined) {
      for (const sa of internals) {
        const queue = Array.isArray(sa.queue) ? sa.queue.length : 0;
        if (queue > BASE_QUEUE_BOUND + held.size) {
          this.fail('queue-growth', side, `an IKE SA (${String(sa.state)}) has ${queue} queued tasks`);
          return;
        }
      }
    }
  }

  /** Requests go out only on IKE SAs the endpoint still holds once the input is handled. */
  private checkRequest(side: Side, endpoint: IkeEndpoint, message: IkeMessage, batch: IkeMessage[]): void {
    if (message.isResponse || this.failed) return;
    // A DELETE sent and forgotten closes the SA in the same batch (a late timer may first retransmit on it).
    const closing = (m: IkeMessage) =>
      m.payloads.some((p) => p.type === 'deleteIke') &&
      m.initiatorSpi === message.initiatorSpi &&
      m.responderSpi === message.responderSpi;
    if (batch.some(closing)) return;
    const snapshot = endpoint.snapshot();
    const found = snapshot.ikeSas.some(
      (sa) =>
        sa.id.initiatorSpi === message.initiatorSpi &&
        (sa.id.responderSpi === message.responderSpi || message.exchange === 'IKE_SA_INIT'),
    );
    if (!found)
      this.fail('request-on-unknown-sa', side, `${messageKey(message)} on an IKE SA it no longer holds`);
  }
}

function seqOf(entry: { kind: 'message'; item: InFlight } | { kind: 'timer' }): number {
  return entry.kind === 'message' ? entry.item.seq : Number.POSITIVE_INFINITY;
}

function summariseStates(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

/** A short, complete rendering of a message for digests and findings. */
export function messageKey(m: IkeMessage): string {
  const payloads = m.payloads
    .map((p) => {
      switch (p.type) {
        case 'nonce':
          return `N${p.nonce}`;
        case 'identity':
          return `ID`;
        case 'childSa':
          return `CS${p.spi}`;
        case 'ikeSa':
          return `IS${p.spi}`;
        case 'notify':
          return `${p.notify}${p.spi === undefined ? '' : `:${p.spi}`}`;
        case 'deleteIke':
          return 'DI';
        case 'deleteChild':
          return `DC${p.spis.slice(0, 4).join('+')}${p.spis.length > 4 ? `+${p.spis.length - 4} more` : ''}`;
        default:
          return '?';
      }
    })
    .join(',');
  return `${m.exchange}${m.isResponse ? ' resp' : ' req'}${m.fromOriginalInitiator ? ' I' : ''} #${m.messageId} ${m.initiatorSpi}/${m.responderSpi} [${payloads}]`;
}

export function describeInput(input: IkeInput): string {
  switch (input.kind) {
    case 'message':
      return `message ${messageKey(input.message)}`;
    case 'timer':
      return `timer ${input.timer}${input.inbound === undefined ? '' : ` with ESP on ${input.inbound.inboundSpi}${input.inbound.atMs === undefined ? '' : ` at ${input.inbound.atMs}`}`}`;
    case 'inboundTraffic':
      return `inboundTraffic ${input.inboundSpi}${input.atMs === undefined ? '' : ` at ${input.atMs}`}`;
    default:
      return input.kind;
  }
}
