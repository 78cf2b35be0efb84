/**
 * BGP messages as other people's code and captures recorded them, byte for byte.
 * Each vector names where it came from; the hex is copied from the cited file
 * (spaces only separate fields for reading). Where a source gave only the body,
 * the note says which header we put in front of it.
 */
export interface PublishedVector {
  readonly source: string;
  readonly note: string;
  readonly hex: string;
}

export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const MARKER = 'ffffffffffffffffffffffffffffffff';

/** kbandla/dpkt, dpkt/bgp.py, `__bgp1`: a KEEPALIVE. */
export const DPKT_KEEPALIVE: PublishedVector = {
  source: 'github.com/kbandla/dpkt dpkt/bgp.py __bgp1',
  note: 'KEEPALIVE',
  hex: `${MARKER} 0013 04`,
};

/**
 * kbandla/dpkt, dpkt/bgp.py, `__bgp2`: an iBGP (route-reflected) UPDATE with every
 * classic attribute — AS_SET + AS_SEQUENCE, NEXT_HOP, LOCAL_PREF, ATOMIC_AGGREGATE,
 * AGGREGATOR, three COMMUNITIES, ORIGINATOR_ID and CLUSTER_LIST — and one NLRI.
 */
export const DPKT_UPDATE: PublishedVector = {
  source: 'github.com/kbandla/dpkt dpkt/bgp.py __bgp2',
  note: 'UPDATE, 2-octet AS, 192.168.4.0/22 via 192.168.0.15',
  hex: `${MARKER} 0063 02 0000 0048
    400101 00
    40020a 0102 01f4 01f4 0201 febb
    400304 c0a8000f
    400504 00000064
    400600
    c00706 feba c0a8000a
    c0080c febf0001 03160004 015400fa
    800904 c0a8000f
    800a04 c0a800fa
    16 c0a804`,
};

/**
 * kbandla/dpkt, dpkt/bgp.py, `__bgp3`: attributes out of type order (1, 2, 5, 16,
 * 128, 14), an ATTR_SET (128) and an MP_REACH_NLRI sent with the Extended Length
 * bit on a 30-octet value — the layout a byte-exact round trip must keep.
 */
export const DPKT_UPDATE_OUT_OF_ORDER: PublishedVector = {
  source: 'github.com/kbandla/dpkt dpkt/bgp.py __bgp3',
  note: 'UPDATE with VPNv4 MP_REACH_NLRI, no IPv4 NLRI',
  hex: `${MARKER} 0079 02 0000 0062
    400101 00
    400200
    400504 00000064
    c01008 0002012c0000012c
    c08024 0000fde940010100400204020115b34005040000002c80090416050505800a0416050505
    900e001e 0001800c00000000000000000c0404040060187701000001f4000001f485`,
};

/**
 * kbandla/dpkt, dpkt/bgp.py, `__bgp4`: an OPEN from AS 237 (Merit Network),
 * identifier 198.110.131.125, one capability per Optional Parameter: IPv4
 * unicast, Cisco's pre-standard route refresh (128), route refresh (2).
 */
export const DPKT_OPEN: PublishedVector = {
  source: 'github.com/kbandla/dpkt dpkt/bgp.py __bgp4',
  note: 'OPEN, AS 237, hold 90',
  hex: `${MARKER} 002d 01 04 00ed 005a c66e837d 10
    0206 01040001 0001
    0202 8000
    0202 0200`,
};

/**
 * packetlife.net capture BGP_MP_NLRI.cap, packet 20, as quoted in kbandla/dpkt
 * dpkt/bgp.py test_BGP_MP_NLRI_20_1_mp_reach_nlri_next_hop: an IPv6 UPDATE from
 * AS 65001 (MP_REACH_NLRI with global and link-local next hops).
 */
export const PACKETLIFE_MP_NLRI: PublishedVector = {
  source: 'packetlife.net/media/captures/BGP_MP_NLRI.cap packet 20, via kbandla/dpkt dpkt/bgp.py',
  note: 'UPDATE, ORIGIN + AS_PATH 65001 + MED 0 + MP_REACH_NLRI',
  hex: `${MARKER} 006c 02 0000 0055
    400101 00
    400204 0201fde9
    800404 00000000
    800e40 0002012020010db8000000000000000000000001fe80000000000000c0010bfffe7e0000004020010db8000100024020010db8000100014020010db800010000`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPOpen - Dissection with specific values
 * (2) (followed by a KEEPALIVE)": a Cisco OPEN (AS 64502, hold 180, IPv4 and
 * IPv6 unicast, Cisco route refresh, route refresh, 4-octet AS 64502) and the
 * KEEPALIVE that followed it in the same TCP segment.
 */
export const SCAPY_OPEN_THEN_KEEPALIVE: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPOpen - Dissection with specific values (2)"',
  note: 'OPEN (61 octets) + KEEPALIVE (19 octets) back to back',
  hex: `${MARKER} 003d 01 04 fbf6 00b4 c0a87a65 20
    0206 01040001 0001
    0206 01040002 0001
    0202 8000
    0202 0200
    0206 4104 0000fbf6
    ${MARKER} 0013 04`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPOpen - Dissection with specific values
 * (3)": an IOS XR-style OPEN from AS 65000 with eleven AFI/SAFIs, graceful
 * restart (64), enhanced route refresh (70) and 4-octet AS.
 */
