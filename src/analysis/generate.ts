/**
 * A generated hub for benchmarks and scale tests: N branch sites in the seed's
 * recommended BGP shape (one device each, one internet link, two tunnels — one to
 * each instance — BGP from a loopback), each announcing a few /24s. Addresses are
 * derived from the site number, so the same N gives the same topology.
 */

import { type LoadResult, parseTopology } from '../model/index.ts';
import { formatIpv4, ipv4 } from '../net/ipv4.ts';

export interface GeneratedHubOptions {
  readonly sites: number;
  /** /24 prefixes each site announces over BGP. */
  readonly prefixesPerSite?: number;
  readonly vnets?: number;
}

/** Azure's limits: 1,000 VPN connections per hub, 2,000 tunnels per gateway (two per site here). */
export const MAX_GENERATED_SITES = 1000;

/**
 * The topology as a user would write it (then loaded through the model, so
 * defaults and cross-checks apply exactly as for a file).
 *
 * Address plan: site prefixes 10.128.0.0/9 (j-th /24 = 10.128.0.0 + j·256),
 * device loopbacks 100.64.0.0/10 (RFC 6598), device public IPs 198.18.0.0/15
 * (RFC 2544 benchmarking), ASNs 4,200,000,001 + i (RFC 6996 private 4-byte).
 */
export function generateHubTopology(options: GeneratedHubOptions): Record<string, unknown> {
  const sites = options.sites;
  const prefixesPerSite = options.prefixesPerSite ?? 3;
  const vnets = options.vnets ?? 2;
  if (!Number.isInteger(sites) || sites < 1 || sites > MAX_GENERATED_SITES) {
    throw new RangeError(`sites must be 1–${MAX_GENERATED_SITES}, got ${sites}`);
  }
  if (!Number.isInteger(prefixesPerSite) || prefixesPerSite < 1 || sites * prefixesPerSite > 32_768) {
    throw new RangeError(`${sites} sites × ${prefixesPerSite} prefixes do not fit 10.128.0.0/9`);
  }
  const offset = (base: string, n: number) => formatIpv4((ipv4(base) + n) >>> 0);
  const vpnSites = [];
  const vpnConnections = [];
  for (let i = 0; i < sites; i++) {
    const name = `site${String(i + 1).padStart(4, '0')}`;
    const advertisedPrefixes = [];
    for (let k = 0; k < prefixesPerSite; k++) {
      advertisedPrefixes.push(`${offset('10.128.0.0', (i * prefixesPerSite + k) * 256)}/24`);
    }
    vpnSites.push({
      name,
      devices: [
        {
          name: `${name}-fw`,
          advertisedPrefixes,
          vpnSiteLinks: [
            {
              name: `${name}-isp`,
              ipAddress: offset('198.18.0.1', i),
              bgpProperties: { asn: 4_200_000_001 + i, bgpPeeringAddress: offset('100.64.0.1', i) },
            },
          ],
        },
      ],
    });
    vpnConnections.push({
      name: `${name}-conn`,
      remoteVpnSite: name,
      vpnLinkConnections: [{ name: `${name}-link`, vpnSiteLink: `${name}-isp`, enableBgp: true }],
    });
  }
  return {
    virtualHub: { name: `hub-${sites}-sites`, addressPrefix: '10.0.0.0/24' },
    vnets: Array.from({ length: vnets }, (_, v) => ({
      name: `spoke${v + 1}`,
      addressPrefixes: [`10.${v + 1}.0.0/16`],
    })),
    vpnGateway: {
      name: `hub-${sites}-sites-vpngw`,
      instances: [
        { id: 'IN_0', tunnelIpAddress: '20.50.1.10', defaultBgpIpAddress: '10.0.0.12' },
        { id: 'IN_1', tunnelIpAddress: '20.50.1.11', defaultBgpIpAddress: '10.0.0.13' },
      ],
    },
    vpnSites,
    vpnConnections,
  };
}

/** The generated hub, loaded and checked like a topology file. */
export function generateHub(options: GeneratedHubOptions): LoadResult {
  return parseTopology(generateHubTopology(options));
}
