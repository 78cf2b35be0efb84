/**
 * `exportDevice`: the configuration files of one remote VPN device of a topology, as
 * text (platform-free; src/cli/export.ts writes them). swanctl.conf and strongswan.conf
 * for strongSwan, bird.conf or frr.conf for routing, interfaces.sh for the addresses
 * and tunnel interfaces, and for the azure profile with deadTunnelRoutes withdrawOnDpd
 * updown.sh (tunnel interface follows its tunnel).
 */
import type { Topology } from '../model/index.ts';
import { renderBirdConf } from './bird.ts';
import { type DevicePlan, type ExportFormat, type ExportProfile, planDevice } from './device.ts';
import { renderFrrConf } from './frr.ts';
import { renderInterfaces } from './interfaces.ts';
import { type PskSource, renderStrongswanConf, renderSwanctlConf, renderUpdown } from './strongswan.ts';

export {
  type DevicePlan,
  EXPORT_FORMATS,
  EXPORT_PROFILES,
  type ExportFormat,
  type ExportProfile,
  planDevice,
} from './device.ts';
export { actions, type PskSource, proposals, strongswanProposal } from './strongswan.ts';
export { bgpTimers, dpdPlan, lifetimes } from './timing.ts';

export interface ExportFile {
  readonly name: string;
  readonly text: string;
  /** 0o600 for files holding a secret, 0o755 for scripts. */
  readonly mode: number;
}

export interface ExportOptions {
  readonly site: string;
  readonly device?: string;
  readonly format: ExportFormat;
  readonly profile: ExportProfile;
  readonly psk: PskSource;
}

export type ExportResult =
  | { readonly ok: true; readonly plan: DevicePlan; readonly files: readonly ExportFile[] }
  | { readonly ok: false; readonly error: string };

export function exportDevice(topology: Topology, options: ExportOptions): ExportResult {
  const planned = planDevice(topology, options.site, options.device);
  if (!planned.ok) return planned;
  const { plan } = planned;
  const files: ExportFile[] = [
    {
      name: 'swanctl.conf',
      text: renderSwanctlConf(plan, options.profile, options.psk),
      mode: options.psk.kind === 'value' ? 0o600 : 0o644,
    },
    { name: 'strongswan.conf', text: renderStrongswanConf(plan, options.profile), mode: 0o644 },
  ];
  if (options.format === 'strongswan-bird') {
    files.push({ name: 'bird.conf', text: renderBirdConf(plan, options.profile), mode: 0o644 });
  } else {
    const frr = renderFrrConf(plan, options.profile);
    if (!frr.ok) return frr;
    files.push({ name: 'frr.conf', text: frr.text, mode: 0o644 });
  }
  files.push({ name: 'interfaces.sh', text: renderInterfaces(plan, options.profile), mode: 0o755 });
  if (options.profile === 'azure' && plan.deadTunnelRoutes === 'withdrawOnDpd') {
    files.push({ name: 'updown.sh', text: renderUpdown(plan), mode: 0o755 });
  }
  return { ok: true, plan, files };
}
