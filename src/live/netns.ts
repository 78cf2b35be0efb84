/**
 * A lab: a set of network namespaces, the links between them and the daemons inside
 * them, all named with one prefix (`vh<id>-`) and all recorded in one lab directory.
 *
 * Destroying a lab stops its processes first (a namespace that still has a process in
 * it outlives `ip netns del`), then deletes its namespaces — which takes the veths,
 * bridges, routes and nft tables inside them along — then removes its directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertCidr4,
  assertIdent,
  assertIfName,
  assertIpv4,
  assertNetnsName,
  type RunOptions,
  type RunResult,
  run,
  runIn,
} from './exec.ts';
import { removeFrrTempDirs } from './frr.ts';
import { type LabProcessRecord, LabState, labPrefix, labRoot, randomLabId } from './lab-state.ts';
import { openPrivateAppend, writePrivateFileAt } from './private-files.ts';
import {
  killProcess,
  labToolsUnder,
  type ProcessIdentity,
  processIdentity,
  type StopOutcome,
  stopProcess,
} from './proc.ts';
import { redactSecrets } from './secret.ts';

/**
 * Every lab namespace routes (ip_forward), accepts asymmetric paths (rp_filter off: ECMP
 * and failover send replies down other tunnels), hashes ECMP per flow on the L4 5-tuple
 * (policy 1), and has no IPv6 so router solicitations do not add noise to captures.
 */
export const LAB_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  'net.ipv4.fib_multipath_hash_policy': '1',
  'net.ipv6.conf.all.disable_ipv6': '1',
  'net.ipv6.conf.default.disable_ipv6': '1',
};

export interface VethEnd {
  readonly netns: string;
  readonly ifname: string;
  /** Address with prefix length, e.g. `100.64.0.1/30`. */
  readonly cidr?: string;
}

export interface NextHop {
  readonly via: string;
  readonly dev?: string;
  readonly weight?: number;
}

export interface RouteSpec {
  /** `default` or an IPv4 prefix. */
  readonly dst: string;
  readonly via?: string;
  readonly dev?: string;
  readonly src?: string;
  readonly table?: number;
  readonly metric?: number;
  /** Several next hops make an ECMP route (hashed per flow, see LAB_SYSCTLS). */
  readonly nexthops?: readonly NextHop[];
  readonly type?: 'unicast' | 'blackhole' | 'unreachable';
}

/** One route as `ip -j route` prints it (the fields the lab reads). */
export interface KernelRoute {
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly protocol?: string;
  readonly metric?: number;
  readonly nexthops?: readonly { gateway: string; dev: string; weight: number }[];
}

export interface RuleSpec {
  readonly priority: number;
  readonly table: number;
  readonly iif?: string;
  readonly from?: string;
}

export interface DaemonSpec {
  /** Unique within the lab; names the log file `<name>.log`. */
  readonly name: string;
  readonly netns: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface DestroyReport {
  readonly namespaces: string[];
  readonly processesStopped: number;
  /** Recorded processes that ignored SIGTERM for the grace period and were killed. */
  readonly needingKill: string[];
}

/**
 * How long teardown waits after SIGTERM before SIGKILL. Short on purpose: when both ends
 * of a tunnel get SIGTERM together, one charon receives the other's DELETE, re-initiates
 * (close_action = start) while shutting down, and then hangs until killed. Nothing a
 * daemon could clean up on a graceful exit outlives its namespace anyway.
 */
const TEARDOWN_GRACE_MS = 1000;

/** Names of all network namespaces (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/** Pids of the processes in a namespace (`ip netns pids`); empty if it is gone. */
export async function netnsPids(netns: string): Promise<number[]> {
  const result = await run(['ip', 'netns', 'pids', assertNetnsName(netns)], { check: false });
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split(/\s+/)
    .filter((token) => /^\d+$/.test(token))
    .map(Number);
}

/** Stops every process inside `netns` (they are ours by construction), then deletes it. */
export async function deleteNetns(netns: string): Promise<number> {
  let stopped = 0;
  const seen = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const pids = await netnsPids(netns);
    if (pids.length === 0) break;
    for (const pid of pids) seen.add(pid);
    const identities = (await Promise.all(pids.map((pid) => processIdentity(pid)))).filter(
      (identity): identity is ProcessIdentity => identity !== undefined,
    );
    const results = await Promise.all(identities.map((identity) => stopProcess(identity, TEARDOWN_GRACE_MS)));
    stopped += results.filter((outcome) => outcome !== 'gone').length;
  }
  await run(['ip', 'netns', 'del', netns], { check: false });
  await removeFrrTempDirs(seen);
  return stopped;
}

