/**
 * Random histories for the IKE fuzzer: the endpoints' settings and a list of
 * concrete events — time passing, messages delivered out of order, dropped,
 * duplicated, replayed, mutated in flight, forged (by a third party, or by the
 * hostile peer that replaces side b), timers fired whether armed or not, the
 * path cut and restored per direction, admin up/down, crashes and recoveries,
 * traffic reports. Each event carries its own numbers (indices are taken
 * modulo what exists when it runs), so a history replays exactly and still
 * makes sense with events removed — which is how findings are shrunk.
 * Platform-free.
 */
import type { ConnectionMode, DpdAction } from '../../src/protocols/ike/config.ts';
import type { ExchangeType, IkeMessage, IkePayload, NotifyType } from '../../src/protocols/ike/messages.ts';
import type { IkeTimer } from '../../src/protocols/ike/types.ts';
import type { Rng } from '../../src/sim/rng.ts';
import { type EndpointSettings, type IkeFuzzWorld, other, type Side, TIMER_NAMES } from './world.ts';

export type IkeEvent =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'stall'; readonly ms: number }
  | { readonly kind: 'deliver'; readonly pick: number }
  | { readonly kind: 'drop'; readonly pick: number }
  | { readonly kind: 'duplicate'; readonly pick: number }
  /** A message `source` sent earlier reaches the other side again. */
  | { readonly kind: 'replay'; readonly source: Side; readonly pick: number; readonly reflect: boolean }
  /** A message in flight is corrupted on the way (`values` choose the edits). */
  | { readonly kind: 'mutate'; readonly pick: number; readonly values: readonly number[] }
  /** A message made up by the hostile peer or a third party, delivered now or sent over the path. */
  | {
      readonly kind: 'forge';
      readonly to: Side;
      readonly template: number;
      readonly values: readonly number[];
      readonly now: boolean;
    }
  /** A timer fires now, armed or not; with `esp`, carrying ESP seen on a CHILD SA (`pick`) `lagMs` ago. */
  | {
      readonly kind: 'timer';
      readonly side: Side;
      readonly timer: IkeTimer;
      readonly esp?: { readonly pick: number; readonly lagMs: number };
    }
  | { readonly kind: 'path'; readonly up: boolean; readonly from: Side | 'both' }
  | { readonly kind: 'admin'; readonly side: Side; readonly up: boolean }
  | { readonly kind: 'crash' | 'recover' | 'outbound'; readonly side: Side }
  | { readonly kind: 'traffic'; readonly side: Side; readonly pick: number; readonly lagMs: number };

export type IkeMode = 'pair' | 'hostile';

export interface IkeHistory {
  readonly mode: IkeMode;
  readonly seed: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** The data plane reports ESP with the timers (see WorldOptions.esp). */
  readonly esp?: boolean;
  readonly a: EndpointSettings;
  readonly b?: EndpointSettings;
  readonly events: readonly IkeEvent[];
}

function choose<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

// ------------------------------------------------------------------ settings

/** Short lifetimes, so rekeys (and their collisions) happen within a history. */
export function randomSettings(rng: Rng, mode?: ConnectionMode): EndpointSettings {
  const childSaLifetimeMs = choose(rng, [60_000, 90_000, 240_000, 3_600_000]);
  const ikeSaLifetimeMs = choose(rng, [120_000, 200_000, 600_000, 28_800_000]);
  return {
    mode: mode ?? choose<ConnectionMode>(rng, ['Default', 'Default', 'InitiatorOnly', 'ResponderOnly']),
    dpdDelayMs: choose(rng, [0, 3_000, 10_000, 30_000]),
    dpdTimeoutMs: choose<number | null>(rng, [null, 9_000, 45_000]),
    dpdAction: choose<DpdAction>(rng, ['restart', 'restart', 'clear', 'trap']),
    keyingTries: choose(rng, [0, 0, 1, 3]),
    retryDelayMs: choose(rng, [0, 5_000]),
    reestablishDelayMs: choose(rng, [0, 2_000]),
    childSaLifetimeMs,
    ikeSaLifetimeMs,
    rekeyMarginMs: choose(rng, [5_000, 20_000]),
    rekeyFuzzPercent: choose(rng, [0, 100]),
    halfOpenTimeoutMs: choose(rng, [5_000, 30_000]),
    answerUnknownSpi: rng.int(4) !== 0,
    retransmit: choose(rng, [{}, { jitterPercent: 20 }, { timeoutMs: 1_000, tries: 2 }, { limitMs: 10_000 }]),
  };
}

