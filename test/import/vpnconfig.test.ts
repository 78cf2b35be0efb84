import { describe, expect, it } from 'vitest';
import { importVpnConfig, type Json } from '../../src/import/index.ts';
import { errors, expectNoSecret, fixture, loaded, messages, shape } from './helpers.ts';

const quirks = fixture('vpnconfig-quirks.json');
const prefixes = { branch1: ['192.168.10.0/24', '192.168.11.0/24'], branch2: ['192.168.20.0/24'] };

describe('import vpnconfig: a "Download VPN configuration" file with quirks', () => {
  const result = importVpnConfig(quirks.source, quirks.value, { sitePrefixes: prefixes });
  const topology = loaded(result);

  it('validates: hub from AddressSpace and Region, instances from IpAddresses and BgpPeeringAddresses', () => {
    const s = shape(topology);
    expect(s.hub).toBe('hub-westeurope 10.0.0.0/24');
    expect(s.instances).toEqual(['IN_0 20.50.1.10 10.0.0.12', 'IN_1 20.50.1.11 10.0.0.13']);
    expect(topology.vpnGateway.name).toBe('hub-westeurope-vpngw');
  });

  it('ConnectedSubnets become one vnet per prefix, named after it', () => {
    expect(shape(topology).vnets).toEqual(['vnet-10.1.0.0-16 10.1.0.0/16', 'vnet-10.2.0.0-16 10.2.0.0/16']);
  });

  it('names with stray spaces are trimmed, each with a warning naming the field', () => {
    expect(shape(topology).sites).toEqual(['branch1', 'branch2']);
    const trimmed = result.issues.filter((issue) => issue.message.includes('has stray spaces'));
    expect(trimmed.map((issue) => issue.path)).toEqual([
      [0, 'vpnSiteConfiguration', 'Name'],
      [2, 'vpnSiteConfiguration', 'Name'],
      [2, 'vpnSiteConfiguration', 'LinkName'],
    ]);
  });

  it('two links of one site sharing an IP are folded into one link: one tunnel per instance', () => {
    const s = shape(topology);
    expect(s.tunnels.filter((t) => t.startsWith('198.51.100.20'))).toEqual([
      '198.51.100.20>IN_0',
      '198.51.100.20>IN_1',
    ]);
    expect(
      messages(result, 'warning').some((m) =>
        m.includes('site link branch2-isp1-backup has the same public IP 198.51.100.20'),
      ),
    ).toBe(true);
  });

  it('DpdTimeoutSeconds 0 becomes the default 45 s, with a warning', () => {
    const lc = topology.vpnConnections.find((c) => c.remoteVpnSite === 'branch2')?.vpnLinkConnections[0];
    expect(lc?.dpdTimeoutSeconds).toBe(45);
    expect(
      result.issues.some(
        (i) => i.path.join('.') === '1.vpnSiteConnections.0.connectionConfiguration.DpdTimeoutSeconds',
      ),
    ).toBe(true);
  });

  it('BGP site: its device announces the --site-prefix prefixes; static site: they are its addressSpace', () => {
    const branch1 = topology.vpnSites.find((site) => site.name === 'branch1');
    const branch2 = topology.vpnSites.find((site) => site.name === 'branch2');
    expect(branch1?.devices[0]?.advertisedPrefixes).toEqual(prefixes.branch1);
    expect(branch1?.addressSpace).toEqual([]);
    expect(branch2?.addressSpace).toEqual(prefixes.branch2);
    expect(shape(topology).bgpPeers).toEqual(['192.168.255.1>10.0.0.12', '192.168.255.1>10.0.0.13']);
  });

  it('the PSKs are neither written nor printed', () => {
    if (!result.ok) throw new Error('unreachable');
    expectNoSecret(result.yaml);
    expectNoSecret(result.issues.map((i) => i.message).join('\n'));
  });
});

