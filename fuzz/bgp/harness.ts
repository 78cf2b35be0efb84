/**
 * What one fuzz input is run through, and what must hold whatever the bytes:
 *   (a) decodeMessage under both codec contexts (2-octet iBGP, 4-octet eBGP), on the
 *       input and on every message the framer cuts out of it;
 *   (b) MessageFramer, fed whole and in random chunks;
 *   (c) a BgpWire in Established (reached with a valid OPEN + KEEPALIVE) fed the
 *       input in random chunks, and — when the input is an OPEN — one in OpenSent.
 * Invariants: no exception escapes; a decode failure is a NOTIFICATION with code
 * 1, 2, 3 or 7 and a subcode RFC 4271 / RFC 7313 define for it; an accepted message
 * re-encodes without throwing and decode∘encode is idempotent; the framer does not
 * care how TCP cut the stream; every NOTIFICATION the wire sends has a valid
 * code/subcode, decodes back, and is followed by closing that connection, after
 * which the wire reads nothing more; the Established wire reacts to the first
 * message exactly as the codec's verdict says (RFC 4271 §6, RFC 6608, RFC 7606);
 * the peer keeps at most 4,000 prefixes and one connection.
 * A broken invariant is thrown as InvariantViolation; the fuzzer records it like
 * any other exception.
 */

import { decodeMessage, encodeMessage, MessageFramer } from '../../src/protocols/bgp/codec.ts';
import type { FsmConfig } from '../../src/protocols/bgp/fsm.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type { BgpNotification, CodecContext, DecodeOutcome } from '../../src/protocols/bgp/messages.ts';
import type { PeerConfig } from '../../src/protocols/bgp/peer.ts';
import type { WireOutput } from '../../src/protocols/bgp/wire.ts';
import { BgpWire } from '../../src/protocols/bgp/wire.ts';
import type { Rng } from '../../src/sim/rng.ts';
import { concatBytes, equalBytes, toHex } from '../bytes.ts';

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

function violation(message: string): never {
  throw new InvariantViolation(message);
}

export type ContextName = 'two-octet' | 'four-octet';
export type WireSetupName = 'ebgp-4' | 'ibgp-2';

/** The two codec contexts: 2-octet AS from an internal peer (LOCAL_PREF kept), 4-octet AS from an external one. */
export const CONTEXTS: Readonly<Record<ContextName, CodecContext>> = {
  'two-octet': { fourOctetAs: false, externalPeer: false },
  'four-octet': { fourOctetAs: true, externalPeer: true },
};
export const CONTEXT_NAMES: readonly ContextName[] = ['two-octet', 'four-octet'];

/** Azure's prefix limit per session (AZURE-FACTS.md), which every fuzzed wire enforces. */
export const MAX_PREFIXES = 4000;

interface WireSetup {
  readonly azure: PeerConfig;
  readonly neighbour: FsmConfig;
  /** The codec context the session negotiates: the wire decodes with it. */
  readonly context: ContextName;
}

/**
 * Azure's side as the simulator builds it (hold 180 s, keepalive 60 s, 4,000
 * prefixes), against an eBGP neighbour with 4-octet AS, and against an iBGP one
 * without it — the two codec contexts above, so the wire's verdict can be
 * compared with the codec's.
 */
export const WIRE_SETUPS: Readonly<Record<WireSetupName, WireSetup>> = {
  'ebgp-4': {
    azure: {
      localAsn: 65515,
      localBgpId: '10.0.0.12',
      peerAsn: 65010,
      holdTimeSec: 180,
      fixedKeepaliveSec: 60,
      routeRefresh: true,
      maxPrefixes: MAX_PREFIXES,
    },
    neighbour: { localAsn: 65010, localBgpId: '192.168.1.1', peerAsn: 65515 },
    context: 'four-octet',
  },
  'ibgp-2': {
    azure: {
      localAsn: 65515,
      localBgpId: '10.0.0.12',
      peerAsn: 65515,
      fourOctetAs: false,
      maxPrefixes: MAX_PREFIXES,
    },
    neighbour: { localAsn: 65515, localBgpId: '10.0.0.13', peerAsn: 65515, fourOctetAs: false },
    context: 'two-octet',
  },
};
export const WIRE_SETUP_NAMES: readonly WireSetupName[] = ['ebgp-4', 'ibgp-2'];

