import { describe, expect, it } from 'vitest';
import { exportDevice } from '../../src/export/index.ts';
import { resolveLinkConnections, type Topology } from '../../src/model/index.ts';
import { exampleDevices, exampleText, exported, swanValues, topologyOf } from './helpers.ts';

interface ExpectedTunnel {
  readonly local: string;
  readonly remote: string;
  readonly bgp?: { readonly local: string; readonly peer: string; readonly asn: number };
}

/** What the device should build, straight from the topology. */
function expectedTunnels(topology: Topology, deviceName: string): ExpectedTunnel[] {
  return resolveLinkConnections(topology)
    .filter((entry) => entry.device.name === deviceName)
    .flatMap((entry) =>
      entry.instances.map((id) => {
        const instance = topology.vpnGateway.instances.find((candidate) => candidate.id === id);
        const custom = entry.linkConnection.vpnGatewayCustomBgpAddresses.find(
          (c) => c.ipConfigurationId === id,
        );
        const bgp =
          entry.linkConnection.enableBgp && entry.link.bgpProperties !== undefined
            ? {
                local: entry.link.bgpProperties.bgpPeeringAddress,
                peer: custom?.customBgpIpAddress ?? (instance?.defaultBgpIpAddress as string),
                asn: entry.link.bgpProperties.asn,
              }
            : undefined;
        return { local: entry.link.ipAddress, remote: instance?.tunnelIpAddress as string, bgp };
      }),
    );
}

const azurePrefixes = (topology: Topology) => [
  topology.virtualHub.addressPrefix,
  ...topology.vnets.flatMap((v) => v.addressPrefixes),
];

