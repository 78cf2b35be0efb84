/**
 * The lab runs as root: the pre-shared key goes into the 0600 swanctl.conf files and
 * nowhere else, every file it creates is root's only whatever the umask, and no topology
 * name can become a line of a config it runs. Pure (no root, no namespaces): planning,
 * rendering, reporting, redaction and the private-file helpers.
 * The same guarantees on a real lab, through the CLI: lab-cli.test.ts.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportDevice } from '../../src/export/index.ts';
import { mountPoints } from '../../src/live/cleanup.ts';
import { run } from '../../src/live/exec.ts';
import { frrTempDirsOf, removeFrrTempDirs } from '../../src/live/frr.ts';
import { LabController } from '../../src/live/lab-controller.ts';
import { type LabPlan, planLab } from '../../src/live/lab-plan.ts';
import { describeLab, labRoles } from '../../src/live/lab-report.ts';
import { LabState } from '../../src/live/lab-state.ts';
import { azureTunnelConfig, deviceSwanctlConf, LabNetwork } from '../../src/live/lab-topology.ts';
import { Lab } from '../../src/live/netns.ts';
import { ensurePrivateRoot, makePrivateDir, writePrivateFileAt } from '../../src/live/private-files.ts';
import { processIdentity } from '../../src/live/proc.ts';
import {
  clearRegisteredSecrets,
  HIDDEN,
  redactSecrets,
  registerSecret,
  Secret,
} from '../../src/live/secret.ts';
import { ikeTimingFor, renderStrongswanConf, renderSwanctlConf } from '../../src/live/strongswan.ts';
import { loadTopology, type Topology } from '../../src/model/index.ts';
import { example } from './fixtures/lab-case.ts';

/** Distinctive, and full of what could break a config or a shell if it were ever quoted raw. */
const PSK = 'vwan-lab-PSK:never"print\';$(id)`x`\\n';
const HEX = Buffer.from(PSK, 'utf8').toString('hex');

/** Where the PSK shows up in `text`, raw or hex-encoded (swanctl.conf's form). */
function leaks(text: string): string[] {
  return [...(text.includes(PSK) ? ['raw'] : []), ...(text.toLowerCase().includes(HEX) ? ['hex'] : [])];
}

function plan(name: string, frr: readonly string[] | 'all' = []): LabPlan {
  const planned = planLab(example(name), { timers: 'fast', frrDevices: frr, psk: PSK });
  if (!planned.ok) throw new Error(planned.error);
  return planned.plan;
}

afterEach(() => clearRegisteredSecrets());

describe('the pre-shared key: in swanctl.conf and nowhere else', () => {
  const cases: [string, readonly string[] | 'all'][] = [
    ['bgp-active-active.yaml', []],
    ['bgp-active-active.yaml', 'all'],
    ['bgp-two-devices.yaml', ['branch1-fw2']],
    ['static-single-tunnel.yaml', []],
    ['static-dual-two-devices.yaml', []],
  ];

  it.each(cases)('%s (FRR: %s): the plan, however it is printed, shows [hidden]', (name, frr) => {
    const p = plan(name, frr);
    expect(p.psk.reveal()).toBe(PSK);
    expect(String(p.psk)).toBe(HIDDEN);
    expect(leaks(JSON.stringify(p))).toEqual([]);
    expect(JSON.parse(JSON.stringify(p)).psk).toBe(HIDDEN);
    expect(leaks(inspect(p, { depth: null }))).toEqual([]);
    expect(leaks(`${p.psk}`)).toEqual([]);
  });

  it.each(cases)(
    '%s (FRR: %s): only the swanctl.conf files the lab renders hold it, hex-encoded',
    (name, frr) => {
      const p = plan(name, frr);
      // The exporter's other files, as the lab runs them (bird.conf / frr.conf, strongswan.conf, interfaces.sh).
      for (const device of p.devices) {
        expect(Object.keys(device.files)).not.toContain('swanctl.conf');
        for (const [file, text] of Object.entries(device.files)) expect(leaks(text), file).toEqual([]);
        for (const tunnel of device.tunnels) {
          const conf = deviceSwanctlConf(device, tunnel, p.psk.reveal());
          expect(leaks(conf)).toEqual(['hex']);
          expect(conf).toContain(`secret = 0x${HEX}`);
        }
      }
      for (const tunnel of p.tunnels) {
        for (const carrier of Object.values(tunnel.carriers)) {
          const conf = renderSwanctlConf([azureTunnelConfig(tunnel, carrier, p.psk.reveal())]);
          expect(leaks(conf)).toEqual(['hex']);
          const charon = renderStrongswanConf({
            viciSocket: `/run/vwan-ha/x/${carrier.charonName}.vici`,
            logFile: `/run/vwan-ha/x/${carrier.charonName}.charon.log`,
            timing: ikeTimingFor(tunnel.linkConnection.dpdTimeoutSeconds),
          });
          expect(leaks(charon)).toEqual([]);
        }
      }
    },
  );

  it.each(cases)('%s (FRR: %s): what lab up prints and the agents are given hold no key', (name, frr) => {
    const p = plan(name, frr);
    const lines = describeLab(p, (role) => `vhtest-${role}`).join('\n');
    expect(leaks(lines)).toEqual([]);
    expect(leaks(JSON.stringify(labRoles(p)))).toEqual([]);
    // The BGP agents' configs (written to the lab directory): built from the plan, no key.
    const controller = new LabController(LabNetwork.attach({} as Lab, p));
    const agentConfig = (controller as unknown as { agentConfig(id: string): unknown }).agentConfig.bind(
      controller,
    );
    expect(leaks(JSON.stringify([agentConfig('IN_0'), agentConfig('IN_1')]))).toEqual([]);
  });

  it("a topology's sharedKey is refused (the model has no such field), and the refusal does not quote it", () => {
    const text = readFileSync(
      new URL('../../examples/bgp-active-active.yaml', import.meta.url),
      'utf8',
    ).replace(
      '        enableBgp: true\n',
      `        enableBgp: true\n        sharedKey: ${JSON.stringify(PSK)}\n`,
    );
    expect(text).toContain('sharedKey');
    const loaded = loadTopology(text);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(JSON.stringify(loaded.errors)).toMatch(/unknown field \\"sharedKey\\"/);
    expect(leaks(JSON.stringify(loaded.errors))).toEqual([]);
  });

  it('export device writes the key only into swanctl.conf, and only when asked to (psk value)', () => {
    const topology = example('bgp-active-active.yaml');
    for (const format of ['strongswan-bird', 'strongswan-frr'] as const) {
      const placeholder = exportDevice(topology, {
        site: 'branch1',
        format,
        profile: 'azure',
        psk: { kind: 'placeholder' },
      });
      if (!placeholder.ok) throw new Error(placeholder.error);
      for (const file of placeholder.files) expect(leaks(file.text), file.name).toEqual([]);
      const real = exportDevice(topology, {
        site: 'branch1',
        format,
        profile: 'azure',
        psk: { kind: 'value', secret: PSK },
      });
      if (!real.ok) throw new Error(real.error);
      for (const file of real.files) {
        if (file.name === 'swanctl.conf') {
          expect(leaks(file.text)).toEqual(['hex']);
          expect(file.mode).toBe(0o600);
        } else {
          expect(leaks(file.text), file.name).toEqual([]);
        }
      }
    }
  });
});

