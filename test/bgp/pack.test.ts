import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import type { BgpUpdate } from '../../src/protocols/bgp/messages.ts';
import { packAnnouncement } from '../../src/protocols/bgp/pack.ts';

const ctx = { fourOctetAs: true, externalPeer: true };
const table = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 0xff}.${i & 0xff}.0/24`);

describe('packing an announcement into UPDATEs of at most 4,096 octets (RFC 4271 §4.3)', () => {
  it('a 4,000-prefix table (Azure’s per-session limit) becomes a few messages carrying every prefix once', () => {
    const update: BgpUpdate = {
      type: 'update',
      withdrawn: [],
      attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [65010] }], nextHop: '192.168.255.1' },
      nlri: table(4000),
    };
    const messages = packAnnouncement(update, ctx);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    const carried: string[] = [];
    for (const m of messages) {
      const bytes = encodeMessage(m, ctx);
      expect(bytes.length).toBeLessThanOrEqual(4096);
      const decoded = decodeMessage(bytes, ctx);
      expect(decoded.ok).toBe(true);
      carried.push(...m.nlri);
    }
    expect(carried).toEqual(update.nlri);
  });

  it('a small announcement stays one message, and withdrawals go first', () => {
    const messages = packAnnouncement(
      {
        type: 'update',
        withdrawn: ['10.9.0.0/16'],
        attributes: { origin: 'igp', asPath: [], nextHop: '10.0.0.12' },
        nlri: ['10.1.0.0/16'],
      },
      ctx,
    );
    expect(messages.map((m) => [m.withdrawn, m.nlri])).toEqual([
      [['10.9.0.0/16'], []],
      [[], ['10.1.0.0/16']],
    ]);
  });
});
