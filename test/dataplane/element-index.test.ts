import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElementIndex } from '../../src/dataplane/element-index.ts';

const ELEMENTS = ['instance:IN_0', 'instance:IN_1', 'tunnel:a', 'tunnel:b', 'device:d', 'link:l', 'x', 'y'];

describe('ElementIndex', () => {
  it('moves flows between elements and counts them', () => {
    const index = new ElementIndex(3);
    index.place(0, ['tunnel:a', 'instance:IN_0']);
    index.place(1, ['tunnel:a', 'instance:IN_1']);
    index.place(2, ['tunnel:b', 'instance:IN_1']);
    expect(index.count('tunnel:a')).toBe(2);
    expect([...index.flowsOn('instance:IN_1')].sort()).toEqual([1, 2]);
    index.place(0, ['tunnel:b', 'instance:IN_1']);
    expect(index.count('tunnel:a')).toBe(1);
    expect(index.count('instance:IN_0')).toBe(0);
    expect([...index.flowsOn('tunnel:b')].sort()).toEqual([0, 2]);
    expect(index.count('never seen')).toBe(0);
    expect(index.flowsOn('never seen')).toHaveLength(0);
  });

  it('counts an element listed twice in one path once, as a set does', () => {
    const index = new ElementIndex(1);
    index.place(0, ['x', 'x', 'y']);
    expect(index.count('x')).toBe(1);
    index.place(0, []);
    expect(index.count('x')).toBe(0);
    expect(index.count('y')).toBe(0);
  });

  it('takes paths longer than it first made room for', () => {
    const index = new ElementIndex(2);
    index.place(0, ['x', 'y']);
    index.place(1, ELEMENTS);
    expect(index.count('x')).toBe(2);
    index.place(0, []);
    expect(index.count('x')).toBe(1);
    expect(index.count('link:l')).toBe(1);
  });

  it('tells the observer when an element gets its first flow and loses its last', () => {
    const index = new ElementIndex(2);
    const seen: string[] = [];
    index.observe((element, occupied) => seen.push(`${element}:${occupied}`));
    index.place(0, ['x']);
    index.place(1, ['x']);
    index.place(0, ['y']);
    index.place(1, ['y']);
    expect(seen).toEqual(['x:true', 'y:true', 'x:false']);
  });

  it('agrees with a set per element under any sequence of moves', () => {
    const move = fc.record({
      flow: fc.nat(19),
      elements: fc.array(fc.constantFrom(...ELEMENTS), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(move, { maxLength: 200 }), (moves) => {
        const index = new ElementIndex(20);
        const model = new Map<string, Set<number>>(ELEMENTS.map((e) => [e, new Set()]));
        for (const { flow, elements } of moves) {
          index.place(flow, elements);
          for (const set of model.values()) set.delete(flow);
          for (const e of elements) model.get(e)?.add(flow);
        }
        for (const [element, set] of model) {
          expect(index.count(element)).toBe(set.size);
          expect([...index.flowsOn(element)].sort((a, b) => a - b)).toEqual([...set].sort((a, b) => a - b));
        }
      }),
    );
  });
});
