/**
 * The nftables tables the lab uses, rendered from validated values.
 *
 * - IKE NAT: an instance namespace owns a public IP and hands each tunnel's IKE and
 *   ESP-in-UDP (UDP 500/4500) to that tunnel's namespace, so several tunnels (one per
 *   site) can terminate on one public IP the way Azure's instances do.
 * - Silent death: a drop-all table. Setting links down is not a failure model — it
 *   deletes routes, which every daemon notices at once; a blackhole is noticed only
 *   by timers (BGP hold, IKE DPD), as a crashed instance or a cut path would be.
 */

import { assertIdent, assertIfName, assertIpv4 } from './exec.ts';
import type { Lab } from './netns.ts';

export interface NftTable {
  readonly family: 'ip' | 'inet' | 'bridge';
  readonly name: string;
  readonly text: string;
}

export interface IkeForward {
  /** The tunnel namespace's address that IKE/NAT-T traffic is handed to. */
  readonly tunnelAddress: string;
  /** Only traffic from this peer public IP; required when several tunnels share the IP. */
  readonly peerAddress?: string;
}

/** DNAT of UDP 500/4500 arriving on `outsideIfname` to tunnel namespaces, SNAT back to the public IP. */
export function ikeNatTable(options: {
  readonly name?: string;
  readonly outsideIfname: string;
  readonly publicAddress: string;
  readonly forwards: readonly IkeForward[];
}): NftTable {
  const name = assertIdent(options.name ?? 'vwanha_nat', 'nft table name');
  const outside = assertIfName(options.outsideIfname);
  const publicAddress = assertIpv4(options.publicAddress, 'public address');
  if (options.forwards.length > 1 && options.forwards.some((f) => f.peerAddress === undefined)) {
    throw new Error('several tunnels behind one public IP need a peerAddress each');
  }
  const dnat = options.forwards.map((forward) => {
    const from = forward.peerAddress === undefined ? '' : `ip saddr ${assertIpv4(forward.peerAddress)} `;
    return `    iifname "${outside}" ${from}udp dport { 500, 4500 } dnat to ${assertIpv4(forward.tunnelAddress)}`;
  });
  const snat = options.forwards.map(
    (forward) =>
      `    oifname "${outside}" ip saddr ${assertIpv4(forward.tunnelAddress)} snat to ${publicAddress}`,
  );
  const text = [
    `table ip ${name} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...snat,
    '  }',
    '}',
    '',
  ].join('\n');
  return { family: 'ip', name, text };
}

export const SILENT_DEATH_TABLE = 'vwanha_dead';

/** Drops every packet in, out of and through a namespace, before any other hook sees it. */
export function dropAllTable(name = SILENT_DEATH_TABLE): NftTable {
  assertIdent(name, 'nft table name');
  const chains = (['prerouting', 'input', 'forward', 'output'] as const).map((hook) =>
    [`  chain ${hook} {`, `    type filter hook ${hook} priority -400; policy drop;`, '  }'].join('\n'),
  );
  return { family: 'inet', name, text: [`table inet ${name} {`, ...chains, '}', ''].join('\n') };
}

/** Silent death of a namespace: it stops answering, and nobody is told. */
export async function blackholeNetns(lab: Lab, netns: string): Promise<void> {
  await lab.applyNftTable(netns, dropAllTable());
}

/** Undoes blackholeNetns. */
export async function restoreNetns(lab: Lab, netns: string): Promise<void> {
  await lab.deleteNftTable(netns, 'inet', SILENT_DEATH_TABLE);
}

export interface PublicIpForward {
  /** The public IP the packets are sent to (an instance may hold a moved one besides its own). */
  readonly publicAddress: string;
  readonly peerAddress: string;
  /** The tunnel namespace's address that this peer's IKE and ESP-in-UDP are handed to. */
  readonly tunnelAddress: string;
}

/**
 * An instance's IKE NAT: DNAT of UDP 500/4500 from each peer to each public IP it holds
 * to that tunnel's namespace, SNAT back from that namespace to the public IP. Matching
 * the destination too lets one instance carry a moved public IP besides its own with
 * the same peer on both. Load it before the address is added: a packet that arrives
 * first makes an un-NATed conntrack entry that every later packet of the flow follows.
 */
export function publicIpNatTable(options: {
  readonly name?: string;
  readonly outsideIfname: string;
  readonly forwards: readonly PublicIpForward[];
}): NftTable {
  const name = assertIdent(options.name ?? 'vwanha_nat', 'nft table name');
  const outside = assertIfName(options.outsideIfname);
  const dnat = options.forwards.map(
    (f) =>
      `    iifname "${outside}" ip daddr ${assertIpv4(f.publicAddress)} ip saddr ${assertIpv4(f.peerAddress)} udp dport { 500, 4500 } dnat to ${assertIpv4(f.tunnelAddress)}`,
  );
  const snat = options.forwards.map(
    (f) =>
      `    oifname "${outside}" ip saddr ${assertIpv4(f.tunnelAddress)} snat to ${assertIpv4(f.publicAddress)}`,
  );
  const text = [
    `table ip ${name} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...snat,
    '  }',
    '}',
    '',
  ].join('\n');
  return { family: 'ip', name, text };
}

export const PATH_DOWN_TABLE = 'vwanha_path';

/**
 * A cut internet path: the internet namespace's bridge drops every frame to and from
 * the named ports (a device link's public IP), without a word to either side.
 */
export function bridgePortDropTable(ports: readonly string[], name = PATH_DOWN_TABLE): NftTable {
  assertIdent(name, 'nft table name');
  const names = ports.map((port) => `"${assertIfName(port)}"`).join(', ');
  const rules = ports.length === 0 ? [] : [`    iifname { ${names} } drop`, `    oifname { ${names} } drop`];
  const text = [
    `table bridge ${name} {`,
    '  chain forward {',
    '    type filter hook forward priority -400; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
  return { family: 'bridge', name, text };
}
