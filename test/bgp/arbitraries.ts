/**
 * fast-check arbitraries for canonical BGP messages: every message they make is
 * one the decoder gives back unchanged (decode(encode(m)) deep-equals m) and
 * fits in 4096 octets. Canonical means what the codec's model promises: prefixes
 * with host bits clear, AS_PATH segments of 1..255 non-zero ASNs, ASNs that fit
 * the session's width, NEXT_HOP a host address, ORIGIN/AS_PATH/NEXT_HOP present
 * whenever there is NLRI, `atomicAggregate` true or absent, `communities`
 * non-empty or absent, unknown attributes optional, with distinct type codes
 * outside 1..8, sorted by type code, and Extended Length set when longer than
 * 255 octets. Shared with the session and RIB tests.
 */
import fc from 'fast-check';
import type {
  AsPathSegment,
  BgpKeepalive,
  BgpMessage,
  BgpNotification,
  BgpOpen,
  BgpRouteRefresh,
  BgpUpdate,
  Capability,
  CodecContext,
  Origin,
  PathAttributes,
  UnknownAttribute,
} from '../../src/protocols/bgp/messages.ts';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

function dottedQuad(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Any IPv4 address as a dotted quad. */
export const ipv4Address: fc.Arbitrary<string> = u32.map(dottedQuad);

/** A non-zero BGP Identifier (RFC 6286 §2.1). */
export const bgpIdentifier: fc.Arbitrary<string> = fc.integer({ min: 1, max: 0xffffffff }).map(dottedQuad);

/** A unicast host address acceptable as NEXT_HOP: not 0/8, 127/8 or 224/3. */
export const hostAddress: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1, max: 223 }).filter((first) => first !== 127),
    fc.integer({ min: 0, max: 0xffffff }),
  )
  .map(([first, rest]) => dottedQuad(((first << 24) | rest) >>> 0));

/** A canonical IPv4 prefix "a.b.c.d/len" (host bits clear). */
export const ipv4Prefix: fc.Arbitrary<string> = fc
  .tuple(u32, fc.integer({ min: 0, max: 32 }))
  .map(([address, length]) => {
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    return `${dottedQuad((address & mask) >>> 0)}/${length}`;
  });

export const prefixList: fc.Arbitrary<string[]> = fc.array(ipv4Prefix, { maxLength: 40 });

/** A codec context; LOCAL_PREF survives only from internal peers, so `externalPeer` stays off. */
export const codecContext: fc.Arbitrary<CodecContext> = fc.boolean().map((fourOctetAs) => ({ fourOctetAs }));

export function asn(fourOctetAs: boolean): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: fourOctetAs ? 0xffffffff : 0xffff });
}

export function asPathSegment(fourOctetAs: boolean): fc.Arbitrary<AsPathSegment> {
  return fc.record({
    type: fc.constantFrom<'set' | 'sequence'>('set', 'sequence'),
    asns: fc.array(asn(fourOctetAs), { minLength: 1, maxLength: 12 }),
  });
}

export function asPath(fourOctetAs: boolean): fc.Arbitrary<AsPathSegment[]> {
  return fc.array(asPathSegment(fourOctetAs), { maxLength: 4 });
}

export const origin: fc.Arbitrary<Origin> = fc.constantFrom<Origin>('igp', 'egp', 'incomplete');

/** Unknown-attribute values: mostly short, sometimes past 255 octets to need Extended Length. */
const attributeValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 256, maxLength: 300 }) },
);

export function unknownAttributes(fourOctetAs: boolean): fc.Arbitrary<UnknownAttribute[]> {
  // 17/18 (AS4_PATH/AS4_AGGREGATOR) are discarded between 4-octet speakers, so not canonical there.
  const typeCode = fc
    .integer({ min: 9, max: 255 })
    .filter((code) => !fourOctetAs || (code !== 17 && code !== 18));
  const attribute = fc
    .record({ typeCode, flagBits: fc.integer({ min: 0, max: 0x7f }), value: attributeValue })
    .map(({ typeCode: code, flagBits, value }) => ({
      // Optional bit always set: an unrecognised well-known attribute resets the session.
      flags: 0x80 | flagBits | (value.length > 255 ? 0x10 : 0),
      typeCode: code,
      value,
    }));
  return fc
    .uniqueArray(attribute, { maxLength: 3, selector: (a) => a.typeCode })
    .map((list) => [...list].sort((a, b) => a.typeCode - b.typeCode));
}