describe('redaction: a registered key never reaches a message or the terminal', () => {
  it('hides the key raw and hex-encoded, in any case, and leaves other text alone', () => {
    registerSecret(new Secret(PSK));
    const text = `secret = 0x${HEX}\nsecret = 0x${HEX.toUpperCase()}\nkey ${PSK} end`;
    expect(redactSecrets(text)).toBe(`secret = 0x${HIDDEN}\nsecret = 0x${HIDDEN}\nkey ${HIDDEN} end`);
    expect(redactSecrets('nothing to hide')).toBe('nothing to hide');
  });

  it('does not register keys too short to redact safely (they would mask ordinary words)', () => {
    registerSecret('check');
    registerSecret('');
    expect(redactSecrets('check the empty string')).toBe('check the empty string');
  });

  it('a failing command that echoes its config or command line: the error message hides the key', async () => {
    registerSecret(new Secret(PSK));
    // A daemon that fails and prints what it was given, on stdout and stderr.
    const echo = `process.stdout.write('config: secret = 0x${HEX}\\n'); process.stderr.write('argv: ' + process.argv[1] + '\\n'); process.exit(3)`;
    const failure = await run([process.execPath, '-e', echo, PSK]).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/exited with 3/);
    expect(leaks(failure?.message ?? PSK)).toEqual([]);
    expect(failure?.message).toContain(HIDDEN);
  });
});

describe('topology names cannot become lines of the configs the lab runs as root', () => {
  const base = readFileSync(new URL('../../examples/bgp-active-active.yaml', import.meta.url), 'utf8');

  function textWithDeviceName(name: string): string {
    return base
      .replaceAll('name: branch1-fw1', `name: ${JSON.stringify(name)}`)
      .replaceAll('remoteDevice: branch1-fw1', `remoteDevice: ${JSON.stringify(name)}`);
  }

  /** The same topology object with the name swapped in after loading: what a library caller could hand the lab. */
  function withDeviceName(name: string): Topology {
    const loaded = loadTopology(base);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const topology = structuredClone(loaded.topology) as Topology;
    const device = topology.vpnSites[0]?.devices[0] as { name: string };
    device.name = name;
    return topology;
  }

  it.each([
    'fw1\ninclude "/etc/shadow";',
    'fw1"; protocol x {',
    'fw1 } connections { x',
    'fw1\u001b[2J',
    '-fw1',
  ])('refuses the device name %j: in the model, and again in planLab', (name) => {
    const loaded = loadTopology(textWithDeviceName(name));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.errors.some((e) => e.message.includes('is not a name Azure accepts'))).toBe(true);
    }
    const planned = planLab(withDeviceName(name), { timers: 'fast', psk: PSK });
    expect(planned.ok).toBe(false);
    if (planned.ok) return;
    expect(planned.error).toMatch(
      /^vpnSites\[0\]\.devices\[0\]\.name ".*": the live lab takes names of letters/,
    );
    expect(planned.error).not.toContain('\n');
    expect(planned.error).not.toContain('\u001b');
  });

  it('takes every example as it is', () => {
    for (const name of [
      'bgp-active-active.yaml',
      'bgp-two-devices.yaml',
      'static-dual-tunnel.yaml',
      'static-dual-two-devices.yaml',
      'static-single-tunnel.yaml',
      'static-single-two-devices.yaml',
      'static-single-two-tunnels.yaml',
    ]) {
      expect(planLab(example(name), { timers: 'fast', psk: PSK }).ok, name).toBe(true);
    }
  });
});

