/**
 * The lab's namespace primitives against the real kernel: sysctls, ECMP routes, policy
 * rules, nft tables, a public-IP move with gratuitous ARP, and that destroy() finds every
 * process — recorded or not — and leaves nothing.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { Lab, netnsPids } from '../../src/live/netns.ts';
import { blackholeNetns, restoreNetns } from '../../src/live/nft.ts';
import { isAlive, processIdentity } from '../../src/live/proc.ts';

const skipReason = await liveLabSkipReason();

describe.skipIf(skipReason !== undefined)('lab namespaces against the real kernel', () => {
  let lab: Lab;
  let r1: string;
  let obs: string;
  let in0: string;
  let in1: string;

  beforeAll(async () => {
    lab = await Lab.create();
    const inet = await lab.addNamespace('inet');
    [r1, obs, in0, in1] = await Promise.all([
      lab.addNamespace('r1'),
      lab.addNamespace('obs'),
      lab.addNamespace('in0'),
      lab.addNamespace('in1'),
    ]);
    await lab.addBridge(inet, 'br0');
    for (const [netns, port] of [
      [obs, 'obs'],
      [in0, 'in0'],
      [in1, 'in1'],
    ] as const) {
      await lab.addVeth({ netns: inet, ifname: port }, { netns, ifname: 'inet' });
      await lab.setMaster(inet, port, 'br0');
    }
    await lab.addAddress(obs, 'inet', '192.0.2.9/24');
    await lab.addAddress(in0, 'inet', '192.0.2.1/24');
    await lab.addVeth(
      { netns: r1, ifname: 't0', cidr: '10.100.0.1/30' },
      { netns: in0, ifname: 'r1', cidr: '10.100.0.2/30' },
    );
    await lab.addVeth(
      { netns: r1, ifname: 't1', cidr: '10.100.0.5/30' },
      { netns: in1, ifname: 'r1', cidr: '10.100.0.6/30' },
    );
  });

  afterAll(async () => {
    await lab.destroy();
  });

  it('every namespace forwards, has rp_filter off, hashes ECMP per L4 flow and no IPv6', async () => {
    const { stdout } = await lab.exec(r1, [
      'sysctl',
      '-n',
      'net.ipv4.ip_forward',
      'net.ipv4.conf.all.rp_filter',
      'net.ipv4.fib_multipath_hash_policy',
      'net.ipv6.conf.all.disable_ipv6',
    ]);
    expect(stdout.trim().split('\n')).toEqual(['1', '0', '1', '1']);
  });

  it('installs an ECMP route over two tunnels and a policy rule to a second table', async () => {
    await lab.addRoute(r1, {
      dst: '10.2.0.0/16',
      nexthops: [
        { via: '10.100.0.2', dev: 't0' },
        { via: '10.100.0.6', dev: 't1' },
      ],
    });
    const [route] = (await lab.routes(r1)).filter((r) => r.dst === '10.2.0.0/16');
    expect(route?.nexthops?.map((h) => h.gateway)).toEqual(['10.100.0.2', '10.100.0.6']);
    await lab.addRule(r1, { iif: 't0', table: 100, priority: 100 });
    await lab.addRoute(r1, { dst: 'default', via: '10.100.0.6', table: 100 });
    expect((await lab.routes(r1, 100)).map((r) => r.dst)).toEqual(['default']);
    const rules = await lab.exec(r1, ['ip', 'rule', 'show']);
    expect(rules.stdout).toContain('iif t0 lookup 100');
  });

  it('moves a public IP between instances; gratuitous ARP repoints the neighbours at once', async () => {
    const mac = async (netns: string): Promise<string> =>
      (
        JSON.parse((await lab.exec(netns, ['ip', '-j', 'link', 'show', 'inet'])).stdout) as {
          address: string;
        }[]
      )[0]?.address ?? '';
    const [mac0, mac1] = [await mac(in0), await mac(in1)];
    // The observer talked to IN_0 before: it has IN_0's MAC for the public IP.
    await lab.exec(obs, [
      'ip',
      'neigh',
      'replace',
      '192.0.2.1',
      'lladdr',
      mac0,
      'dev',
      'inet',
      'nud',
      'stale',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the neighbour locktime (1 s)
    await lab.moveAddress({ netns: in0, ifname: 'inet' }, { netns: in1, ifname: 'inet' }, '192.0.2.1/24');
    const neigh = await lab.exec(obs, ['ip', 'neigh', 'show', '192.0.2.1']);
    expect(neigh.stdout).toContain(mac1);
    expect((await lab.exec(in0, ['ip', '-o', 'addr', 'show', 'inet'])).stdout).not.toContain('192.0.2.1');
  });

  it('silent death installs and removes a drop-all table', async () => {
    await blackholeNetns(lab, in1);
    expect((await lab.exec(in1, ['nft', 'list', 'tables'])).stdout).toContain('table inet vwanha_dead');
    await restoreNetns(lab, in1);
    expect((await lab.exec(in1, ['nft', 'list', 'tables'])).stdout).not.toContain('vwanha_dead');
  });

  it('refuses to touch a namespace that is not the lab’s', async () => {
    await expect(lab.exec('vhzzzz-other', ['true'])).rejects.toThrow(/not part of lab/);
    await expect(lab.addNamespace('Bad;name')).rejects.toThrow(/invalid interface name/);
  });

  it('destroy stops recorded daemons and unrecorded strays inside its namespaces, and leaves nothing', async () => {
    const daemon = await lab.startDaemon({ name: 'sleeper', netns: r1, argv: ['sleep', '600'] });
    // A process the lab never recorded, started straight into one of its namespaces.
    const stray = spawn('ip', ['netns', 'exec', obs, 'sleep', '600'], { detached: true, stdio: 'ignore' });
    stray.unref();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const strayIdentity = await processIdentity(stray.pid as number);
    expect(await netnsPids(obs)).toContain(stray.pid);

    const report = await lab.destroy();
    expect(report.namespaces).toHaveLength(5);
    expect(await isAlive(daemon)).toBe(false);
    if (strayIdentity) expect(await isAlive(strayIdentity)).toBe(false);
    const leaks = await findLeaks({ labId: lab.id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });
});