describe('export device: every example design, both formats, both profiles', () => {
  for (const { example, topology, site, device } of exampleDevices()) {
    const tunnels = expectedTunnels(topology, device);
    const bgpTunnels = tunnels.filter((t) => t.bgp !== undefined);
    const staticTunnels = tunnels.filter((t) => t.bgp === undefined);

    describe(`${example}: ${site} / ${device} (${tunnels.length} tunnel${tunnels.length === 1 ? '' : 's'})`, () => {
      it('swanctl.conf (azure): one IKEv2 connection per tunnel, link IP to instance IP, own XFRM if_id, Azure proposals', () => {
        const swanctl = exported(topology, site, 'strongswan-bird', 'azure').files.get('swanctl.conf') ?? '';
        expect(swanValues(swanctl, 'remote_addrs')).toEqual(tunnels.map((t) => t.remote));
        expect(swanValues(swanctl, 'local_addrs')).toEqual(tunnels.map((t) => t.local));
        expect(swanValues(swanctl, 'version')).toEqual(tunnels.map(() => '2'));
        expect(swanValues(swanctl, 'if_id_in')).toEqual(tunnels.map((_, i) => String(i + 1)));
        expect(swanValues(swanctl, 'if_id_out')).toEqual(tunnels.map((_, i) => String(i + 1)));
        expect(new Set(swanValues(swanctl, 'proposals'))).toEqual(
          new Set([
            'aes256-sha256-modp1024,aes256-sha1-modp1024,aes128-sha256-modp1024,aes128-sha1-modp1024',
          ]),
        );
        expect(new Set(swanValues(swanctl, 'esp_proposals'))).toEqual(
          new Set(['aes256gcm16,aes256-sha256,aes256-sha1,aes128-sha1']),
        );
        expect(new Set(swanValues(swanctl, 'local_ts'))).toEqual(new Set(['0.0.0.0/0']));
        expect(new Set(swanValues(swanctl, 'remote_ts'))).toEqual(new Set(['0.0.0.0/0']));
        expect(new Set(swanValues(swanctl, 'dpd_delay'))).toEqual(new Set(['15s']));
        expect(new Set(swanValues(swanctl, 'life_time'))).toEqual(new Set(['3600s']));
        expect(new Set(swanValues(swanctl, 'start_action'))).toEqual(new Set(['start']));
        expect(new Set(swanValues(swanctl, 'dpd_action'))).toEqual(new Set(['restart']));
        expect(swanValues(swanctl, 'secret').every((s) => /^\$\{VWAN_HA_PSK_[A-Z0-9_]+\}$/.test(s))).toBe(
          true,
        );
      });

      it('swanctl.conf (lab): the live lab settings: aes128-sha256-modp2048, ESP aes128-sha256, encap, no MOBIKE, no if_id', () => {
        const { files } = exported(topology, site, 'strongswan-bird', 'lab');
        const swanctl = files.get('swanctl.conf') ?? '';
        expect(swanValues(swanctl, 'remote_addrs')).toEqual(tunnels.map((t) => t.remote));
        expect(new Set(swanValues(swanctl, 'proposals'))).toEqual(new Set(['aes128-sha256-modp2048']));
        expect(new Set(swanValues(swanctl, 'esp_proposals'))).toEqual(new Set(['aes128-sha256']));
        expect(new Set(swanValues(swanctl, 'encap'))).toEqual(new Set(['yes']));
        expect(new Set(swanValues(swanctl, 'mobike'))).toEqual(new Set(['no']));
        expect(swanValues(swanctl, 'if_id_in')).toEqual([]);
        expect(files.get('strongswan.conf')).toContain('kernel-libipsec');
        expect(files.has('updown.sh')).toBe(false);
      });

      it(`bird.conf: ${bgpTunnels.length} BGP neighbour(s) at AS 65515, ECMP merge paths, static routes over ${staticTunnels.length} tunnel(s)`, () => {
        const bird = exported(topology, site, 'strongswan-bird', 'azure').files.get('bird.conf') ?? '';
        expect(bird.match(/^protocol bgp /gm) ?? []).toHaveLength(bgpTunnels.length);
        const neighbours = [...bird.matchAll(/^ {2}neighbor (\S+) as (\d+);$/gm)].map(
          (m) => `${m[1]} ${m[2]}`,
        );
        expect(neighbours).toEqual(bgpTunnels.map((t) => `${t.bgp?.peer} 65515`));
        const locals = [...bird.matchAll(/^ {2}local (\S+) as (\d+);$/gm)].map((m) => `${m[1]} ${m[2]}`);
        expect(locals).toEqual(bgpTunnels.map((t) => `${t.bgp?.local} ${t.bgp?.asn}`));
        expect(bird).toContain(`merge paths on limit ${Math.max(2, tunnels.length)};`);
        if (bgpTunnels.length > 0) {
          expect(bird).toContain(`router id ${bgpTunnels[0]?.bgp?.local};`);
          expect(bird.match(/^ {2}multihop 4;$/gm) ?? []).toHaveLength(bgpTunnels.length);
          for (const prefix of azurePrefixes(topology)) expect(bird).toContain(`${prefix}+`);
          expect(bird).toContain('hold time 180;');
          expect(bird).toContain('keepalive time 60;');
        }
        for (const prefix of staticTunnels.length > 0 ? azurePrefixes(topology) : []) {
          const route = new RegExp(
            `^ {2}route ${prefix.replace(/\./g, '\\.')} ((?:via "[^"]+" ?)+);$`,
            'm',
          ).exec(bird);
          expect(route?.[1]?.match(/via /g) ?? []).toHaveLength(staticTunnels.length);
        }
      });

      it('frr.conf: the same neighbours (remote-as 65515, ebgp-multihop from the loopback), maximum-paths, static routes', () => {
        const frr = exported(topology, site, 'strongswan-frr', 'azure').files.get('frr.conf') ?? '';
        const neighbours = [...frr.matchAll(/^ neighbor (\S+) remote-as (\d+)$/gm)].map(
          (m) => `${m[1]} ${m[2]}`,
        );
        expect(neighbours).toEqual(bgpTunnels.map((t) => `${t.bgp?.peer} 65515`));
        for (const t of bgpTunnels) {
          expect(frr).toContain(` neighbor ${t.bgp?.peer} ebgp-multihop 4`);
          expect(frr).toContain(` neighbor ${t.bgp?.peer} update-source ${t.bgp?.local}`);
          expect(frr).toContain(` neighbor ${t.bgp?.peer} timers 60 180`);
        }
        if (bgpTunnels.length > 0) {
          expect(frr).toContain(`router bgp ${bgpTunnels[0]?.bgp?.asn}`);
          expect(frr).toContain(`  maximum-paths ${Math.max(2, bgpTunnels.length)}`);
        } else {
          expect(frr).not.toContain('router bgp');
        }
        const staticRoutes = frr.match(/^ip route (?!\S+\/32 )/gm) ?? [];
        expect(staticRoutes).toHaveLength(staticTunnels.length * azurePrefixes(topology).length);
      });
    });
  }
});