describe('lab files: root only, whatever the umask', () => {
  let scratch: string;
  let umask: number;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'vwan-ha-private-'));
    umask = process.umask(0);
  });

  afterAll(() => {
    process.umask(umask);
    rmSync(scratch, { recursive: true, force: true });
  });

  const mode = (path: string): string => (lstatSync(path).mode & 0o777).toString(8);

  it('a new lab root and lab directory are 0700, state.json 0600, with umask 0', async () => {
    process.umask(0);
    const root = join(scratch, 'root-a', 'labs');
    const owner = await processIdentity(process.pid);
    if (!owner) throw new Error('no /proc');
    const state = LabState.create(root, 'ab12', owner);
    expect(mode(root)).toBe('700');
    expect(mode(state.dir)).toBe('700');
    expect(mode(join(state.dir, 'state.json'))).toBe('600');
    // Lab processes run with umask 077 from here on, and the daemons they start inherit it.
    expect(process.umask()).toBe(0o077);
    process.umask(0);
    const lab = Lab.open('ab12', root);
    const file = lab.writePrivateFile('charon-x.swanctl.conf', `secret = 0x${HEX}\n`);
    expect(mode(file)).toBe('600');
    expect(readdirSync(state.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a file is created fresh: a planted symlink is replaced, not followed; an old reader sees nothing new', () => {
    process.umask(0);
    const dir = makePrivateDir(join(scratch, 'files'));
    expect(mode(dir)).toBe('700');
    const target = join(scratch, 'elsewhere.txt');
    writeFileSync(target, 'untouched');
    const link = join(dir, 'a.swanctl.conf');
    symlinkSync(target, link);
    writePrivateFileAt(link, PSK);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(mode(link)).toBe('600');

    // A world-readable file someone opened before the key was written: they keep the old inode.
    const old = join(dir, 'b.swanctl.conf');
    writeFileSync(old, 'placeholder', { mode: 0o644 });
    const fd = openSync(old, 'r');
    writePrivateFileAt(old, PSK);
    const buffer = Buffer.alloc(64);
    const read = readSync(fd, buffer, 0, 64, 0);
    closeSync(fd);
    expect(buffer.subarray(0, read).toString()).toBe('placeholder');
    expect(mode(old)).toBe('600');
    expect(readFileSync(old, 'utf8')).toBe(PSK);
  });

  it('refuses a lab root others can write to, or a symlink; tightens nothing it did not create', () => {
    const open = join(scratch, 'world-writable');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => ensurePrivateRoot(open)).toThrow(/writable by other users \(mode 777\)/);
    expect(mode(open)).toBe('777');
    const link = join(scratch, 'root-link');
    symlinkSync(scratch, link);
    expect(() => ensurePrivateRoot(link)).toThrow(/not a directory/);
    const readable = join(scratch, 'readable');
    mkdirSync(readable);
    chmodSync(readable, 0o755);
    expect(ensurePrivateRoot(readable)).toBe(readable);
    expect(mode(readable)).toBe('755');
  });

  it("FRR's crash-log directories: removed for the lab's own dead daemons only", async () => {
    const base = join(scratch, 'var-tmp-frr');
    mkdirSync(base);
    const dead = 2 ** 22 + 17; // above pid_max's default range: no such process
    for (const entry of [`bgpd.${dead}`, `zebra.${dead}`, `staticd.${process.pid}`, `bgpd.${dead + 1}`]) {
      mkdirSync(join(base, entry));
    }
    writeFileSync(join(base, 'notes.txt'), '');
    const removed = await removeFrrTempDirs([dead, process.pid], base);
    expect(removed.map((p) => p.slice(base.length + 1)).sort()).toEqual([`bgpd.${dead}`, `zebra.${dead}`]);
    // Alive (this process): kept. Not ours (dead + 1): kept.
    expect(existsSync(join(base, `staticd.${process.pid}`))).toBe(true);
    expect(existsSync(join(base, `bgpd.${dead + 1}`))).toBe(true);
    expect(frrTempDirsOf([dead], base)).toEqual([]);
    expect(frrTempDirsOf([dead + 1], base)).toEqual([join(base, `bgpd.${dead + 1}`)]);
  });

  it('reads mount points (for the leak check) with their octal escapes decoded', () => {
    const points = mountPoints();
    expect(points).toContain('/');
    expect(points.every((p) => !/\\[0-7]{3}/.test(p))).toBe(true);
    expect(statSync('/').isDirectory()).toBe(true);
  });
});
