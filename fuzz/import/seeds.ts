/**
 * Seeds for the importer fuzzer: the real Azure files of test/fixtures/azure/
 * (an ARM template export, `az resource list`, flattened `az network … show`
 * output, the portal's "Download VPN configuration" file, a broken one) in the
 * combinations and with the options test/import/ uses them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportOptions } from '../../src/import/index.ts';

export type ImporterName = 'arm' | 'vpnconfig';

export interface ImportFile {
  /** The file name, as messages show it. */
  readonly source: string;
  readonly text: string;
}

/** One import: which importer, its input files (vpnconfig reads the first) and its command-line options. */
export interface ImportCase {
  readonly importer: ImporterName;
  readonly name: string;
  readonly files: readonly ImportFile[];
  readonly options: ImportOptions;
}

export const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'azure');

function file(name: string): ImportFile {
  return { source: name, text: readFileSync(join(FIXTURES, name), 'utf8') };
}

export function importSeeds(): ImportCase[] {
  const arm = (name: string, files: string[], options: ImportOptions): ImportCase => ({
    importer: 'arm',
    name,
    files: files.map(file),
    options,
  });
  return [
    arm('template export', ['arm-template-export.json'], {
      vnetPrefixes: { spoke2: ['10.2.0.0/16'] },
      singleTunnel: { branch2: 'IN_0' },
      sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'] },
    }),
    arm('template export, no options', ['arm-template-export.json'], {}),
    arm('az resource list', ['az-resource-list.json'], {
      singleTunnel: { branch2: 'IN_0' },
      sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'] },
    }),
    arm('az resource list, no options', ['az-resource-list.json'], {}),
    arm(
      'four az show files',
      [
        'az-vpn-gateway-show.json',
        'az-vpn-site-list.json',
        'az-vhub-show.json',
        'az-vhub-connection-list.json',
      ],
      {
        vnetPrefixes: { spoke1: ['10.1.0.0/16'], spoke2: ['10.2.0.0/16'] },
        sitePrefixes: { branch1: ['192.168.10.0/24'] },
      },
    ),
    arm('gateway and sites, --hub-prefix', ['az-vpn-gateway-show.json', 'az-vpn-site-list.json'], {
      hubPrefix: '10.0.0.0/24',
      sitePrefixes: { branch1: ['192.168.10.0/24'] },
    }),
    arm('gateway alone', ['az-vpn-gateway-show.json'], {}),
    {
      importer: 'vpnconfig',
      name: 'vpnconfig with quirks',
      files: [file('vpnconfig-quirks.json')],
      options: {
        sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'], branch2: ['192.168.20.0/24'] },
      },
    },
    {
      importer: 'vpnconfig',
      name: 'vpnconfig, no options',
      files: [file('vpnconfig-quirks.json')],
      options: {},
    },
    {
      importer: 'vpnconfig',
      name: 'vpnconfig with a typo',
      files: [file('broken/vpnconfig-typo.json')],
      options: { gatewayBgpIps: ['10.0.0.12', '10.0.0.13'] },
    },
  ];
}