// ------------------------------------------------------------------ events

const ADVANCES = [0, 1, 20, 500, 2_000, 10_000, 45_000, 120_000, 600_000];

function randomEvent(rng: Rng, mode: IkeMode): IkeEvent {
  const side = (): Side => (mode === 'hostile' ? 'a' : choose<Side>(rng, ['a', 'b']));
  const values = (): number[] => Array.from({ length: 1 + rng.int(6) }, () => rng.nextUint32());
  const weights: [number, () => IkeEvent][] = [
    [10, () => ({ kind: 'advance', ms: rng.int(choose(rng, ADVANCES) + 1) })],
    [1, () => ({ kind: 'stall', ms: rng.int(choose(rng, ADVANCES) + 1) })],
    [3, () => ({ kind: 'deliver', pick: rng.int(16) })],
    [2, () => ({ kind: 'drop', pick: rng.int(16) })],
    [1, () => ({ kind: 'duplicate', pick: rng.int(16) })],
    [
      2,
      () => ({
        kind: 'replay',
        source: choose<Side>(rng, ['a', 'b']),
        pick: rng.int(64),
        reflect: rng.int(4) === 0,
      }),
    ],
    [mode === 'hostile' ? 1 : 3, () => ({ kind: 'mutate', pick: rng.int(16), values: values() })],
    [
      mode === 'hostile' ? 12 : 1,
      () => ({
        kind: 'forge',
        to: side(),
        template: rng.int(FORGERIES),
        values: values(),
        now: rng.int(2) === 0,
      }),
    ],
    [
      2,
      () => ({
        kind: 'timer',
        side: side(),
        timer: choose(rng, TIMER_NAMES),
        ...(rng.int(2) === 0
          ? { esp: { pick: rng.int(4), lagMs: rng.int(2) === 0 ? 0 : rng.int(20_000) } }
          : {}),
      }),
    ],
    [
      2,
      () => ({
        kind: 'path',
        up: rng.int(2) === 0,
        from: mode === 'hostile' ? 'both' : choose<Side | 'both'>(rng, ['a', 'b', 'both']),
      }),
    ],
    [2, () => ({ kind: 'admin', side: side(), up: rng.int(3) !== 0 })],
    [1, () => ({ kind: 'crash', side: side() })],
    [1, () => ({ kind: 'recover', side: side() })],
    [
      1,
      () => ({
        kind: 'traffic',
        side: side(),
        pick: rng.int(8),
        lagMs: rng.int(2) === 0 ? 0 : rng.int(60_000),
      }),
    ],
    [1, () => ({ kind: 'outbound', side: side() })],
  ];
  let total = 0;
  for (const [weight] of weights) total += weight;
  let roll = rng.int(total);
  for (const [weight, make] of weights) {
    if (roll < weight) return make();
    roll -= weight;
  }
  return { kind: 'advance', ms: 1 };
}

export function randomHistory(rng: Rng, mode: IkeMode, maxEvents = 60): IkeHistory {
  const a = randomSettings(rng);
  // The hostile peer needs something to talk to: the endpoint both initiates and responds half the time.
  const hostileA = rng.int(2) === 0 ? { ...a, mode: 'Default' as const } : a;
  const count = 1 + rng.int(maxEvents);
  const events: IkeEvent[] = [{ kind: 'admin', side: 'a', up: true }];
  if (mode === 'pair') events.push({ kind: 'admin', side: 'b', up: true });
  for (let i = 0; i < count; i++) events.push(randomEvent(rng, mode));
  return {
    mode,
    seed: 1 + rng.int(1_000_000),
    latencyMs: choose(rng, [0, 1, 20, 150]),
    jitterMs: choose(rng, [0, 0, 5, 50]),
    esp: rng.int(2) === 0,
    a: mode === 'hostile' ? hostileA : a,
    ...(mode === 'pair' ? { b: randomSettings(rng) } : {}),
    events,
  };
}

