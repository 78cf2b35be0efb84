import { describe, expect, it } from 'vitest';
import { type ImportOptions, importArm, type Json } from '../../src/import/index.ts';
import { errors, expectNoSecret, fixture, loaded, messages, shape } from './helpers.ts';

const templateOptions: ImportOptions = {
  vnetPrefixes: { spoke2: ['10.2.0.0/16'] },
  singleTunnel: { branch2: 'IN_0' },
  sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'] },
};

describe('import arm: ARM template export (hub, BGP active-active site, static single-tunnel site)', () => {
  const result = importArm([fixture('arm-template-export.json')], templateOptions);
  const topology = loaded(result);

  it('validates with the loader and has the hub, both instances and both vnets', () => {
    const s = shape(topology);
    expect(s.hub).toBe('hub-weu 10.0.0.0/24');
    expect(s.instances).toEqual(['IN_0 20.50.1.10 10.0.0.12', 'IN_1 20.50.1.11 10.0.0.13']);
    expect(s.vnets).toEqual(['spoke1 10.1.0.0/16', 'spoke2 10.2.0.0/16']);
  });

  it('BGP site: two tunnels, one BGP session per instance from the loopback address', () => {
    const s = shape(topology);
    expect(s.tunnels.filter((t) => t.startsWith('203.0.113.10'))).toEqual([
      '203.0.113.10>IN_0',
      '203.0.113.10>IN_1',
    ]);
    expect(s.bgpPeers).toEqual(['192.168.255.1>10.0.0.12', '192.168.255.1>10.0.0.13']);
    const branch1 = topology.vpnSites.find((site) => site.name === 'branch1');
    expect(branch1?.addressSpace).toEqual([]);
    expect(branch1?.devices[0]?.advertisedPrefixes).toEqual(['192.168.10.0/24', '192.168.11.0/24']);
    expect(branch1?.devices[0]?.vpnSiteLinks[0]?.bgpProperties).toEqual({
      asn: 65010,
      bgpPeeringAddress: '192.168.255.1',
    });
  });

  it('static site: one tunnel to IN_0 (--single-tunnel), its addressSpace routed statically', () => {
    const s = shape(topology);
    expect(s.tunnels.filter((t) => t.startsWith('198.51.100.20'))).toEqual(['198.51.100.20>IN_0']);
    const branch2 = topology.vpnSites.find((site) => site.name === 'branch2');
    expect(branch2?.addressSpace).toEqual(['192.168.20.0/24']);
    const lc = topology.vpnConnections.find((c) => c.remoteVpnSite === 'branch2')?.vpnLinkConnections[0];
    expect(lc?.enableBgp).toBe(false);
  });

  it('dpdTimeoutSeconds 0 is normalised to the default with a warning naming the JSON path', () => {
    const lc = topology.vpnConnections.find((c) => c.remoteVpnSite === 'branch2')?.vpnLinkConnections[0];
    expect(lc?.dpdTimeoutSeconds).toBe(45);
    const warning = result.issues.find((issue) => issue.message.startsWith('0 means unset'));
    expect(warning?.path).toEqual([
      'resources',
      10,
      'properties',
      'vpnLinkConnections',
      0,
      'properties',
      'dpdTimeoutSeconds',
    ]);
  });

  it('one vpnSite with deviceProperties becomes one device holding its links, and the YAML says so', () => {
    expect(topology.vpnSites.map((site) => site.devices.map((device) => device.name))).toEqual([
      ['branch1-device'],
      ['branch2-device'],
    ]);
    if (!result.ok) throw new Error('unreachable');
    expect(result.yaml).toContain(
      "# Azure's vpnSite branch1 has one deviceProperties (vendor strongSwan, model Debian 12) and 1 link",
    );
  });

  it('the pre-shared keys are neither written nor printed, only located', () => {
    if (!result.ok) throw new Error('unreachable');
    expectNoSecret(result.yaml);
    expectNoSecret(result.issues.map((issue) => issue.message).join('\n'));
    expect(
      messages(result, 'note').some((m) => m.includes('2 pre-shared keys') && m.includes('never printed')),
    ).toBe(true);
  });

  it('without --vnet-prefix, a vnet the export does not describe is an error naming its JSON path', () => {
    const failed = importArm([fixture('arm-template-export.json')], { ...templateOptions, vnetPrefixes: {} });
    expect(failed.ok).toBe(false);
    const [error] = errors(failed);
    expect(error?.path).toEqual(['resources', 4, 'properties', 'remoteVirtualNetwork', 'id']);
    expect(error?.message).toContain('--vnet-prefix spoke2=');
  });
});

