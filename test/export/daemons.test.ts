/**
 * The exported configurations, read by the real daemons' own parsers (Debian's
 * packages; scripts/install-export-deps.sh installs them):
 *  - BIRD: `bird -p -c bird.conf` (parse and exit);
 *  - FRR: `vtysh --dryrun --inputfile frr.conf` (the integrated-config parser vtysh
 *    uses at boot; `bgpd -C` would reject the lines meant for zebra and staticd);
 *  - strongSwan: swanctl.conf has no parse-only mode, so a charon-systemd runs with
 *    its own STRONGSWAN_CONF and vici socket inside a network namespace this test
 *    creates and deletes, and `swanctl --load-all` must report every connection
 *    loaded; strongswan.conf is read by swanctl's own settings parser.
 * Each suite skips, saying why, when its binaries are missing (or, for strongSwan,
 * when not root: network namespaces need it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportProfile } from '../../src/export/index.ts';
import { exampleDevices, exported } from './helpers.ts';

const SEARCH = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/usr/lib/frr'];

function which(command: string): string | undefined {
  for (const dir of SEARCH) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

const INSTALL = 'run scripts/install-export-deps.sh';
const bird = which('bird');
const vtysh = which('vtysh');
const charon = which('charon-systemd');
const swanctl = which('swanctl');
const ip = which('ip');
const isRoot = process.getuid?.() === 0;

const devices = exampleDevices();
const profiles: readonly ExportProfile[] = ['azure', 'lab'];
const work = mkdtempSync(join(tmpdir(), 'vwan-ha-export-parse-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(work, name.replace(/[^A-Za-z0-9._-]/g, '_'));
  writeFileSync(path, text);
  return path;
}

const birdTitle =
  bird === undefined
    ? `BIRD parser — SKIPPED: bird not found; ${INSTALL}`
    : 'BIRD accepts every exported bird.conf (bird -p)';
describe.skipIf(bird === undefined)(birdTitle, () => {
  for (const { example, topology, site } of devices) {
    for (const profile of profiles) {
      it(`${example} ${site} (${profile})`, () => {
        const file = write(
          `${example}-${site}-${profile}-bird.conf`,
          exported(topology, site, 'strongswan-bird', profile).files.get('bird.conf') ?? '',
        );
        const run = spawnSync(bird as string, ['-p', '-c', file], { encoding: 'utf8', timeout: 20_000 });
        expect(`${run.stdout}${run.stderr}`).toBe('');
        expect(run.status).toBe(0);
      });
    }
  }

  it('and rejects a broken one (the check is real)', () => {
    const file = write('broken-bird.conf', 'router id 1.2.3.4;\nprotocol bgp x { neighbor 10.0.0.12 as; }\n');
    const run = spawnSync(bird as string, ['-p', '-c', file], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
  });
});

const frrTitle =
  vtysh === undefined
    ? `FRR parser — SKIPPED: vtysh not found; ${INSTALL}`
    : 'FRR accepts every exported frr.conf (vtysh --dryrun)';
describe.skipIf(vtysh === undefined)(frrTitle, () => {
  for (const { example, topology, site } of devices) {
    for (const profile of profiles) {
      it(`${example} ${site} (${profile})`, () => {
        const file = write(
          `${example}-${site}-${profile}-frr.conf`,
          exported(topology, site, 'strongswan-frr', profile).files.get('frr.conf') ?? '',
        );
        const run = spawnSync(vtysh as string, ['--dryrun', '--inputfile', file], {
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(`${run.stdout}${run.stderr}`).not.toMatch(/Unknown command|Command incomplete|%/);
        expect(run.status).toBe(0);
      });
    }
  }

  it('and rejects a broken one (the check is real)', () => {
    const file = write('broken-frr.conf', 'router bgp 65010\n neighbor 10.0.0.12 remote-ass 65515\n');
    const run = spawnSync(vtysh as string, ['--dryrun', '--inputfile', file], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
  });
});

const missing = [
  ['charon-systemd', charon],
  ['swanctl', swanctl],
  ['ip', ip],
]
  .filter(([, path]) => path === undefined)
  .map(([name]) => name);
const swanSkip =
  missing.length > 0
    ? `${missing.join(', ')} not found; ${INSTALL}`
    : !isRoot
      ? 'not root (the test runs charon in its own network namespace)'
      : undefined;
const swanTitle =
  swanSkip === undefined
    ? 'strongSwan loads every exported swanctl.conf (charon-systemd in a private netns, swanctl --load-all)'
    : `strongSwan parser — SKIPPED: ${swanSkip}`;

describe.skipIf(swanSkip !== undefined)(swanTitle, () => {
  const netns = `vwanha-export-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const socket = join(work, 'charon.vici');
  const conf = join(work, 'test-strongswan.conf');
  let daemon: ChildProcess | undefined;

  const swan = (args: readonly string[], strongswanConf = conf) =>
    spawnSync(swanctl as string, [...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, STRONGSWAN_CONF: strongswanConf },
    });
  const load = (file: string) => {
    const run = swan(['--load-all', '--file', file, '--uri', `unix://${socket}`]);
    // swanctl exits 0 even when a file does not parse; the report is the output. It also
    // looks for certificate directories next to the file, which a PSK setup does not have.
    return `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((line) => !/^opening directory '.*' failed: No such file or directory$/.test(line))
      .join('\n');
  };

  beforeAll(async () => {
    // The plugin set the live lab uses (kernel-libipsec: this machine may have no kernel XFRM).
    writeFileSync(
      conf,
      [
        'charon {',
        '  load_modular = no',
        '  load = random nonce aes sha1 sha2 hmac gmp kdf socket-default kernel-libipsec kernel-netlink vici',
        '  install_routes = no',
        `  plugins { vici { socket = unix://${socket} } }`,
        `  filelog { test { path = ${join(work, 'charon.log')}\n default = 1 } }`,
        '}',
        'charon-systemd { journal { default = -1 } }',
        `swanctl { load = random\n socket = unix://${socket} }`,
        '',
      ].join('\n'),
    );
    const added = spawnSync(ip as string, ['netns', 'add', netns], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ip netns add ${netns}: ${added.stderr}`);
    daemon = spawn(ip as string, ['netns', 'exec', netns, charon as string], {
      env: { ...process.env, STRONGSWAN_CONF: conf },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (existsSync(socket) && swan(['--stats', '--uri', `unix://${socket}`]).status === 0) break;
      if (Date.now() > deadline || daemon.exitCode !== null)
        throw new Error('charon-systemd did not open its vici socket');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);

  afterAll(async () => {
    if (daemon !== undefined && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    }
    spawnSync(ip as string, ['netns', 'del', netns]);
  }, 15_000);

  for (const { example, topology, site } of devices) {
    for (const profile of profiles) {
      it(`${example} ${site} (${profile}): every connection loaded, strongswan.conf parses`, () => {
        const { files } = exported(topology, site, 'strongswan-bird', profile, {
          kind: 'value',
          secret: 'test-key',
        });
        const swanctlConf = files.get('swanctl.conf') ?? '';
        const connections = swanctlConf.match(/^ {4}version = 2$/gm)?.length ?? 0;
        const report = load(write(`${example}-${site}-${profile}-swanctl.conf`, swanctlConf));
        expect(report).toContain(`successfully loaded ${connections} connections`);
        expect(report).not.toMatch(/failed|invalid|syntax error/);
        expect(report).toMatch(/loaded ike secret 'ike-/);
        const settings = swan(
          ['--version'],
          write(`${example}-${site}-${profile}-strongswan.conf`, files.get('strongswan.conf') ?? ''),
        );
        expect(`${settings.stdout}${settings.stderr}`).not.toMatch(/invalid config|syntax error/);
      });
    }
  }

  it('an unrendered VWAN_HA_PSK placeholder is refused, not used as a key; rendered, it loads', () => {
    const { topology, site } = devices[0] as (typeof devices)[number];
    const template = exported(topology, site, 'strongswan-bird', 'azure').files.get('swanctl.conf') ?? '';
    expect(load(write('placeholder-swanctl.conf', template))).toMatch(/syntax error|invalid config file/);
    // What `envsubst` does with the variables set to hex keys.
    const rendered = template.replace(/\$\{VWAN_HA_PSK_[A-Z0-9_]+\}/g, '0x746573742d6b6579');
    expect(load(write('rendered-swanctl.conf', rendered))).toMatch(/successfully loaded \d+ connections/);
  });

  it('and a wrong value is reported (the check is real)', () => {
    const { topology, site } = devices[0] as (typeof devices)[number];
    const broken = (
      exported(topology, site, 'strongswan-bird', 'azure', { kind: 'value', secret: 'k' }).files.get(
        'swanctl.conf',
      ) ?? ''
    ).replace(/esp_proposals = .*/, 'esp_proposals = no-such-cipher');
    expect(load(write('broken-swanctl.conf', broken))).toContain('failed to load');
  });
});
