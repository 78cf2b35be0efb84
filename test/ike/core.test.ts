import { describe, expect, it } from 'vitest';
import { type IkeEndpointOptions, ikeEndpointConfig } from '../../src/protocols/ike/config.ts';
import { IkeEndpoint } from '../../src/protocols/ike/endpoint.ts';
import type { IkeMessage } from '../../src/protocols/ike/messages.ts';
import type { IkeOutput } from '../../src/protocols/ike/types.ts';
import { Rng } from '../../src/sim/rng.ts';

/**
 * The core on its own, no kernel: inputs in, outputs out (quinn-proto / h11
 * style). Messages between the two endpoints are handed over by hand, which
 * lets a test hold one back or forge one.
 */
function endpoint(name: string, seed: number, options: Partial<IkeEndpointOptions> = {}): IkeEndpoint {
  return new IkeEndpoint({ mode: 'Default', dpdDelayMs: 0, ...options, name, rng: new Rng(seed) });
}

const sends = (outputs: IkeOutput[]): IkeMessage[] =>
  outputs.flatMap((o) => (o.kind === 'send' ? [o.message] : []));

/** Delivers every message in `outputs` to `to`, and the answers back, until nothing is left. */
function converse(now: number, from: IkeEndpoint, outputs: IkeOutput[], to: IkeEndpoint): void {
  let inFlight: [IkeEndpoint, IkeMessage][] = sends(outputs).map((m) => [to, m]);
  while (inFlight.length > 0) {
    const next: [IkeEndpoint, IkeMessage][] = [];
    for (const [target, message] of inFlight) {
      const other = target === to ? from : to;
      for (const m of sends(target.handle(now, { kind: 'message', message }))) next.push([other, m]);
    }
    inFlight = next;
  }
}