describe('export device: the device settings change the files', () => {
  const bgpAA = exampleText('bgp-active-active.yaml');

  it('connectionMode ResponderOnly: never initiates (start_action none, not trap), clears on DPD', () => {
    const topology = topologyOf(
      bgpAA.replace(
        '        bgpAddressOn: loopback',
        '        bgpAddressOn: loopback\n        connectionMode: ResponderOnly',
      ),
    );
    const swanctl = exported(topology, 'branch1', 'strongswan-bird', 'azure').files.get('swanctl.conf') ?? '';
    expect(new Set(swanValues(swanctl, 'start_action'))).toEqual(new Set(['none']));
    expect(new Set(swanValues(swanctl, 'close_action'))).toEqual(new Set(['none']));
    expect(new Set(swanValues(swanctl, 'dpd_action'))).toEqual(new Set(['clear']));
  });

  it('bgpAddressOn tunnel: the session is directly connected on the tunnel interface, sourced from it', () => {
    const topology = topologyOf(bgpAA.replace('bgpAddressOn: loopback', 'bgpAddressOn: tunnel'));
    const bird = exported(topology, 'branch1', 'strongswan-bird', 'azure').files;
    expect(bird.get('bird.conf')).toContain('  direct;\n  interface "vwan-l1-in0";');
    expect(bird.get('bird.conf')).not.toContain('multihop');
    expect(bird.get('bird.conf')).not.toContain('azure_bgp_peers');
    expect(bird.get('interfaces.sh')).toContain(
      'ip address add 192.168.255.1/32 peer 10.0.0.12/32 dev vwan-l1-in0',
    );
    expect(bird.get('interfaces.sh')).not.toContain('dev lo');
    const frr = exported(topology, 'branch1', 'strongswan-frr', 'azure').files.get('frr.conf') ?? '';
    expect(frr).toContain(' neighbor 10.0.0.12 update-source vwan-l1-in0');
    expect(frr).not.toContain('ebgp-multihop');
  });

  it('ecmp off: BIRD merges no paths, FRR keeps one; static routes become a primary and a backup', () => {
    const bgp = topologyOf(bgpAA.replace('ecmp: true', 'ecmp: false'));
    expect(exported(bgp, 'branch1', 'strongswan-bird', 'azure').files.get('bird.conf')).toContain(
      'merge paths off;',
    );
    expect(exported(bgp, 'branch1', 'strongswan-frr', 'azure').files.get('frr.conf')).toContain(
      '  maximum-paths 1\n',
    );
    const staticDual = topologyOf(
      exampleText('static-dual-tunnel.yaml').replace(
        '      - name: branch1-fw1\n',
        '      - name: branch1-fw1\n        ecmp: false\n',
      ),
    );
    const bird = exported(staticDual, 'branch1', 'strongswan-bird', 'azure').files.get('bird.conf') ?? '';
    expect(bird).toContain(
      'protocol static azure_static_1 {\n  ipv4 { preference 200; };\n  route 10.0.0.0/24 via "vwan-l1-in0";',
    );
    expect(bird).toContain(
      'protocol static azure_static_2 {\n  ipv4 { preference 190; };\n  route 10.0.0.0/24 via "vwan-l1-in1";',
    );
    const frr = exported(staticDual, 'branch1', 'strongswan-frr', 'azure').files.get('frr.conf') ?? '';
    expect(frr).toContain('ip route 10.1.0.0/16 vwan-l1-in0\nip route 10.1.0.0/16 vwan-l1-in1 11\n');
  });

  it('a hold time below Azure’s is written as 180 s, with the reason in a comment', () => {
    const topology = topologyOf(
      bgpAA.replace(
        '        ecmp: true',
        '        ecmp: true\n        bgpTimers: { keepaliveSeconds: 10, holdSeconds: 30 }',
      ),
    );
    const bird = exported(topology, 'branch1', 'strongswan-bird', 'azure').files.get('bird.conf') ?? '';
    expect(bird).toContain('hold time 180;');
    expect(bird).toContain('keepalive time 10;');
    expect(bird).toContain('# the device is configured with hold 30 s; written as 180 s');
  });

  it('dpdTimeoutSeconds 90: dpd_delay 30 s, then 15 sends 4 s apart, so DPD gives up at 90 s', () => {
    const topology = topologyOf(
      bgpAA.replace('        enableBgp: true\n', '        enableBgp: true\n        dpdTimeoutSeconds: 90\n'),
    );
    const { files } = exported(topology, 'branch1', 'strongswan-bird', 'azure');
    expect(new Set(swanValues(files.get('swanctl.conf') ?? '', 'dpd_delay'))).toEqual(new Set(['30s']));
    expect(files.get('strongswan.conf')).toMatch(
      /retransmit_timeout = 4\n {2}retransmit_base = 1\n {2}retransmit_tries = 14\n/,
    );
  });

  it('deadTunnelRoutes withdrawOnDpd: updown.sh raises and drops each XFRM interface with its tunnel', () => {
    const { files } = exported(topologyOf(bgpAA), 'branch1', 'strongswan-bird', 'azure');
    expect(swanValues(files.get('swanctl.conf') ?? '', 'updown')).toEqual([
      '/etc/swanctl/vwan-ha-updown.sh',
      '/etc/swanctl/vwan-ha-updown.sh',
    ]);
    expect(files.get('updown.sh')).toContain('  1) dev=vwan-l1-in0 ;;\n  2) dev=vwan-l1-in1 ;;');
    expect(files.get('interfaces.sh')).toContain('ip link add vwan-l1-in0 type xfrm dev "$UPLINK" if_id 1');
    const keep = topologyOf(
      bgpAA.replace('        ecmp: true', '        ecmp: true\n        deadTunnelRoutes: keepUntilBgpHold'),
    );
    const kept = exported(keep, 'branch1', 'strongswan-bird', 'azure').files;
    expect(kept.has('updown.sh')).toBe(false);
    expect(kept.get('interfaces.sh')).toContain('ip link set vwan-l1-in0 up');
  });

  it('custom APIPA BGP addresses: the neighbour is the custom one, and the device is told it must open', () => {
    const apipa = topologyOf(
      bgpAA
        .replace(
          '{ id: IN_0, tunnelIpAddress: 20.50.1.10, defaultBgpIpAddress: 10.0.0.12 }',
          '{ id: IN_0, tunnelIpAddress: 20.50.1.10, defaultBgpIpAddress: 10.0.0.12, customBgpIpAddresses: [169.254.21.1] }',
        )
        .replace(
          '{ id: IN_1, tunnelIpAddress: 20.50.1.11, defaultBgpIpAddress: 10.0.0.13 }',
          '{ id: IN_1, tunnelIpAddress: 20.50.1.11, defaultBgpIpAddress: 10.0.0.13, customBgpIpAddresses: [169.254.22.1] }',
        )
        .replace('bgpPeeringAddress: 192.168.255.1', 'bgpPeeringAddress: 169.254.21.10')
        .replace(
          '        instances: [IN_0, IN_1]',
          '        instances: [IN_0, IN_1]\n        vpnGatewayCustomBgpAddresses:\n          - { ipConfigurationId: IN_0, customBgpIpAddress: 169.254.21.1 }\n          - { ipConfigurationId: IN_1, customBgpIpAddress: 169.254.22.1 }',
        ),
    );
    const bird = exported(apipa, 'branch1', 'strongswan-bird', 'azure').files.get('bird.conf') ?? '';
    expect([...bird.matchAll(/^ {2}neighbor (\S+) as 65515;$/gm)].map((m) => m[1])).toEqual([
      '169.254.21.1',
      '169.254.22.1',
    ]);
    expect(bird).toContain('APIPA device address: Azure does not open BGP towards it, this side must');
  });

  it('FRR cannot hold two neighbours at one address: a clear error, and BIRD still works', () => {
    const twoLinks = topologyOf(
      bgpAA
        .replace(
          '            latencyMs: 20\n',
          '            latencyMs: 20\n          - name: branch1-isp2\n            ipAddress: 198.51.100.10\n            bgpProperties: { asn: 65010, bgpPeeringAddress: 192.168.255.2 }\n',
        )
        .replace(
          '        instances: [IN_0, IN_1]\n',
          '        instances: [IN_0, IN_1]\n      - name: branch1-isp2-conn\n        vpnSiteLink: branch1-isp2\n        enableBgp: true\n',
        ),
    );
    const frr = exportDevice(twoLinks, {
      site: 'branch1',
      format: 'strongswan-frr',
      profile: 'azure',
      psk: { kind: 'placeholder' },
    });
    expect(frr.ok).toBe(false);
    if (!frr.ok)
      expect(frr.error).toContain("both peer with Azure's 10.0.0.12; FRR keys a neighbour by its address");
    const bird = exported(twoLinks, 'branch1', 'strongswan-bird', 'azure').files.get('bird.conf') ?? '';
    expect(bird.match(/^protocol bgp /gm) ?? []).toHaveLength(4);
    expect(bird).toContain('route 10.0.0.12/32 via "vwan-l1-in0" via "vwan-l2-in0";');
  });

  it('--psk-env: the key is written hex-encoded, never in clear; placeholders otherwise', () => {
    const topology = topologyOf(bgpAA);
    const withKey = exported(topology, 'branch1', 'strongswan-bird', 'azure', {
      kind: 'value',
      secret: 'Key with # and "quotes"',
    });
    const swanctl = withKey.files.get('swanctl.conf') ?? '';
    expect(swanValues(swanctl, 'secret')).toEqual([
      `0x${Buffer.from('Key with # and "quotes"').toString('hex')}`,
      `0x${Buffer.from('Key with # and "quotes"').toString('hex')}`,
    ]);
    expect(swanctl).not.toContain('Key with');
    expect(withKey.list.find((file) => file.name === 'swanctl.conf')?.mode).toBe(0o600);
    const placeholder =
      exported(topology, 'branch1', 'strongswan-bird', 'azure').files.get('swanctl.conf') ?? '';
    expect(swanValues(placeholder, 'secret')).toEqual([
      `\${VWAN_HA_PSK_BRANCH1_ISP1_CONN}`,
      `\${VWAN_HA_PSK_BRANCH1_ISP1_CONN}`,
    ]);
  });

  it('unknown site or device: an error naming what exists', () => {
    const topology = topologyOf(bgpAA);
    const result = exportDevice(topology, {
      site: 'nope',
      format: 'strongswan-bird',
      profile: 'azure',
      psk: { kind: 'placeholder' },
    });
    expect(result.ok ? '' : result.error).toBe('no VPN site is named "nope" (sites: branch1)');
    const device = exportDevice(topology, {
      site: 'branch1',
      device: 'x',
      format: 'strongswan-bird',
      profile: 'azure',
      psk: { kind: 'placeholder' },
    });
    expect(device.ok ? '' : device.error).toContain('has no device named "x" (devices: branch1-fw1)');
  });
});
