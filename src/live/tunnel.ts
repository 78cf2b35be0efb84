/**
 * The plumbing of a tunnel namespace: the namespace that holds one charon and one IPsec
 * tunnel with 0.0.0.0/0 selectors, between an underlay veth (toward the public IP) and
 * a veth to its router. It turns policy-based libipsec into a route-based tunnel: the
 * router sends into this namespace whatever it routes over the tunnel, and gets back
 * whatever comes out of it.
 *
 *   main table:  peer public IP → underlay;  default → router
 *                (decrypted traffic, and ICMP errors such as "fragmentation needed"
 *                 generated here, must reach the router — without it PMTU discovery
 *                 through the 1400-byte tunnel silently fails)
 *   rule 100:    from the router → table 221 (charon's: 0/0 into ipsec0, throw the peer)
 *   table 221:   a last-resort blackhole, so traffic for a tunnel that is down is dropped
 *                here instead of bouncing back to the router
 *   nft:         TCP MSS clamped on forwarded SYNs (Azure VPN gateways clamp to 1350);
 *                optionally TTL-1 packets kept alive across this hop (tunnelHopTable)
 */
import { assertIdent, assertIfName, assertIpv4 } from './exec.ts';
import type { Lab } from './netns.ts';
import type { NftTable } from './nft.ts';
import { CHARON_ROUTING_TABLE, LIBIPSEC_TUN } from './strongswan.ts';

export interface TunnelNamespacePlumbing {
  readonly netns: string;
  /** This namespace's interface toward its router. */
  readonly routerIfname: string;
  /** The router's address on that link. */
  readonly routerAddress: string;
  /** The remote end's public IP, reached over the underlay. */
  readonly peerPublicAddress: string;
  /** Next hop toward the public IP's namespace on the underlay link. */
  readonly underlayGateway: string;
  /** TCP MSS to clamp forwarded SYNs to; false to leave MSS alone. Default 1350. */
  readonly mssClamp?: number | false;
  /** Do not let TTL-1 packets die here (see tunnelHopTable). Default false. */
  readonly transparentHop?: boolean;
}

export const FROM_ROUTER_RULE_PRIORITY = 100;
export const AZURE_TCP_MSS = 1350;
/** The largest route metric: below anything charon installs in its table. */
const LAST_RESORT_METRIC = 4_294_967_295;

export function mssClampTable(mss: number, name = 'vwanha_mss'): NftTable {
  if (!Number.isInteger(mss) || mss < 536 || mss > 1460) throw new Error(`invalid MSS ${mss}`);
  assertIdent(name, 'nft table name');
  const text = [
    `table inet ${name} {`,
    '  chain forward {',
    '    type filter hook forward priority mangle; policy accept;',
    `    tcp flags & syn == syn tcp option maxseg size > ${mss} tcp option maxseg size set ${mss}`,
    '  }',
    '}',
    '',
  ].join('\n');
  return { family: 'inet', name, text };
}

/**
 * A tunnel namespace stands for a tunnel *interface*, not a router, yet forwarding through
 * it costs a hop on each side. Directly connected eBGP (BGP on the tunnel interface) sends
 * with TTL 1 and would die here ("time exceeded"): a packet entering from the router or
 * out of the tunnel with TTL 1 leaves with TTL 1, as over an XFRM interface.
 */
export function tunnelHopTable(name = 'vwanha_hop'): NftTable {
  assertIdent(name, 'nft table name');
  const text = [
    `table ip ${name} {`,
    '  chain prerouting {',
    '    type filter hook prerouting priority mangle; policy accept;',
    `    iifname { "rtr", "${LIBIPSEC_TUN}" } ip ttl 1 ip ttl set 2`,
    '  }',
    '}',
    '',
  ].join('\n');
  return { family: 'ip', name, text };
}

export async function plumbTunnelNamespace(lab: Lab, plumbing: TunnelNamespacePlumbing): Promise<void> {
  const { netns } = plumbing;
  const routerIfname = assertIfName(plumbing.routerIfname);
  await lab.addRoute(netns, {
    dst: `${assertIpv4(plumbing.peerPublicAddress)}/32`,
    via: assertIpv4(plumbing.underlayGateway),
  });
  await lab.addRoute(netns, { dst: 'default', via: assertIpv4(plumbing.routerAddress) });
  await lab.addRule(netns, {
    iif: routerIfname,
    table: CHARON_ROUTING_TABLE,
    priority: FROM_ROUTER_RULE_PRIORITY,
  });
  await lab.addRoute(netns, {
    dst: 'default',
    type: 'blackhole',
    table: CHARON_ROUTING_TABLE,
    metric: LAST_RESORT_METRIC,
  });
  const mss = plumbing.mssClamp ?? AZURE_TCP_MSS;
  if (mss !== false) await lab.applyNftTable(netns, mssClampTable(mss));
  if (plumbing.transparentHop) await lab.applyNftTable(netns, tunnelHopTable());
}