/** The connection id the wire gives its first (outbound) connection. */
const CONN = 1;

/**
 * The subcodes defined for each error code: RFC 4271 §4.5 (deprecated 2/5 and 3/7
 * left out), RFC 5492 (2/7), RFC 6608 (5/1-3), RFC 4486 (6/1-8), RFC 7313 (7/1).
 */
const VALID_SUBCODES: Readonly<Record<number, readonly number[]>> = {
  1: [1, 2, 3],
  2: [0, 1, 2, 3, 4, 6, 7],
  3: [1, 2, 3, 4, 5, 6, 8, 9, 10, 11],
  4: [0],
  5: [0, 1, 2, 3],
  6: [1, 2, 3, 4, 5, 6, 7, 8],
  7: [1],
};

export function isValidNotification(code: number, subcode: number): boolean {
  return VALID_SUBCODES[code]?.includes(subcode) ?? false;
}

/** Error codes only the message decoder may return (the others come from timers, the FSM, policy). */
const CODEC_ERROR_CODES = new Set([1, 2, 3, 7]);

/** Digits and hex literals out: "ORIGIN value 7 (RFC 7606 §7.1)" and "ORIGIN value 9 …" are one kind. */
export function normalise(text: string): string {
  return text.replace(/0x[0-9a-f]+/gi, '#').replace(/\d+/g, '#');
}

/** "ok update", "ok update [treat-as-withdraw, attribute discard]", "error 3/1", "error 1/2 data 0013". */
export function describeOutcome(outcome: DecodeOutcome): string {
  if (!outcome.ok) return describeNotification(outcome.notification);
  const approaches = [...new Set(outcome.warnings.map((warning) => warning.split(':')[0] ?? warning))];
  return approaches.length > 0
    ? `ok ${outcome.message.type} [${approaches.join(', ')}]`
    : `ok ${outcome.message.type}`;
}

function describeNotification(notification: BgpNotification): string {
  const data = notification.data.length > 0 ? ` data ${toHex(notification.data.subarray(0, 64))}` : '';
  return `error ${notification.code}/${notification.subcode}${data}`;
}

/** The outputs a network engineer cares about, in order: "warn, update +3 -1", "notify 3/1, close, down". */
export function summariseWire(outputs: readonly WireOutput[]): string {
  const tokens: string[] = [];
  for (const output of outputs) {
    switch (output.kind) {
      case 'send':
        tokens.push(
          output.msg.type === 'notification'
            ? `notify ${output.msg.code}/${output.msg.subcode}`
            : `send ${output.msg.type}`,
        );
        break;
      case 'update':
        tokens.push(`update +${output.update.nlri.length} -${output.update.withdrawn.length}`);
        break;
      case 'decodeWarning':
        tokens.push('warn');
        break;
      case 'close':
      case 'down':
      case 'established':
      case 'connect':
      case 'accepted':
      case 'rejected':
        tokens.push(output.kind);
        break;
      case 'routeRefresh':
        tokens.push('refresh');
        break;
      case 'armTimer':
      case 'cancelTimer':
      case 'state':
        break;
    }
  }
  return tokens.length > 0 ? tokens.join(', ') : 'nothing';
}

/** The distinct reactions, not their sequence: a stream of n messages would otherwise make endless features. */
function reactions(summary: string): string {
  return [...new Set(normalise(summary).split(', '))].join(', ');
}