describe('import arm: the array `az resource list` prints, and single `az … show` objects', () => {
  it('the resource list gives the same hub, instances and BGP peers as the template export', () => {
    const fromList = loaded(
      importArm([fixture('az-resource-list.json')], {
        singleTunnel: { branch2: 'IN_0' },
        sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'] },
      }),
    );
    const fromTemplate = loaded(importArm([fixture('arm-template-export.json')], templateOptions));
    const a = shape(fromList);
    const b = shape(fromTemplate);
    expect(a.hub).toBe(b.hub);
    expect(a.instances).toEqual(b.instances);
    expect(a.vnets).toEqual(b.vnets);
    expect(a.bgpPeers).toEqual(b.bgpPeers);
    expect(a.sites).toEqual(['branch1', 'branch2', 'branch3']);
  });

  it('two links sharing one public IP are folded into one, with a warning naming both', () => {
    const result = importArm([fixture('az-resource-list.json')]);
    const topology = loaded(result);
    const branch3 = topology.vpnSites.find((site) => site.name === 'branch3');
    expect(branch3?.devices[0]?.vpnSiteLinks.map((link) => link.name)).toEqual(['branch3-fortigate']);
    const connection = topology.vpnConnections.find((c) => c.remoteVpnSite === 'branch3');
    expect(connection?.vpnLinkConnections.map((lc) => lc.name)).toEqual(['branch3-fortigate']);
    const warning = result.issues.find((issue) => issue.message.includes('same public IP 192.0.2.30'));
    expect(warning?.message).toContain('site link branch3-asa');
    expect(warning?.path).toEqual([8, 'properties', 'vpnSiteLinks', 1]);
  });

  it('flattened `az network vpn-gateway show` + `vpn-site list` + `vhub show` + `vhub connection list` files merge', () => {
    const result = importArm(
      [
        'az-vpn-gateway-show.json',
        'az-vpn-site-list.json',
        'az-vhub-show.json',
        'az-vhub-connection-list.json',
      ].map(fixture),
      {
        vnetPrefixes: { spoke1: ['10.1.0.0/16'], spoke2: ['10.2.0.0/16'] },
        sitePrefixes: { branch1: ['192.168.10.0/24'] },
      },
    );
    const s = shape(loaded(result));
    expect(s.instances).toEqual(['IN_0 20.50.1.10 10.0.0.12', 'IN_1 20.50.1.11 10.0.0.13']);
    expect(s.sites).toEqual(['branch1', 'branch2']);
    expect(s.tunnels).toHaveLength(4);
  });

  it('a single gateway object alone: errors say which resources to add', () => {
    const result = importArm([fixture('az-vpn-gateway-show.json')]);
    expect(result.ok).toBe(false);
    const text = errors(result)
      .map((e) => e.message)
      .join('\n');
    expect(text).toContain('no Microsoft.Network/virtualHubs resource for hub hub-weu');
    expect(text).toContain('--hub-prefix');
  });

  it('with --hub-prefix, the gateway object and the site list are enough', () => {
    const result = importArm(['az-vpn-gateway-show.json', 'az-vpn-site-list.json'].map(fixture), {
      hubPrefix: '10.0.0.0/24',
      sitePrefixes: { branch1: ['192.168.10.0/24'] },
    });
    expect(shape(loaded(result)).hub).toBe('hub-weu 10.0.0.0/24');
  });
});

