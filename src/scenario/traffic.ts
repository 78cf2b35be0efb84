import type { FlowSpec } from '../dataplane/flow.ts';
import { hashFiveTuple } from '../net/flow-hash.ts';
import { type Ipv4Prefix, prefixSize } from '../net/ipv4.ts';
import type { Rng } from '../sim/rng.ts';
import type { TrafficProfile } from './schema.ts';

export interface Endpoint {
  readonly name: string;
  readonly prefixes: readonly Ipv4Prefix[];
}

/** Well-known server ports a VNet/branch mix typically carries: HTTPS, HTTP, SSH, RDP, SMB, SQL. */
const SERVER_PORTS = [443, 80, 22, 3389, 445, 1433] as const;

/**
 * Builds the flows of a traffic profile: for every (VNet, site) pair and
 * direction, `flowsPerPair` flows with random hosts inside the prefixes, random
 * ephemeral source ports and a server port — so ECMP hashing sees the spread of
 * 5-tuples real traffic has. Everything comes from the seeded RNG.
 */
export function generateFlows(
  profile: TrafficProfile,
  vnets: readonly Endpoint[],
  sites: readonly Endpoint[],
  rng: Rng,
): FlowSpec[] {
  const flows: FlowSpec[] = [];
  const protocol = profile.protocol === 'tcp' ? 6 : 17;
  const intervalMs = Math.max(1, Math.floor(1000 / profile.ratePps));
  const directions: FlowSpec['direction'][] =
    profile.directions === 'both' ? ['toSite', 'toAzure'] : [profile.directions];
  for (const vnet of vnets) {
    for (const site of sites) {
      if (vnet.prefixes.length === 0 || site.prefixes.length === 0) continue;
      for (const direction of directions) {
        for (let i = 0; i < profile.flowsPerPair; i++) {
          const vnetHost = randomHost(vnet.prefixes, rng);
          const siteHost = randomHost(site.prefixes, rng);
          // The client opens the connection; clients live on the side the flow starts from.
          const tuple =
            direction === 'toSite'
              ? {
                  srcIp: vnetHost,
                  dstIp: siteHost,
                  protocol,
                  srcPort: ephemeralPort(rng),
                  dstPort: serverPort(rng),
                }
              : {
                  srcIp: siteHost,
                  dstIp: vnetHost,
                  protocol,
                  srcPort: ephemeralPort(rng),
                  dstPort: serverPort(rng),
                };
          flows.push({
            id: flows.length,
            direction,
            tuple,
            hash: hashFiveTuple(tuple),
            ratePps: profile.ratePps,
            phaseMs: rng.int(intervalMs),
            vnet: vnet.name,
            site: site.name,
          });
        }
      }
    }
  }
  return flows;
}

function randomHost(prefixes: readonly Ipv4Prefix[], rng: Rng): number {
  const prefix = prefixes[rng.int(prefixes.length)] as Ipv4Prefix;
  const size = prefixSize(prefix);
  // Skip the network and broadcast addresses where the prefix is big enough to have them.
  const offset = size > 2 ? 1 + rng.int(size - 2) : rng.int(size);
  return (prefix.address + offset) >>> 0;
}

/** IANA's dynamic port range (RFC 6335): 49152–65535. */
function ephemeralPort(rng: Rng): number {
  return rng.between(49152, 65535);
}

function serverPort(rng: Rng): number {
  return SERVER_PORTS[rng.int(SERVER_PORTS.length)] as number;
}
