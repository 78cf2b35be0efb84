/**
 * `vwan-ha lab doctor`: can this machine run the live lab, and if not, exactly what is
 * missing and the one apt-get line that fixes it.
 *
 * Binaries are found on disk and versions read from dpkg, never by running the daemons:
 * `charon-systemd --version` does not print a version, it starts an IKE daemon.
 * Kernel features are probed for real in a throw-away namespace (named like a lab's,
 * so a doctor killed mid-probe is cleaned up like any crashed lab).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import { run } from './exec.ts';

export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  /** False for checks that only inform (FRR, kernel ESP). */
  readonly required: boolean;
  readonly detail: string;
  /** Debian package that provides the missing piece. */
  readonly package?: string;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
  readonly missingPackages: readonly string[];
  /** The command that installs what is missing, if packages are. */
  readonly fix?: string;
}

export const LAB_PACKAGES = [
  'strongswan-swanctl',
  'charon-systemd',
  'libcharon-extra-plugins',
  'bird2',
  'nftables',
  'iproute2',
  'iputils-arping',
  'procps',
] as const;

export const OPTIONAL_PACKAGES = ['frr'] as const;

interface Requirement {
  readonly what: string;
  readonly package: string;
  readonly required: boolean;
  /** An executable name looked up on PATH (plus sbin), or an absolute file path. */
  readonly file: string;
}

const REQUIREMENTS: readonly Requirement[] = [
  { what: 'ip (iproute2)', package: 'iproute2', required: true, file: 'ip' },
  { what: 'nft', package: 'nftables', required: true, file: 'nft' },
  { what: 'sysctl', package: 'procps', required: true, file: 'sysctl' },
  { what: 'charon-systemd (IKE daemon)', package: 'charon-systemd', required: true, file: 'charon-systemd' },
  { what: 'swanctl', package: 'strongswan-swanctl', required: true, file: 'swanctl' },
  {
    what: 'strongSwan kernel-libipsec plugin (userland ESP)',
    package: 'libcharon-extra-plugins',
    required: true,
    file: '/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so',
  },
  { what: 'bird (BGP)', package: 'bird2', required: true, file: 'bird' },
  { what: 'birdc', package: 'bird2', required: true, file: 'birdc' },
  {
    what: 'arping (gratuitous ARP on public-IP moves)',
    package: 'iputils-arping',
    required: true,
    file: 'arping',
  },
  { what: 'FRR bgpd (alternative BGP speaker)', package: 'frr', required: false, file: '/usr/lib/frr/bgpd' },
];

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of an executable on PATH (and the sbin directories), or of a file given absolutely. */
export async function findExecutable(file: string): Promise<string | undefined> {
  if (file.startsWith('/')) {
    try {
      await access(file, constants.R_OK);
      return file;
    } catch {
      return undefined;
    }
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, file);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function packageVersion(pkg: string): Promise<string | undefined> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template.
  const result = await run(['dpkg-query', '-W', '-f', '${Version}', pkg], {
    check: false,
    timeoutMs: 5000,
  }).catch(() => undefined);
  return result?.exitCode === 0 && result.stdout.trim() ? result.stdout.trim() : undefined;
}

const PROBE_NETNS = 'vhdoct-probe';

async function probe(argv: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  const result = await run(argv, { check: false, timeoutMs: 10_000 }).catch((error: Error) => ({
    exitCode: 1,
    stderr: error.message,
    stdout: '',
  }));
  const ok = result.exitCode === 0;
  const said = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
  return {
    ok,
    detail: ok ? 'works' : `failed: ${said || `${argv.join(' ')} exited with ${result.exitCode}`}`,
  };
}

