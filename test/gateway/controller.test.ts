import { describe, expect, it } from 'vitest';
import { GatewayController, type GatewayOutput, type GatewayTimings } from '../../src/gateway/controller.ts';
import { CoreDriver } from '../../src/sim/driver.ts';
import { Simulator } from '../../src/sim/kernel.ts';

const timings: GatewayTimings = {
  plannedDrainMs: 10_000,
  plannedIpMoveMs: 5_000,
  unplannedDetectionMs: 60_000,
  unplannedIpMoveMs: 90_000,
  recoveryBootMs: 30_000,
  failbackDelayMs: 20_000,
};

function run(ipMoves: boolean) {
  const sim = new Simulator({ seed: 1 });
  const controller = new GatewayController({
    timings,
    publicIps: { IN_0: '20.0.0.1', IN_1: '20.0.0.2' },
    ipMovesOnFailure: { IN_0: ipMoves, IN_1: ipMoves },
  });
  const log: string[] = [];
  const describeOutput = (o: GatewayOutput): string => {
    switch (o.kind) {
      case 'instanceState':
        return `${o.instance}=${o.state}`;
      case 'hubNextHop':
        return `hub ${o.usable ? 'uses' : 'drops'} ${o.instance}`;
      case 'ipOwner':
        return `${o.ip}→${o.owner ?? 'nobody'}`;
      case 'powerOff':
        return `${o.instance} off${o.silent ? ' (silent)' : ''}`;
      case 'powerOn':
        return `${o.instance} on`;
      case 'gracefulShutdown':
        return `${o.instance} sends Cease+DELETE`;
      case 'releaseIp':
        return `${o.from} DELETEs tunnels on ${o.ip}`;
      case 'rejected':
        return `rejected: ${o.reason}`;
      default:
        return o.kind;
    }
  };
  const driver = new CoreDriver(
    sim,
    controller,
    (o) => log.push(`${sim.nowMs / 1000}s ${describeOutput(o)}`),
    (timer) => ({ kind: 'timer' as const, timer }),
  );
  return { sim, controller, driver, log };
}

describe('gateway controller: instance lifecycle and public IP ownership', () => {
  it('unplanned failure of a single-tunnel instance: silent stop, hub drops it after detection, IP moves, then fails back', () => {
    const { sim, driver, log, controller } = run(true);
    sim.schedule(30_000, () => driver.deliver({ kind: 'fail', instance: 'IN_0', mode: 'unplanned' }));
    sim.schedule(300_000, () => driver.deliver({ kind: 'recover', instance: 'IN_0' }));
    sim.run(1_000_000);
    expect(log).toEqual([
      '30s IN_0=crashed',
      '30s IN_0 off (silent)',
      '30s 20.0.0.1→nobody',
      '90s hub drops IN_0',
      '120s 20.0.0.1→IN_1',
      '300s IN_0=recovering',
      '330s IN_0=up',
      '330s IN_0 on',
      '330s hub uses IN_0',
      '350s IN_1 DELETEs tunnels on 20.0.0.1',
      '350s 20.0.0.1→nobody',
      '355s 20.0.0.1→IN_0',
    ]);
    expect(controller.ownerOf('20.0.0.1')).toBe('IN_0');
  });

  it('planned maintenance in a dual-tunnel design: graceful, nothing moves', () => {
    const { sim, driver, log } = run(false);
    sim.schedule(30_000, () => driver.deliver({ kind: 'fail', instance: 'IN_0', mode: 'planned' }));
    sim.schedule(100_000, () => driver.deliver({ kind: 'recover', instance: 'IN_0' }));
    sim.run(1_000_000);
    expect(log).toEqual([
      '30s IN_0=draining',
      '30s hub drops IN_0',
      '30s IN_0 sends Cease+DELETE',
      '40s IN_0 off',
      '40s IN_0=down',
      '100s IN_0=recovering',
      '130s IN_0=up',
      '130s IN_0 on',
      '130s hub uses IN_0',
    ]);
  });

  it('only one instance in planned maintenance at a time', () => {
    const { driver, log } = run(false);
    driver.deliver({ kind: 'fail', instance: 'IN_0', mode: 'planned' });
    driver.deliver({ kind: 'fail', instance: 'IN_1', mode: 'planned' });
    expect(log.at(-1)).toBe('0s rejected: IN_0 is in planned maintenance; only one instance at a time');
  });

  it('both instances down: the IP waits, and whichever comes back first carries it', () => {
    const { sim, driver, controller } = run(true);
    driver.deliver({ kind: 'fail', instance: 'IN_0', mode: 'unplanned' });
    driver.deliver({ kind: 'fail', instance: 'IN_1', mode: 'unplanned' });
    sim.run(200_000);
    expect(controller.ownerOf('20.0.0.1')).toBeNull();
    driver.deliver({ kind: 'recover', instance: 'IN_1' });
    sim.run(240_000);
    expect(controller.ownerOf('20.0.0.1')).toBe('IN_1');
    expect(controller.ownerOf('20.0.0.2')).toBe('IN_1');
  });
});