export interface LabOptions {
  /** Four lowercase letters or digits; random when omitted. */
  readonly id?: string;
  /** Parent directory of lab directories; default /run/vwan-ha (or $VWAN_HA_LAB_ROOT). */
  readonly root?: string;
  /** Namespace names start with this plus the id (default `vh`, see `labPrefix`). */
  readonly namespaceFamily?: string;
}

export class Lab {
  private readonly attached = new Map<number, ChildProcess>();

  private constructor(
    readonly root: string,
    private readonly state: LabState,
  ) {}

  /** Creates a new, empty lab owned by this process. */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const root = labRoot(options.root);
    const family = options.namespaceFamily ?? 'vh';
    const existing = new Set(await listNetns());
    let id = options.id;
    if (id === undefined) {
      do id = randomLabId();
      while (existsSync(join(root, id)) || [...existing].some((name) => name.startsWith(`${family}${id}-`)));
    }
    const owner = await processIdentity(process.pid);
    if (!owner) throw new Error('cannot read this process from /proc');
    return new Lab(root, LabState.create(root, id, owner, family));
  }

  /** Opens an existing lab by id (for `lab down` or crash cleanup from another process). */
  static open(id: string, root?: string): Lab {
    labPrefix(id);
    const chosenRoot = labRoot(root);
    return new Lab(chosenRoot, LabState.load(join(chosenRoot, id)));
  }

  get id(): string {
    return this.state.snapshot.id;
  }

  get prefix(): string {
    return this.state.snapshot.prefix;
  }

  get dir(): string {
    return this.state.dir;
  }

  get record(): Readonly<LabState['snapshot']> {
    return this.state.snapshot;
  }

  /** The namespace name for a role, e.g. `inet` → `vhk3x9-inet`. */
  netns(role: string): string {
    return assertNetnsName(`${this.prefix}${assertIfName(role)}`);
  }

  /** A path inside the lab directory for a simple file name. */
  path(fileName: string): string {
    if (!/^[a-z0-9][a-z0-9._-]{0,80}$/.test(fileName)) throw new Error(`invalid lab file name ${fileName}`);
    return join(this.dir, fileName);
  }

  /**
   * Writes a file readable by root only (0600, whatever the umask, set before the content
   * is written; created fresh, never through a symlink); for configs and anything holding a secret.
   */
  writePrivateFile(fileName: string, content: string): string {
    return writePrivateFileAt(this.path(fileName), content);
  }

  /** Runs a command inside one of this lab's namespaces. */
  async exec(netns: string, argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.assertOwnNetns(netns);
    return runIn(netns, argv, options);
  }

  // --- Namespaces and links ---------------------------------------------------------------

  /** Creates the namespace for `role` with loopback up and the lab sysctls; returns its name. */
  async addNamespace(role: string, sysctls: Readonly<Record<string, string>> = LAB_SYSCTLS): Promise<string> {
    const netns = this.netns(role);
    this.state.update((draft) => {
      if (!draft.namespaces.includes(netns)) draft.namespaces.push(netns);
    });
    await run(['ip', 'netns', 'add', netns]);
    await run(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
    const settings = Object.entries(sysctls).map(([key, value]) => {
      if (!/^[a-z0-9_.]+$/.test(key) || !/^[0-9]+$/.test(value))
        throw new Error(`invalid sysctl ${key}=${value}`);
      return `${key}=${value}`;
    });
    if (settings.length > 0) await runIn(netns, ['sysctl', '-q', '-w', ...settings]);
    return netns;
  }

  /** A veth pair created directly in its two namespaces (never in the root one), both ends up. */
  async addVeth(a: VethEnd, b: VethEnd, options: { mtu?: number } = {}): Promise<void> {
    this.assertOwnNetns(a.netns);
    this.assertOwnNetns(b.netns);
    assertIfName(a.ifname);
    assertIfName(b.ifname);
    this.state.update((draft) => {
      draft.veths.push({ netns: a.netns, ifname: a.ifname, peerNetns: b.netns, peerIfname: b.ifname });
    });
    const mtu = options.mtu === undefined ? [] : ['mtu', String(options.mtu)];
    await run([
      'ip',
      'link',
      'add',
      a.ifname,
      'netns',
      a.netns,
      ...mtu,
      'type',
      'veth',
      'peer',
      'name',
      b.ifname,
      'netns',
      b.netns,
      ...mtu,
    ]);
    for (const end of [a, b]) {
      if (end.cidr !== undefined) await this.addAddress(end.netns, end.ifname, end.cidr);
      await run(['ip', '-n', end.netns, 'link', 'set', end.ifname, 'up']);
    }
  }

  async addBridge(netns: string, name: string): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'link', 'add', assertIfName(name), 'type', 'bridge']);
    await run(['ip', '-n', netns, 'link', 'set', name, 'up']);
  }

  async setMaster(netns: string, ifname: string, bridge: string): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'link', 'set', assertIfName(ifname), 'master', assertIfName(bridge)]);
  }

  async addAddress(netns: string, ifname: string, cidr: string): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'addr', 'add', assertCidr4(cidr), 'dev', assertIfName(ifname)]);
  }

  async delAddress(netns: string, ifname: string, cidr: string): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'addr', 'del', assertCidr4(cidr), 'dev', assertIfName(ifname)]);
  }

  /**
   * Moves an address between interfaces (possibly namespaces), as Azure moves a public IP
   * between instances, and announces it with gratuitous ARP so neighbours update at once.
   */
  async moveAddress(
    from: { netns: string; ifname: string },
    to: { netns: string; ifname: string },
    cidr: string,
  ): Promise<void> {
    await this.delAddress(from.netns, from.ifname, cidr);
    await this.addAddress(to.netns, to.ifname, cidr);
    await this.announceAddress(to.netns, to.ifname, cidr.split('/')[0] as string);
  }

  /** Unsolicited (gratuitous) ARP for `address` out of `ifname`; sent at once, arping then lingers ~1 s. */
  async announceAddress(netns: string, ifname: string, address: string, count = 1): Promise<void> {
    this.assertOwnNetns(netns);
    await runIn(netns, [
      'arping',
      '-U',
      '-c',
      String(integer(count, 'count')),
      '-I',
      assertIfName(ifname),
      assertIpv4(address),
    ]);
  }

  async setLink(netns: string, ifname: string, state: 'up' | 'down'): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'link', 'set', assertIfName(ifname), state]);
  }

  async addRoute(netns: string, route: RouteSpec): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'route', 'add', ...routeArgs(route)]);
  }

  async replaceRoute(netns: string, route: RouteSpec): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'route', 'replace', ...routeArgs(route)]);
  }

  /**
   * Many route changes in one `ip -batch` (one process, not one per route: a site may
   * announce Azure's 4,000 prefixes). Every line is built from checked arguments, as
   * for one route. `del` of a route that is not there is no error (`-force` goes on).
   */
  async changeRoutes(
    netns: string,
    changes: readonly { readonly op: 'add' | 'replace' | 'del'; readonly route: RouteSpec }[],
  ): Promise<void> {
    this.assertOwnNetns(netns);
    if (changes.length === 0) return;
    const lines = changes.map(({ op, route }) => ['route', op, ...routeArgs(route)].join(' '));
    const result = await run(['ip', '-n', netns, '-force', '-batch', '-'], {
      input: `${lines.join('\n')}\n`,
      check: false,
      timeoutMs: 120_000,
    });
    // -force makes ip exit 1 when any line failed; only failures other than deleting a missing route count.
    const failed = result.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/No such process|Command failed -:\d+$/.test(line));
    if (result.timedOut || (result.exitCode !== 0 && failed.length > 0)) {
      throw new Error(
        `ip -n ${netns} -batch: ${result.timedOut ? 'timed out' : failed.slice(0, 5).join('; ')}`,
      );
    }
  }

  /** The routes of a namespace's table (`ip -j route show`), parsed. */
  async routes(netns: string, table: number | 'main' = 'main'): Promise<KernelRoute[]> {
    this.assertOwnNetns(netns);
    const { stdout } = await run(['ip', '-n', netns, '-j', 'route', 'show', 'table', String(table)]);
    return stdout.trim() ? (JSON.parse(stdout) as KernelRoute[]) : [];
  }

  async delRoute(netns: string, route: RouteSpec): Promise<void> {
    this.assertOwnNetns(netns);
    await run(['ip', '-n', netns, 'route', 'del', ...routeArgs(route)]);
  }

  async addRule(netns: string, rule: RuleSpec): Promise<void> {
    this.assertOwnNetns(netns);
    const match = [
      ...(rule.iif === undefined ? [] : ['iif', assertIfName(rule.iif)]),
      ...(rule.from === undefined ? [] : ['from', assertCidr4(rule.from)]),
    ];
    await run([
      'ip',
      '-n',
      netns,
      'rule',
      'add',
      ...match,
      'lookup',
      String(integer(rule.table, 'table')),
      'priority',
      String(integer(rule.priority, 'priority')),
    ]);
  }

  /** Loads an nft ruleset that defines exactly one table (see nft.ts), replacing it if present. */
  async applyNftTable(netns: string, table: { family: string; name: string; text: string }): Promise<void> {
    this.assertOwnNetns(netns);
    assertIdent(table.name, 'nft table name');
    if (table.family !== 'ip' && table.family !== 'inet' && table.family !== 'bridge')
      throw new Error(`unsupported nft family ${table.family}`);
    this.state.update((draft) => {
      if (
        !draft.nftTables.some((t) => t.netns === netns && t.family === table.family && t.name === table.name)
      ) {
        draft.nftTables.push({ netns, family: table.family, name: table.name });
      }
    });
    const file = this.writePrivateFile(`nft-${netns}-${table.name}.nft`, table.text);
    await runIn(netns, ['nft', 'delete', 'table', table.family, table.name], { check: false });
    await runIn(netns, ['nft', '-f', file]);
  }

  async deleteNftTable(netns: string, family: string, name: string): Promise<void> {
    this.assertOwnNetns(netns);
    await runIn(netns, ['nft', 'delete', 'table', family, assertIdent(name, 'nft table name')]);
    this.state.update((draft) => {
      draft.nftTables = draft.nftTables.filter(
        (t) => !(t.netns === netns && t.family === family && t.name === name),
      );
    });
  }

  // --- Processes ----------------------------------------------------------------------------

  /**
   * Starts a long-running daemon inside a namespace, detached from this process (so the
   * lab outlives a `lab up` that exits) with stdout and stderr in `<name>.log`.
   * The daemon must stay in the foreground: the pid we record is the pid it keeps,
   * because `ip netns exec` execs the command without forking.
   */
  async startDaemon(spec: DaemonSpec): Promise<LabProcessRecord> {
    this.assertOwnNetns(spec.netns);
    assertIdent(spec.name, 'process name');
    if (this.state.snapshot.processes.some((p) => p.name === spec.name)) {
      throw new Error(`lab ${this.id} already has a process named ${spec.name}`);
    }
    const logFile = this.path(`${spec.name}.log`);
    const fd = openPrivateAppend(logFile);
    try {
      const argv = ['ip', 'netns', 'exec', spec.netns, ...spec.argv];
      const child = spawn(argv[0] as string, argv.slice(1), {
        shell: false,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: spec.env ? { ...process.env, ...spec.env } : process.env,
      });
      const started = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', reject);
      });
      child.unref();
      const identity = await processIdentity(started);
      if (!identity)
        throw new Error(`${spec.name} exited at once; see ${logFile}:\n${this.logTail(spec.name)}`);
      const record: LabProcessRecord = { ...identity, name: spec.name, netns: spec.netns, argv, logFile };
      this.state.update((draft) => {
        draft.processes.push(record);
      });
      return record;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Spawns a short-lived helper inside a namespace with piped stdio (traffic endpoints).
   * It is recorded while it runs, so a crash of this process still gets it cleaned up.
   */
  async spawnAttached(spec: DaemonSpec): Promise<ChildProcess> {
    this.assertOwnNetns(spec.netns);
    assertIdent(spec.name, 'process name');
    const argv = ['ip', 'netns', 'exec', spec.netns, ...spec.argv];
    const child = spawn(argv[0] as string, argv.slice(1), {
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: spec.env ? { ...process.env, ...spec.env } : process.env,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', reject);
    });
    const identity = await processIdentity(pid);
    if (identity) {
      this.state.update((draft) => {
        draft.processes.push({ ...identity, name: spec.name, netns: spec.netns, argv });
      });
      this.attached.set(pid, child);
      child.once('exit', () => {
        this.attached.delete(pid);
        this.forgetProcess(pid);
      });
    }
    return child;
  }

  processByName(name: string): LabProcessRecord | undefined {
    return this.state.snapshot.processes.find((p) => p.name === name);
  }

  /** Stops a recorded process (verified by start time) and forgets it. */
  async stopProcess(name: string, graceMs = 3000): Promise<StopOutcome> {
    const record = this.processByName(name);
    if (!record) return 'gone';
    const outcome = await stopProcess(record, graceMs);
    this.forgetProcess(record.pid);
    await removeFrrTempDirs([record.pid]);
    return outcome;
  }

  /** Kills a recorded process with SIGKILL at once (a silent death) and forgets it. */
  async killProcess(name: string): Promise<StopOutcome> {
    const record = this.processByName(name);
    if (!record) return 'gone';
    const outcome = await killProcess(record);
    this.forgetProcess(record.pid);
    await removeFrrTempDirs([record.pid]);
    return outcome;
  }

  /** The last lines of a daemon's log, for error messages. */
  logTail(name: string, lines = 20): string {
    try {
      return readFileSync(this.path(`${name}.log`), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }

  private forgetProcess(pid: number): void {
    if (!this.state.snapshot.processes.some((p) => p.pid === pid)) return;
    this.state.update((draft) => {
      draft.processes = draft.processes.filter((p) => p.pid !== pid);
    });
  }

  // --- Life cycle ---------------------------------------------------------------------------

  /** The lab is built; from now on a crash of its owner leaves it stale until detached. */
  markUp(): void {
    this.state.update((draft) => {
      draft.phase = 'up';
    });
  }

  /** Leaves the lab running on purpose after this process exits (`lab up`). */
  detach(): void {
    this.state.update((draft) => {
      draft.detached = true;
    });
  }

  /**
   * Removes everything: processes (recorded ones verified by start time, then anything
   * still inside a lab namespace), namespaces (recorded and any other with the prefix),
   * and the lab directory. Safe to call twice, and on a half-built lab.
   */
  async destroy(): Promise<DestroyReport> {
    if (existsSync(this.dir)) {
      this.state.update((draft) => {
        draft.phase = 'destroying';
      });
    }
    for (const child of this.attached.values()) child.kill('SIGKILL');
    const recorded = this.state.snapshot.processes;
    const outcomes = await Promise.all(recorded.map((p) => stopProcess(p, TEARDOWN_GRACE_MS)));
    const needingKill = recorded.filter((_, i) => outcomes[i] === 'killed').map((p) => p.name);
    let processesStopped = outcomes.filter((outcome) => outcome !== 'gone').length;
    const present = (await listNetns()).filter((name) => name.startsWith(this.prefix));
    const namespaces = [...new Set([...this.state.snapshot.namespaces, ...present])].filter((name) =>
      present.includes(name),
    );
    const counts = await Promise.all(namespaces.map((netns) => deleteNetns(netns)));
    processesStopped += counts.reduce((sum, n) => sum + n, 0);
    // A tool a killed lab process left running on the lab's files (swanctl, birdc …): not in a
    // namespace, but its command line names the lab directory.
    const tools = await labToolsUnder(this.dir);
    const toolOutcomes = await Promise.all(
      tools.map(async ({ pid }) => {
        const identity = await processIdentity(pid);
        return identity ? stopProcess(identity, TEARDOWN_GRACE_MS) : 'gone';
      }),
    );
    processesStopped += toolOutcomes.filter((outcome) => outcome !== 'gone').length;
    await removeFrrTempDirs(recorded.map((p) => p.pid));
    rmSync(this.dir, { recursive: true, force: true });
    return { namespaces, processesStopped, needingKill };
  }

  private assertOwnNetns(netns: string): void {
    assertNetnsName(netns);
    if (!netns.startsWith(this.prefix)) throw new Error(`namespace ${netns} is not part of lab ${this.id}`);
  }
}

function integer(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`invalid ${what} ${value}`);
  return value;
}