export const SCAPY_OPEN_MANY_FAMILIES: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPOpen - Dissection with specific values (3)"',
  note: 'OPEN, AS 65000, 16 capabilities',
  hex: `${MARKER} 008f 01 04 fde8 00b4 0affff01 72
    0206 01040001 0084
    0206 01040019 0041
    0206 01040002 0002
    0206 01040001 0002
    0206 01040002 0080
    0206 01040001 0080
    0206 01040001 0042
    0206 01040002 0001
    0206 01040002 0004
    0206 01040001 0001
    0206 01040001 0004
    0202 8000
    0202 0200
    0204 4002 8078
    0202 4600
    0206 4104 0000fde8`,
};

/**
 * smartbgp/yabgp yabgp/tests/unit/message/test_open.py test_parse: a Cisco OPEN
 * from a 4-octet AS (66666): My AS is AS_TRANS 23456, and it carries Cisco's
 * multisession capability (131). yabgp stores the body only; we prepend the
 * 19-octet header (length 66).
 */
export const YABGP_OPEN_AS_TRANS: PublishedVector = {
  source: 'github.com/smartbgp/yabgp yabgp/tests/unit/message/test_open.py test_parse (body; header added)',
  note: 'OPEN, My AS 23456 (AS_TRANS), 4-octet AS 66666',
  hex: `${MARKER} 0042 01 04 5ba0 00b4 03030309 25
    0206 01040001 0080
    0206 01040001 0001
    0202 8000
    0202 0200
    0203 830100
    0206 4104 0001046a`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPUpdate - Dissection (1)": a
 * withdrawal-only UPDATE with six prefixes, one of them a /25.
 */
export const SCAPY_UPDATE_WITHDRAWALS: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPUpdate - Dissection (1)"',
  note: 'UPDATE, 6 withdrawn routes, no attributes',
  hex: `${MARKER} 0030 02 0019
    18c0a896 18070707 18c63364 18c0a801 1906060600 18c0a81a
    0000`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPUpdate - Behave like a NEW speaker
 * (RFC 6793) - Dissection (2)": an UPDATE with a 4-octet AS_PATH, NEXT_HOP, MED
 * and the NO_EXPORT community.
 */
export const SCAPY_UPDATE_FOUR_OCTET: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPUpdate - Behave like a NEW speaker (RFC 6793)"',
  note: 'UPDATE, 4-octet AS_PATH 64506, 192.168.1.0/24 via 192.168.16.6',
  hex: `${MARKER} 003d 02 0000 0022
    400101 00
    400206 0201 0000fbfa
    400304 c0a81006
    800404 00000000
    c00804 ffffff01
    18c0a801`,
};

/** secdev/scapy test/contrib/bgp.uts, "BGPNotification - Dissection (Administratively Reset)". */
export const SCAPY_NOTIFICATION_ADMIN_RESET: PublishedVector = {
  source:
    'github.com/secdev/scapy test/contrib/bgp.uts "BGPNotification - Dissection (Administratively Reset)"',
  note: 'NOTIFICATION Cease / Administrative Reset, no data',
  hex: `${MARKER} 0015 03 06 04`,
};

/** secdev/scapy test/contrib/bgp.uts, "BGPNotification - Dissection (Bad Peer AS)". */
export const SCAPY_NOTIFICATION_BAD_PEER_AS: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPNotification - Dissection (Bad Peer AS)"',
  note: 'NOTIFICATION OPEN Message Error / Bad Peer AS, data 0000',
  hex: `${MARKER} 0017 03 02 02 0000`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPNotification - Dissection (Attribute
 * Flags Error)": an RFC 4271 speaker rejecting an ORIGIN sent as optional (0x80);
 * the data is the offending attribute.
 */
export const SCAPY_NOTIFICATION_FLAGS_ERROR: PublishedVector = {
  source:
    'github.com/secdev/scapy test/contrib/bgp.uts "BGPNotification - Dissection (Attribute Flags Error)"',
  note: 'NOTIFICATION UPDATE Message Error / Attribute Flags Error, data 80010100',
  hex: `${MARKER} 0019 03 03 04 80010100`,
};

/** secdev/scapy test/contrib/bgp.uts, "BGPRouteRefresh - Dissection (1)": refresh IPv6 unicast. */
export const SCAPY_ROUTE_REFRESH: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPRouteRefresh - Dissection (1)"',
  note: 'ROUTE-REFRESH AFI 2 SAFI 1',
  hex: `${MARKER} 0017 05 0002 00 01`,
};

/**
 * secdev/scapy test/contrib/bgp.uts, "BGPRouteRefresh - Dissection (2) - With
 * ORFs": a 46-octet ROUTE-REFRESH carrying RFC 5291 prefix ORF entries — which
 * a speaker that never advertised ORF must reject (see route-refresh.ts).
 */
export const SCAPY_ROUTE_REFRESH_WITH_ORF: PublishedVector = {
  source: 'github.com/secdev/scapy test/contrib/bgp.uts "BGPRouteRefresh - Dissection (2) - With ORFs"',
  note: 'ROUTE-REFRESH with ORF entries, 46 octets',
  hex: `${MARKER} 002e 05 0001 00 01 01 80 0013 2000000005181815010100000000000a002000`,
};
