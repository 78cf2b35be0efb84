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
  readonly family: 'ip' | 'inet';
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