// ------------------------------------------------------------------ messages made up and mutated

/** Reads the event's numbers one by one, cycling, so any list (even shrunk) gives values. */
class Values {
  private at = 0;
  constructor(private readonly values: readonly number[]) {}
  next(): number {
    if (this.values.length === 0) return 0;
    const value = this.values[this.at % this.values.length] as number;
    this.at++;
    // Mix in the position, so a one-value list still gives different numbers.
    return ((Math.imul(value ^ this.at, 0x9e3779b1) >>> 0) ^ (value >>> 3)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)];
  }
}

const EXCHANGES: readonly ExchangeType[] = ['IKE_SA_INIT', 'IKE_AUTH', 'CREATE_CHILD_SA', 'INFORMATIONAL'];
const NOTIFIES: readonly NotifyType[] = [
  'INITIAL_CONTACT',
  'INVALID_IKE_SPI',
  'REKEY_SA',
  'TEMPORARY_FAILURE',
  'CHILD_SA_NOT_FOUND',
];

/** An SPI worth trying: a real one (ours, theirs, a CHILD SA's), a neighbour of one, 0, the maximum, or any. */
function spiValue(v: Values, known: readonly number[]): number {
  switch (v.int(6)) {
    case 0:
      return 0;
    case 1:
      return 0xffffffff;
    case 2:
      return ((v.pick(known) ?? 1) + 1) >>> 0;
    case 3:
      return v.next();
    default:
      return v.pick(known) ?? v.next();
  }
}

function randomPayload(v: Values, known: readonly number[]): IkePayload {
  switch (v.int(7)) {
    case 0:
      return { type: 'nonce', nonce: v.next() };
    case 1:
      return { type: 'identity', id: v.pick(['IN_0', 'site1/dev0', '', 'x'.repeat(300)]) ?? '' };
    case 2:
      return { type: 'childSa', spi: spiValue(v, known) };
    case 3:
      return { type: 'ikeSa', spi: spiValue(v, known) };
    case 4:
      return { type: 'notify', notify: v.pick(NOTIFIES) ?? 'REKEY_SA', spi: spiValue(v, known) };
    case 5:
      return { type: 'deleteIke' };
    default:
      return { type: 'deleteChild', spis: Array.from({ length: v.int(4) }, () => spiValue(v, known)) };
  }
}

/** Every SPI the world knows of: IKE SPIs of both ends' SAs, their CHILD SA SPIs, and those in messages sent. */
export function knownSpis(world: IkeFuzzWorld): number[] {
  const spis: number[] = [];
  for (const side of ['a', 'b'] as const) {
    for (const sa of world.snapshot(side)?.ikeSas ?? []) {
      spis.push(sa.id.initiatorSpi, sa.id.responderSpi);
      for (const child of sa.childSas) spis.push(child.inboundSpi, child.outboundSpi);
    }
    for (const m of world.sent[side].slice(-8)) spis.push(m.initiatorSpi, m.responderSpi);
  }
  return spis.filter((spi) => spi !== 0);
}

