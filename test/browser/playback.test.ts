import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology, type Topology } from '../../src/model/index.ts';
import { InteractiveRun } from '../../src/scenario/interactive.ts';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';
import { Playback, SAMPLE_MS, sampleOf } from '../../web/playback.ts';
import { bgpStates, notableEvents } from '../../web/trace-events.ts';

// The page's clock and replay logic, without a browser: scrubbing back must give
// exactly what was seen, because the UI keeps the recorded future on that promise.

const TRAFFIC = { flowsPerPair: 20, ratePps: 10, directions: 'both', protocol: 'tcp' } as const;

function example(name: string): Topology {
  const loaded = loadTopology(readFileSync(join(PROJECT_ROOT, 'examples', `${name}.yaml`), 'utf8'));
  if (!loaded.ok) throw new Error(`${name} does not load`);
  return loaded.topology;
}

describe('playback: deterministic replay of the user actions', () => {
  it('samples every virtual second, the same as a straight run stepped by hand', () => {
    const topology = example('bgp-active-active');
    const playback = new Playback(topology, { seed: 7, traffic: TRAFFIC });
    // Odd steps, as animation frames make them.
    for (const step of [16, 17, 3000, 4967, 1]) playback.advance(step);
    playback.apply({ instance: 'IN_0', action: 'fail', mode: 'unplanned', at: 0 });
    for (let i = 0; i < 100; i++) playback.advance(1234);
    expect(playback.nowMs).toBe(8001 + 123_400);

    const straight = new InteractiveRun(topology, { seed: 7, traffic: TRAFFIC, warmupMs: 120_000 });
    const expected = [sampleOf(straight.snapshot())];
    for (let t = SAMPLE_MS; t <= playback.nowMs; t += SAMPLE_MS) {
      if (t - SAMPLE_MS < 8001 && t > 8001) {
        straight.advance(8001 - (t - SAMPLE_MS));
        straight.apply({ instance: 'IN_0', action: 'fail', mode: 'unplanned', at: 0 });
        straight.advance(t - 8001);
      } else straight.advance(SAMPLE_MS);
      expected.push(sampleOf(straight.snapshot()));
    }
    expect(playback.samples).toEqual(expected);
  });

  it('seeking back rebuilds the world; forward again reproduces the same snapshots, trace and metrics', () => {
    const topology = example('static-single-tunnel');
    const playback = new Playback(topology, { seed: 1, traffic: TRAFFIC });
    playback.advance(10_000);
    playback.apply({ instance: 'IN_0', action: 'fail', mode: 'unplanned', at: 0 });
    playback.advance(120_000);
    playback.apply({ instance: 'IN_0', action: 'recover', mode: 'unplanned', at: 0 });
    playback.advance(180_000);
    const end = { snapshot: playback.snapshot(), summary: playback.summary(), trace: [...playback.trace] };
    const samples = [...playback.samples];
    expect(end.summary.toSite.sessionResets).toBe(80);

    playback.seek(60_000);
    expect(playback.replays).toBe(2);
    expect(playback.nowMs).toBe(60_000);
    expect(playback.snapshot().tunnels[0]?.carriedBy).toBeNull();
    expect(playback.horizonMs).toBe(310_000);
    expect(playback.samples).toEqual(samples);
    expect(playback.traceNowCount).toBeLessThan(playback.trace.length);

    playback.seek(310_000);
    expect(playback.snapshot()).toEqual(end.snapshot);
    expect(playback.summary()).toEqual(end.summary);
    expect(playback.trace).toEqual(end.trace);
    expect(playback.traceNowCount).toBe(end.trace.length);
  });

  it('acting in the past drops the recorded future', () => {
    const topology = example('static-single-tunnel');
    const playback = new Playback(topology, { seed: 1, traffic: TRAFFIC });
    playback.advance(10_000);
    playback.apply({ instance: 'IN_0', action: 'fail', mode: 'unplanned', at: 0 });
    playback.advance(200_000);
    playback.seek(5000);
    playback.apply({ device: 'branch1-fw1', action: 'fail', at: 0 });
    expect(playback.actions).toEqual([
      { atMs: 5000, event: { device: 'branch1-fw1', action: 'fail', at: 0 } },
    ]);
    expect(playback.horizonMs).toBe(5000);
    expect(playback.samples).toHaveLength(6);
    expect(playback.trace.filter((e) => e.event === 'instance.state')).toEqual([]);
    playback.advance(30_000);
    expect(playback.snapshot().instances.map((i) => i.state)).toEqual(['up', 'up']);
    expect(playback.snapshot().devices[0]?.alive).toBe(false);
  });

  it('the trace reads as the seed tells it: detection, IP move, tunnel rebuilt', () => {
    const playback = new Playback(example('static-single-tunnel'), { seed: 1, traffic: TRAFFIC });
    playback.advance(10_000);
    playback.apply({ instance: 'IN_0', action: 'fail', mode: 'unplanned', at: 0 });
    playback.advance(120_000);
    const texts = notableEvents(playback.trace)
      .filter((e) => e.atMs >= 0)
      .map((e) => e.text);
    expect(texts).toContain('IN_0 is crashed');
    expect(texts).toContain('public IP 20.50.1.10 released (moving)');
    expect(texts).toContain('public IP 20.50.1.10 answered by IN_1');
    expect(
      texts.some((t) => /IPsec branch1-isp1-conn@IN_0 \(device side\) down: dead peer detection/.test(t)),
    ).toBe(true);
  });

  it('BGP FSM states per speaker come from the trace', () => {
    const playback = new Playback(example('bgp-active-active'), { seed: 1, traffic: TRAFFIC });
    const states = bgpStates(playback.trace, playback.traceNowCount);
    expect(states.get('branch1-isp1-conn@IN_0/azure')).toBe('Established');
    expect(states.get('branch1-isp1-conn@IN_1/device')).toBe('Established');
    playback.apply({ instance: 'IN_1', action: 'fail', mode: 'planned', at: 0 });
    const after = bgpStates(playback.trace, playback.traceNowCount);
    expect(after.get('branch1-isp1-conn@IN_1/azure')).toBe('Idle');
  });
});