/** What one input did, for statistics, coverage feedback and the corpus. */
export interface InputResult {
  /** The decoder's verdict on the whole input, per context. */
  readonly decode: Readonly<Record<ContextName, string>>;
  /** What each Established wire did with the input. */
  readonly wire: Readonly<Record<WireSetupName, string>>;
  /** "outcome | warning kind" pairs reached (the coverage proxy the fuzzer reports). */
  readonly classes: readonly string[];
  /** Finer features (reasons, framer and wire behaviour) that steer the corpus. */
  readonly features: readonly string[];
  /** "code/subcode" of every NOTIFICATION the wires sent. */
  readonly wireNotifications: readonly string[];
  /** The decoder's verdict (4-octet context) on each whole message the framer cut out of the input. */
  readonly messageOutcomes: readonly string[];
}

/** The codec's verdict on one message, checked: valid error, or a message that re-encodes idempotently. */
function decodeChecked(bytes: Uint8Array, name: ContextName, classes: Set<string>, features: Set<string>) {
  const ctx = CONTEXTS[name];
  const outcome = decodeMessage(bytes, ctx);
  if (!outcome.ok) {
    const { code, subcode } = outcome.notification;
    if (!CODEC_ERROR_CODES.has(code) || !isValidNotification(code, subcode)) {
      violation(`decoder (${name}) answered with NOTIFICATION ${code}/${subcode}: ${outcome.reason}`);
    }
    const kind = `error ${code}/${subcode}`;
    classes.add(`${kind} | -`);
    features.add(`${name}: ${kind}: ${normalise(outcome.reason)}`);
    return outcome;
  }
  const kind = `ok ${outcome.message.type}`;
  if (outcome.warnings.length === 0) classes.add(`${kind} | -`);
  for (const warning of outcome.warnings) {
    const warningKind = normalise(warning);
    classes.add(`${kind} | ${warningKind}`);
    features.add(`${name}: ${kind}: ${warningKind}`);
  }
  let encoded: Uint8Array;
  try {
    encoded = encodeMessage(outcome.message, ctx);
  } catch (thrown) {
    violation(`accepted ${outcome.message.type} (${name}) does not re-encode: ${String(thrown)}`);
  }
  const again = decodeMessage(encoded, ctx);
  if (!again.ok) {
    violation(`re-encoded ${outcome.message.type} (${name}) is refused: ${again.reason}`);
  }
  // Repairs happen once; only "ignore" notes (an unknown ROUTE-REFRESH subtype) may repeat.
  const repairs = again.warnings.filter((warning) => !warning.startsWith('ignore:'));
  if (repairs.length > 0) {
    violation(`re-encoded ${outcome.message.type} (${name}) draws warnings: ${repairs.join('; ')}`);
  }
  if (!equalBytes(encodeMessage(again.message, ctx), encoded)) {
    violation(`decode∘encode of ${outcome.message.type} (${name}) is not idempotent`);
  }
  return outcome;
}

