import { describe, expect, it } from 'vitest';
import { formatIssue, type LoadResult, parseTopology } from '../../src/model/index.ts';
import { at, baseTopology, type Plain } from './base-topology.ts';

function errorsOf(result: LoadResult): string[] {
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
}

/** Applies an edit to a fresh base topology and returns the formatted errors. */
function errorsAfter(edit: (topology: Plain) => void): string[] {
  const topology = baseTopology();
  edit(topology);
  return errorsOf(parseTopology(topology));
}

describe('the base topology', () => {
  it('is valid and has no warnings', () => {
    const result = parseTopology(baseTopology());
    expect(errorsOf(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});

describe('loading fills defaults and normalises', () => {
  it('fills every default from Azure (or vwan-ha) so the Topology is complete', () => {
    const result = parseTopology(baseTopology());
    if (!result.ok) throw new Error('base topology must load');
    const { topology } = result;
    expect(topology.vpnGateway.vpnGatewayScaleUnit).toBe(1);
    expect(topology.vpnGateway.bgpSettings.asn).toBe(65515);
    expect(topology.virtualHub.hubRoutingPreference).toBe('ExpressRoute');
    const device = topology.vpnSites[0]?.devices[0];
    expect(device).toMatchObject({
      bgpAddressOn: 'loopback',
      ecmp: true,
      connectionMode: 'Default',
      bgpTimers: { keepaliveSeconds: 60, holdSeconds: 180 },
      deadTunnelRoutes: 'withdrawOnDpd',
    });
    expect(device?.vpnSiteLinks[0]).toMatchObject({ latencyMs: 20, linkProperties: {} });
    expect(topology.vpnConnections[1]?.vpnLinkConnections[0]).toEqual({
      name: 'branch2-isp1-conn',
      vpnSiteLink: 'branch2-isp1',
      enableBgp: false,
      vpnLinkConnectionMode: 'Default',
      dpdTimeoutSeconds: 45,
      ipsec: { saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000, ikeSaLifeTimeSeconds: 28800 },
      instances: ['IN_0', 'IN_1'],
      vpnGatewayCustomBgpAddresses: [],
      staticRoutes: [],
    });
    // advertisedPrefixes defaults to the site's addressSpace
    expect(topology.vpnSites[1]?.devices[0]?.advertisedPrefixes).toEqual(['192.168.20.0/24']);
  });

  it("accepts Azure's Instance0/Instance1 and orders instances IN_0, IN_1 everywhere", () => {
    const topology = baseTopology();
    const instances = at(topology, 'vpnGateway').instances as Plain[];
    at(topology, 'vpnGateway').instances = [
      { ...instances[1], id: 'Instance1' },
      { ...instances[0], id: 'Instance0' },
    ];
    const linkConnection = at(topology, 'vpnConnections', 1, 'vpnLinkConnections', 0);
    linkConnection.instances = ['Instance1', 'IN_0'];
    const result = parseTopology(topology);
    if (!result.ok) throw new Error(errorsOf(result).join('\n'));
    expect(
      result.topology.vpnGateway.instances.map((instance) => [instance.id, instance.tunnelIpAddress]),
    ).toEqual([
      ['IN_0', '20.50.1.10'],
      ['IN_1', '20.50.1.11'],
    ]);
    expect(result.topology.vpnConnections[1]?.vpnLinkConnections[0]?.instances).toEqual(['IN_0', 'IN_1']);
  });

  it("treats dpdTimeoutSeconds 0 (Azure exports' unset) as 45 s, with a warning", () => {
    const topology = baseTopology();
    at(topology, 'vpnConnections', 1, 'vpnLinkConnections', 0).dpdTimeoutSeconds = 0;
    const result = parseTopology(topology);
    if (!result.ok) throw new Error(errorsOf(result).join('\n'));
    expect(result.topology.vpnConnections[1]?.vpnLinkConnections[0]?.dpdTimeoutSeconds).toBe(45);
    expect(result.warnings.map((issue) => formatIssue(issue))).toEqual([
      "vpnConnections[1].vpnLinkConnections[0].dpdTimeoutSeconds: 0 means unset (as in Azure exports); using Azure's default 45 s",
    ]);
  });

  it('never lets the caller’s value leak into the Topology (defaults are fresh arrays)', () => {
    const first = parseTopology(baseTopology());
    const second = parseTopology(baseTopology());
    if (!first.ok || !second.ok) throw new Error('base topology must load');
    expect(first.topology.vpnSites[0]?.addressSpace).not.toBe(second.topology.vpnSites[0]?.addressSpace);
  });
});

describe('cross-checks name the field and what would be accepted', () => {
  it('a device BGP address must not be its own public IP, inside a vnet, or Azure’s custom address', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0).bgpProperties = {
          asn: 65010,
          bgpPeeringAddress: '203.0.113.10',
        };
      }),
    ).toEqual([
      "vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.bgpPeeringAddress: 203.0.113.10 is also the link's public ipAddress; the BGP peering address must be a separate (loopback or tunnel) address such as 192.168.255.1",
    ]);
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0).bgpProperties = {
          asn: 65010,
          bgpPeeringAddress: '10.1.0.5',
        };
      }),
    ).toEqual([
      'vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.bgpPeeringAddress: 10.1.0.5 is inside vnet spoke1 (10.1.0.0/16); Azure would route it to the vnet, not to the device',
    ]);
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0).bgpProperties = {
          asn: 65010,
          bgpPeeringAddress: '169.254.22.1',
        };
        at(t, 'vpnConnections', 0, 'vpnLinkConnections', 0).vpnGatewayCustomBgpAddresses = [
          { ipConfigurationId: 'IN_0', customBgpIpAddress: '169.254.21.1' },
          { ipConfigurationId: 'IN_1', customBgpIpAddress: '169.254.22.1' },
        ];
      }),
    ).toEqual([
      "vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.bgpPeeringAddress: 169.254.22.1 is Azure's BGP address on IN_1 (vpnGateway.instances[1].customBgpIpAddresses[0]); the device needs an address of its own",
    ]);
  });

  it('custom BGP addresses on a link connection must be configured on that instance and have a tunnel there', () => {
    expect(
      errorsAfter((t) => {
        const lc = at(t, 'vpnConnections', 0, 'vpnLinkConnections', 0);
        lc.instances = ['IN_0'];
        lc.vpnGatewayCustomBgpAddresses = [
          { ipConfigurationId: 'IN_0', customBgpIpAddress: '169.254.21.9' },
          { ipConfigurationId: 'IN_1', customBgpIpAddress: '169.254.22.1' },
        ];
      }),
    ).toEqual([
      "vpnConnections[0].vpnLinkConnections[0].vpnGatewayCustomBgpAddresses[0].customBgpIpAddress: 169.254.21.9 is not one of IN_0's customBgpIpAddresses (IN_0 has 169.254.21.1); add it to vpnGateway.instances[0].customBgpIpAddresses",
      'vpnConnections[0].vpnLinkConnections[0].vpnGatewayCustomBgpAddresses[1].ipConfigurationId: IN_1 has no tunnel on this link connection (instances: [IN_0])',
    ]);
  });

  it('Azure-side BGP addresses are used once across both instances', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnGateway', 'instances', 1).customBgpIpAddresses = ['169.254.21.1'];
      }),
    ).toEqual([
      'vpnGateway.instances[1].customBgpIpAddresses[0]: 169.254.21.1 is already a BGP address of IN_0 (vpnGateway.instances[0].customBgpIpAddresses[0]); each Azure BGP address is used once',
    ]);
  });

  it('a site link has at most one link connection, and a site one connection', () => {
    expect(
      errorsAfter((t) => {
        const lcs = at(t, 'vpnConnections', 1).vpnLinkConnections as Plain[];
        lcs.push({ name: 'again', vpnSiteLink: 'branch2-isp1', instances: ['IN_1'] });
        (t.vpnConnections as Plain[]).push({
          name: 'conn-branch2-again',
          remoteVpnSite: 'branch2',
          vpnLinkConnections: [{ name: 'x', vpnSiteLink: 'branch2-isp1' }],
        });
      }),
    ).toEqual([
      'vpnConnections[1].vpnLinkConnections[1].vpnSiteLink: site link branch2-isp1 is already used by vpnConnections[1].vpnLinkConnections[0]; each site link has at most one link connection',
      'vpnConnections[2].remoteVpnSite: VPN site branch2 already has a connection (vpnConnections[1]); a site has one connection to the hub, with one link connection per link',
    ]);
  });

  it('two links sharing a public IP may not both build a tunnel to the same instance', () => {
    expect(
      errorsAfter((t) => {
        const links = at(t, 'vpnSites', 1, 'devices', 0).vpnSiteLinks as Plain[];
        links.push({ name: 'branch2-isp1-tun2', ipAddress: '198.51.100.20' });
        const lcs = at(t, 'vpnConnections', 1).vpnLinkConnections as Plain[];
        lcs.push({ name: 'tun2', vpnSiteLink: 'branch2-isp1-tun2', instances: ['IN_1'] });
      }),
    ).toEqual([
      'vpnConnections[1].vpnLinkConnections[1].instances: a second tunnel from 198.51.100.20 to IN_1 (the first is vpnConnections[1].vpnLinkConnections[0]); two tunnels between the same pair of public IPs cannot be told apart — send this one to the other instance',
    ]);
  });

  it('two devices cannot share a public IP, nor use an instance’s', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 1, 'devices', 0, 'vpnSiteLinks', 0).ipAddress = '203.0.113.10';
      }),
    ).toEqual([
      'vpnSites[1].devices[0].vpnSiteLinks[0].ipAddress: 203.0.113.10 is already the public IP of device branch1-fw1 (vpnSites[0].devices[0].vpnSiteLinks[0]); Azure tells VPN devices apart by their public IP',
    ]);
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 1, 'devices', 0, 'vpnSiteLinks', 0).ipAddress = '20.50.1.11';
      }),
    ).toEqual([
      "vpnSites[1].devices[0].vpnSiteLinks[0].ipAddress: 20.50.1.11 is a VPN gateway instance's public IP; use the device's own public IP",
    ]);
  });

  it('device names are unique in the file; link names only within a site (as in Azure)', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 1, 'devices', 0).name = 'branch1-fw1';
        at(t, 'vpnSites', 1, 'devices', 0, 'vpnSiteLinks', 0).name = 'branch1-isp1';
        at(t, 'vpnConnections', 1, 'vpnLinkConnections', 0).vpnSiteLink = 'branch1-isp1';
      }),
    ).toEqual([
      'vpnSites[1].devices[0].name: "branch1-fw1" is already the name of vpnSites[0].devices[0]; device names must be unique in the file',
    ]);
    expect(
      errorsAfter((t) => {
        (at(t, 'vpnSites', 1).devices as Plain[]).push({
          name: 'branch2-fw2',
          vpnSiteLinks: [{ name: 'branch2-isp1', ipAddress: '198.51.100.21' }],
        });
      }),
    ).toEqual([
      'vpnSites[1].devices[1].vpnSiteLinks[0].name: "branch2-isp1" is already the name of vpnSites[1].devices[0].vpnSiteLinks[0]; link names must be unique within a VPN site',
    ]);
  });

  it('instances listed twice on a link connection', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnConnections', 1, 'vpnLinkConnections', 0).instances = ['IN_0', 'Instance0'];
      }),
    ).toEqual([
      'vpnConnections[1].vpnLinkConnections[0].instances[1]: IN_0 is listed twice; list each instance once: [IN_0, IN_1] for two tunnels, or one of them for a single tunnel',
    ]);
    expect(
      errorsAfter((t) => {
        at(t, 'vpnConnections', 1, 'vpnLinkConnections', 0).instances = [];
      }),
    ).toEqual([
      'vpnConnections[1].vpnLinkConnections[0].instances: names no instance; use [IN_0, IN_1] (both, the default) or one of them for a single tunnel',
    ]);
  });

  it('BGP timers: hold 0 or at least 3 s, keepalive below hold', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0).bgpTimers = { holdSeconds: 2, keepaliveSeconds: 1 };
      }),
    ).toEqual([
      'vpnSites[0].devices[0].bgpTimers.holdSeconds: 2 is not a BGP hold time; RFC 4271 allows 0 (no hold timer) or 3 seconds and more (Azure uses 180)',
    ]);
    expect(
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0).bgpTimers = { holdSeconds: 90, keepaliveSeconds: 90 };
      }),
    ).toEqual([
      'vpnSites[0].devices[0].bgpTimers.keepaliveSeconds: keepalive 90 s is not below the hold time 90 s; use about a third of it (Azure: 60 / 180)',
    ]);
  });

  it('site ASNs: in range, not reserved by Azure or IANA', () => {
    const asnError = (asn: unknown) =>
      errorsAfter((t) => {
        at(t, 'vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0).bgpProperties = {
          asn,
          bgpPeeringAddress: '192.168.255.1',
        };
      });
    const path = 'vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.asn';
    expect(asnError(12076)).toEqual([
      `${path}: 12076 is reserved by Azure (a Microsoft public ASN); use a private ASN such as 65010`,
    ]);
    expect(asnError(65518)).toEqual([
      `${path}: 65518 is reserved by Azure (reserved for Azure internal use); use a private ASN such as 65010`,
    ]);
    expect(asnError(23456)).toEqual([
      `${path}: 23456 is reserved by IANA (AS_TRANS (RFC 6793)); use a private ASN such as 65010`,
    ]);
    expect(asnError(64500)[0]).toContain('64500 is reserved by IANA');
    expect(asnError(65540)[0]).toContain('65540 is reserved by IANA');
    expect(asnError(4294967295)[0]).toContain('4294967295 is reserved by IANA');
    expect(asnError(0)).toEqual([
      `${path}: 0 is not an ASN; use a whole number from 1 to 4294967294, such as the private ASN 65010`,
    ]);
    expect(asnError(65010.5)[0]).toContain('65010.5 is not an ASN');
    expect(asnError(2 ** 53)[0]).toContain('is not an ASN');
    expect(asnError(4200000000)).toEqual([]);
    expect(asnError(65516)).toEqual([]);
  });

  it('limits: 1,000 connections per hub, 2,000 tunnels per gateway', () => {
    const many = (count: number, instances: string[]) =>
      errorsAfter((t) => {
        const sites: Plain[] = [];
        const connections: Plain[] = [];
        for (let i = 0; i < count; i++) {
          const ip = `100.${64 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
          sites.push({
            name: `s${i}`,
            addressSpace: ['192.168.0.0/24'],
            devices: [{ name: `d${i}`, vpnSiteLinks: [{ name: 'l', ipAddress: ip }] }],
          });
          connections.push({
            name: `c${i}`,
            remoteVpnSite: `s${i}`,
            vpnLinkConnections: [{ name: 'lc', vpnSiteLink: 'l', instances }],
          });
        }
        t.vpnSites = sites;
        t.vpnConnections = connections;
      });
    expect(many(1000, ['IN_0', 'IN_1'])).toEqual([]);
    expect(
      errorsAfter((t) => {
        const sites: Plain[] = [];
        const connections: Plain[] = [];
        for (let i = 0; i < 501; i++) {
          const links = [0, 1].map((l) => ({
            name: `l${l}`,
            ipAddress: `100.64.${l}.${i % 256}`.replace('64.', `${64 + Math.floor(i / 256)}.`),
          }));
          sites.push({
            name: `s${i}`,
            addressSpace: ['192.168.0.0/24'],
            devices: [{ name: `d${i}`, vpnSiteLinks: links }],
          });
          connections.push({
            name: `c${i}`,
            remoteVpnSite: `s${i}`,
            vpnLinkConnections: links.map((link) => ({ name: link.name, vpnSiteLink: link.name })),
          });
        }
        t.vpnSites = sites;
        t.vpnConnections = connections;
      }),
    ).toEqual(['vpnConnections: 2004 tunnels in all; a Virtual WAN VPN gateway supports at most 2000']);
    expect(many(1001, ['IN_0'])).toEqual([
      'vpnConnections: more than 1000 VPN connections; a virtual hub supports at most 1000',
    ]);
  });

  it('the hub: default BGP addresses inside it, vnets outside it', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'virtualHub').addressPrefix = '10.0.4.0/24';
        (t.vnets as Plain[]).push({ name: 'spoke9', addressPrefixes: ['10.0.4.0/26'] });
      }),
    ).toEqual([
      'vnets[1].addressPrefixes[0]: 10.0.4.0/26 overlaps the hub address space 10.0.4.0/24; a connected vnet needs address space of its own',
      "vpnGateway.instances[0].defaultBgpIpAddress: 10.0.0.12 is outside the hub address space 10.0.4.0/24; Azure assigns each instance's default BGP address from it (e.g. 10.0.0.12 in 10.0.0.0/24)",
      "vpnGateway.instances[1].defaultBgpIpAddress: 10.0.0.13 is outside the hub address space 10.0.4.0/24; Azure assigns each instance's default BGP address from it (e.g. 10.0.0.13 in 10.0.0.0/24)",
    ]);
  });

  it('names: not empty, no stray spaces, at most 80 characters', () => {
    expect(
      errorsAfter((t) => {
        at(t, 'virtualHub').name = '';
      }),
    ).toEqual(['virtualHub.name: must not be empty']);
    expect(
      errorsAfter((t) => {
        at(t, 'virtualHub').name = 'hub-weu ';
      }),
    ).toEqual(['virtualHub.name: "hub-weu " has leading or trailing spaces; write "hub-weu"']);
    expect(
      errorsAfter((t) => {
        at(t, 'virtualHub').name = 'h'.repeat(81);
      }),
    ).toEqual(['virtualHub.name: is longer than 80 characters (Azure resource names are 1–80 characters)']);
  });

  it("names follow Azure's rule, so none can smuggle a line into an exported config or script", () => {
    const rule =
      'is not a name Azure accepts: use letters, digits, "_", "." and "-", starting with a letter or digit and ending with a letter, digit or "_"';
    for (const bad of [
      'fw1\ntouch /tmp/pwned #',
      'fw "1"',
      '-fw1',
      'fw1.',
      'fw 1',
      'fw{1}',
      'fw1\u001b[2J',
    ]) {
      const errors = errorsAfter((t) => {
        at(t, 'vpnSites', 0).name = bad;
      });
      expect(errors.length, bad).toBe(1);
      expect(errors[0], bad).toMatch(/^vpnSites\[0\]\.name: "/);
      expect(errors[0], bad).toContain(rule);
      expect(errors[0], bad).not.toContain('\n');
    }
    for (const good of ['fw1', 'site_1', 'a.b-c_', 'Branch-01.weu', 'x']) {
      const errors = errorsAfter((t) => {
        at(t, 'vpnSites', 0).name = good;
      });
      expect(
        errors.filter((e) => e.startsWith('vpnSites[0].name')),
        good,
      ).toEqual([]);
    }
  });

  it('unknown fields at the top level suggest the known one, or list them', () => {
    expect(
      errorsAfter((t) => {
        t.vpnSite = [];
      }),
    ).toEqual(['vpnSite: unknown field "vpnSite"; did you mean "vpnSites"?']);
    expect(
      errorsAfter((t) => {
        t.routeTables = [];
      }),
    ).toEqual([
      'routeTables: unknown field "routeTables"; fields here are: virtualHub, vnets, vpnGateway, vpnSites, vpnConnections',
    ]);
  });

  it('short or older names for a field point to the Azure name used here', () => {
    expect(
      errorsAfter((t) => {
        const gateway = at(t, 'vpnGateway');
        gateway.scaleUnits = 2;
        const instance = at(t, 'vpnGateway', 'instances', 0);
        instance.customBgpIps = instance.customBgpIpAddresses;
        delete instance.customBgpIpAddresses;
      }),
    ).toEqual([
      'vpnGateway.instances[0].customBgpIps: unknown field "customBgpIps"; did you mean "customBgpIpAddresses"?',
      'vpnGateway.scaleUnits: unknown field "scaleUnits"; did you mean "vpnGatewayScaleUnit"?',
    ]);
  });

  it('a gateway has exactly two instances', () => {
    expect(
      errorsAfter((t) => {
        (at(t, 'vpnGateway').instances as Plain[]).pop();
      }),
    ).toEqual(['vpnGateway.instances: a Virtual WAN VPN gateway has exactly two instances, IN_0 and IN_1']);
  });
});
