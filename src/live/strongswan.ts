/**
 * strongSwan for the live lab: one `charon-systemd` per tunnel namespace, each with its
 * own strongswan.conf (STRONGSWAN_CONF) and vici socket in the lab directory.
 *
 * The machine has no kernel ESP/XFRM, so charon uses the kernel-libipsec plugin:
 * userland ESP on a TUN device (`ipsec0`), UDP-encapsulated only (`encap = yes`).
 * libipsec is policy-based; with 0.0.0.0/0 selectors and one tunnel per namespace the
 * namespace becomes a route-based tunnel the router in front of it can ECMP across.
 * See docs/LIVE-LAB.md for why each setting is what it is.
 */
import { existsSync } from 'node:fs';
import { assertCidr4, assertIdent, assertIpv4, type RunResult, run, waitFor } from './exec.ts';
import type { Lab } from './netns.ts';
import { makePrivate } from './private-files.ts';

/** Azure's default IPsec policy parameters that the libipsec build here can do (no GCM plugin). */
export const IKE_PROPOSAL = 'aes128-sha256-modp2048';
export const ESP_PROPOSAL = 'aes128-sha256';
/** Azure S2S defaults: IKE SA lifetime 28 800 s, IPsec (child) SA lifetime 27 000 s. */
export const AZURE_IKE_LIFETIME_S = 28_800;
export const AZURE_CHILD_LIFETIME_S = 27_000;
/** charon installs its routes in this table, consulted after main (rule priority 40000). */
export const CHARON_ROUTING_TABLE = 221;
export const CHARON_ROUTING_RULE_PRIORITY = 40_000;
/** The TUN device kernel-libipsec creates in a fresh namespace. */
export const LIBIPSEC_TUN = 'ipsec0';

/**
 * How a silent peer is detected. strongSwan's `dpd_timeout` applies to IKEv1 only; with
 * IKEv2 a DPD is an empty INFORMATIONAL request sent after `dpd_delay` without inbound
 * traffic, and the peer is dead when that request has been retransmitted
 * `retransmit_tries` times without an answer (retransmission settings are global to a
 * charon, which is why each tunnel has its own charon).
 */
export interface IkeTiming {
  /** Azure's dpdTimeoutSeconds this timing was derived from. */
  readonly dpdTimeoutSeconds: number;
  readonly dpdDelaySeconds: number;
  readonly retransmitTimeoutSeconds: number;
  /** 1: no exponential backoff, every retransmission waits `retransmitTimeoutSeconds`. */
  readonly retransmitBase: number;
  readonly retransmitTries: number;
  /** dpdDelay + (tries + 1) × timeout: a silent peer is declared dead this long after its last packet. */
  readonly deadAfterSeconds: number;
}

/**
 * Maps Azure's dpdTimeoutSeconds T onto strongSwan: probe after T/3 of silence, then
 * retransmit about every 2 s (at most 15 transmissions) for the remaining 2T/3, with no
 * backoff and no jitter, so the peer is declared dead T seconds after its last packet.
 * Short retransmission intervals also keep reconnection attempts quick after an outage.
 */
export function ikeTimingFor(dpdTimeoutSeconds: number): IkeTiming {
  if (!Number.isFinite(dpdTimeoutSeconds) || dpdTimeoutSeconds < 3) {
    throw new Error(`dpdTimeoutSeconds must be at least 3, got ${dpdTimeoutSeconds}`);
  }
  const dpdDelaySeconds = Math.max(1, Math.round(dpdTimeoutSeconds / 3));
  const rest = dpdTimeoutSeconds - dpdDelaySeconds;
  const transmissions = Math.min(15, Math.max(1, Math.round(rest / 2)));
  const retransmitTimeoutSeconds = Math.round((rest / transmissions) * 1000) / 1000;
  return {
    dpdTimeoutSeconds,
    dpdDelaySeconds,
    retransmitTimeoutSeconds,
    retransmitBase: 1,
    retransmitTries: transmissions - 1,
    deadAfterSeconds: dpdDelaySeconds + transmissions * retransmitTimeoutSeconds,
  };
}