/** Path attributes with every field optional (an UPDATE without NLRI may carry any subset). */
export function pathAttributes(fourOctetAs: boolean): fc.Arbitrary<PathAttributes> {
  return fc.record(
    {
      origin,
      asPath: asPath(fourOctetAs),
      nextHop: hostAddress,
      med: u32,
      localPref: u32,
      atomicAggregate: fc.constant(true),
      aggregator: fc.record({ asn: fourOctetAs ? u32 : u16, address: ipv4Address }),
      // Sometimes past 255 octets, so the encoder must switch to Extended Length on its own.
      communities: fc.oneof(
        { weight: 4, arbitrary: fc.array(u32, { minLength: 1, maxLength: 16 }) },
        { weight: 1, arbitrary: fc.array(u32, { minLength: 64, maxLength: 80 }) },
      ),
      unknown: unknownAttributes(fourOctetAs).filter((list) => list.length > 0),
    },
    { requiredKeys: [] },
  );
}

/** Attributes that may accompany NLRI: ORIGIN, AS_PATH and NEXT_HOP always present (RFC 4271 §5). */
export function routeAttributes(fourOctetAs: boolean): fc.Arbitrary<PathAttributes> {
  return fc
    .tuple(pathAttributes(fourOctetAs), origin, asPath(fourOctetAs), hostAddress)
    .map(([rest, o, path, nextHop]) => ({ ...rest, origin: o, asPath: path, nextHop }));
}

export function bgpUpdate(ctx: CodecContext): fc.Arbitrary<BgpUpdate> {
  const announcing = fc.record({
    withdrawn: prefixList,
    attributes: routeAttributes(ctx.fourOctetAs),
    nlri: fc.array(ipv4Prefix, { minLength: 1, maxLength: 40 }),
  });
  const notAnnouncing = fc.record({
    withdrawn: prefixList,
    attributes: pathAttributes(ctx.fourOctetAs),
    nlri: fc.constant<string[]>([]),
  });
  return fc.oneof(announcing, notAnnouncing).map((fields) => ({ type: 'update' as const, ...fields }));
}

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ code: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant<Capability>({ code: 'routeRefresh' }),
  fc.record({ code: fc.constant('fourOctetAs' as const), asn: fc.integer({ min: 1, max: 0xffffffff }) }),
  fc.record({
    code: fc.constant('unknown' as const),
    type: u8.filter((code) => code !== 1 && code !== 2 && code !== 65),
    value: fc.uint8Array({ maxLength: 16 }),
  }),
);

/**
 * Capabilities plus, sometimes, the sender's grouping of them into Optional
 * Parameters (present only when it is not one per parameter, as the decoder reports it).
 */
const capabilitiesWithGrouping: fc.Arbitrary<Pick<BgpOpen, 'capabilities' | 'capabilityGrouping'>> = fc
  .array(fc.tuple(capability, fc.boolean()), { maxLength: 8 })
  .chain((pairs) =>
    fc.boolean().map((trailingEmptyParameter) => {
      const capabilities = pairs.map(([c]) => c);
      const grouping: number[] = [];
      pairs.forEach(([, startsParameter], i) => {
        if (i === 0 || startsParameter) grouping.push(1);
        else grouping[grouping.length - 1] = (grouping[grouping.length - 1] ?? 0) + 1;
      });
      if (trailingEmptyParameter) grouping.push(0);
      return grouping.every((count) => count === 1)
        ? { capabilities }
        : { capabilities, capabilityGrouping: grouping };
    }),
  );

export const bgpOpen: fc.Arbitrary<BgpOpen> = fc
  .record({
    myAsn: fc.integer({ min: 1, max: 0xffff }),
    holdTimeSec: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
    bgpIdentifier,
    caps: capabilitiesWithGrouping,
  })
  .map(({ caps, ...fields }) => ({ type: 'open' as const, version: 4, ...fields, ...caps }));

export const bgpNotification: fc.Arbitrary<BgpNotification> = fc.record({
  type: fc.constant('notification' as const),
  code: u8,
  subcode: u8,
  data: fc.uint8Array({ maxLength: 64 }),
});

export const bgpKeepalive: fc.Arbitrary<BgpKeepalive> = fc.constant({ type: 'keepalive' as const });

/** Subtypes 0..2 only: RFC 7313 §5 has a receiver ignore others (the decoder warns). */
export const bgpRouteRefresh: fc.Arbitrary<BgpRouteRefresh> = fc
  .record({ afi: u16, safi: u8, subtype: fc.integer({ min: 0, max: 2 }) })
  .map(({ subtype, ...fields }) => ({
    type: 'routeRefresh' as const,
    ...fields,
    ...(subtype === 0 ? {} : { subtype }),
  }));

export function bgpMessage(ctx: CodecContext): fc.Arbitrary<BgpMessage> {
  return fc.oneof(bgpOpen, bgpUpdate(ctx), bgpNotification, bgpKeepalive, bgpRouteRefresh);
}

/** A context and a message that is canonical under it. */
export const messageInContext: fc.Arbitrary<{ ctx: CodecContext; message: BgpMessage }> = codecContext.chain(
  (ctx) => bgpMessage(ctx).map((message) => ({ ctx, message })),
);
