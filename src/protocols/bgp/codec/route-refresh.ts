import {
  type BgpRouteRefresh,
  type DecodeOutcome,
  ErrorCode,
  HEADER_LENGTH,
  MessageType,
  RouteRefreshSubcode,
} from '../messages.ts';
import { readU16 } from './byte-reader.ts';
import { frameMessage } from './header.ts';
import { failure, success } from './outcome.ts';

/** RFC 2918 §3: AFI (2), Reserved (1, RFC 7313's Message Subtype), SAFI (1). */
const ROUTE_REFRESH_LENGTH = HEADER_LENGTH + 4;
/** RFC 7313 §3.2: 0 normal request, 1 BoRR, 2 EoRR; anything higher is ignored (§5). */
const HIGHEST_KNOWN_SUBTYPE = 2;

export function encodeRouteRefresh(message: BgpRouteRefresh): Uint8Array {
  return frameMessage(MessageType.ROUTE_REFRESH, (writer) => {
    writer.u16(message.afi, 'ROUTE-REFRESH AFI');
    writer.u8(message.subtype ?? 0, 'ROUTE-REFRESH subtype');
    writer.u8(message.safi, 'ROUTE-REFRESH SAFI');
  });
}

/**
 * Decodes a ROUTE-REFRESH at least 23 octets long (shorter ones fail the header
 * check). RFC 7313 §5 makes a longer one "Invalid Message Length" with the whole
 * message as data; it says so for subtypes 1 and 2, and we apply it to subtype 0
 * too, because a longer plain request would carry RFC 5291 ORF entries and we
 * never advertise the ORF capability.
 */
export function decodeRouteRefresh(bytes: Uint8Array, length: number): DecodeOutcome {
  if (length !== ROUTE_REFRESH_LENGTH) {
    return failure(
      ErrorCode.ROUTE_REFRESH_MESSAGE,
      RouteRefreshSubcode.INVALID_MESSAGE_LENGTH,
      `ROUTE-REFRESH of length ${length}, must be ${ROUTE_REFRESH_LENGTH}`,
      bytes.slice(0, length),
    );
  }
  const subtype = bytes[HEADER_LENGTH + 2] ?? 0;
  const message: BgpRouteRefresh = {
    type: 'routeRefresh',
    afi: readU16(bytes, HEADER_LENGTH),
    safi: bytes[HEADER_LENGTH + 3] ?? 0,
    ...(subtype === 0 ? {} : { subtype }),
  };
  const warnings =
    subtype > HIGHEST_KNOWN_SUBTYPE
      ? [`ignore: ROUTE-REFRESH subtype ${subtype} is unknown (RFC 7313 §5)`]
      : [];
  return success(message, warnings);
}
