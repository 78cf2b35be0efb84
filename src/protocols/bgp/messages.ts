/**
 * BGP-4 messages as plain data (RFC 4271 §4). The codec turns these into bytes
 * and back; the FSM and the RIB only ever see these shapes, never bytes
 * (GoBGP's split: a message never knows about a peer, a peer never parses bytes).
 *
 * Addresses and prefixes are dotted-quad strings ("10.1.0.0/16", "169.254.21.1"):
 * readable in traces, JSON and tests, and canonical — the decoder always yields
 * the canonical form (host bits cleared), so decode(encode(m)) == m for
 * canonical m.
 */

/** RFC 4271 §4.1: message type codes; RFC 2918: ROUTE-REFRESH. */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/** RFC 4271 §4.1: 16-octet marker, 2-octet length, 1-octet type. */
export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1: the largest message without RFC 8654 extended messages. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 6793 §9: AS_TRANS stands in for a 4-octet ASN in 2-octet fields. */
export const AS_TRANS = 23456;

/** RFC 4760 address family identifiers we speak. */
export const AFI_IPV4 = 1;
export const SAFI_UNICAST = 1;

export type Capability =
  /** RFC 4760 §8: capability code 1. */
  | { readonly code: 'multiprotocol'; readonly afi: number; readonly safi: number }
  /** RFC 2918 §3: capability code 2. */
  | { readonly code: 'routeRefresh' }
  /** RFC 6793 §3: capability code 65, carrying the speaker's real 4-octet ASN. */
  | { readonly code: 'fourOctetAs'; readonly asn: number }
  /** Any other capability, kept verbatim so it can be re-encoded byte for byte. */
  | { readonly code: 'unknown'; readonly type: number; readonly value: Uint8Array };

export interface BgpOpen {
  readonly type: 'open';
  /** Always 4 on the wire; a different value is an OPEN error (§6.2 subcode 1). */
  readonly version: number;
  /** The 2-octet "My Autonomous System" field: AS_TRANS when the real ASN needs 4 octets. */
  readonly myAsn: number;
  readonly holdTimeSec: number;
  /** BGP Identifier as a dotted quad. */
  readonly bgpIdentifier: string;
  /**
   * Capabilities in wire order (RFC 5492), each in its own Optional Parameter of
   * type 2 unless `capabilityGrouping` says otherwise.
   */
  readonly capabilities: readonly Capability[];
  /**
   * How many capabilities each Capabilities Optional Parameter held, in order, when
   * the sender put several in one (RFC 5492 §4 allows either form). Set by the
   * decoder only when that differs from one capability per parameter, so a
   * received OPEN re-encodes byte for byte.
   */
  readonly capabilityGrouping?: readonly number[];
}

export type Origin = 'igp' | 'egp' | 'incomplete';

export interface AsPathSegment {
  /** RFC 4271 §4.3: AS_SET = 1, AS_SEQUENCE = 2. */
  readonly type: 'set' | 'sequence';
  readonly asns: readonly number[];
}

/** A path attribute the codec does not interpret, kept for pass-through (RFC 4271 §5). */
export interface UnknownAttribute {
  readonly flags: number;
  readonly typeCode: number;
  readonly value: Uint8Array;
}

export interface PathAttributes {
  readonly origin?: Origin;
  readonly asPath?: readonly AsPathSegment[];
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly aggregator?: { readonly asn: number; readonly address: string };
  readonly communities?: readonly number[];
  readonly unknown?: readonly UnknownAttribute[];
}

/** One path attribute's place and Attribute Flags octet as received (RFC 4271 §4.3). */
export interface AttributeLayoutEntry {
  readonly typeCode: number;
  readonly flags: number;
}

export interface BgpUpdate {
  readonly type: 'update';
  readonly withdrawn: readonly string[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly string[];
  /**
   * The sender's attribute order and flags, set by the decoder only when they
   * differ from what the encoder writes by default (ascending type code, RFC 4271
   * §5; the standard flags; Extended Length only above 255 octets), so a received
   * UPDATE re-encodes byte for byte. Leave it off UPDATEs you build yourself.
   */
  readonly attributeLayout?: readonly AttributeLayoutEntry[];
}

export interface BgpNotification {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface BgpKeepalive {
  readonly type: 'keepalive';
}

export interface BgpRouteRefresh {
  readonly type: 'routeRefresh';
  readonly afi: number;
  readonly safi: number;
  /**
   * RFC 7313 §3.2: the former Reserved octet; 1 = Beginning of Route Refresh,
   * 2 = End of Route Refresh. Absent means 0, a plain RFC 2918 request.
   */
  readonly subtype?: number;
}

export type BgpMessage = BgpOpen | BgpUpdate | BgpNotification | BgpKeepalive | BgpRouteRefresh;

/** RFC 4271 §4.5 error codes. */
export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  /** RFC 7313 §5. */
  ROUTE_REFRESH_MESSAGE: 7,
} as const;

/** RFC 4271 §6.1 Message Header error subcodes. */
export const HeaderSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** RFC 4271 §6.2 OPEN error subcodes (5 is deprecated; 7 is RFC 5492). */
export const OpenSubcode = {
  /** RFC 4271 §6.2: a recognised Optional Parameter that is malformed. */
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
} as const;

/** RFC 4271 §6.3 UPDATE error subcodes (7 is deprecated). */
export const UpdateSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** RFC 7313 §5 ROUTE-REFRESH Message Error subcodes. */
export const RouteRefreshSubcode = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;

/** RFC 6608 FSM error subcodes. */
export const FsmSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_IN_OPENSENT: 1,
  UNEXPECTED_IN_OPENCONFIRM: 2,
  UNEXPECTED_IN_ESTABLISHED: 3,
} as const;

/** RFC 4486 Cease subcodes. */
export const CeaseSubcode = {
  MAX_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
} as const;

/** What the decoder of one message reports (never an exception). */
export type DecodeOutcome =
  | {
      readonly ok: true;
      readonly message: BgpMessage;
      /**
       * RFC 7606 outcomes short of a session reset, in words: "attribute discard:
       * MED length 3", "treat-as-withdraw: ORIGIN value 7". When treat-as-withdraw
       * applies, `message` is already the UPDATE with its NLRI moved to `withdrawn`.
       */
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      /** The NOTIFICATION RFC 4271 §6 / RFC 7606 say to send before closing. */
      readonly notification: BgpNotification;
      /** Human-readable cause, for traces and logs. */
      readonly reason: string;
    };

/** Negotiated session properties the codec needs (RFC 6793: AS_PATH octet width). */
export interface CodecContext {
  readonly fourOctetAs: boolean;
  /**
   * The peer is in another AS (eBGP). RFC 7606 §7.5: a LOCAL_PREF from an external
   * neighbour is discarded. Absent means internal or unknown: LOCAL_PREF is kept.
   */
  readonly externalPeer?: boolean;
}
