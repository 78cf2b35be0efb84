import { AS_TRANS, type BgpOpen, type CodecContext } from '../messages.ts';

/**
 * The OPEN-time facts the codec depends on (RFC 6793), as pure functions so the
 * session and the tests derive them the same way.
 */

/** RFC 6793 §4.1: the 2-octet My AS field carries AS_TRANS when the real ASN needs 4 octets. */
export function myAsnField(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}

/** The speaker's real ASN: the 4-octet AS capability when present (RFC 6793 §4.1), else My AS. */
export function speakerAsn(open: BgpOpen): number {
  for (const capability of open.capabilities) {
    if (capability.code === 'fourOctetAs') return capability.asn;
  }
  return open.myAsn;
}

export function hasFourOctetAs(open: BgpOpen): boolean {
  return open.capabilities.some((capability) => capability.code === 'fourOctetAs');
}

/**
 * RFC 6793 §4: AS_PATH and AGGREGATOR carry 4-octet ASNs only when both OPENs
 * advertised the capability; eBGP when the two real ASNs differ.
 */
export function codecContextFor(sent: BgpOpen, received: BgpOpen): CodecContext {
  return {
    fourOctetAs: hasFourOctetAs(sent) && hasFourOctetAs(received),
    externalPeer: speakerAsn(sent) !== speakerAsn(received),
  };
}
