import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadTopology,
  resolveLinkConnections,
  summarizeTopology,
  type Topology,
} from '../../src/model/index.ts';
import { loadTopologyFile } from '../../src/model/load-file.ts';

const dir = join(import.meta.dirname, '../../examples');
const topologyFiles = readdirSync(dir).filter(
  (name) => name.endsWith('.yaml') && readFileSync(join(dir, name), 'utf8').includes('virtualHub:'),
);

async function load(name: string): Promise<Topology> {
  const result = await loadTopologyFile(join(dir, name));
  if (!result.ok) throw new Error(`${name}: ${result.errors.map((issue) => issue.message).join('; ')}`);
  return result.topology;
}

describe('examples: one topology per seed design', () => {
  it('has all seven designs', () => {
    expect(topologyFiles).toEqual(
      expect.arrayContaining([
        'bgp-active-active.yaml',
        'bgp-two-devices.yaml',
        'static-dual-tunnel.yaml',
        'static-dual-two-devices.yaml',
        'static-single-tunnel.yaml',
        'static-single-two-devices.yaml',
        'static-single-two-tunnels.yaml',
      ]),
    );
  });

  for (const name of topologyFiles) {
    it(`${name} validates and quotes the seed section it implements`, () => {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text.startsWith('# Seed design: "Configuration')).toBe(true);
      const result = loadTopology(text);
      expect(result.ok, result.ok ? '' : result.errors.map((issue) => issue.message).join('\n')).toBe(true);
    });
  }

  it('BGP active-active: one device, two tunnels (IN_0 and IN_1), BGP to a loopback, ECMP on', async () => {
    const topology = await load('bgp-active-active.yaml');
    const [only, ...rest] = resolveLinkConnections(topology);
    expect(rest).toHaveLength(0);
    expect(only?.instances).toEqual(['IN_0', 'IN_1']);
    expect(only?.linkConnection.enableBgp).toBe(true);
    expect(only?.device.bgpAddressOn).toBe('loopback');
    expect(only?.device.ecmp).toBe(true);
    expect(only?.staticPrefixes).toEqual([]);
    expect(summarizeTopology(topology)).toBe(
      'hub hub-weu, 2 instances, 1 site (1 device, 1 link), 2 tunnels, BGP on 1 link connection',
    );
  });

  it('BGP two devices: a second device is another VPN site with its own two tunnels and BGP speaker', async () => {
    const resolved = resolveLinkConnections(await load('bgp-two-devices.yaml'));
    expect(resolved.map((entry) => entry.site.name)).toEqual(['branch1-a', 'branch1-b']);
    expect(resolved.map((entry) => entry.instances)).toEqual([
      ['IN_0', 'IN_1'],
      ['IN_0', 'IN_1'],
    ]);
    const [a, b] = resolved.map((entry) => entry.device);
    expect(a?.advertisedPrefixes).toEqual(b?.advertisedPrefixes);
    expect(resolved[0]?.link.bgpProperties?.bgpPeeringAddress).not.toBe(
      resolved[1]?.link.bgpProperties?.bgpPeeringAddress,
    );
  });

  it('static dual tunnel: both instances, the site addressSpace is the static route', async () => {
    const [only] = resolveLinkConnections(await load('static-dual-tunnel.yaml'));
    expect(only?.linkConnection.enableBgp).toBe(false);
    expect(only?.instances).toEqual(['IN_0', 'IN_1']);
    expect(only?.staticPrefixes).toEqual(['192.168.10.0/24', '192.168.11.0/24']);
  });

  it('static dual, two devices: two sites with the same prefixes, four tunnels', async () => {
    const topology = await load('static-dual-two-devices.yaml');
    const resolved = resolveLinkConnections(topology);
    expect(resolved.flatMap((entry) => entry.instances)).toHaveLength(4);
    expect(resolved[0]?.staticPrefixes).toEqual(resolved[1]?.staticPrefixes);
  });

  it('static single tunnel: one tunnel, to IN_0', async () => {
    const [only, ...rest] = resolveLinkConnections(await load('static-single-tunnel.yaml'));
    expect(rest).toHaveLength(0);
    expect(only?.instances).toEqual(['IN_0']);
  });

  it('static single, two devices: the second device’s single tunnel is on the other instance', async () => {
    const resolved = resolveLinkConnections(await load('static-single-two-devices.yaml'));
    expect(resolved.map((entry) => [entry.device.name, entry.instances])).toEqual([
      ['branch1-fw1', ['IN_0']],
      ['branch1-fw2', ['IN_1']],
    ]);
  });

  it('static single, two tunnels: the same device, a second tunnel interface on the other instance', async () => {
    const resolved = resolveLinkConnections(await load('static-single-two-tunnels.yaml'));
    expect(new Set(resolved.map((entry) => entry.device.name)).size).toBe(1);
    expect(new Set(resolved.map((entry) => entry.link.ipAddress)).size).toBe(1);
    expect(resolved.map((entry) => entry.instances)).toEqual([['IN_0'], ['IN_1']]);
  });
});