/** One to four edits of a message's header fields and payloads. */
export function mutateMessage(
  message: IkeMessage,
  values: readonly number[],
  known: readonly number[],
): IkeMessage {
  const v = new Values(values);
  let m: IkeMessage = message;
  const rounds = 1 + v.int(4);
  for (let round = 0; round < rounds; round++) {
    const payloads = [...m.payloads];
    switch (v.int(18)) {
      case 0:
        m = { ...m, isResponse: !m.isResponse };
        break;
      case 1:
        m = { ...m, fromOriginalInitiator: !m.fromOriginalInitiator };
        break;
      case 2:
        m = { ...m, exchange: v.pick(EXCHANGES) ?? m.exchange };
        break;
      case 3:
        m = { ...m, messageId: (m.messageId + 1) >>> 0 };
        break;
      case 4:
        m = { ...m, messageId: Math.max(0, m.messageId - 1) };
        break;
      case 5:
        m = { ...m, messageId: v.pick([0, 1, 2, 0xffffffff, v.next()]) ?? 0 };
        break;
      case 6:
        m = { ...m, initiatorSpi: m.responderSpi, responderSpi: m.initiatorSpi };
        break;
      case 7:
        m = { ...m, responderSpi: 0 };
        break;
      case 8:
        m = { ...m, initiatorSpi: spiValue(v, known) };
        break;
      case 9:
        m = { ...m, responderSpi: spiValue(v, known) };
        break;
      case 10:
        if (payloads.length > 0) payloads.splice(v.int(payloads.length), 1);
        m = { ...m, payloads };
        break;
      case 11: {
        const p = v.pick(payloads);
        if (p !== undefined) payloads.splice(v.int(payloads.length + 1), 0, p);
        m = { ...m, payloads };
        break;
      }
      case 12:
        payloads.splice(v.int(payloads.length + 1), 0, randomPayload(v, known));
        m = { ...m, payloads };
        break;
      case 13: {
        // A numeric field of one payload changed.
        const i = v.int(Math.max(1, payloads.length));
        const p = payloads[i];
        if (p === undefined) break;
        if (p.type === 'nonce') payloads[i] = { ...p, nonce: v.next() };
        else if (p.type === 'childSa' || p.type === 'ikeSa') payloads[i] = { ...p, spi: spiValue(v, known) };
        else if (p.type === 'notify') payloads[i] = { ...p, spi: spiValue(v, known) };
        else if (p.type === 'deleteChild') payloads[i] = { ...p, spis: p.spis.map(() => spiValue(v, known)) };
        m = { ...m, payloads };
        break;
      }
      case 14:
        m = { ...m, payloads: [] };
        break;
      case 15: {
        const i = v.int(Math.max(1, payloads.length));
        const p = payloads[i];
        if (p?.type === 'notify') payloads[i] = { ...p, notify: v.pick(NOTIFIES) ?? p.notify };
        else payloads.push({ type: 'notify', notify: v.pick(NOTIFIES) ?? 'TEMPORARY_FAILURE' });
        m = { ...m, payloads };
        break;
      }
      case 16:
        // A DELETE naming a thousand CHILD SAs, real ones among them.
        payloads.push({
          type: 'deleteChild',
          spis: Array.from({ length: 1000 }, (_, k) => (k % 10 === 0 ? spiValue(v, known) : v.next())),
        });
        m = { ...m, payloads };
        break;
      default:
        // Fifty payloads: every kind, repeated.
        m = { ...m, payloads: [...payloads, ...Array.from({ length: 50 }, () => randomPayload(v, known))] };
    }
  }
  return m;
}

/** Templates of made-up messages: valid-looking answers and requests on real SAs, and noise. */
export const FORGERIES = 10;

/** The next request ID the peer of `to` should use on an SA: one past the last response `to` gave on it. */
function nextRequestId(world: IkeFuzzWorld, to: Side, initiatorSpi: number, responderSpi: number): number {
  const sent = world.sent[to];
  for (let i = sent.length - 1; i >= 0; i--) {
    const m = sent[i] as IkeMessage;
    if (m.isResponse && m.initiatorSpi === initiatorSpi && m.responderSpi === responderSpi)
      return m.messageId + 1;
  }
  return 0;
}

/**
 * A message towards `to`, as its peer would send it: `template` picks the kind
 * (the answer to `to`'s latest request, IKE_SA_INIT, IKE_AUTH, DPD, DELETE,
 * CREATE_CHILD_SA for a rekey or a new CHILD SA, an IKE SA rekey, or noise),
 * `values` fill in SPIs, nonces and which SA; now and then mutated on top.
 */
