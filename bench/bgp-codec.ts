/**
 * Benchmark 4 (issue 7), codec half: UPDATE messages encoded and decoded per
 * second, and a full 4,000-prefix table (Azure's per-session limit) pushed through
 * one session's wire adapter as bytes.
 */
import { decodeMessage, encodeMessage, MessageFramer } from '../src/protocols/bgp/codec.ts';
import type { BgpUpdate } from '../src/protocols/bgp/messages.ts';
import { bestOf, machineLine } from './machine.ts';

const CTX = { fourOctetAs: true, externalPeer: true };

function prefixes(count: number, offset = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = i + offset;
    out.push(`10.${(n >> 8) & 0xff}.${n & 0xff}.0/24`);
  }
  return out;
}

function update(nlri: string[]): BgpUpdate {
  return {
    type: 'update',
    withdrawn: [],
    attributes: {
      origin: 'igp',
      asPath: [{ type: 'sequence', asns: [65010, 65020, 4200000001] }],
      nextHop: '192.168.255.1',
      med: 10,
    },
    nlri,
  };
}

export function runCodecBenchmark(): string[] {
  const lines: string[] = [];
  const small = update(prefixes(10));
  const bytes = encodeMessage(small, CTX);
  const n = 200_000;
  const encMs = bestOf(3, () => {
    for (let i = 0; i < n; i++) encodeMessage(small, CTX);
  });
  const decMs = bestOf(3, () => {
    for (let i = 0; i < n; i++) decodeMessage(bytes, CTX);
  });
  lines.push(`bgp codec: UPDATE with 10 prefixes (${bytes.length} octets)`);
  lines.push(
    `  encode: ${(((n / encMs) * 1000) / 1e3).toFixed(0)} k msgs/s   decode: ${(((n / decMs) * 1000) / 1e3).toFixed(0)} k msgs/s`,
  );

  // A full table: 4,000 prefixes packed into UPDATEs of at most 4,096 octets, framed from one byte stream.
  const table = prefixes(4_000);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < table.length; i += 900)
    messages.push(encodeMessage(update(table.slice(i, i + 900)), CTX));
  const stream = new Uint8Array(messages.reduce((sum, m) => sum + m.length, 0));
  let offset = 0;
  for (const m of messages) {
    stream.set(m, offset);
    offset += m.length;
  }
  let received = 0;
  const tableMs = bestOf(5, () => {
    const framer = new MessageFramer();
    received = 0;
    for (let i = 0; i < stream.length; i += 1460) {
      for (const raw of framer.push(stream.subarray(i, i + 1460)).messages) {
        const outcome = decodeMessage(raw, CTX);
        if (outcome.ok && outcome.message.type === 'update') received += outcome.message.nlri.length;
      }
    }
  });
  lines.push(
    `  4,000-prefix table: ${messages.length} UPDATEs, ${stream.length.toLocaleString('en-US')} octets in 1,460-octet segments → ${received} prefixes in ${tableMs.toFixed(2)} ms`,
  );
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  console.log(runCodecBenchmark().join('\n'));
}
