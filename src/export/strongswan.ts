/**
 * strongSwan (swanctl) configuration for a remote VPN device: one IKEv2 connection per
 * tunnel, route-based (0.0.0.0/0 ↔ 0.0.0.0/0), plus the charon settings the DPD
 * mapping needs and, for the azure profile, the updown script that ties each XFRM
 * interface to its tunnel. Pure functions returning file text. Platform-free.
 *
 * Profiles:
 *  - azure: Azure VWAN's default proposals (VWAN IPsec default policies, from
 *    AZURE.ipsec.initiatorProposals), an XFRM interface per tunnel (`if_id_in/out`),
 *    NAT-T only when NAT is detected;
 *  - lab: what strongSwan's kernel-libipsec can do on a machine without kernel
 *    ESP/XFRM, as the live lab runs it (src/live/strongswan.ts): aes128-sha256-modp2048,
 *    ESP aes128-sha256, always UDP-encapsulated (`encap = yes`), no if_id (libipsec is
 *    policy-based on one TUN device, so the lab runs one charon per tunnel namespace).
 */
import { AZURE } from '../model/index.ts';
import type { DevicePlan, ExportProfile, TunnelPlan } from './device.ts';

/** How pre-shared keys are written: envsubst placeholders, or the key itself (hex). */
export type PskSource =
  | { readonly kind: 'placeholder' }
  | { readonly kind: 'value'; readonly secret: string };

export const LAB_IKE_PROPOSAL = 'aes128-sha256-modp2048';
export const LAB_ESP_PROPOSAL = 'aes128-sha256';

/** charon's routing table for libipsec routes in the live lab. */
const LAB_ROUTING_TABLE = 221;
const LAB_ROUTING_TABLE_PRIO = 40_000;

/** Where the updown script is installed on the device. */
export const UPDOWN_PATH = '/etc/swanctl/vwan-ha-updown.sh';

const DH_GROUPS: Readonly<Record<string, string>> = {
  DH1: 'modp768',
  DH2: 'modp1024',
  DH14: 'modp2048',
  DH24: 'modp2048s256',
  ECP256: 'ecp256',
  ECP384: 'ecp384',
};

function cipher(text: string): string {
  const gcm = /^GCMAES(\d+)$/.exec(text);
  if (gcm !== null) return `aes${gcm[1]}gcm16`;
  return text.toLowerCase();
}

/** `AES256-SHA1-DH2` → `aes256-sha1-modp1024`; `GCMAES256-PFSNONE` → `aes256gcm16`. */
export function strongswanProposal(azure: string): string {
  const parts = azure.split('-');
  const out: string[] = [];
  for (const part of parts) {
    if (part === 'PFSNONE') continue;
    const group = DH_GROUPS[part.replace(/^PFS/, 'DH')];
    if (group !== undefined) out.push(group);
    else out.push(cipher(part));
  }
  return out.join('-');
}

/** SHA-256 before SHA-1 for the same cipher; GCM first. Azure accepts any of them. */
function preferred(proposals: readonly string[]): string[] {
  const rank = (p: string) => (p.includes('gcm') ? 0 : p.includes('sha256') ? 1 : 2);
  const cipherBits = (p: string) => -Number(/aes(\d+)/.exec(p)?.[1] ?? 0);
  return [...proposals].sort((a, b) => cipherBits(a) - cipherBits(b) || rank(a) - rank(b));
}

export function proposals(profile: ExportProfile): { ike: string; esp: string } {
  if (profile === 'lab') return { ike: LAB_IKE_PROPOSAL, esp: LAB_ESP_PROPOSAL };
  return {
    ike: preferred(AZURE.ipsec.initiatorProposals.ike.map(strongswanProposal)).join(','),
    esp: preferred(AZURE.ipsec.initiatorProposals.child.map(strongswanProposal)).join(','),
  };
}

/** The device's IKE role (its connectionMode) as swanctl actions. */
export function actions(plan: DevicePlan): { start: string; close: string; dpd: string; why: string } {
  if (plan.connectionMode === 'ResponderOnly') {
    return {
      start: 'none',
      close: 'none',
      dpd: 'clear',
      why: 'connectionMode ResponderOnly: never initiates (trap would initiate on traffic), waits for Azure; a dead or deleted tunnel is cleared and Azure re-initiates',
    };
  }
  return {
    start: 'start',
    close: 'start',
    dpd: 'restart',
    why: `connectionMode ${plan.connectionMode}: initiates at load and keeps trying (keyingtries 0); re-initiates when Azure deletes the tunnel (close_action start, swanctl's word for restart) or DPD declares it dead`,
  };
}

