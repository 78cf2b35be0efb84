import fc from 'fast-check';
import type { ConnectionMode } from '../../src/protocols/ike/config.ts';
import type { IkeMessage, IkePayload } from '../../src/protocols/ike/messages.ts';
import type { TunnelSide } from '../../src/protocols/ike/sim-tunnel.ts';
import { type Harness, outputs } from './harness.ts';

/**
 * Random lives of one tunnel: admin starts/stops, host crashes and restarts,
 * path cuts in one or both directions, traffic reports, forged and stale
 * messages, all at random times, with random modes and timer settings and
 * short SA lifetimes so rekeys (and their collisions) happen all the time.
 */
export const side = fc.constantFrom<TunnelSide>('a', 'b');

const forgedPayload: fc.Arbitrary<IkePayload> = fc.oneof(
  fc.record({ type: fc.constant('nonce' as const), nonce: fc.nat() }),
  fc.record({ type: fc.constant('childSa' as const), spi: fc.nat() }),
  fc.record({ type: fc.constant('ikeSa' as const), spi: fc.nat() }),
  fc.record({
    type: fc.constant('notify' as const),
    notify: fc.constantFrom(
      'INITIAL_CONTACT',
      'INVALID_IKE_SPI',
      'REKEY_SA',
      'TEMPORARY_FAILURE',
      'CHILD_SA_NOT_FOUND',
    ),
    spi: fc.nat(),
  }),
  fc.constant({ type: 'deleteIke' as const }),
  fc.record({ type: fc.constant('deleteChild' as const), spis: fc.array(fc.nat(), { maxLength: 2 }) }),
  fc.record({ type: fc.constant('identity' as const), id: fc.string({ maxLength: 4 }) }),
);

export type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'start' | 'stop' | 'crash' | 'recover' | 'outbound'; side: TunnelSide }
  | { kind: 'cut' | 'restore'; from: TunnelSide | undefined }
  | { kind: 'traffic'; side: TunnelSide }
  /** Replay something the other side sent earlier (index into its sends), or a forged message. */
  | { kind: 'replay'; side: TunnelSide; index: number }
  | {
      kind: 'forge';
      side: TunnelSide;
      message: Omit<IkeMessage, 'initiatorSpi' | 'responderSpi'>;
      useRealSpis: boolean;
    };

export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('start' as const, 'stop' as const), side }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('crash' as const, 'recover' as const), side }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('cut' as const, 'restore' as const),
      from: fc.option(side, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('traffic' as const, 'outbound' as const), side }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), side, index: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const),
      side,
      useRealSpis: fc.boolean(),
      message: fc.record({
        exchange: fc.constantFrom('IKE_SA_INIT', 'IKE_AUTH', 'CREATE_CHILD_SA', 'INFORMATIONAL'),
        isResponse: fc.boolean(),
        fromOriginalInitiator: fc.boolean(),
        messageId: fc.integer({ min: 0, max: 4 }),
        payloads: fc.array(forgedPayload, { maxLength: 3 }),
      }),
    }),
  },
);

export const endpointSettings = fc.record({
  mode: fc.constantFrom<ConnectionMode>('Default', 'InitiatorOnly', 'ResponderOnly'),
  dpdDelayMs: fc.constantFrom(5_000, 10_000, 30_000),
  dpdTimeoutMs: fc.constantFrom<number | null>(null, 9_000, 45_000),
  retryDelayMs: fc.constantFrom(0, 5_000),
  reestablishDelayMs: fc.constantFrom(0, 2_000),
  childSaLifetimeMs: fc.constantFrom(90_000, 240_000, 3_600_000),
  ikeSaLifetimeMs: fc.constantFrom(200_000, 600_000, 28_800_000),
  rekeyMarginMs: fc.constant(20_000),
  rekeyFuzzPercent: fc.constantFrom(0, 100),
  retransmit: fc.constantFrom({}, { jitterPercent: 20 }),
});

export const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  latencyMs: fc.constantFrom(0, 1, 20, 150),
  a: endpointSettings,
  b: endpointSettings,
  actions: fc.array(action, { maxLength: 40 }),
});

export const other = (s: TunnelSide): TunnelSide => (s === 'a' ? 'b' : 'a');

export function apply(h: Harness, act: Action): void {
  const t = h.tunnel;
  switch (act.kind) {
    case 'advance':
      h.sim.advance(act.ms);
      return;
    case 'start':
      t.start(act.side);
      return;
    case 'stop':
      t.stop(act.side);
      return;
    case 'crash':
      t.crash(act.side);
      return;
    case 'recover':
      t.recover(act.side);
      return;
    case 'outbound':
      t.outboundTraffic(act.side);
      return;
    case 'cut':
      t.cutPath(act.from);
      return;
    case 'restore':
      t.restorePath(act.from);
      return;
    case 'traffic': {
      const spi = t.endpoints[act.side].snapshot().ikeSas[0]?.childSas[0]?.inboundSpi;
      t.inboundTraffic(act.side, spi ?? 12345);
      return;
    }
    case 'replay': {
      const sent = outputs(h, other(act.side), 'send');
      if (sent.length > 0)
        t.inject(act.side, (sent[act.index % sent.length] as (typeof sent)[number]).output.message);
      return;
    }
    case 'forge': {
      const sa = t.endpoints[act.side].snapshot().ikeSas[0]?.id;
      const spis = act.useRealSpis && sa ? sa : { initiatorSpi: 77, responderSpi: 88 };
      t.inject(act.side, { ...act.message, ...spis });
      return;
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(act)}`);
  }
}