/** Random cut points (0 to 6 of them), sometimes octet by octet for short inputs. */
export function chunk(bytes: Uint8Array, rng: Rng): Uint8Array[] {
  if (bytes.length > 1 && bytes.length <= 64 && rng.int(16) === 0) {
    return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  }
  const cuts = new Set<number>();
  const count = bytes.length < 2 ? 0 : rng.int(7);
  for (let i = 0; i < count; i++) cuts.add(1 + rng.int(bytes.length - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) chunks.push(bytes.subarray(bounds[i], bounds[i + 1]));
  return chunks;
}

interface Framed {
  readonly messages: Uint8Array[];
  readonly error: BgpNotification | undefined;
}

function frame(chunks: readonly Uint8Array[]): Framed {
  const framer = new MessageFramer();
  const messages: Uint8Array[] = [];
  let error: BgpNotification | undefined;
  let consumed = 0;
  let pushed = 0;
  for (const piece of chunks) {
    pushed += piece.length;
    const framed = framer.push(piece);
    for (const message of framed.messages) {
      const length = ((message[16] ?? 0) << 8) | (message[17] ?? 0);
      if (length !== message.length || length < 19 || length > 4096) {
        violation(`framer handed out a ${message.length}-octet message whose header says ${length}`);
      }
      consumed += message.length;
      messages.push(message);
    }
    if (framed.error) {
      if (error && !sameNotification(error, framed.error.notification)) {
        violation('framer changed its error after failing');
      }
      error = framed.error.notification;
    } else if (error) {
      violation('framer recovered after failing');
    }
    if (!error && framer.pendingOctets !== pushed - consumed) {
      violation(`framer holds ${framer.pendingOctets} octets, expected ${pushed - consumed}`);
    }
    if (!error && framer.pendingOctets >= 4096) {
      violation(`framer holds ${framer.pendingOctets} octets: more than one message's worth`);
    }
  }
  return { messages, error };
}

function sameNotification(a: BgpNotification, b: BgpNotification): boolean {
  return a.code === b.code && a.subcode === b.subcode && equalBytes(a.data, b.data);
}

/** A wire whose connection 1 is up, our OPEN sent; with `established`, the neighbour's OPEN and KEEPALIVE read too. */
export function openWire(setup: WireSetupName, established: boolean): BgpWire {
  const { azure, neighbour, context } = WIRE_SETUPS[setup];
  const wire = new BgpWire(azure);
  wire.handle(0, { kind: 'start' });
  wire.handle(0, { kind: 'tcpConnected', conn: CONN });
  if (established) {
    const ctx = CONTEXTS[context];
    const hello = concatBytes([
      encodeMessage(buildOpen(neighbour), ctx),
      encodeMessage({ type: 'keepalive' }, ctx),
    ]);
    const out = wire.handle(0, { kind: 'bytes', conn: CONN, bytes: hello });
    if (!out.some((output) => output.kind === 'established'))
      violation(`${setup}: session did not establish`);
  }
  return wire;
}

/** Checks one batch of wire outputs; returns whether the connection is now closed. */
function checkWireBatch(outputs: readonly WireOutput[], closedBefore: boolean, setup: string): boolean {
  let closed = closedBefore;
  let notified = false;
  for (const output of outputs) {
    if (output.kind === 'send' && output.conn === CONN) {
      if (closed) violation(`${setup}: sent ${output.msg.type} after closing the connection`);
      if (output.msg.type === 'notification') {
        const { code, subcode } = output.msg;
        if (!isValidNotification(code, subcode)) violation(`${setup}: sent NOTIFICATION ${code}/${subcode}`);
        const back = decodeMessage(output.bytes, CONTEXTS['four-octet']);
        if (!back.ok || back.message.type !== 'notification' || !sameNotification(back.message, output.msg)) {
          violation(`${setup}: the NOTIFICATION's bytes do not decode to it`);
        }
        notified = true;
      }
    }
    if (output.kind === 'close' && output.conn === CONN) closed = true;
  }
  if (notified && !closed) violation(`${setup}: sent a NOTIFICATION but kept the connection open`);
  return closed;
}

function checkMemory(wire: BgpWire, setup: string): void {
  if (wire.peer.receivedPrefixCount > MAX_PREFIXES) {
    violation(`${setup}: peer holds ${wire.peer.receivedPrefixCount} prefixes, above ${MAX_PREFIXES}`);
  }
  if (wire.peer.connectionList.length > 1) {
    violation(`${setup}: peer holds ${wire.peer.connectionList.length} connections after one`);
  }
}

/** Feeds the chunks to a wire, checking every batch; the outputs in order. */
function feedWire(wire: BgpWire, chunks: readonly Uint8Array[], setup: string): WireOutput[] {
  const all: WireOutput[] = [];
  let closed = false;
  for (const piece of chunks) {
    const out = wire.handle(0, { kind: 'bytes', conn: CONN, bytes: piece });
    if (closed && out.length > 0) violation(`${setup}: reacted to bytes after closing the connection`);
    closed = checkWireBatch(out, closed, setup);
    all.push(...out);
  }
  if (closed) {
    const late = wire.handle(0, {
      kind: 'bytes',
      conn: CONN,
      bytes: encodeMessage({ type: 'keepalive' }, CONTEXTS['four-octet']),
    });
    if (late.length > 0) violation(`${setup}: read a KEEPALIVE after closing the connection`);
  }
  checkMemory(wire, setup);
  return all;
}

/**
 * RFC 4271 §6 and RFC 6608 in Established, given the codec's verdict on the first
 * message: its NOTIFICATION (an OPEN error is an FSM error 5/3 here), an FSM error
 * for an OPEN, silence and close for a NOTIFICATION, an UPDATE delivered (after its
 * warnings). Undefined when the first message makes no visible output.
 */
function expectedFirstReaction(outcome: DecodeOutcome): string | undefined {
  if (!outcome.ok) {
    return outcome.notification.code === 2
      ? 'notify 5/3'
      : `notify ${outcome.notification.code}/${outcome.notification.subcode}`;
  }
  switch (outcome.message.type) {
    case 'open':
      return 'notify 5/3';
    case 'notification':
      return 'close';
    case 'update':
      return outcome.warnings.length > 0 ? 'warn' : 'update';
    case 'keepalive':
    case 'routeRefresh':
      return undefined;
  }
}

function firstReaction(outputs: readonly WireOutput[]): { token: string; output: WireOutput } | undefined {
  for (const output of outputs) {
    const token = summariseWire([output]);
    if (token !== 'nothing') return { token: token.startsWith('update') ? 'update' : token, output };
  }
  return undefined;
}

/** Runs one input through (a), (b) and (c); throws InvariantViolation (or whatever escaped) on a bug. */
export function runInput(bytes: Uint8Array, rng: Rng): InputResult {
  const classes = new Set<string>();
  const features = new Set<string>();

  // (a) the decoder on the raw input.
  const decoded = {} as Record<ContextName, DecodeOutcome>;
  for (const name of CONTEXT_NAMES) decoded[name] = decodeChecked(bytes, name, classes, features);

  // (b) the framer: however TCP cuts the stream, the same messages and the same error.
  const whole = frame([bytes]);
  const chunks = chunk(bytes, rng);
  const pieces = frame(chunks);
  if (
    whole.messages.length !== pieces.messages.length ||
    whole.messages.some((message, i) => !equalBytes(message, pieces.messages[i] ?? new Uint8Array(0))) ||
    (whole.error === undefined) !== (pieces.error === undefined) ||
    (whole.error && pieces.error && !sameNotification(whole.error, pieces.error))
  ) {
    violation('the framer cut the stream differently when it arrived in chunks');
  }
  features.add(
    `framer: ${Math.min(whole.messages.length, 3)} message(s)${whole.error ? `, error ${whole.error.code}/${whole.error.subcode}` : ''}`,
  );
  // (a) again on each message the framer cut out, when that is not the input itself.
  const firstMessage = whole.messages[0];
  const firstVerdict = {} as Record<ContextName, DecodeOutcome | undefined>;
  for (const name of CONTEXT_NAMES) {
    firstVerdict[name] = firstMessage === undefined ? undefined : decoded[name];
  }
  const messageOutcomes: string[] = [];
  if (whole.messages.length === 1 && firstMessage?.length === bytes.length) {
    messageOutcomes.push(describeOutcome(decoded['four-octet']));
  } else {
    for (const [index, message] of whole.messages.entries()) {
      for (const name of CONTEXT_NAMES) {
        const outcome = decodeChecked(message, name, classes, features);
        if (index === 0) firstVerdict[name] = outcome;
        if (name === 'four-octet') messageOutcomes.push(describeOutcome(outcome));
      }
    }
  }
  if (whole.error) messageOutcomes.push(describeNotification(whole.error));

  // (c) the Established wires, and an OpenSent one for OPENs.
  const wire = {} as Record<WireSetupName, string>;
  const wireNotifications: string[] = [];
  for (const setup of WIRE_SETUP_NAMES) {
    const outputs = feedWire(openWire(setup, true), chunks, setup);
    const summary = summariseWire(outputs);
    wire[setup] = summary;
    features.add(`wire ${setup}: ${reactions(summary)}`);
    for (const output of outputs) {
      if (output.kind === 'send' && output.msg.type === 'notification') {
        wireNotifications.push(`${output.msg.code}/${output.msg.subcode}`);
      }
    }
    checkFirstReaction(setup, firstVerdict[WIRE_SETUPS[setup].context], whole.error, outputs);
  }
  if (bytes[18] === 1) {
    for (const setup of WIRE_SETUP_NAMES) {
      const outputs = feedWire(openWire(setup, false), chunks, `${setup} OpenSent`);
      features.add(`wire ${setup} OpenSent: ${reactions(summariseWire(outputs))}`);
      for (const output of outputs) {
        if (output.kind === 'send' && output.msg.type === 'notification') {
          wireNotifications.push(`${output.msg.code}/${output.msg.subcode}`);
        }
      }
    }
  }
  for (const kind of classes) features.add(kind);
  return {
    decode: {
      'two-octet': describeOutcome(decoded['two-octet']),
      'four-octet': describeOutcome(decoded['four-octet']),
    },
    wire,
    classes: [...classes],
    features: [...features],
    wireNotifications,
    messageOutcomes,
  };
}

function checkFirstReaction(
  setup: WireSetupName,
  verdict: DecodeOutcome | undefined,
  framerError: BgpNotification | undefined,
  outputs: readonly WireOutput[],
): void {
  const first = firstReaction(outputs);
  const expected = verdict
    ? expectedFirstReaction(verdict)
    : framerError
      ? `notify ${framerError.code}/${framerError.subcode}`
      : undefined;
  if (expected === undefined) return;
  if (first?.token !== expected) {
    violation(
      `${setup}: codec verdict calls for "${expected}" but the wire's first reaction was "${first?.token ?? 'nothing'}"`,
    );
  }
  const expectedData = verdict ? (verdict.ok ? undefined : verdict.notification) : framerError;
  if (
    expectedData &&
    expectedData.code !== 2 &&
    first.output.kind === 'send' &&
    first.output.msg.type === 'notification' &&
    !equalBytes(first.output.msg.data, expectedData.data)
  ) {
    violation(`${setup}: NOTIFICATION ${expected} carries other data than the codec's`);
  }
}

/**
 * One long-lived Established session (the eBGP setup) fed input after input, as
 * a neighbour flooding the gateway would: re-established whenever it closes.
 * Watches what accumulates across messages: the prefix count stays within the
 * limit and only one connection is ever held.
 */
export class SoakSession {
  private wire: BgpWire = openWire('ebgp-4', true);
  private closed = false;
  sessions = 1;
  updatesDelivered = 0;
  maxPrefixesSeen = 0;

  feed(chunks: readonly Uint8Array[]): void {
    for (const piece of chunks) {
      const out = this.wire.handle(0, { kind: 'bytes', conn: CONN, bytes: piece });
      this.closed = checkWireBatch(out, this.closed, 'soak');
      for (const output of out) if (output.kind === 'update') this.updatesDelivered++;
      checkMemory(this.wire, 'soak');
      this.maxPrefixesSeen = Math.max(this.maxPrefixesSeen, this.wire.peer.receivedPrefixCount);
      if (this.closed) break;
    }
    if (this.closed) {
      this.wire = openWire('ebgp-4', true);
      this.closed = false;
      this.sessions++;
    }
  }
}
