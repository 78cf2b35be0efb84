import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../src/net/ipv4.ts';
import { buildDeviceFib } from '../../src/site/device-fib.ts';

const azure = ['10.0.0.0/24', '10.1.0.0/16'];
const bgp = (t0Up: boolean) => [
  {
    prefix: '10.1.0.0/16',
    paths: [
      { tunnel: 'to IN_0', tunnelUp: t0Up },
      { tunnel: 'to IN_1', tunnelUp: true },
    ],
  },
];

describe('a remote device’s forwarding towards Azure', () => {
  it('BGP routes over both tunnels, in the RIB’s order (primary first)', () => {
    const fib = buildDeviceFib({
      alive: true,
      deadTunnelRoutes: 'withdrawOnDpd',
      staticTunnels: [],
      azurePrefixes: azure,
      bgpRoutes: bgp(true),
    });
    expect(fib.lookup(ipv4('10.1.2.3'))?.value).toEqual(['to IN_0', 'to IN_1']);
    expect(fib.lookup(ipv4('10.0.0.5'))).toBeUndefined();
  });

  it('VTI-like: a tunnel DPD declared dead takes its BGP routes with it; otherwise they stay until the hold timer', () => {
    const vti = buildDeviceFib({
      alive: true,
      deadTunnelRoutes: 'withdrawOnDpd',
      staticTunnels: [],
      azurePrefixes: azure,
      bgpRoutes: bgp(false),
    });
    const hold = buildDeviceFib({
      alive: true,
      deadTunnelRoutes: 'keepUntilBgpHold',
      staticTunnels: [],
      azurePrefixes: azure,
      bgpRoutes: bgp(false),
    });
    expect(vti.lookup(ipv4('10.1.2.3'))?.value).toEqual(['to IN_1']);
    expect(hold.lookup(ipv4('10.1.2.3'))?.value).toEqual(['to IN_0', 'to IN_1']);
  });

  it('static routes (distance 1) beat eBGP (20) for the Azure prefixes', () => {
    const fib = buildDeviceFib({
      alive: true,
      deadTunnelRoutes: 'withdrawOnDpd',
      staticTunnels: ['static'],
      azurePrefixes: azure,
      bgpRoutes: bgp(true),
    });
    expect(fib.lookup(ipv4('10.1.2.3'))?.value).toEqual(['static']);
    expect(fib.lookup(ipv4('10.0.0.5'))?.value).toEqual(['static']);
  });

  it('a dead device forwards nothing learned', () => {
    const fib = buildDeviceFib({
      alive: false,
      deadTunnelRoutes: 'withdrawOnDpd',
      staticTunnels: [],
      azurePrefixes: azure,
      bgpRoutes: bgp(true),
    });
    expect(fib.size).toBe(0);
  });
});