export interface IpsecTunnelConfig {
  /** Connection and child name in swanctl. */
  readonly name: string;
  /** The tunnel namespace's own address that IKE binds to (behind the public IP's NAT). */
  readonly localAddress: string;
  /** IKE identity: the local public IP, as Azure identifies peers by IP. */
  readonly localId: string;
  readonly remoteAddress: string;
  readonly remoteId: string;
  /** Written only to a 0600 file in the lab directory, hex-encoded; never logged. */
  readonly psk: string;
  readonly timing: IkeTiming;
  /** Azure's IKE SA lifetime (default 28 800 s): rekey at 90 %, hard limit exactly this. */
  readonly ikeLifetimeSeconds?: number;
  /** Azure's saLifeTimeSeconds (default 27 000 s): rekey at 90 %, hard limit exactly this. */
  readonly childLifetimeSeconds?: number;
  /** `start`: initiate at load and keep trying (Azure is never responder-only). */
  readonly startAction?: 'start' | 'none';
  /** What to do when the peer deletes the child SA (planned maintenance sends DELETE). */
  readonly closeAction?: 'start' | 'none';
  /** What to do when DPD declares the peer dead. */
  readonly dpdAction?: 'restart' | 'clear';
  readonly localTs?: readonly string[];
  readonly remoteTs?: readonly string[];
}

export function renderStrongswanConf(options: {
  readonly viciSocket: string;
  readonly logFile: string;
  readonly timing: IkeTiming;
  readonly logLevel?: number;
}): string {
  const { timing } = options;
  // Level 1 ("basic") never prints keys or the PSK; levels 4 (raw) and above could.
  const level = Math.min(2, Math.max(-1, options.logLevel ?? 1));
  return `# Generated by vwan-ha live lab. One charon per tunnel namespace.
charon {
  load_modular = no
  load = random nonce aes sha1 sha2 hmac gmp kdf socket-default kernel-libipsec kernel-netlink vici
  install_virtual_ip = no
  routing_table = ${CHARON_ROUTING_TABLE}
  routing_table_prio = ${CHARON_ROUTING_RULE_PRIORITY}
  retransmit_timeout = ${timing.retransmitTimeoutSeconds}
  retransmit_base = ${timing.retransmitBase}
  retransmit_tries = ${timing.retransmitTries}
  retransmit_jitter = 0
  plugins {
    vici {
      socket = unix://${options.viciSocket}
    }
    kernel-libipsec {
      allow_peer_ts = no
    }
  }
  filelog {
    lab {
      path = ${options.logFile}
      default = ${level}
      time_format = %F %T
      time_add_ms = yes
      flush_line = yes
      append = yes
    }
  }
}
charon-systemd {
  journal {
    default = -1
  }
}
swanctl {
  load = random
  socket = unix://${options.viciSocket}
}
`;
}

export function renderSwanctlConf(tunnels: readonly IpsecTunnelConfig[]): string {
  const connections = tunnels.map((t) => {
    const name = assertIdent(t.name, 'connection name');
    const ike = lifetimePlan(t.ikeLifetimeSeconds ?? AZURE_IKE_LIFETIME_S);
    const child = lifetimePlan(t.childLifetimeSeconds ?? AZURE_CHILD_LIFETIME_S);
    const localTs = (t.localTs ?? ['0.0.0.0/0']).map((ts) => assertCidr4(ts, 'traffic selector')).join(',');
    const remoteTs = (t.remoteTs ?? ['0.0.0.0/0']).map((ts) => assertCidr4(ts, 'traffic selector')).join(',');
    return `  ${name} {
    version = 2
    local_addrs = ${assertIpv4(t.localAddress)}
    remote_addrs = ${assertIpv4(t.remoteAddress)}
    encap = yes
    mobike = no
    proposals = ${IKE_PROPOSAL}
    dpd_delay = ${t.timing.dpdDelaySeconds}s
    rekey_time = ${ike.rekey}s
    over_time = ${ike.over}s
    keyingtries = 0
    local {
      auth = psk
      id = ${assertIpv4(t.localId, 'local id')}
    }
    remote {
      auth = psk
      id = ${assertIpv4(t.remoteId, 'remote id')}
    }
    children {
      ${name} {
        local_ts = ${localTs}
        remote_ts = ${remoteTs}
        esp_proposals = ${ESP_PROPOSAL}
        rekey_time = ${child.rekey}s
        life_time = ${child.life}s
        start_action = ${t.startAction ?? 'start'}
        close_action = ${t.closeAction ?? 'start'}
        dpd_action = ${t.dpdAction ?? 'restart'}
      }
    }
  }`;
  });
  const secrets = tunnels.map(
    (t) => `  ike-${t.name} {
    id-local = ${t.localId}
    id-remote = ${t.remoteId}
    secret = 0x${Buffer.from(t.psk, 'utf8').toString('hex')}
  }`,
  );
  return `# Generated by vwan-ha live lab. Holds pre-shared keys: mode 0600, never log it.
connections {
${connections.join('\n')}
}
secrets {
${secrets.join('\n')}
}
`;
}

