import { describe, expect, it } from 'vitest';
import { AZURE, normaliseInstanceId, reservedAsnRange } from '../../src/model/azure-defaults.ts';
import { closest, didYouMean, editDistance } from '../../src/model/suggest.ts';

describe('Azure defaults and limits', () => {
  it('the gateway ASN is 65515, and reserved', () => {
    expect(AZURE.bgp.asn).toBe(65515);
    expect(reservedAsnRange(AZURE.bgp.asn)?.reservedBy).toBe('Azure');
  });

  it('reserves exactly the documented ASNs', () => {
    const reserved = [
      8075, 8076, 12076, 65515, 65517, 65518, 65519, 65520, 23456, 64496, 64511, 65535, 65551, 4294967295,
    ];
    for (const asn of reserved) expect(reservedAsnRange(asn), String(asn)).toBeDefined();
    const free = [
      1, 8074, 8077, 12075, 12077, 64495, 64512, 65010, 65514, 65516, 65521, 65534, 65552, 4294967294,
    ];
    for (const asn of free) expect(reservedAsnRange(asn), String(asn)).toBeUndefined();
  });

  it('BGP timers are 60 / 180 s and not negotiated down; no BFD; 4,000 prefixes', () => {
    expect([AZURE.bgp.keepaliveSeconds, AZURE.bgp.holdSeconds, AZURE.bgp.negotiatesTimersDown]).toEqual([
      60,
      180,
      false,
    ]);
    expect(AZURE.bgp.bfd).toBe(false);
    expect(AZURE.bgp.maxPrefixesPerSession).toBe(4000);
  });

  it('IPsec: DPD 45 s in 9–3,600; SA 3,600 s / 102,400,000 KB; IKE SA 28,800 s', () => {
    expect(AZURE.ipsec.dpdTimeoutSeconds).toEqual({ default: 45, min: 9, max: 3600, unsetInExports: 0 });
    expect([AZURE.ipsec.saLifeTimeSeconds, AZURE.ipsec.saDataSizeKilobytes]).toEqual([3600, 102400000]);
    expect(AZURE.ipsec.ikeSaLifeTimeSeconds).toBe(28800);
  });

  it('scale limits agree with each other: 20 scale units × 2 instances × 500 Mbps = 20 Gbps', () => {
    const { scale } = AZURE;
    expect(scale.maxScaleUnits * AZURE.instances.count * scale.mbpsPerInstancePerScaleUnit).toBe(
      scale.maxGatewayMbps,
    );
    expect([
      scale.maxConnectionsPerHub,
      scale.maxLinksPerSite,
      scale.maxTunnelsPerGateway,
      scale.maxTunnelMbps,
    ]).toEqual([1000, 4, 2000, 1000]);
  });

  it('Instance0/Instance1 ↔ IN_0/IN_1', () => {
    expect(normaliseInstanceId('Instance0')).toBe('IN_0');
    expect(normaliseInstanceId('Instance1')).toBe('IN_1');
    expect(normaliseInstanceId('IN_1')).toBe('IN_1');
    expect(normaliseInstanceId('instance0')).toBeUndefined();
    expect(normaliseInstanceId('IN_2')).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('asn', 'san')).toBe(1);
    expect(editDistance('bgpPeeringAdress', 'bgpPeeringAddress')).toBe(1);
    expect(editDistance('enalbeBgp', 'enableBgp')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests by typo, case, separators or prefix; not when nothing is close or two are equally close', () => {
    const fields = ['tunnelIpAddress', 'defaultBgpIpAddress', 'customBgpIpAddresses', 'id'];
    expect(closest('tunnelIp', fields)).toBe('tunnelIpAddress');
    expect(closest('default_bgp_ip_address', fields)).toBe('defaultBgpIpAddress');
    expect(closest('customBgpIpAddress', fields)).toBe('customBgpIpAddresses');
    expect(closest('publicIp', fields)).toBeUndefined();
    expect(closest('isp3', ['isp1', 'isp2'])).toBeUndefined();
    expect(didYouMean('isp3', ['isp1', 'isp2'], 'its links are')).toBe('; its links are: isp1, isp2');
    expect(didYouMean('x', [])).toBe('');
  });
});
