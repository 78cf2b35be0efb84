import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Advice, advise, type Finding } from '../../src/analysis/advise.ts';
import { AZURE } from '../../src/model/azure-defaults.ts';
import { type LoadResult, loadTopology, parseTopology } from '../../src/model/index.ts';
import type { RawTopology } from '../acceptance/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const load = (file: string): LoadResult => loadTopology(readFileSync(join(ROOT, file), 'utf8'));
/** An example edited the way a user would edit its YAML, loaded with its validator warnings. */
const edited = (name: string, edit: (raw: RawTopology) => void): LoadResult => {
  const raw = parse(readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8')) as RawTopology;
  edit(raw);
  return parseTopology(raw);
};
const serious = (advice: Advice) =>
  advice.findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
const only = (advice: Advice, rule: string): Finding => {
  const found = advice.findings.filter((f) => f.rule === rule);
  expect(found, `${rule} in ${advice.findings.map((f) => f.rule).join(', ')}`).toHaveLength(1);
  return found[0] as Finding;
};

describe("advise stays quiet on the seed's recommended design", () => {
  it('BGP active-active with a second device (bgp-two-devices): nothing medium or high', () => {
    const advice = advise(load('examples/bgp-two-devices.yaml'));
    expect(serious(advice)).toEqual([]);
    expect(only(advice, 'sweep-summary').title).toBe('no single point of failure in 12 single failures');
  });

  it('BGP active-active with one device: the one true finding is the device itself (no device diversity, medium)', () => {
    const advice = advise(load('examples/bgp-active-active.yaml'));
    expect(serious(advice).map((f) => [f.rule, f.severity])).toEqual([['no-device-diversity', 'medium']]);
    expect(only(advice, 'no-device-diversity').evidence).toContain('internet path (203.0.113.10)');
  });
});

describe('advise raises each finding with what the simulator measured', () => {
  it('single tunnel: every maintenance resets all sessions twice, measured on failover and failback', () => {
    const advice = advise(load('examples/static-single-tunnel.yaml'));
    const f = only(advice, 'single-tunnel');
    expect(f.severity).toBe('high');
    expect(f.measurements.shareOfSessionsReset).toBe(1);
    expect(f.measurements.resetsPerResetFlow).toBe(2);
    expect(f.measurements.plannedFailbackOutageMs).toBeGreaterThan(AZURE.platform.plannedIpMoveMs);
    expect(f.measurements.unplannedFailoverOutageMs).toBeGreaterThanOrEqual(AZURE.platform.unplannedIpMoveMs);
    expect(f.evidence).toMatch(
      /^IN_0 maintenance resets 100 % of branch1's sessions twice \(80 of 80 flows\)/,
    );
    // The validator said it first; the finding carries its warning, which is not reported twice.
    expect(f.validatorWarnings).toHaveLength(1);
    expect(advice.findings.filter((x) => x.rule === 'validation-warning')).toEqual([]);
    expect(only(advice, 'no-device-diversity').severity).toBe('medium');
  });

  it('BGP address on the tunnel interface: a tunnel reset flaps the session, a loopback rides it out', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnSites[0].devices[0].bgpAddressOn = 'tunnel';
        }),
      ),
      'bgp-on-tunnel-interface',
    );
    expect(f.severity).toBe('medium');
    expect(f.measurements).toMatchObject({ bgpDownEvents: 2, bgpDownEventsWithLoopback: 0 });
    expect(f.validatorWarnings).toHaveLength(1);
  });

  it('remote ECMP off: one instance failure interrupts every site→Azure flow instead of about half', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnSites[0].devices[0].ecmp = false;
        }),
      ),
      'ecmp-off',
    );
    expect(f.severity).toBe('medium');
    expect(f.measurements.shareInterrupted).toBe(1);
    expect(f.measurements.shareInterruptedWithEcmp).toBeLessThan(0.8);
    expect(f.evidence).toContain('its tunnel carries no site→Azure traffic');
  });

  it('device hold time 30 s: flaps counted from bgp.down over 30 min without any failure', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnSites[0].devices[0].bgpTimers = { keepaliveSeconds: 10, holdSeconds: 30 };
        }),
      ),
      'bgp-hold-time',
    );
    expect(f.severity).toBe('high');
    // Hold 30 s with Azure's keepalive every 60 s: each of the 2 sessions drops about every 31 s.
    expect(f.measurements.negotiatedHoldSeconds).toBe(30);
    expect(f.measurements.flaps).toBeGreaterThanOrEqual(2 * Math.floor(1800 / 60));
    expect(f.evidence).toContain('Hold Timer Expired');
  });

  it('ResponderOnly facing ResponderOnly: the tunnels never come up, and that is the finding (not a SPOF)', () => {
    const advice = advise(
      edited('bgp-active-active', (raw) => {
        raw.vpnSites[0].devices[0].connectionMode = 'ResponderOnly';
        raw.vpnConnections[0].vpnLinkConnections[0].vpnLinkConnectionMode = 'ResponderOnly';
      }),
    );
    const f = only(advice, 'ike-roles-never-up');
    expect(f.severity).toBe('high');
    expect(f.measurements).toMatchObject({ ikeSasEstablished: 0, ikeMessagesSent: 0 });
    expect(f.evidence).toContain("80 of branch1's 80 flows never delivered a packet");
    expect(advice.findings.map((x) => x.rule)).not.toContain('broken-without-failure');
  });

  it('APIPA device address: Azure never opens BGP towards it, the device opens every session', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnGateway.instances[0].customBgpIpAddresses = ['169.254.21.1'];
          raw.vpnGateway.instances[1].customBgpIpAddresses = ['169.254.22.1'];
          raw.vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.bgpPeeringAddress = '169.254.21.10';
          raw.vpnConnections[0].vpnLinkConnections[0].vpnGatewayCustomBgpAddresses = [
            { ipConfigurationId: 'IN_0', customBgpIpAddress: '169.254.21.1' },
            { ipConfigurationId: 'IN_1', customBgpIpAddress: '169.254.22.1' },
          ];
        }),
      ),
      'apipa-device-must-initiate',
    );
    expect(f.severity).toBe('medium');
    expect(f.measurements).toMatchObject({ azureConnectAttempts: 0, sessionsEstablished: 2 });
    expect(f.validatorWarnings.some((w) => w.includes('APIPA'))).toBe(true);
  });

  it("more than 4,000 prefixes on a session: high, with Azure's limit", () => {
    const prefixes = Array.from({ length: 4001 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);
    const advice = advise(
      edited('bgp-active-active', (raw) => {
        raw.vpnSites[0].devices[0].advertisedPrefixes = prefixes;
      }),
    );
    const f = only(advice, 'prefix-limit');
    expect(f.severity).toBe('high');
    expect(f.measurements).toMatchObject({ prefixesAnnounced: 4001, limit: 4000 });
    expect(f.evidence).toContain('4,000 prefixes per BGP session');
  });

  it("reserved ASN: the validator's error is the finding, nothing is simulated, nothing throws", () => {
    const advice = advise(load('test/fixtures/broken/reserved-asn.yaml'));
    expect(advice.loaded).toBe(false);
    expect(advice.scenariosSimulated).toBe(0);
    const f = only(advice, 'validation-error');
    expect(f.severity).toBe('high');
    expect(f.evidence).toContain('65515 is reserved by Azure');
    expect(f.subject).toBe('vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.asn');
  });

  it('DPD far above the BGP hold time: BGP detects a dead instance first, and it costs the hold time', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnConnections[0].vpnLinkConnections[0].dpdTimeoutSeconds = 3600;
        }),
      ),
      'detection-order',
    );
    expect(f.severity).toBe('medium');
    expect(f.title).toContain('BGP detects a dead instance first');
    // Hold expiry comes 120–180 s after the crash (keepalives every 60 s); DPD at 45 s: 45–75 s.
    expect(f.measurements.outageMs).toBeGreaterThan(120_000);
    expect(f.measurements.outageWithFixMs).toBeLessThanOrEqual(75_000);
  });

  it('the reverse — DPD well below the hold time but routes kept until BGP gives up: the faster DPD is wasted', () => {
    const f = only(
      advise(
        edited('bgp-active-active', (raw) => {
          raw.vpnSites[0].devices[0].deadTunnelRoutes = 'keepUntilBgpHold';
        }),
      ),
      'detection-order',
    );
    expect(f.severity).toBe('medium');
    // Routes held until the hold timer (120–180 s after the crash) instead of DPD's 45–75 s.
    expect((f.measurements.outageMs ?? 0) - (f.measurements.outageWithFixMs ?? 0)).toBeGreaterThan(45_000);
  });

  it('a short DPD with routes withdrawn on DPD: DPD fires first, an info note only', () => {
    const advice = advise(
      edited('bgp-active-active', (raw) => {
        raw.vpnConnections[0].vpnLinkConnections[0].dpdTimeoutSeconds = 9;
      }),
    );
    const f = only(advice, 'detection-order');
    expect(f.severity).toBe('info');
    expect(f.evidence).toContain('lossy path');
  });

  it('static tunnel with DPD 600 s: the only detection, so a dead instance black-holes flows for as long as it is down', () => {
    const f = only(
      advise(
        edited('static-dual-tunnel', (raw) => {
          raw.vpnConnections[0].vpnLinkConnections[0].dpdTimeoutSeconds = 600;
        }),
      ),
      'detection-order',
    );
    expect(f.severity).toBe('medium');
    expect(f.measurements.flowsStillLosing).toBeGreaterThan(0);
  });

  it('BGP over a single tunnel: maintenance of its instance cuts the site off (high)', () => {
    const advice = advise(
      edited('bgp-active-active', (raw) => {
        raw.vpnConnections[0].vpnLinkConnections[0].instances = ['IN_0'];
      }),
    );
    const cuts = advice.findings.filter((f) => f.rule === 'instance-cuts-off');
    expect(cuts.map((f) => [f.subject, f.severity])).toEqual([
      ['IN_0 planned', 'high'],
      ['IN_0 unplanned', 'high'],
    ]);
    expect(cuts[0]?.validatorWarnings[0]).toContain('BGP over a single tunnel');
  });
});
