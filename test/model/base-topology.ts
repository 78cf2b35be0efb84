/**
 * A small valid topology (one BGP site, one static site) that tests copy and break
 * one field at a time. A plain value, as parsed from YAML, so every test exercises
 * the same path as a file.
 */
export interface Plain {
  [key: string]: unknown;
}

export function baseTopology(): Plain {
  return {
    virtualHub: { name: 'hub-weu', addressPrefix: '10.0.0.0/24' },
    vnets: [{ name: 'spoke1', addressPrefixes: ['10.1.0.0/16'] }],
    vpnGateway: {
      name: 'hub-weu-vpngw',
      instances: [
        {
          id: 'IN_0',
          tunnelIpAddress: '20.50.1.10',
          defaultBgpIpAddress: '10.0.0.12',
          customBgpIpAddresses: ['169.254.21.1'],
        },
        {
          id: 'IN_1',
          tunnelIpAddress: '20.50.1.11',
          defaultBgpIpAddress: '10.0.0.13',
          customBgpIpAddresses: ['169.254.22.1'],
        },
      ],
    },
    vpnSites: [
      {
        name: 'branch1',
        devices: [
          {
            name: 'branch1-fw1',
            advertisedPrefixes: ['192.168.10.0/24'],
            vpnSiteLinks: [
              {
                name: 'branch1-isp1',
                ipAddress: '203.0.113.10',
                bgpProperties: { asn: 65010, bgpPeeringAddress: '192.168.255.1' },
              },
            ],
          },
        ],
      },
      {
        name: 'branch2',
        addressSpace: ['192.168.20.0/24'],
        devices: [
          {
            name: 'branch2-fw1',
            vpnSiteLinks: [{ name: 'branch2-isp1', ipAddress: '198.51.100.20' }],
          },
        ],
      },
    ],
    vpnConnections: [
      {
        name: 'conn-branch1',
        remoteVpnSite: 'branch1',
        vpnLinkConnections: [{ name: 'branch1-isp1-conn', vpnSiteLink: 'branch1-isp1', enableBgp: true }],
      },
      {
        name: 'conn-branch2',
        remoteVpnSite: 'branch2',
        vpnLinkConnections: [{ name: 'branch2-isp1-conn', vpnSiteLink: 'branch2-isp1' }],
      },
    ],
  };
}

/** Walks a path like ['vpnSites', 0, 'devices', 0] into a plain value (for edits in tests). */
export function at(value: Plain, ...path: (string | number)[]): Plain {
  let current: unknown = value;
  for (const segment of path) current = (current as Record<string | number, unknown>)[segment];
  return current as Plain;
}