/** `0x…`: swanctl reads hex secrets verbatim, whatever characters the key holds. */
function hex(secret: string): string {
  const bytes = [...new TextEncoder().encode(secret)];
  return `0x${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function connection(plan: DevicePlan, tunnel: TunnelPlan, profile: ExportProfile): string {
  const { ike, esp } = proposals(profile);
  const act = actions(plan);
  const life = tunnel.lifetimes;
  const lines = [
    `  ${tunnel.name} {`,
    `    # ${tunnel.connectionName} / ${tunnel.linkConnection.name}: site link ${tunnel.link.name} (${tunnel.localAddress}) to ${tunnel.instance} (${tunnel.remoteAddress})${profile === 'azure' ? `; XFRM interface ${tunnel.interfaceName}, if_id ${tunnel.index}` : ''}`,
    '    version = 2',
    '    # Behind NAT, set local_addrs to the private address; keep the id: Azure knows the device by its public IP.',
    `    local_addrs = ${tunnel.localAddress}`,
    `    remote_addrs = ${tunnel.remoteAddress}`,
    `    proposals = ${ike}`,
    '    mobike = no',
    `    encap = ${profile === 'lab' ? 'yes' : 'no'}`,
    `    # Azure dpdTimeoutSeconds ${tunnel.dpdTimeoutSeconds}: probe after ${tunnel.dpdDelaySeconds} s of silence, give up ${plan.dpd.retransmit.windowSeconds} s later (strongswan.conf retransmit_*)`,
    `    dpd_delay = ${tunnel.dpdDelaySeconds}s`,
    `    # IKE SA: Azure's lifetime ${tunnel.linkConnection.ipsec.ikeSaLifeTimeSeconds} s; rekey at ${life.ikeRekeySeconds} s, hard limit ${life.ikeRekeySeconds + life.ikeOverSeconds} s`,
    `    rekey_time = ${life.ikeRekeySeconds}s`,
    `    over_time = ${life.ikeOverSeconds}s`,
    '    reauth_time = 0s',
    '    keyingtries = 0',
    '    local {',
    '      auth = psk',
    `      id = ${tunnel.localAddress}`,
    '    }',
    '    remote {',
    '      auth = psk',
    `      id = ${tunnel.remoteAddress}`,
    '    }',
    '    children {',
    `      ${tunnel.name} {`,
    '        # Route-based: everything the routing table sends into the tunnel.',
    '        local_ts = 0.0.0.0/0',
    '        remote_ts = 0.0.0.0/0',
    `        esp_proposals = ${esp}`,
    `        # Azure's SA lifetime ${life.childLifeSeconds} s / ${tunnel.linkConnection.ipsec.saDataSizeKilobytes} KB: rekey before it runs out`,
    `        rekey_time = ${life.childRekeySeconds}s`,
    `        life_time = ${life.childLifeSeconds}s`,
    `        rekey_bytes = ${life.childRekeyBytes}`,
    `        life_bytes = ${life.childLifeBytes}`,
  ];
  if (profile === 'azure') {
    lines.push(`        if_id_in = ${tunnel.index}`, `        if_id_out = ${tunnel.index}`);
    if (plan.deadTunnelRoutes === 'withdrawOnDpd') {
      lines.push(
        `        # deadTunnelRoutes withdrawOnDpd: ${tunnel.interfaceName} is up only while this tunnel is`,
        `        updown = ${UPDOWN_PATH}`,
      );
    }
  }
  lines.push(
    `        # ${act.why}`,
    `        start_action = ${act.start}`,
    `        close_action = ${act.close}`,
    `        dpd_action = ${act.dpd}`,
    '      }',
    '    }',
    '  }',
  );
  return lines.join('\n');
}

