import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ExportFile,
  type ExportFormat,
  type ExportProfile,
  exportDevice,
  type PskSource,
} from '../../src/export/index.ts';
import { loadTopology, type Topology } from '../../src/model/index.ts';

export const examplesDir = join(import.meta.dirname, '../../examples');

/** Every topology in examples/ (scenario files there are skipped). */
export function exampleTopologies(): { name: string; topology: Topology }[] {
  return readdirSync(examplesDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => ({ name, text: readFileSync(join(examplesDir, name), 'utf8') }))
    .filter(({ text }) => text.includes('virtualHub:'))
    .map(({ name, text }) => {
      const loaded = loadTopology(text);
      if (!loaded.ok) throw new Error(`${name}: ${loaded.errors.map((e) => e.message).join('; ')}`);
      return { name, topology: loaded.topology };
    });
}

/** Every (example, site, device). */
export function exampleDevices(): { example: string; topology: Topology; site: string; device: string }[] {
  return exampleTopologies().flatMap(({ name, topology }) =>
    topology.vpnSites.flatMap((site) =>
      site.devices.map((device) => ({ example: name, topology, site: site.name, device: device.name })),
    ),
  );
}

export function exported(
  topology: Topology,
  site: string,
  format: ExportFormat,
  profile: ExportProfile,
  psk: PskSource = { kind: 'placeholder' },
  device?: string,
): { files: Map<string, string>; list: readonly ExportFile[] } {
  const result = exportDevice(topology, { site, device, format, profile, psk });
  if (!result.ok) throw new Error(result.error);
  return { files: new Map(result.files.map((file) => [file.name, file.text])), list: result.files };
}

/** A topology from YAML text, or a thrown error listing why not. */
export function topologyOf(text: string): Topology {
  const loaded = loadTopology(text);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('\n'));
  return loaded.topology;
}

export function exampleText(name: string): string {
  return readFileSync(join(examplesDir, name), 'utf8');
}

/** All values of `key = value` lines in a strongSwan file. */
export function swanValues(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`^\\s*${key} = (.*)$`, 'gm'))].map((m) => (m[1] as string).trim());
}
