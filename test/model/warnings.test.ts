import { describe, expect, it } from 'vitest';
import { formatIssue, parseTopology } from '../../src/model/index.ts';
import { at, baseTopology, type Plain } from './base-topology.ts';

/** Applies an edit to a fresh base topology; it must still load, and its warnings are returned. */
function warningsAfter(edit: (topology: Plain) => void): string[] {
  const topology = baseTopology();
  edit(topology);
  const result = parseTopology(topology);
  if (!result.ok) throw new Error(result.errors.map((issue) => formatIssue(issue)).join('\n'));
  return result.warnings.map((issue) => formatIssue(issue));
}

const bgpDevice = (t: Plain) => at(t, 'vpnSites', 0, 'devices', 0);
const bgpLinkConnection = (t: Plain) => at(t, 'vpnConnections', 0, 'vpnLinkConnections', 0);
const staticLinkConnection = (t: Plain) => at(t, 'vpnConnections', 1, 'vpnLinkConnections', 0);

describe('IKE roles that can never meet are accepted with a warning', () => {
  it('ResponderOnly device facing a ResponderOnly link connection never comes up', () => {
    expect(
      warningsAfter((t) => {
        bgpDevice(t).connectionMode = 'ResponderOnly';
        bgpLinkConnection(t).vpnLinkConnectionMode = 'ResponderOnly';
      }),
    ).toEqual([
      'vpnConnections[0].vpnLinkConnections[0].vpnLinkConnectionMode: device branch1-fw1 is ResponderOnly and this link connection is ResponderOnly: neither side starts IKE, so these tunnels never come up; set one side to Default',
    ]);
  });

  it('InitiatorOnly on both sides never comes up either', () => {
    const warnings = warningsAfter((t) => {
      bgpDevice(t).connectionMode = 'InitiatorOnly';
      bgpLinkConnection(t).vpnLinkConnectionMode = 'InitiatorOnly';
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('never come up');
  });

  it('one side ResponderOnly and the other Default is fine', () => {
    expect(
      warningsAfter((t) => {
        bgpDevice(t).connectionMode = 'ResponderOnly';
        bgpLinkConnection(t).vpnLinkConnectionMode = 'InitiatorOnly';
      }),
    ).toEqual([]);
  });
});

describe("device BGP timers against Azure's fixed 60 s keepalive / 180 s hold", () => {
  const timers = (keepaliveSeconds: number, holdSeconds: number) =>
    warningsAfter((t) => {
      bgpDevice(t).bgpTimers = { keepaliveSeconds, holdSeconds };
    });
  const path = 'vpnSites[0].devices[0].bgpTimers';

  it('a hold time below 60 s expires between Azure keepalives: warned strongly', () => {
    expect(timers(10, 30)).toEqual([
      `${path}.holdSeconds: 30 s is below Azure's 60 s keepalive interval: the device's hold timer expires between Azure's keepalives and the session flaps about every 30 s (Azure does not negotiate its timers down); use 180`,
    ]);
  });

  it('a hold time between 60 and 180 s: the lower one is used, with fewer keepalives to spare', () => {
    expect(timers(30, 90)).toEqual([
      `${path}.holdSeconds: 90 s is below Azure's 180 s: the session runs with the lower hold time, 90 s, while Azure still sends keepalives only every 60 s, so 1 lost keepalive drops it`,
    ]);
    expect(timers(50, 150)[0]).toContain('so 2 lost keepalives in a row drop it');
  });

  it("Azure's own values and longer hold times are quiet", () => {
    expect(timers(60, 180)).toEqual([]);
    expect(timers(60, 240)).toEqual([]);
  });

  it('hold 0, keepalive 0 and keepalives slower than Azure’s hold are warned', () => {
    expect(timers(0, 0)[0]).toContain("holdSeconds: 0 turns the device's hold timer off");
    expect(timers(0, 180)).toEqual([
      `${path}.keepaliveSeconds: 0 sends no keepalives: Azure's 180 s hold timer expires and the session flaps; use 60`,
    ]);
    expect(timers(200, 600)[0]).toContain("200 s is not below Azure's 180 s hold time");
  });

  it('only devices that run BGP are checked', () => {
    expect(
      warningsAfter((t) => {
        at(t, 'vpnSites', 1, 'devices', 0).bgpTimers = { keepaliveSeconds: 10, holdSeconds: 30 };
      }),
    ).toEqual([]);
  });
});

describe('designs the seed warns against', () => {
  it('BGP on the tunnel interface instead of a loopback', () => {
    expect(
      warningsAfter((t) => {
        bgpDevice(t).bgpAddressOn = 'tunnel';
      }),
    ).toEqual([
      'vpnSites[0].devices[0].bgpAddressOn: BGP runs on a tunnel interface: the BGP address goes down with its tunnel; the seed recommends a loopback, always up and decoupled from the IPsec tunnels',
    ]);
  });

  it('ECMP off on a device with two tunnels (not on one with a single tunnel)', () => {
    expect(
      warningsAfter((t) => {
        bgpDevice(t).ecmp = false;
      })[0],
    ).toMatch(
      /^vpnSites\[0\]\.devices\[0\]\.ecmp: ecmp is off: the device sends all traffic over one of its 2 tunnels/,
    );
    const single = warningsAfter((t) => {
      at(t, 'vpnSites', 1, 'devices', 0).ecmp = false;
      staticLinkConnection(t).instances = ['IN_1'];
    });
    expect(single.some((line) => line.includes('ecmp'))).toBe(false);
  });

  it('a static single tunnel: every maintenance of its instance resets all sessions twice', () => {
    expect(
      warningsAfter((t) => {
        staticLinkConnection(t).instances = ['IN_1'];
      }),
    ).toEqual([
      'vpnConnections[1].vpnLinkConnections[0].instances: single tunnel to IN_1: when IN_1 is serviced its public IP and this tunnel move to IN_0 and later move back, so each maintenance of IN_1 resets all sessions over this tunnel twice, on failover and on failback (seed: "Single Tunnel Configuration")',
    ]);
  });

  it('BGP over a single tunnel', () => {
    expect(
      warningsAfter((t) => {
        bgpLinkConnection(t).instances = ['IN_0'];
      })[0],
    ).toContain(
      "BGP over a single tunnel to IN_0: the session drops whenever IN_0 is serviced; the seed's BGP design uses two tunnels",
    );
  });
});

describe('APIPA BGP on the device: Azure never opens the session', () => {
  const apipa = (t: Plain) => {
    at(t, 'vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0).bgpProperties = {
      asn: 65010,
      bgpPeeringAddress: '169.254.21.2',
    };
    bgpLinkConnection(t).vpnGatewayCustomBgpAddresses = [
      { ipConfigurationId: 'Instance0', customBgpIpAddress: '169.254.21.1' },
      { ipConfigurationId: 'Instance1', customBgpIpAddress: '169.254.22.1' },
    ];
  };

  it('the device must open BGP', () => {
    expect(warningsAfter(apipa)).toEqual([
      "vpnConnections[0].vpnLinkConnections[0].enableBgp: the device's BGP address 169.254.21.2 is APIPA: Azure does not open BGP towards APIPA peers, so the device must open the session (configure it active, not passive)",
    ]);
  });

  it('with an Azure ResponderOnly link connection, every recovery waits on the device alone', () => {
    const warnings = warningsAfter((t) => {
      apipa(t);
      bgpLinkConnection(t).vpnLinkConnectionMode = 'ResponderOnly';
    });
    expect(warnings[0]).toContain(
      'with vpnLinkConnectionMode ResponderOnly Azure also waits for the device to start IKE',
    );
  });
});

describe('settings that have no effect, and resources that build nothing', () => {
  it('addressSpace on a BGP site becomes static routes that win over BGP', () => {
    expect(
      warningsAfter((t) => {
        at(t, 'vpnSites', 0).addressSpace = ['192.168.10.0/24'];
      })[0],
    ).toContain(
      'VPN site branch1 also has an addressSpace, which Azure routes to the site statically even with BGP on',
    );
  });

  it('staticRoutes with BGP on, custom BGP addresses with BGP off', () => {
    expect(
      warningsAfter((t) => {
        bgpLinkConnection(t).staticRoutes = ['192.168.30.0/24'];
        staticLinkConnection(t).vpnGatewayCustomBgpAddresses = [
          { ipConfigurationId: 'IN_0', customBgpIpAddress: '169.254.21.1' },
        ];
      }),
    ).toEqual([
      'vpnConnections[0].vpnLinkConnections[0].staticRoutes: ignored while enableBgp is true; the device announces its prefixes over BGP',
      'vpnConnections[1].vpnLinkConnections[0].vpnGatewayCustomBgpAddresses: ignored while enableBgp is false',
    ]);
  });

  it('a site without a connection, a link without a link connection, no sites at all', () => {
    expect(
      warningsAfter((t) => {
        (t.vpnConnections as Plain[]).pop();
      }),
    ).toEqual(['vpnSites[1]: VPN site branch2 has no VPN connection; it builds no tunnels']);
    expect(
      warningsAfter((t) => {
        (at(t, 'vpnSites', 1, 'devices', 0).vpnSiteLinks as Plain[]).push({
          name: 'spare',
          ipAddress: '198.51.100.21',
        });
      }),
    ).toEqual([
      'vpnSites[1].devices[0].vpnSiteLinks[1]: site link spare has no link connection; it builds no tunnels',
    ]);
    expect(
      warningsAfter((t) => {
        t.vpnSites = [];
        t.vpnConnections = [];
      }),
    ).toEqual(['vpnSites: no VPN sites: the hub has nothing to connect to, so there is nothing to simulate']);
  });

  it('more than 4,000 announced prefixes drop the BGP session; none is useless', () => {
    const prefixes = Array.from(
      { length: 4001 },
      (_, i) => `172.${16 + Math.floor(i / 256)}.${i % 256}.0/24`,
    );
    expect(
      warningsAfter((t) => {
        bgpDevice(t).advertisedPrefixes = prefixes;
      }),
    ).toEqual([
      'vpnSites[0].devices[0].advertisedPrefixes: 4001 prefixes: Azure drops a BGP session that announces more than 4000, so this session will not stay up; summarise',
    ]);
    expect(
      warningsAfter((t) => {
        bgpDevice(t).advertisedPrefixes = [];
      })[0],
    ).toContain('the device announces nothing over BGP');
  });

  it("an IKE SA lifetime other than Azure's fixed 28,800 s is a what-if", () => {
    expect(
      warningsAfter((t) => {
        staticLinkConnection(t).ipsec = { ikeSaLifeTimeSeconds: 3600 };
      }),
    ).toEqual([
      "vpnConnections[1].vpnLinkConnections[0].ipsec.ikeSaLifeTimeSeconds: Azure's IKE SA lifetime is 28800 s and cannot be configured; 3600 s is a what-if",
    ]);
  });

  it('a site prefix overlapping a vnet', () => {
    expect(
      warningsAfter((t) => {
        at(t, 'vpnSites', 1).addressSpace = ['10.1.2.0/24'];
      }),
    ).toEqual([
      'vpnSites[1].addressSpace[0]: 10.1.2.0/24 overlaps vnet spoke1 (10.1.0.0/16); the longest prefix wins, so part of one side is unreachable from the other',
    ]);
  });

  it('one device speaking BGP with two ASNs', () => {
    expect(
      warningsAfter((t) => {
        (bgpDevice(t).vpnSiteLinks as Plain[]).push({
          name: 'branch1-isp2',
          ipAddress: '203.0.113.20',
          bgpProperties: { asn: 65011, bgpPeeringAddress: '192.168.255.2' },
        });
        (at(t, 'vpnConnections', 0).vpnLinkConnections as Plain[]).push({
          name: 'branch1-isp2-conn',
          vpnSiteLink: 'branch1-isp2',
          enableBgp: true,
        });
      }),
    ).toEqual([
      "vpnSites[0].devices[0]: the device's links use different ASNs (65010, 65011); one device is normally one BGP speaker with one ASN",
    ]);
  });
});
