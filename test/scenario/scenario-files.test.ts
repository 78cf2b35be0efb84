import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenarioNames } from '../../src/cli/simulate.ts';
import { parseDuration } from '../../src/scenario/duration.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../src/scenario/simulate.ts';
import { example } from '../acceptance/helpers.ts';

const DIR = join(import.meta.dirname, '..', '..', 'examples', 'scenarios');

describe('scenario files', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

  it.each(files)('examples/scenarios/%s loads and runs on a design whose names it uses', (file) => {
    const loaded = loadScenario(readFileSync(join(DIR, file), 'utf8'));
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const designs = ['bgp-active-active', 'bgp-two-devices', 'static-single-tunnel'].map(example);
    const fitting = designs.filter((t) => checkScenarioNames(t, loaded.scenario) === undefined);
    expect(fitting.length).toBeGreaterThan(0);
    const result = simulate(fitting[0] as (typeof designs)[number], loaded.scenario, { trace: false });
    expect(result.events).toHaveLength(loaded.scenario.events.length);
  });

  it('explains a bad event line with the forms it accepts', () => {
    const loaded = loadScenario('events:\n  - explode IN_0 at 30s\n');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.errors[0]).toMatch(
        /^events\[0\]: "explode IN_0 at 30s" is not an event; write one of: fail IN_0/,
      );
  });

  it('names unknown fields and bad durations', () => {
    const loaded = loadScenario('duraton: 10m\nwarmup: soon\n');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.errors.join('\n')).toMatch(/duraton/);
      expect(loaded.errors.join('\n')).toMatch(/warmup: "soon" is not a duration/);
    }
  });

  it('refuses YAML aliases (billion laughs) with a clear error', () => {
    const loaded = loadScenario('a: &a [x]\nb: *a\n');
    expect(loaded.ok).toBe(false);
  });

  it('scenario names must exist in the topology', () => {
    const loaded = loadScenario('events: ["fail device nosuch at 1m"]');
    if (!loaded.ok) throw new Error('should load');
    expect(checkScenarioNames(example('bgp-active-active'), loaded.scenario)).toBe(
      'events[0].device: no device named "nosuch"; the topology has branch1-fw1',
    );
  });

  it('durations as people write them', () => {
    expect(parseDuration('1m30s')).toEqual({ ok: true, ms: 90_000 });
    expect(parseDuration('1500ms')).toEqual({ ok: true, ms: 1_500 });
    expect(parseDuration(2.5)).toEqual({ ok: true, ms: 2_500 });
    expect(parseDuration('2h')).toEqual({ ok: true, ms: 7_200_000 });
    expect(parseDuration('-3s').ok).toBe(false);
  });
});

describe('simulate options', () => {
  it('Azure BGP timers can be shrunk for a fast lab twin, and the sessions then negotiate them', () => {
    const topology = example('bgp-active-active');
    const result = simulate(topology, loadOk('duration: 10s'), {
      azureBgpTimers: { keepaliveSeconds: 3, holdSeconds: 9 },
    });
    const holds = result.trace.filter((e) => e.event === 'bgp.established').map((e) => e.detail?.holdTimeSec);
    expect(holds.length).toBeGreaterThan(0);
    expect(new Set(holds)).toEqual(new Set([9]));
  });
});

function loadOk(text: string) {
  const loaded = loadScenario(text);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}
