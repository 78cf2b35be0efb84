import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/kernel.ts';
import { SYN_GIVE_UP_MS, TcpConnection, type TcpEndpointEvents, TcpHost } from '../../src/sim/tcp.ts';

function harness(latencyMs = 10) {
  const sim = new Simulator({ seed: 1 });
  const a = new TcpHost('azure');
  const b = new TcpHost('device');
  const state = { pathUp: true };
  const log: string[] = [];
  const events = (side: string): TcpEndpointEvents<string> => ({
    connected: () => log.push(`${sim.nowMs} ${side} connected`),
    received: (_c, p) => log.push(`${sim.nowMs} ${side} got ${p}`),
    closed: (_c, why) => log.push(`${sim.nowMs} ${side} closed ${why}`),
  });
  const blocked = new Set<TcpConnection<string>>();
  let listening = true;
  const connect = () =>
    new TcpConnection<string>(
      1,
      sim,
      () => ({ up: state.pathUp, latencyMs }),
      a,
      b,
      events('a'),
      () => (listening ? events('b') : undefined),
      (c) => blocked.add(c),
    );
  return {
    sim,
    a,
    b,
    state,
    log,
    blocked,
    connect,
    stopListening: () => {
      listening = false;
    },
  };
}

describe('simulated TCP', () => {
  it('connects after one round trip (initiator) and on the ACK (acceptor), delivers in order', () => {
    const h = harness();
    const conn = h.connect();
    h.sim.run(100);
    conn.send('a', 'OPEN');
    conn.send('b', 'OPEN-B');
    h.sim.run(200);
    expect(h.log).toEqual(['20 a connected', '30 b connected', '110 b got OPEN', '110 a got OPEN-B']);
  });

  it('stalls data while the path is down and delivers it when the path returns (a loopback BGP session survives)', () => {
    const h = harness();
    const conn = h.connect();
    h.sim.run(100);
    h.state.pathUp = false;
    conn.send('a', 'KEEPALIVE-1');
    conn.send('a', 'KEEPALIVE-2');
    h.sim.run(5_000);
    expect(h.log.filter((l) => l.includes('got'))).toEqual([]);
    h.state.pathUp = true;
    for (const c of h.blocked) c.retry();
    h.sim.run(6_000);
    expect(h.log.filter((l) => l.includes('got'))).toEqual([
      '5010 b got KEEPALIVE-1',
      '5010 b got KEEPALIVE-2',
    ]);
  });

  it('a host that rebooted answers with RST', () => {
    const h = harness();
    const conn = h.connect();
    h.sim.run(100);
    h.b.crash();
    h.b.reboot();
    conn.send('a', 'KEEPALIVE');
    h.sim.run(200);
    expect(h.log.at(-1)).toBe('120 a closed rst');
  });

  it('retransmits SYN on Linux’s schedule and gives up after 127 s when nothing answers', () => {
    const h = harness();
    h.state.pathUp = false;
    h.connect();
    h.sim.run(200_000);
    expect(h.log).toEqual([`${SYN_GIVE_UP_MS} a closed timeout`]);
  });

  it('a SYN retransmission gets through once the path returns', () => {
    const h = harness();
    h.state.pathUp = false;
    h.connect();
    h.sim.run(2_000);
    h.state.pathUp = true;
    h.sim.run(10_000);
    // Retransmissions at 1 s and 3 s: the one at 3 s finds the path up.
    expect(h.log).toEqual(['3020 a connected', '3030 b connected']);
  });

  it('nobody listening: RST', () => {
    const h = harness();
    h.stopListening();
    h.connect();
    h.sim.run(1_000);
    expect(h.log).toEqual(['20 a closed rst']);
  });

  it('FIN closes the other side after one latency', () => {
    const h = harness();
    const conn = h.connect();
    h.sim.run(100);
    conn.close('a');
    h.sim.run(200);
    expect(h.log.at(-1)).toBe('110 b closed fin');
  });
});

describe('simulated TCP: a socket dropped without FIN', () => {
  it('is answered with RST when the peer next sends on it (BGP on a vanished tunnel interface)', () => {
    const h = harness();
    const conn = h.connect();
    h.sim.run(100);
    conn.abandon('b');
    conn.send('a', 'KEEPALIVE');
    h.sim.run(200);
    expect(h.log.at(-1)).toBe('120 a closed rst');
  });
});