/**
 * Rekey before the peer's lifetime runs out: at 90 % of it, with the hard limit (IKE:
 * rekey + over_time; CHILD: life_time) exactly the peer's, so neither side lets an SA
 * expire under the other (the same plan as the device export, src/export/timing.ts).
 */
function lifetimePlan(lifetime: number): { rekey: number; over: number; life: number } {
  if (!Number.isInteger(lifetime) || lifetime < 60) throw new Error(`invalid SA lifetime ${lifetime}`);
  const rekey = Math.round(lifetime * 0.9);
  return { rekey, over: lifetime - rekey, life: lifetime };
}

export interface ChildSaStatus {
  readonly name: string;
  readonly state: string;
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
}

export interface IkeSaStatus {
  readonly name: string;
  readonly uniqueId: number;
  /** ESTABLISHED, CONNECTING, DELETING, … */
  readonly state: string;
  readonly localHost: string;
  readonly remoteHost: string;
  readonly children: readonly ChildSaStatus[];
}

type ViciValue = string | string[] | ViciSection;
interface ViciSection {
  [key: string]: ViciValue;
}

/** Parses `swanctl --pretty` output: sections `name {`, `key = value`, lists `key = [ … ]`. */
export function parseViciPretty(text: string): ViciSection[] {
  const events: ViciSection[] = [];
  const stack: ViciSection[] = [];
  let list: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (list) {
      if (line === ']') list = undefined;
      else list.push(line);
      continue;
    }
    const top = stack[stack.length - 1];
    if (line === '}') {
      stack.pop();
      continue;
    }
    const open = /^(.*?)\s*\{$/.exec(line);
    if (open) {
      const section: ViciSection = {};
      if (top) top[open[1] as string] = section;
      else if (open[1] === 'list-sa event') events.push(section);
      stack.push(section);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && top) {
      if (pair[2] === '[') {
        list = [];
        top[pair[1] as string] = list;
      } else {
        top[pair[1] as string] = pair[2] as string;
      }
    }
  }
  return events;
}

function field(section: ViciSection, key: string): string {
  const value = section[key];
  return typeof value === 'string' ? value : '';
}

function sectionsOf(value: ViciValue | undefined): [string, ViciSection][] {
  if (value === undefined || typeof value === 'string' || Array.isArray(value)) return [];
  return Object.entries(value).filter(
    (e): e is [string, ViciSection] => typeof e[1] === 'object' && !Array.isArray(e[1]),
  );
}

export function parseListSas(text: string): IkeSaStatus[] {
  return parseViciPretty(text).flatMap((event) =>
    sectionsOf(event).map(([name, sa]) => ({
      name,
      uniqueId: Number(field(sa, 'uniqueid')),
      state: field(sa, 'state'),
      localHost: field(sa, 'local-host'),
      remoteHost: field(sa, 'remote-host'),
      children: sectionsOf(sa['child-sas']).map(([, child]) => ({
        name: field(child, 'name'),
        state: field(child, 'state'),
        bytesIn: Number(field(child, 'bytes-in') || 0),
        packetsIn: Number(field(child, 'packets-in') || 0),
        bytesOut: Number(field(child, 'bytes-out') || 0),
        packetsOut: Number(field(child, 'packets-out') || 0),
      })),
    })),
  );
}

/** One charon-systemd in one namespace, driven through its own vici socket. */
export class Charon {
  private constructor(
    readonly lab: Lab,
    readonly netns: string,
    readonly name: string,
    readonly confFile: string,
    readonly viciSocket: string,
  ) {}