/** Kernel features, tried for real inside a temporary namespace. Needs root and ip. */
async function kernelChecks(haveNft: boolean): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const ns = PROBE_NETNS;
  await run(['ip', 'netns', 'del', ns], { check: false });
  const add = await probe(['ip', 'netns', 'add', ns]);
  checks.push({ name: 'network namespaces (ip netns add)', ok: add.ok, required: true, detail: add.detail });
  if (!add.ok) return checks;
  try {
    const inNs = (argv: readonly string[]): Promise<{ ok: boolean; detail: string }> =>
      probe(['ip', '-n', ns, ...argv]);
    const veth = await inNs(['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    checks.push({ name: 'veth pairs', ok: veth.ok, required: true, detail: veth.detail });
    const bridge = await inNs(['link', 'add', 'b0', 'type', 'bridge']);
    checks.push({ name: 'bridges', ok: bridge.ok, required: true, detail: bridge.detail });
    if (veth.ok) {
      await inNs(['addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
      await inNs(['link', 'set', 'v0', 'up']);
      await inNs(['link', 'set', 'v1', 'up']);
      const ecmp = await inNs([
        'route',
        'add',
        '198.51.100.0/24',
        'nexthop',
        'via',
        '192.0.2.2',
        'nexthop',
        'via',
        '192.0.2.3',
      ]);
      checks.push({ name: 'multipath (ECMP) routes', ok: ecmp.ok, required: true, detail: ecmp.detail });
    }
    const hash = await probe([
      'ip',
      'netns',
      'exec',
      ns,
      'sysctl',
      '-q',
      '-w',
      'net.ipv4.fib_multipath_hash_policy=1',
    ]);
    checks.push({
      name: 'per-flow L4 ECMP hashing (fib_multipath_hash_policy)',
      ok: hash.ok,
      required: true,
      detail: hash.detail,
    });
    if (haveNft) {
      const nft = await probe(['ip', 'netns', 'exec', ns, 'nft', 'add', 'table', 'inet', 'vwanha_probe']);
      checks.push({ name: 'nftables in the kernel', ok: nft.ok, required: true, detail: nft.detail });
    }
    const esp = await inNs([
      'xfrm',
      'state',
      'add',
      'src',
      '192.0.2.1',
      'dst',
      '192.0.2.2',
      'proto',
      'esp',
      'spi',
      '0x100',
      'enc',
      'cbc(aes)',
      '0x00112233445566778899aabbccddeeff',
      'auth',
      'hmac(sha256)',
      '0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
    ]);
    checks.push({
      name: 'kernel ESP (XFRM)',
      ok: esp.ok,
      required: false,
      detail: esp.ok
        ? 'present (not used: the lab runs ESP in userland)'
        : 'absent — fine, the lab uses libipsec',
    });
  } finally {
    await run(['ip', 'netns', 'del', ns], { check: false });
  }
  return checks;
}

export async function runDoctor(): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const linux = process.platform === 'linux';
  checks.push({
    name: 'Linux',
    ok: linux,
    required: true,
    detail: linux ? `kernel ${release()}` : `platform is ${process.platform}`,
  });
  const root = process.getuid?.() === 0;
  checks.push({
    name: 'running as root',
    ok: root,
    required: true,
    detail: root ? 'uid 0' : 'the lab creates namespaces and runs daemons: run as root (sudo)',
  });
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  checks.push({ name: 'Node.js ≥ 20', ok: nodeMajor >= 20, required: true, detail: process.version });

  const tunOk = await stat('/dev/net/tun')
    .then((s) => s.isCharacterDevice())
    .catch(() => false);
  checks.push({
    name: '/dev/net/tun (libipsec ESP device)',
    ok: tunOk,
    required: true,
    detail: tunOk ? 'character device present' : 'missing: load the tun module (modprobe tun)',
  });
  const netnsOk = await stat('/proc/self/ns/net')
    .then(() => true)
    .catch(() => false);
  checks.push({
    name: 'kernel network namespaces',
    ok: netnsOk,
    required: true,
    detail: '/proc/self/ns/net',
  });

  const found = new Map<string, string | undefined>();
  for (const requirement of REQUIREMENTS) {
    const path = await findExecutable(requirement.file);
    found.set(requirement.file, path);
    const version = path ? await packageVersion(requirement.package) : undefined;
    checks.push({
      name: requirement.what,
      ok: path !== undefined,
      required: requirement.required,
      detail: path ? `${path}${version ? ` (${requirement.package} ${version})` : ''}` : `missing`,
      package: requirement.package,
    });
  }

  if (linux && root && netnsOk && found.get('ip') !== undefined) {
    checks.push(...(await kernelChecks(found.get('nft') !== undefined)));
  } else {
    checks.push({
      name: 'kernel features (veth, bridge, ECMP, nftables)',
      ok: false,
      required: true,
      detail: 'not probed: needs Linux, root and iproute2',
    });
  }

  const missingPackages = [
    ...new Set(checks.filter((c) => !c.ok && c.required && c.package).map((c) => c.package as string)),
  ];
  const ok = checks.every((c) => c.ok || !c.required);
  return {
    ok,
    checks,
    missingPackages,
    ...(missingPackages.length > 0
      ? {
          fix: `apt-get update && apt-get install -y --no-install-recommends ${missingPackages.join(' ')}`,
        }
      : {}),
  };
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines = ['vwan-ha lab doctor'];
  for (const check of report.checks) {
    const mark = check.ok ? 'ok  ' : check.required ? 'FAIL' : 'info';
    lines.push(`  ${mark}  ${check.name}: ${check.detail}`);
  }
  const missing = report.checks.filter((c) => !c.ok && c.required);
  if (missing.length === 0) {
    lines.push('', 'Everything the live lab needs is here.');
  } else {
    lines.push('', 'Missing:');
    for (const check of missing)
      lines.push(`  - ${check.name}${check.package ? ` (package ${check.package})` : ''}`);
    if (report.fix) lines.push('', `Fix (as root): ${report.fix}`, 'or: scripts/install-lab-deps.sh');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Why the live suite cannot run here, or undefined if it can. Cheap (no namespace is
 * created): platform, root, /dev/net/tun and the required binaries.
 */
export async function liveLabSkipReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `live lab needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0)
    return 'live lab needs root (network namespaces, daemons): run `sudo npm run test:live`';
  const tun = await stat('/dev/net/tun')
    .then((s) => s.isCharacterDevice())
    .catch(() => false);
  if (!tun) return 'live lab needs /dev/net/tun';
  const missing: string[] = [];
  for (const requirement of REQUIREMENTS) {
    if (requirement.required && !(await findExecutable(requirement.file))) missing.push(requirement.package);
  }
  if (missing.length > 0) {
    return `live lab packages missing: ${[...new Set(missing)].join(' ')} — run scripts/install-lab-deps.sh (or vwan-ha lab doctor)`;
  }
  return undefined;
}
