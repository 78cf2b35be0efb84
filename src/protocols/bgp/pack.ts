import { encodeMessage } from './codec.ts';
import { type BgpUpdate, type CodecContext, MAX_MESSAGE_LENGTH } from './messages.ts';

/**
 * Splits an announcement into as many UPDATEs as RFC 4271 §4.3 needs: every
 * message at most 4,096 octets, each repeating the path attributes. A table of
 * 4,000 prefixes (Azure's per-session limit) is a handful of messages, as any
 * real speaker sends it.
 */
export function packAnnouncement(update: BgpUpdate, ctx: CodecContext): BgpUpdate[] {
  const base = encodeMessage({ ...update, withdrawn: [], nlri: [] }, ctx).length;
  const out: BgpUpdate[] = [];
  let batch: string[] = [];
  let size = base;
  for (const prefix of update.nlri) {
    const octets = 1 + Math.ceil(prefixLength(prefix) / 8);
    if (size + octets > MAX_MESSAGE_LENGTH && batch.length > 0) {
      out.push({ ...update, withdrawn: [], nlri: batch });
      batch = [];
      size = base;
    }
    batch.push(prefix);
    size += octets;
  }
  if (batch.length > 0 || out.length === 0) out.push({ ...update, withdrawn: [], nlri: batch });
  if (update.withdrawn.length > 0) out.unshift(...packWithdrawals(update.withdrawn, ctx));
  return out;
}

function packWithdrawals(withdrawn: readonly string[], ctx: CodecContext): BgpUpdate[] {
  const empty: BgpUpdate = { type: 'update', withdrawn: [], attributes: {}, nlri: [] };
  const base = encodeMessage(empty, ctx).length;
  const out: BgpUpdate[] = [];
  let batch: string[] = [];
  let size = base;
  for (const prefix of withdrawn) {
    const octets = 1 + Math.ceil(prefixLength(prefix) / 8);
    if (size + octets > MAX_MESSAGE_LENGTH && batch.length > 0) {
      out.push({ ...empty, withdrawn: batch });
      batch = [];
      size = base;
    }
    batch.push(prefix);
    size += octets;
  }
  if (batch.length > 0) out.push({ ...empty, withdrawn: batch });
  return out;
}

function prefixLength(prefix: string): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1));
}