  /** Starts charon in `netns` and waits until its vici socket answers. */
  static async start(
    lab: Lab,
    options: { netns: string; name: string; timing: IkeTiming; logLevel?: number },
  ): Promise<Charon> {
    const name = assertIdent(options.name, 'charon name');
    const viciSocket = lab.path(`${name}.vici`);
    const logFile = lab.path(`${name}.charon.log`);
    const confFile = lab.writePrivateFile(
      `${name}.strongswan.conf`,
      renderStrongswanConf({ viciSocket, logFile, timing: options.timing, logLevel: options.logLevel }),
    );
    // A restarted charon (a rebooted instance) appends to its predecessor's log.
    if (!existsSync(logFile)) lab.writePrivateFile(`${name}.charon.log`, '');
    await lab.startDaemon({
      name,
      netns: options.netns,
      argv: ['charon-systemd'],
      env: { STRONGSWAN_CONF: confFile },
    });
    const charon = new Charon(lab, options.netns, name, confFile, viciSocket);
    try {
      await waitFor(
        `charon ${name} vici socket`,
        async () => (existsSync(viciSocket) && (await charon.swanctl(['--stats'], 2000)) ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${lab.logTail(name)}`);
    }
    // charon makes its vici socket 0770: in the lab, root's only.
    makePrivate(viciSocket);
    return charon;
  }

  /** A handle on a charon this lab started earlier (possibly from another process). */
  static existing(lab: Lab, netns: string, name: string): Charon {
    assertIdent(name, 'charon name');
    return new Charon(lab, netns, name, lab.path(`${name}.strongswan.conf`), lab.path(`${name}.vici`));
  }

  /** Runs swanctl against this charon's vici socket (from the root namespace: vici is a file). */
  swanctl(args: readonly string[], timeoutMs = 15_000): Promise<RunResult> {
    return run(['swanctl', ...args, '--uri', `unix://${this.viciSocket}`], {
      env: { STRONGSWAN_CONF: this.confFile },
      timeoutMs,
    });
  }

  /** Writes swanctl.conf (0600: it holds the PSKs) and loads connections and secrets. */
  async loadTunnels(tunnels: readonly IpsecTunnelConfig[]): Promise<void> {
    const file = this.lab.writePrivateFile(`${this.name}.swanctl.conf`, renderSwanctlConf(tunnels));
    await this.swanctl(['--load-all', '--file', file]);
  }

  /**
   * Loads the swanctl.conf written for this charon earlier (0600 in the lab directory: the
   * exporter's file for a device tunnel, the lab's for an Azure end); a restart loads the same file.
   */
  async reload(): Promise<void> {
    await this.swanctl(['--load-all', '--file', this.lab.path(`${this.name}.swanctl.conf`)]);
  }

  /**
   * Unloads every connection (swanctl unloads whatever a loaded file does not name): from
   * now on the daemon answers no IKE_SA_INIT, as an Azure end that has stopped. SAs that
   * exist stay until terminated.
   */
  async unloadAll(): Promise<void> {
    const file = this.lab.writePrivateFile(`${this.name}.empty.swanctl.conf`, 'connections {\n}\n');
    await this.swanctl(['--load-conns', '--file', file]);
  }

  async listSas(): Promise<IkeSaStatus[]> {
    const { stdout } = await this.swanctl(['--list-sas', '--pretty']);
    return parseListSas(stdout);
  }

  /** True when `name` has an ESTABLISHED IKE SA with an INSTALLED child. */
  async isUp(name: string): Promise<boolean> {
    const sas = await this.listSas();
    return sas.some(
      (sa) =>
        sa.name === name && sa.state === 'ESTABLISHED' && sa.children.some((c) => c.state === 'INSTALLED'),
    );
  }

  async waitUp(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `IPsec tunnel ${name} in ${this.netns}`,
      async () => ((await this.isUp(name)) ? true : undefined),
      {
        timeoutMs,
        intervalMs: 100,
      },
    );
  }

  /** Graceful close: sends an IKE DELETE to the peer, as a planned maintenance would. */
  async terminate(name: string, timeoutSeconds = 10): Promise<void> {
    await this.swanctl(
      ['--terminate', '--ike', assertIdent(name, 'connection name'), '--timeout', String(timeoutSeconds)],
      (timeoutSeconds + 5) * 1000,
    );
  }

  async initiate(name: string): Promise<void> {
    await this.swanctl(
      ['--initiate', '--child', assertIdent(name, 'connection name'), '--timeout', '20'],
      25_000,
    );
  }

  async stop(): Promise<void> {
    await this.lab.stopProcess(this.name);
  }
}