describe('import vpnconfig: what the file does not carry is an error saying what to add', () => {
  it('a static site without --site-prefix', () => {
    const result = importVpnConfig(quirks.source, quirks.value, {
      sitePrefixes: { branch1: ['192.168.10.0/24'] },
    });
    expect(result.ok).toBe(false);
    const [error] = errors(result);
    expect(error?.path).toEqual([1, 'vpnSiteConfiguration']);
    expect(error?.message).toContain('--site-prefix branch2=<cidr>');
  });

  const entry = (name: string, ip: string, hub: string, region: string, bgp = false): Json => ({
    configurationVersion: { LastUpdatedTime: '2024-01-01T00:00:00Z', Version: 'v' },
    vpnSiteConfiguration: { Name: name, IPAddress: ip },
    vpnSiteConnections: [
      {
        hubConfiguration: { AddressSpace: hub, Region: region },
        gatewayConfiguration: { IpAddresses: { Instance0: '20.0.0.1', Instance1: '20.0.0.2' } },
        connectionConfiguration: {
          IsBgpEnabled: bgp,
          PSK: 'x-never-print',
          IPsecParameters: { SADataSizeInKilobytes: 102400000, SALifeTimeInSeconds: 3600 },
        },
      },
    ],
  });

  it('a file reaching two hubs needs --hub; then it imports that hub alone', () => {
    const value: Json = [
      entry('a', '203.0.113.1', '10.0.0.0/24', 'West Europe'),
      entry('b', '203.0.113.2', '10.9.0.0/24', 'North Europe'),
    ];
    const both = importVpnConfig('two.json', value, { gatewayBgpIps: ['10.0.0.12', '10.0.0.13'] });
    expect(errors(both)[0]?.message).toContain('choose one with --hub <AddressSpace>');
    const one = importVpnConfig('two.json', value, {
      hub: '10.0.0.0/24',
      gatewayBgpIps: ['10.0.0.12', '10.0.0.13'],
      sitePrefixes: { a: ['192.168.1.0/24'] },
    });
    expect(shape(loaded(one)).sites).toEqual(['a']);
    expect(messages(one, 'note').some((m) => m.includes('site b has no connection to hub 10.0.0.0/24'))).toBe(
      true,
    );
  });

  it('no connection runs BGP, so no gateway BGP addresses: --gateway-bgp-ips is asked for', () => {
    const result = importVpnConfig('s.json', [entry('a', '203.0.113.1', '10.0.0.0/24', 'West Europe')], {
      sitePrefixes: { a: ['192.168.1.0/24'] },
    });
    expect(errors(result).some((e) => e.message.includes('--gateway-bgp-ips'))).toBe(true);
  });

  it('a missing IPAddress and an unknown field, each named by path', () => {
    const bad = entry('a', '203.0.113.1', '10.0.0.0/24', 'West Europe') as {
      vpnSiteConfiguration: Record<string, Json>;
    };
    delete bad.vpnSiteConfiguration.IPAddress;
    bad.vpnSiteConfiguration.IpAdress = '203.0.113.1';
    const result = importVpnConfig('s.json', [bad as unknown as Json], {
      gatewayBgpIps: ['10.0.0.12', '10.0.0.13'],
      sitePrefixes: { a: ['192.168.1.0/24'] },
    });
    const found = errors(result).map((e) => `${e.path.join('.')}: ${e.message}`);
    expect(found).toContainEqual(
      expect.stringMatching(
        /^0\.vpnSiteConfiguration\.IpAdress: unknown field in vpnSiteConfiguration; did you mean "IPAddress"\?/,
      ),
    );
    expect(found).toContainEqual(expect.stringMatching(/^0\.vpnSiteConfiguration: IPAddress is missing/));
  });

  it('instances that disagree across entries are an error, not a guess', () => {
    const a = entry('a', '203.0.113.1', '10.0.0.0/24', 'West Europe');
    const b = JSON.parse(JSON.stringify(entry('b', '203.0.113.2', '10.0.0.0/24', 'West Europe'))) as {
      vpnSiteConnections: { gatewayConfiguration: { IpAddresses: Record<string, string> } }[];
    };
    (
      b.vpnSiteConnections[0] as { gatewayConfiguration: { IpAddresses: Record<string, string> } }
    ).gatewayConfiguration.IpAddresses.Instance0 = '20.0.0.9';
    const result = importVpnConfig('s.json', [a, b as unknown as Json], {
      gatewayBgpIps: ['10.0.0.12', '10.0.0.13'],
    });
    expect(
      errors(result).some((e) => e.message.includes("Instance0's public IP is 20.0.0.9 here but 20.0.0.1")),
    ).toBe(true);
  });

  it('not a list of entries', () => {
    const result = importVpnConfig('s.json', 'hello');
    expect(errors(result)[0]?.message).toContain('expected a VPN configuration file');
  });
});
