/**
 * What the lab writes for strongSwan, BIRD and nftables, and what it refuses to write.
 * Pure rendering, plus a parse check by the real `bird -p` when BIRD is installed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BirdConfig, parseShowProtocols, renderBirdConf } from '../../src/live/bird.ts';
import { findExecutable } from '../../src/live/doctor.ts';
import { assertCidr4, assertIfName, formatArgv, netnsArgv, run, shortName } from '../../src/live/exec.ts';
import { routeArgs } from '../../src/live/netns.ts';
import { dropAllTable, ikeNatTable } from '../../src/live/nft.ts';
import {
  type IpsecTunnelConfig,
  ikeTimingFor,
  parseListSas,
  renderStrongswanConf,
  renderSwanctlConf,
} from '../../src/live/strongswan.ts';

describe('names and arguments', () => {
  it('refuses names that could be read as options or carry shell syntax', () => {
    for (const bad of ['-n', 'a;b', 'A', '', 'x'.repeat(16), 'a b', '$(id)']) {
      expect(() => assertIfName(bad), bad).toThrow(/invalid interface name/);
    }
    expect(assertIfName('tun-0')).toBe('tun-0');
    expect(() => netnsArgv('--all', ['true'])).toThrow(/namespace name/);
    expect(netnsArgv('vhab12-inet', ['ip', 'link'])).toEqual([
      'ip',
      'netns',
      'exec',
      'vhab12-inet',
      'ip',
      'link',
    ]);
    expect(() => assertCidr4('10.0.0.0/33')).toThrow();
    expect(() => assertCidr4('10.0.0.0')).toThrow();
  });

  it('derives short deterministic interface names that stay distinct', () => {
    expect(shortName(['tun', '0'])).toBe('tun-0');
    const a = shortName(['site', 'contoso-datacenter-west', 'link', '1']);
    const b = shortName(['site', 'contoso-datacenter-west', 'link', '2']);
    expect(a.length).toBeLessThanOrEqual(15);
    expect(a).not.toBe(b);
    expect(shortName(['site', 'contoso-datacenter-west', 'link', '1'])).toBe(a);
    expect(() => assertIfName(a)).not.toThrow();
  });

  it('builds ECMP routes as argument arrays', () => {
    expect(
      routeArgs({
        dst: '10.2.0.0/16',
        nexthops: [
          { via: '10.100.0.1', dev: 'tun0' },
          { via: '10.100.0.5', dev: 'tun1' },
        ],
      }),
    ).toEqual([
      '10.2.0.0/16',
      'nexthop',
      'via',
      '10.100.0.1',
      'dev',
      'tun0',
      'nexthop',
      'via',
      '10.100.0.5',
      'dev',
      'tun1',
    ]);
    expect(() => routeArgs({ dst: 'default', via: '10.0.0.1; reboot' })).toThrow(/next hop/);
  });

  it('a failing command reports the command line and what it said', async () => {
    await expect(run(['ls', '/definitely/not/here'])).rejects.toThrow(
      /exited with 2: ls \/definitely\/not\/here\n.*No such file/,
    );
    await expect(run(['sleep', '5'], { timeoutMs: 100 })).rejects.toThrow(/timed out after \d+ ms: sleep 5/);
    expect(formatArgv(['echo', 'two words'])).toBe('echo "two words"');
  });
});

describe('IKEv2 dead peer detection from Azure dpdTimeoutSeconds', () => {
  it.each([9, 10, 30, 45, 120, 3600])('dpdTimeoutSeconds %i: dead after exactly that long', (seconds) => {
    const timing = ikeTimingFor(seconds);
    expect(timing.deadAfterSeconds).toBeCloseTo(seconds, 2);
    expect(timing.retransmitBase).toBe(1);
    expect(timing.retransmitTries + 1).toBeLessThanOrEqual(15);
    expect(timing.dpdDelaySeconds).toBeGreaterThanOrEqual(1);
  });

  it('Azure default 45 s: probe after 15 s idle, 15 transmissions 2 s apart', () => {
    expect(ikeTimingFor(45)).toEqual({
      dpdTimeoutSeconds: 45,
      dpdDelaySeconds: 15,
      retransmitTimeoutSeconds: 2,
      retransmitBase: 1,
      retransmitTries: 14,
      deadAfterSeconds: 45,
    });
  });
});

const tunnel: IpsecTunnelConfig = {
  name: 'site1-in0',
  localAddress: '100.64.0.2',
  localId: '192.0.2.1',
  remoteAddress: '192.0.2.2',
  remoteId: '192.0.2.2',
  psk: 'not "so" secret\nreally',
  timing: ikeTimingFor(9),
};

describe('strongSwan configuration', () => {
  it('charon: libipsec before netlink, routes in table 221 after main, retransmission from the DPD mapping', () => {
    const conf = renderStrongswanConf({
      viciSocket: '/run/x/c.vici',
      logFile: '/run/x/c.log',
      timing: tunnel.timing,
    });
    expect(conf).toMatch(/load = .*kernel-libipsec kernel-netlink/);
    expect(conf).toContain('routing_table = 221');
    expect(conf).toContain('routing_table_prio = 40000');
    expect(conf).toContain('retransmit_tries = 2');
    expect(conf).toContain('retransmit_timeout = 2');
    expect(conf).toContain('allow_peer_ts = no');
    expect(conf).toContain('socket = unix:///run/x/c.vici');
  });

  it('swanctl: NAT-T forced, no MOBIKE, Azure proposals and lifetimes, PSK hex-encoded', () => {
    const conf = renderSwanctlConf([tunnel]);
    for (const line of [
      'encap = yes',
      'mobike = no',
      'proposals = aes128-sha256-modp2048',
      'esp_proposals = aes128-sha256',
      'dpd_delay = 3s',
      'rekey_time = 25920s',
      'over_time = 2880s',
      'rekey_time = 24300s',
      'life_time = 27000s',
      'start_action = start',
      'dpd_action = restart',
      'local_ts = 0.0.0.0/0',
    ]) {
      expect(conf).toContain(line);
    }
    expect(conf).not.toContain('so" secret');
    expect(conf).toContain(`secret = 0x${Buffer.from(tunnel.psk).toString('hex')}`);
  });

  it('refuses values that would change the config file structure', () => {
    expect(() => renderSwanctlConf([{ ...tunnel, name: 'x { }' }])).toThrow(/connection name/);
    expect(() => renderSwanctlConf([{ ...tunnel, remoteAddress: '192.0.2.2\n}' }])).toThrow(/IPv4/);
  });

  it('parses swanctl --list-sas --pretty', () => {
    const sas = parseListSas(`list-sa event {
  site {
    uniqueid = 2
    state = ESTABLISHED
    local-host = 100.64.0.2
    remote-host = 192.0.2.2
    child-sas {
      site-1 {
        name = site
        state = INSTALLED
        bytes-in = 2482
        packets-in = 39
        bytes-out = 2586
        packets-out = 41
        local-ts = [
          0.0.0.0/0
        ]
      }
    }
  }
}
list-sas reply {
}
`);
    expect(sas).toEqual([
      {
        name: 'site',
        uniqueId: 2,
        state: 'ESTABLISHED',
        localHost: '100.64.0.2',
        remoteHost: '192.0.2.2',
        children: [
          { name: 'site', state: 'INSTALLED', bytesIn: 2482, packetsIn: 39, bytesOut: 2586, packetsOut: 41 },
        ],
      },
    ]);
  });
});

const device: BirdConfig = {
  routerId: '10.255.0.1',
  localAsn: 65010,
  announce: ['10.1.0.0/16'],
  staticRoutes: [
    { prefix: '10.0.0.4/32', via: ['10.100.0.1'] },
    { prefix: '10.0.0.5/32', via: ['10.100.0.5'] },
  ],
  neighbors: [
    {
      name: 'in0',
      address: '10.0.0.4',
      asn: 65515,
      localAddress: '10.255.0.1',
      multihop: 4,
      holdTimeSeconds: 9,
      keepaliveSeconds: 3,
    },
    {
      name: 'in1',
      address: '10.0.0.5',
      asn: 65515,
      localAddress: '10.255.0.1',
      multihop: 4,
      holdTimeSeconds: 9,
      keepaliveSeconds: 3,
    },
  ],
};

describe('BIRD configuration', () => {
  it('remote device: loopback sessions to IN_0 and IN_1, fast timers, ECMP into the kernel', () => {
    const conf = renderBirdConf(device, { logFile: '/run/x/b.log' });
    expect(conf).toContain('merge paths yes limit 16');
    expect(conf).toContain('connect delay time 1;');
    expect(conf).toContain('error wait time 1,4;');
    expect(conf).toContain('hold time 9;');
    expect(conf).toContain('neighbor 10.0.0.5 as 65515;');
    expect(conf).toContain('local 10.255.0.1 as 65010;');
    expect(renderBirdConf({ ...device, ecmp: false }, { logFile: '/x' })).toContain('merge paths no');
  });

  it('refuses a hold time shorter than three keepalives', () => {
    const [first] = device.neighbors;
    if (!first) throw new Error('fixture');
    expect(() =>
      renderBirdConf(
        { ...device, neighbors: [{ ...first, holdTimeSeconds: 9, keepaliveSeconds: 4 }] },
        { logFile: '/x' },
      ),
    ).toThrow(/hold/);
  });

  it.runIf(process.platform === 'linux')('the rendered config parses with the real bird -p', async () => {
    const bird = await findExecutable('bird');
    if (!bird) return;
    const dir = mkdtempSync(join(tmpdir(), 'vwanha-bird-'));
    try {
      const file = join(dir, 'bird.conf');
      writeFileSync(file, renderBirdConf(device, { logFile: join(dir, 'bird.log') }));
      const result = await run([bird, '-p', '-c', file], { check: false });
      expect(result.exitCode, result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses birdc show protocols', () => {
    const rows = parseShowProtocols(`BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     1795621854
in0        BGP        ---        start  1795621855    Active        Socket: Connection refused
in1        BGP        ---        up     1795621855    Established
`);
    expect(rows.map((r) => [r.name, r.state, r.info.split(/\s+/)[0] ?? ''])).toEqual([
      ['device1', 'up', ''],
      ['in0', 'start', 'Active'],
      ['in1', 'up', 'Established'],
    ]);
  });
});

describe('nftables tables', () => {
  it('several sites on one instance public IP: DNAT by peer address', () => {
    const table = ikeNatTable({
      outsideIfname: 'inet',
      publicAddress: '192.0.2.10',
      forwards: [
        { tunnelAddress: '100.64.0.2', peerAddress: '198.51.100.1' },
        { tunnelAddress: '100.64.0.6', peerAddress: '198.51.100.2' },
      ],
    });
    expect(table.text).toContain(
      'iifname "inet" ip saddr 198.51.100.2 udp dport { 500, 4500 } dnat to 100.64.0.6',
    );
    expect(table.text).toContain('oifname "inet" ip saddr 100.64.0.2 snat to 192.0.2.10');
    expect(() =>
      ikeNatTable({
        outsideIfname: 'inet',
        publicAddress: '192.0.2.10',
        forwards: [{ tunnelAddress: '100.64.0.2' }, { tunnelAddress: '100.64.0.6' }],
      }),
    ).toThrow(/peerAddress/);
  });

  it('silent death drops every hook, ahead of everything else', () => {
    const { text } = dropAllTable();
    for (const hook of ['prerouting', 'input', 'forward', 'output']) {
      expect(text).toContain(`type filter hook ${hook} priority -400; policy drop;`);
    }
  });
});