/** The `ip route` arguments for a route, every value validated. */
export function routeArgs(route: RouteSpec): string[] {
  const args: string[] = [];
  if (route.type && route.type !== 'unicast') args.push(route.type);
  args.push(route.dst === 'default' ? 'default' : assertCidr4(route.dst, 'route destination'));
  if (route.via !== undefined) args.push('via', assertIpv4(route.via, 'next hop'));
  if (route.dev !== undefined) args.push('dev', assertIfName(route.dev));
  if (route.src !== undefined) args.push('src', assertIpv4(route.src, 'source address'));
  if (route.table !== undefined) args.push('table', String(integer(route.table, 'table')));
  if (route.metric !== undefined) args.push('metric', String(integer(route.metric, 'metric')));
  for (const hop of route.nexthops ?? []) {
    args.push('nexthop', 'via', assertIpv4(hop.via, 'next hop'));
    if (hop.dev !== undefined) args.push('dev', assertIfName(hop.dev));
    if (hop.weight !== undefined) args.push('weight', String(integer(hop.weight, 'weight')));
  }
  return args;
}

/**
 * On Ctrl-C (or SIGTERM/SIGHUP) destroys the lab, then exits. Returns a function that
 * removes the handlers again.
 */
export function destroyOnSignal(lab: Lab): () => void {
  let destroying = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (destroying) return;
    destroying = true;
    process.stderr.write(`\n${signal}: tearing down lab ${lab.id}\n`);
    void lab
      .destroy()
      .catch((error: unknown) => process.stderr.write(redactSecrets(`teardown failed: ${String(error)}\n`)))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}