export function forgeMessage(
  world: IkeFuzzWorld,
  to: Side,
  template: number,
  values: readonly number[],
): IkeMessage | undefined {
  const v = new Values(values);
  const known = knownSpis(world);
  const sas = world.snapshot(to)?.ikeSas ?? [];
  const sa = v.pick(sas);
  // On an SA of `to`, the peer's messages carry the I flag when `to` is not the original initiator.
  const onSa = (exchange: ExchangeType, payloads: IkePayload[]): IkeMessage | undefined =>
    sa === undefined
      ? undefined
      : {
          exchange,
          isResponse: false,
          fromOriginalInitiator: !sa.originalInitiator,
          initiatorSpi: sa.id.initiatorSpi,
          responderSpi: sa.id.responderSpi,
          messageId:
            v.int(5) === 0 ? v.int(4) : nextRequestId(world, to, sa.id.initiatorSpi, sa.id.responderSpi),
          payloads,
        };
  const children = sa?.childSas ?? [];
  let message: IkeMessage | undefined;
  switch (template % FORGERIES) {
    case 0: {
      // The answer `to`'s latest (or a recent) request expects.
      const requests = world.sent[to].filter((m) => !m.isResponse).slice(-4);
      const request = requests[requests.length - 1 - v.int(Math.max(1, requests.length))] ?? requests.at(-1);
      if (request === undefined) return undefined;
      const payloads: IkePayload[] = [];
      switch (request.exchange) {
        case 'IKE_SA_INIT':
          payloads.push({ type: 'nonce', nonce: v.next() });
          break;
        case 'IKE_AUTH':
          payloads.push({ type: 'identity', id: 'peer' }, { type: 'childSa', spi: v.next() });
          break;
        case 'CREATE_CHILD_SA':
          if (v.int(5) === 0)
            payloads.push({
              type: 'notify',
              notify: v.int(2) === 0 ? 'TEMPORARY_FAILURE' : 'CHILD_SA_NOT_FOUND',
            });
          else if (request.payloads.some((p) => p.type === 'ikeSa'))
            payloads.push({ type: 'ikeSa', spi: v.next() }, { type: 'nonce', nonce: v.next() });
          else payloads.push({ type: 'childSa', spi: v.next() }, { type: 'nonce', nonce: v.next() });
          break;
        case 'INFORMATIONAL':
          for (const p of request.payloads)
            if (p.type === 'deleteChild') {
              const spis = children.filter((c) => p.spis.includes(c.inboundSpi)).map((c) => c.outboundSpi);
              payloads.push({ type: 'deleteChild', spis: spis.length > 0 ? spis : [v.next()] });
            }
          break;
      }
      message = {
        exchange: request.exchange,
        isResponse: true,
        fromOriginalInitiator: !request.fromOriginalInitiator,
        initiatorSpi: request.initiatorSpi,
        responderSpi: request.responderSpi === 0 ? v.next() || 1 : request.responderSpi,
        messageId: request.messageId,
        payloads,
      };
      break;
    }
    case 1:
      message = {
        exchange: 'IKE_SA_INIT',
        isResponse: false,
        fromOriginalInitiator: true,
        initiatorSpi: v.next() || 1,
        responderSpi: 0,
        messageId: 0,
        payloads: [{ type: 'nonce', nonce: v.next() }],
      };
      break;
    case 2: {
      // IKE_AUTH on a half-open SA `to` answered (or any SA, now and then).
      const halfOpen = sas.filter((s) => s.state === 'halfOpen');
      const target = v.pick(halfOpen) ?? sa;
      if (target === undefined) return undefined;
      const payloads: IkePayload[] = [
        { type: 'identity', id: 'peer' },
        { type: 'childSa', spi: v.next() },
      ];
      if (v.int(2) === 0) payloads.push({ type: 'notify', notify: 'INITIAL_CONTACT' });
      message = {
        exchange: 'IKE_AUTH',
        isResponse: false,
        fromOriginalInitiator: true,
        initiatorSpi: target.id.initiatorSpi,
        responderSpi: target.id.responderSpi,
        messageId: 1,
        payloads,
      };
      break;
    }
    case 3:
      message = onSa('INFORMATIONAL', []);
      break;
    case 4:
      message = onSa('INFORMATIONAL', [{ type: 'deleteIke' }]);
      break;
    case 5:
      message = onSa('INFORMATIONAL', [
        { type: 'deleteChild', spis: children.length > 0 ? children.map((c) => c.outboundSpi) : [v.next()] },
      ]);
      break;
    case 6: {
      // §1.3.3: REKEY_SA names the SPI the rekey initiator receives on, `to`'s outbound one.
      const child = v.pick(children);
      message = onSa('CREATE_CHILD_SA', [
        { type: 'notify', notify: 'REKEY_SA', spi: child?.outboundSpi ?? v.next() },
        { type: 'childSa', spi: v.next() },
        { type: 'nonce', nonce: v.next() },
      ]);
      break;
    }
    case 7:
      message = onSa('CREATE_CHILD_SA', [
        { type: 'childSa', spi: v.next() },
        { type: 'nonce', nonce: v.next() },
      ]);
      break;
    case 8:
      message = onSa('CREATE_CHILD_SA', [
        { type: 'ikeSa', spi: v.next() || 1 },
        { type: 'nonce', nonce: v.next() },
      ]);
      break;
    default:
      message = {
        exchange: v.pick(EXCHANGES) ?? 'INFORMATIONAL',
        isResponse: v.int(2) === 0,
        fromOriginalInitiator: v.int(2) === 0,
        initiatorSpi: spiValue(v, known),
        responderSpi: spiValue(v, known),
        messageId: v.int(4),
        payloads: Array.from({ length: v.int(4) }, () => randomPayload(v, known)),
      };
  }
  if (message !== undefined && v.int(4) === 0)
    message = mutateMessage(message, [v.next(), v.next(), v.next()], known);
  return message;
}