/** a initiates (b ResponderOnly), everything at time 0. */
function established(options: Partial<IkeEndpointOptions> = {}): { a: IkeEndpoint; b: IkeEndpoint } {
  const a = endpoint('IN_0', 1, options);
  const b = endpoint('dev0', 2, { ...options, mode: 'ResponderOnly' });
  b.handle(0, { kind: 'start' });
  converse(0, a, a.handle(0, { kind: 'start' }), b);
  return { a, b };
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('IKE endpoint core (sans-IO)', () => {
  it('start arms the first retransmission 4 s out and sends IKE_SA_INIT with message ID 0 and no responder SPI', () => {
    const a = endpoint('IN_0', 1);
    const out = a.handle(0, { kind: 'start' });
    const init = only(sends(out));
    expect(init).toMatchObject({ exchange: 'IKE_SA_INIT', isResponse: false, messageId: 0, responderSpi: 0 });
    expect(out).toContainEqual({ kind: 'armTimer', timer: 'retransmit', delayMs: 4000 });
  });

  it('ResponderOnly never sends IKE_SA_INIT; InitiatorOnly never answers one', () => {
    const responder = endpoint('r', 1, { mode: 'ResponderOnly' });
    expect(sends(responder.handle(0, { kind: 'start' }))).toEqual([]);
    const initiator = endpoint('i', 2, { mode: 'InitiatorOnly' });
    const init = only(sends(endpoint('x', 3).handle(0, { kind: 'start' })));
    initiator.handle(0, { kind: 'start' });
    expect(sends(initiator.handle(1, { kind: 'message', message: init }))).toEqual([]);
  });

  it('a request for an unknown IKE SA gets an unprotected INVALID_IKE_SPI; a response for one gets nothing (§2.21.4)', () => {
    const a = endpoint('IN_0', 1, { mode: 'ResponderOnly' });
    a.handle(0, { kind: 'start' });
    const stale: IkeMessage = {
      exchange: 'INFORMATIONAL',
      isResponse: false,
      fromOriginalInitiator: true,
      initiatorSpi: 0x1234,
      responderSpi: 0x5678,
      messageId: 7,
      payloads: [],
    };
    const answer = only(sends(a.handle(10, { kind: 'message', message: stale })));
    expect(answer).toEqual({
      ...stale,
      isResponse: true,
      fromOriginalInitiator: false,
      payloads: [{ type: 'notify', notify: 'INVALID_IKE_SPI' }],
    });
    expect(sends(a.handle(11, { kind: 'message', message: { ...stale, isResponse: true } }))).toEqual([]);
  });

  it('a retransmitted request gets the cached response and is processed once (§2.1)', () => {
    const { a, b } = established({ childSaLifetimeMs: 100_000, rekeyMarginMs: 10_000, rekeyFuzzPercent: 0 });
    // a's CHILD SA rekey is due at 90 s; hold its request and deliver it twice.
    const rekey = only(sends(a.handle(90_000, { kind: 'timer', timer: 'lifetime' })));
    expect(rekey.exchange).toBe('CREATE_CHILD_SA');
    const first = b.handle(90_010, { kind: 'message', message: rekey });
    const second = b.handle(90_020, { kind: 'message', message: rekey });
    expect(sends(second)).toEqual(sends(first));
    expect(second.filter((o) => o.kind === 'childSa')).toEqual([]);
    expect(b.snapshot().ikeSas[0]?.childSas).toHaveLength(2);
  });

  it('a request outside the window (an old or future message ID) is ignored', () => {
    const { a, b } = established();
    const id = b.snapshot().ikeSas[0]?.id;
    if (!id) throw new Error('not established');
    for (const messageId of [0, 5]) {
      const out = b.handle(1_000, {
        kind: 'message',
        message: {
          exchange: 'INFORMATIONAL',
          isResponse: false,
          fromOriginalInitiator: true,
          ...id,
          messageId,
          payloads: [],
        },
      });
      expect(sends(out)).toEqual([]);
    }
    expect(a.snapshot().state).toBe('established');
  });

  it('a response nobody asked for changes nothing', () => {
    const { a } = established();
    const id = a.snapshot().ikeSas[0]?.id;
    if (!id) throw new Error('not established');
    const before = a.snapshot();
    const out = a.handle(1_000, {
      kind: 'message',
      message: {
        exchange: 'INFORMATIONAL',
        isResponse: true,
        fromOriginalInitiator: false,
        ...id,
        messageId: 2,
        payloads: [{ type: 'deleteIke' }],
      },
    });
    expect(out).toEqual([]);
    expect(a.snapshot()).toEqual(before);
  });

  it('exchange collisions are answered per §2.25: TEMPORARY_FAILURE while rekeying the IKE SA, CHILD_SA_NOT_FOUND for an unknown CHILD SA', () => {
    const { a, b } = established({ ikeSaLifetimeMs: 100_000, rekeyMarginMs: 10_000, rekeyFuzzPercent: 0 });
    const sa = a.snapshot().ikeSas[0];
    if (!sa) throw new Error('not established');
    const ikeRekey = only(sends(a.handle(90_000, { kind: 'timer', timer: 'lifetime' })));
    expect(ikeRekey.payloads.some((p) => p.type === 'ikeSa')).toBe(true);
    const childRekey = (spi: number, messageId: number): IkeMessage => ({
      exchange: 'CREATE_CHILD_SA',
      isResponse: false,
      fromOriginalInitiator: false,
      ...sa.id,
      messageId,
      payloads: [
        { type: 'notify', notify: 'REKEY_SA', spi },
        { type: 'childSa', spi: 42 },
        { type: 'nonce', nonce: 99 },
      ],
    });
    const outbound = sa.childSas[0]?.outboundSpi ?? 0;
    const tf = only(sends(a.handle(90_005, { kind: 'message', message: childRekey(outbound, 0) })));
    expect(tf.payloads).toEqual([{ type: 'notify', notify: 'TEMPORARY_FAILURE' }]);
    // b answers a's IKE rekey; now a child rekey naming a SPI a never had:
    converse(90_010, a, [{ kind: 'send', message: ikeRekey }], b);
    const successor = a.snapshot().ikeSas.find((s) => s.state === 'established');
    if (!successor) throw new Error('no successor');
    const notFound = only(
      sends(
        a.handle(90_020, {
          kind: 'message',
          message: { ...childRekey(0xdead, 0), ...successor.id },
        }),
      ),
    );
    expect(notFound.payloads).toEqual([{ type: 'notify', notify: 'CHILD_SA_NOT_FOUND', spi: 0xdead }]);
  });

  for (const kind of ['CHILD', 'IKE'] as const) {
    it(`simultaneous ${kind} SA rekey: the SA from the exchange holding the lowest of the four nonces is deleted by its creator (§2.8.1)`, () => {
      const lifetimes =
        kind === 'CHILD'
          ? { childSaLifetimeMs: 100_000, rekeyMarginMs: 10_000, rekeyFuzzPercent: 0 }
          : { ikeSaLifetimeMs: 100_000, rekeyMarginMs: 10_000, rekeyFuzzPercent: 0 };
      // Several seeds, so both outcomes (a wins, b wins) occur.
      const outcomes = new Set<string>();
      for (let seed = 1; seed <= 12; seed++) {
        const a = endpoint('IN_0', seed, lifetimes);
        const b = endpoint('dev0', seed + 100, { ...lifetimes, mode: 'ResponderOnly' });
        b.handle(0, { kind: 'start' });
        converse(0, a, a.handle(0, { kind: 'start' }), b);
        const reqA = only(sends(a.handle(90_000, { kind: 'timer', timer: 'lifetime' })));
        const reqB = only(sends(b.handle(90_000, { kind: 'timer', timer: 'lifetime' })));
        const respA = only(sends(a.handle(90_010, { kind: 'message', message: reqB })));
        const respB = only(sends(b.handle(90_010, { kind: 'message', message: reqA })));
        const nextA = only(sends(a.handle(90_020, { kind: 'message', message: respB })));
        const nextB = only(sends(b.handle(90_020, { kind: 'message', message: respA })));
        const nonce = (m: IkeMessage) => m.payloads.find((p) => p.type === 'nonce')?.nonce ?? Number.NaN;
        const exchangeA = Math.min(nonce(reqA), nonce(respB));
        const exchangeB = Math.min(nonce(reqB), nonce(respA));
        const aLoses = exchangeA < exchangeB;
        // The loser deletes the SA its own exchange created; the winner deletes the old SA.
        if (kind === 'CHILD') {
          const created = (m: IkeMessage) => m.payloads.find((p) => p.type === 'childSa')?.spi;
          const deleted = (m: IkeMessage) => m.payloads.find((p) => p.type === 'deleteChild');
          const oldInA = reqA.payloads.find((p) => p.type === 'notify')?.spi;
          const oldInB = reqB.payloads.find((p) => p.type === 'notify')?.spi;
          expect(deleted(nextA)).toEqual({ type: 'deleteChild', spis: [aLoses ? created(reqA) : oldInA] });
          expect(deleted(nextB)).toEqual({ type: 'deleteChild', spis: [aLoses ? oldInB : created(reqB)] });
        } else {
          const ikeSpi = (m: IkeMessage) => m.payloads.find((p) => p.type === 'ikeSa')?.spi;
          // A DELETE of an IKE SA travels on the SA it deletes.
          expect(nextA.payloads).toEqual([{ type: 'deleteIke' }]);
          expect(nextB.payloads).toEqual([{ type: 'deleteIke' }]);
          expect(nextA.initiatorSpi).toBe(aLoses ? ikeSpi(reqA) : reqA.initiatorSpi);
          expect(nextB.initiatorSpi).toBe(aLoses ? reqB.initiatorSpi : ikeSpi(reqB));
        }
        // Both ends then agree on one survivor.
        converse(90_030, a, [{ kind: 'send', message: nextA }], b);
        converse(90_030, b, [{ kind: 'send', message: nextB }], a);
        expect(a.establishedIkeSas()).toEqual(b.establishedIkeSas());
        expect(a.establishedIkeSas()).toHaveLength(1);
        const childrenA = a.snapshot().ikeSas.flatMap((s) => s.childSas);
        const childrenB = b.snapshot().ikeSas.flatMap((s) => s.childSas);
        expect(childrenA).toHaveLength(1);
        expect(childrenB).toEqual(
          childrenA.map((c) => ({ inboundSpi: c.outboundSpi, outboundSpi: c.inboundSpi })),
        );
        outcomes.add(aLoses ? 'b wins' : 'a wins');
      }
      expect(outcomes).toEqual(new Set(['a wins', 'b wins']));
    });
  }

  it('ESP handed over with a DPD timer is exactly ESP reported just before it', () => {
    for (const seenAgoMs of [0, 10_000, 40_000]) {
      const separate = established({ dpdDelayMs: 30_000 }).a;
      const together = established({ dpdDelayMs: 30_000 }).a;
      const spi = separate.snapshot().ikeSas[0]?.childSas[0]?.inboundSpi as number;
      const at = 60_000;
      const inbound = { inboundSpi: spi, atMs: at - seenAgoMs };
      // The report alone changes no state anyone sees: nothing to output.
      expect(separate.handle(at, { kind: 'inboundTraffic', ...inbound })).toEqual([]);
      const expected = separate.handle(at, { kind: 'timer', timer: 'dpd' });
      expect(together.handle(at, { kind: 'timer', timer: 'dpd', inbound })).toEqual(expected);
      // Only ESP older than dpd_delay (30 s) leaves room for a probe.
      expect(sends(expected)).toHaveLength(seenAgoMs >= 30_000 ? 1 : 0);
    }
  });

  it('a stopped endpoint sends and answers nothing', () => {
    const { a, b } = established();
    const out = a.handle(5_000, { kind: 'stop' });
    const del = only(sends(out));
    expect(del.payloads).toEqual([{ type: 'deleteIke' }]);
    expect(out.filter((o) => o.kind === 'down')).toEqual([{ kind: 'down', reason: 'stopped' }]);
    const answer = only(sends(b.handle(5_010, { kind: 'message', message: del })));
    expect(sends(a.handle(5_020, { kind: 'message', message: answer }))).toEqual([]);
    expect(sends(a.handle(6_000, { kind: 'timer', timer: 'dpd' }))).toEqual([]);
  });

  it('reset forgets everything: CHILD SAs reported down, all timers cancelled, then a fresh start', () => {
    const { a } = established();
    const out = a.handle(10_000, { kind: 'reset' });
    expect(out.filter((o) => o.kind === 'childSa').map((o) => o.kind === 'childSa' && o.up)).toEqual([false]);
    expect(out.filter((o) => o.kind === 'cancelTimer').length).toBeGreaterThanOrEqual(5);
    expect(out).toContainEqual({ kind: 'down', reason: 'reset' });
    const init = only(sends(out));
    expect(init).toMatchObject({ exchange: 'IKE_SA_INIT', messageId: 0, responderSpi: 0 });
  });

  it('configuration is validated with the offending field named', () => {
    const base = { name: 'x', mode: 'Default' as const, rng: new Rng(1) };
    expect(() => ikeEndpointConfig({ ...base, dpdTimeoutMs: 0 })).toThrow(/dpdTimeoutMs/);
    expect(() => ikeEndpointConfig({ ...base, keyingTries: -1 })).toThrow(/keyingTries/);
    expect(() => ikeEndpointConfig({ ...base, retransmit: { base: 0.5 } })).toThrow(/retransmit.base/);
    expect(ikeEndpointConfig({ ...base, dpdTimeoutMs: undefined }).dpdTimeoutMs).toBe(45_000);
    expect(ikeEndpointConfig({ ...base, dpdTimeoutMs: null }).dpdTimeoutMs).toBeNull();
  });
});