export function renderSwanctlConf(plan: DevicePlan, profile: ExportProfile, psk: PskSource): string {
  const header = [
    `# Generated by vwan-ha export device: site ${plan.site.name}, device ${plan.device.name}, hub ${plan.hubName}, profile ${profile}.`,
    `# One IKEv2 connection per tunnel: ${plan.tunnels.length} (link connection × instance).`,
  ];
  if (profile === 'lab') {
    header.push(
      '# Profile lab: kernel-libipsec has one TUN device (ipsec0) per charon and is policy-based, so the',
      '# live lab runs each connection below in its own charon and network namespace.',
    );
  } else {
    header.push('# Profile azure: route-based over XFRM interfaces (interfaces.sh creates them).');
  }
  if (psk.kind === 'placeholder') {
    header.push(
      `# Pre-shared keys are \${VWAN_HA_PSK_…} placeholders: render the file with envsubst before loading it, e.g.`,
      `#   export ${plan.tunnels[0]?.pskVariable ?? 'VWAN_HA_PSK_X'}=0x$(printf %s "$KEY" | od -An -tx1 | tr -d ' \\n')`,
      '#   envsubst < swanctl.conf > /etc/swanctl/conf.d/vwan-ha.conf',
      '# (hex, 0x…, survives any character in the key; a plain key must not contain spaces, " or #).',
      '# Left unrendered, the placeholders are a syntax error: swanctl refuses the file rather than use them as keys.',
    );
  } else {
    header.push(
      '# Holds the pre-shared key (hex-encoded, from --psk-env): keep this file mode 0600, never log it.',
    );
  }
  const secrets = plan.tunnels.map((tunnel) =>
    [
      `  ike-${tunnel.name} {`,
      `    id-local = ${tunnel.localAddress}`,
      `    id-remote = ${tunnel.remoteAddress}`,
      `    secret = ${psk.kind === 'value' ? hex(psk.secret) : `\${${tunnel.pskVariable}}`}`,
      '  }',
    ].join('\n'),
  );
  return [
    ...header,
    'connections {',
    plan.tunnels.map((tunnel) => connection(plan, tunnel, profile)).join('\n'),
    '}',
    'secrets {',
    secrets.join('\n'),
    '}',
    '',
  ].join('\n');
}

/** charon settings: the DPD mapping's retransmission, and the plugins the lab profile needs. */
export function renderStrongswanConf(plan: DevicePlan, profile: ExportProfile): string {
  const r = plan.dpd.retransmit;
  const lines = [
    `# Generated by vwan-ha export device: charon settings for ${plan.device.name} (profile ${profile}).`,
    '# Include it from /etc/strongswan.conf (include /etc/strongswan.d/vwan-ha.conf) or copy the values.',
    '# IKEv2 DPD: a peer is dead when a DPD request sent after dpd_delay stays unanswered through',
    `# retransmit_tries (${r.tries}) retransmissions every retransmit_timeout (${r.timeoutSeconds} s, base 1: no backoff),`,
    `# ${r.windowSeconds} s in all; with dpd_delay that is Azure's dpdTimeoutSeconds. These settings are global to charon.`,
    'charon {',
  ];
  if (profile === 'lab') {
    lines.push(
      '  load_modular = no',
      '  load = random nonce aes sha1 sha2 hmac gmp kdf socket-default kernel-libipsec kernel-netlink vici',
      '  install_virtual_ip = no',
      `  routing_table = ${LAB_ROUTING_TABLE}`,
      `  routing_table_prio = ${LAB_ROUTING_TABLE_PRIO}`,
    );
  } else {
    lines.push(
      '  # Route-based over XFRM interfaces: the routing daemon routes, charon installs no routes.',
      '  install_routes = no',
    );
  }
  lines.push(
    `  retransmit_timeout = ${r.timeoutSeconds}`,
    `  retransmit_base = ${r.base}`,
    `  retransmit_tries = ${r.tries}`,
    '  retransmit_jitter = 0',
  );
  if (profile === 'lab') {
    lines.push('  plugins {', '    kernel-libipsec {', '      allow_peer_ts = no', '    }', '  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}

/** The azure profile's updown script: each XFRM interface follows its CHILD_SA. */
export function renderUpdown(plan: DevicePlan): string {
  const cases = plan.tunnels.map((tunnel) => `  ${tunnel.index}) dev=${tunnel.interfaceName} ;;`);
  return [
    '#!/bin/sh',
    `# Generated by vwan-ha export device for ${plan.device.name}: strongSwan updown script (swanctl.conf: updown = ${UPDOWN_PATH}).`,
    '# deadTunnelRoutes withdrawOnDpd: a tunnel interface is up only while its CHILD_SA is installed, so',
    '# when DPD declares Azure dead or Azure deletes the tunnel, the routes over it leave the routing table',
    '# at once (static routes via the interface, and BGP routes whose next hop it carries).',
    'case "$PLUTO_IF_ID_OUT" in',
    ...cases,
    '  *) exit 0 ;;',
    'esac',
    'case "$PLUTO_VERB" in',
    '  up-client | up-host) ip link set "$dev" up ;;',
    '  down-client | down-host) ip link set "$dev" down ;;',
    'esac',
    '',
  ].join('\n');
}
