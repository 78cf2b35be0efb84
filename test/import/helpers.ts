import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ImportIssue, ImportResult, Json } from '../../src/import/index.ts';
import { loadTopology, resolveLinkConnections, type Topology } from '../../src/model/index.ts';

export const fixtures = join(import.meta.dirname, '../fixtures/azure');

export function fixture(name: string): { source: string; value: Json } {
  return { source: name, value: JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as Json };
}

/** The imported YAML, loaded again the way `vwan-ha validate` loads a file. */
export function loaded(result: ImportResult): Topology {
  if (!result.ok) {
    throw new Error(
      `import failed:\n${result.issues.map((i) => `${i.severity} ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const reloaded = loadTopology(result.yaml);
  if (!reloaded.ok) throw new Error(reloaded.errors.map((e) => e.message).join('\n'));
  return reloaded.topology;
}

export function errors(result: ImportResult): ImportIssue[] {
  return result.issues.filter((issue) => issue.severity === 'error');
}

export function messages(result: ImportResult, severity: ImportIssue['severity']): string[] {
  return result.issues.filter((issue) => issue.severity === severity).map((issue) => issue.message);
}

/** Tunnels as `link>instance`, BGP sessions as `deviceAddress>azureAddress`. */
export function shape(topology: Topology) {
  const resolved = resolveLinkConnections(topology);
  const tunnels = resolved.flatMap((entry) =>
    entry.instances.map((instance) => `${entry.link.ipAddress}>${instance}`),
  );
  const bgpPeers = resolved.flatMap((entry) =>
    entry.linkConnection.enableBgp && entry.link.bgpProperties !== undefined
      ? entry.instances.map((instance) => {
          const gateway = topology.vpnGateway.instances.find((candidate) => candidate.id === instance);
          return `${entry.link.bgpProperties?.bgpPeeringAddress}>${gateway?.defaultBgpIpAddress}`;
        })
      : [],
  );
  return {
    hub: `${topology.virtualHub.name} ${topology.virtualHub.addressPrefix}`,
    instances: topology.vpnGateway.instances.map(
      (i) => `${i.id} ${i.tunnelIpAddress} ${i.defaultBgpIpAddress}`,
    ),
    vnets: topology.vnets.map((vnet) => `${vnet.name} ${vnet.addressPrefixes.join(',')}`),
    sites: topology.vpnSites.map((site) => site.name),
    tunnels,
    bgpPeers,
  };
}

/** No secret from the fixtures anywhere in a text. */
export function expectNoSecret(text: string): void {
  expect(text).not.toMatch(/never-print/);
}