/** A minimal hand-written resource list, changed per test. */
function minimal(): Json[] {
  const id = (path: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/${path}`;
  return [
    {
      id: id('virtualHubs/hub1'),
      name: 'hub1',
      type: 'Microsoft.Network/virtualHubs',
      properties: { addressPrefix: '10.0.0.0/24' },
    },
    {
      id: id('vpnSites/site1'),
      name: 'site1',
      type: 'Microsoft.Network/vpnSites',
      properties: {
        addressSpace: { addressPrefixes: ['192.168.1.0/24'] },
        vpnSiteLinks: [{ name: 'link1', properties: { ipAddress: '203.0.113.1' } }],
      },
    },
    {
      id: id('vpnGateways/gw1'),
      name: 'gw1',
      type: 'Microsoft.Network/vpnGateways',
      properties: {
        virtualHub: { id: id('virtualHubs/hub1') },
        bgpSettings: {
          asn: 65515,
          bgpPeeringAddresses: [
            {
              ipconfigurationId: 'Instance0',
              defaultBgpIpAddresses: ['10.0.0.12'],
              tunnelIpAddresses: ['20.0.0.1'],
            },
            {
              ipconfigurationId: 'Instance1',
              defaultBgpIpAddresses: ['10.0.0.13'],
              tunnelIpAddresses: ['20.0.0.2'],
            },
          ],
        },
        connections: [
          {
            name: 'conn1',
            properties: {
              remoteVpnSite: { id: id('vpnSites/site1') },
              vpnLinkConnections: [
                {
                  name: 'lc1',
                  properties: {
                    vpnSiteLink: { id: id('vpnSites/site1/vpnSiteLinks/link1') },
                    enableBgp: false,
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}

describe('import arm: problems are errors naming the JSON path, never exceptions', () => {
  it('the minimal list imports', () => {
    expect(shape(loaded(importArm([{ source: 'min.json', value: minimal() }]))).tunnels).toEqual([
      '203.0.113.1>IN_0',
      '203.0.113.1>IN_1',
    ]);
  });

  it('an unknown field: error with its path and a suggestion; --ignore-unknown makes it a warning', () => {
    const value = minimal() as { properties: Record<string, Json> }[];
    const gateway = value[2]?.properties as {
      connections: { properties: { vpnLinkConnections: { properties: Record<string, Json> }[] } }[];
    };
    const lcProps = gateway.connections[0]?.properties.vpnLinkConnections[0]?.properties as Record<
      string,
      Json
    >;
    lcProps.enableBpg = true;
    const strict = importArm([{ source: 'min.json', value }]);
    expect(strict.ok).toBe(false);
    const [error] = errors(strict);
    expect(error?.path).toEqual([
      2,
      'properties',
      'connections',
      0,
      'properties',
      'vpnLinkConnections',
      0,
      'properties',
      'enableBpg',
    ]);
    expect(error?.message).toMatch(/^unknown field in a vpnLinkConnection; did you mean "enableBgp"\?/);
    const lenient = importArm([{ source: 'min.json', value }], { ignoreUnknown: true });
    expect(lenient.ok).toBe(true);
    expect(messages(lenient, 'warning').some((m) => m.includes('not imported'))).toBe(true);
  });

  it('a missing public IP names the instance and where it was expected', () => {
    const value = minimal() as {
      properties: { bgpSettings?: { bgpPeeringAddresses: Record<string, Json>[] } };
    }[];
    const entry = value[2]?.properties.bgpSettings?.bgpPeeringAddresses[1] as Record<string, Json>;
    delete entry.tunnelIpAddresses;
    const result = importArm([{ source: 'min.json', value: value as unknown as Json }]);
    const [error] = errors(result);
    expect(error?.path).toEqual([2, 'properties', 'bgpSettings', 'bgpPeeringAddresses', 1]);
    expect(error?.message).toContain('no public IP for Instance1');
  });

  it("the model's own errors are reported against the input path (a reserved ASN on a site link)", () => {
    const value = minimal() as { properties: { vpnSiteLinks?: { properties: Record<string, Json> }[] } }[];
    const link = value[1]?.properties.vpnSiteLinks?.[0]?.properties as Record<string, Json>;
    link.bgpProperties = { asn: 65515, bgpPeeringAddress: '192.168.255.1' };
    const result = importArm([{ source: 'min.json', value: value as unknown as Json }]);
    expect(result.ok).toBe(false);
    const error = errors(result).find((e) => e.message.includes('reserved by Azure'));
    expect(error?.path).toEqual([1, 'properties', 'vpnSiteLinks', 0, 'properties', 'bgpProperties', 'asn']);
    expect(error?.message).toContain(
      '(topology field vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.asn)',
    );
  });

  it('an expression vwan-ha cannot evaluate is named with its path', () => {
    const template: Json = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: {},
      resources: [
        {
          type: 'Microsoft.Network/virtualHubs',
          name: 'hub1',
          properties: { addressPrefix: "[reference('hubParams').prefix]" },
        },
      ],
    };
    const result = importArm([{ source: 't.json', value: template }]);
    const error = errors(result).find((e) => e.message.includes('reference()'));
    expect(error?.path).toEqual(['resources', 0, 'properties', 'addressPrefix']);
    expect(error?.message).toContain('reference() is not evaluated by vwan-ha');
  });

  it('not an ARM file at all', () => {
    const result = importArm([{ source: 'x.json', value: { hello: 'world' } }]);
    expect(errors(result)[0]?.message).toContain('not an ARM file vwan-ha knows');
  });

  it('properties: null (plain `az resource list`) says how to get them', () => {
    const value = minimal() as Record<string, Json>[];
    (value[1] as Record<string, Json>).properties = null;
    const result = importArm([{ source: 'min.json', value: value as Json }]);
    expect(errors(result)[0]?.message).toContain('az resource show --ids');
  });

  it('--include-psk: still not written, because the model has no field for it, and said so', () => {
    const value = minimal() as { properties: Record<string, Json> }[];
    const gateway = value[2]?.properties as {
      connections: { properties: { vpnLinkConnections: { properties: Record<string, Json> }[] } }[];
    };
    const lcProps = gateway.connections[0]?.properties.vpnLinkConnections[0]?.properties as Record<
      string,
      Json
    >;
    lcProps.sharedKey = 'secret-never-print';
    const result = importArm([{ source: 'min.json', value }], { includePsk: true });
    if (!result.ok) throw new Error('import failed');
    expectNoSecret(result.yaml);
    expectNoSecret(result.issues.map((issue) => issue.message).join('\n'));
    expect(
      messages(result, 'warning').some(
        (m) => m.includes('--include-psk was given') && m.includes('not written'),
      ),
    ).toBe(true);
  });
});
