import { describe, expect, it } from 'vitest';
import { type HubRouteCandidate, selectHubRoute } from '../../src/gateway/hub-routes.ts';

const bgp = (
  instance: 'IN_0' | 'IN_1',
  tunnel: string,
  asPathLength: number,
  site = 's1',
): HubRouteCandidate => ({
  instance,
  tunnel,
  site,
  source: 'bgp',
  asPathLength,
});

describe('hub route selection (Azure: static > BGP > shorter AS path > ECMP)', () => {
  it('BGP active-active: both instances become ECMP next hops', () => {
    const route = selectHubRoute([bgp('IN_1', 't1', 1), bgp('IN_0', 't0', 1)]);
    expect(route?.instances).toEqual(['IN_0', 'IN_1']);
    expect(route?.tunnelsByInstance.get('IN_0')).toEqual(['t0']);
  });

  it('a static route beats a BGP route for the same prefix, whatever the AS path', () => {
    const route = selectHubRoute([bgp('IN_0', 't0', 1), { ...bgp('IN_1', 't1', 0), source: 'static' }]);
    expect(route?.source).toBe('static');
    expect(route?.instances).toEqual(['IN_1']);
  });

  it('the shorter AS path wins; a prepended path is backup only', () => {
    const route = selectHubRoute([
      bgp('IN_0', 'a0', 1, 'a'),
      bgp('IN_1', 'a1', 1, 'a'),
      bgp('IN_0', 'b0', 3, 'b'),
    ]);
    expect(route?.sites).toEqual(['a']);
    expect(route?.tunnelsByInstance.get('IN_0')).toEqual(['a0']);
  });

  it('two devices advertising equally: each instance spreads over both devices’ tunnels', () => {
    const route = selectHubRoute([
      bgp('IN_0', 'a0', 1, 'a'),
      bgp('IN_0', 'b0', 1, 'b'),
      bgp('IN_1', 'a1', 1, 'a'),
    ]);
    expect(route?.tunnelsByInstance.get('IN_0')).toEqual(['a0', 'b0']);
    expect(route?.sites).toEqual(['a', 'b']);
  });

  it('no candidates, no route', () => {
    expect(selectHubRoute([])).toBeUndefined();
  });
});