// ------------------------------------------------------------------ applying events

export function applyEvent(world: IkeFuzzWorld, event: IkeEvent): void {
  switch (event.kind) {
    case 'advance':
      world.advance(event.ms);
      return;
    case 'stall':
      world.stall(event.ms);
      return;
    case 'deliver':
      world.deliverInFlight(event.pick);
      return;
    case 'drop':
      world.dropInFlight(event.pick);
      return;
    case 'duplicate': {
      const item = world.inFlight[event.pick % Math.max(1, world.inFlight.length)];
      if (item !== undefined) world.deliver(item.to, item.message, item.injected === true);
      return;
    }
    case 'replay': {
      const sent = world.sent[event.source];
      const message = sent[event.pick % Math.max(1, sent.length)];
      if (message === undefined) return;
      // Reflected: sent back to its own sender, as a confused middlebox would.
      world.deliver(event.reflect ? event.source : other(event.source), message, true);
      return;
    }
    case 'mutate': {
      const index = event.pick % Math.max(1, world.inFlight.length);
      const item = world.inFlight[index];
      if (item === undefined) return;
      world.inFlight[index] = {
        ...item,
        message: mutateMessage(item.message, event.values, knownSpis(world)),
        injected: true,
      };
      return;
    }
    case 'forge': {
      const message = forgeMessage(world, event.to, event.template, event.values);
      if (message === undefined) return;
      world.remember(other(event.to), message);
      if (event.now) world.deliver(event.to, message, true);
      else world.transmit(other(event.to), message, true);
      return;
    }
    case 'timer':
      world.fireTimer(event.side, event.timer, event.esp);
      return;
    case 'path':
      for (const from of event.from === 'both' ? (['a', 'b'] as const) : [event.from]) {
        world.pathUp[from] = event.up;
        if (!event.up) world.dropFrom(from);
      }
      return;
    case 'admin':
      world.input(event.side, { kind: event.up ? 'start' : 'stop' });
      return;
    case 'crash':
      world.crash(event.side);
      return;
    case 'recover':
      world.recover(event.side);
      return;
    case 'outbound':
      world.input(event.side, { kind: 'outboundTraffic' });
      return;
    case 'traffic': {
      const spis = (world.snapshot(event.side)?.ikeSas ?? []).flatMap((sa) =>
        sa.childSas.map((c) => c.inboundSpi),
      );
      const spi = spis[event.pick % Math.max(1, spis.length)] ?? event.pick;
      world.input(event.side, {
        kind: 'inboundTraffic',
        inboundSpi: spi,
        ...(event.lagMs > 0 ? { atMs: Math.max(0, world.nowMs - event.lagMs) } : {}),
      });
      return;
    }
  }
}
