import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundaryLists } from '../../src/dataplane/boundary-lists.ts';

describe('BoundaryLists', () => {
  it('behaves as one array per flow under any pushes and pops', () => {
    const op = fc.record({ flow: fc.nat(4), push: fc.boolean(), value: fc.integer({ min: 0, max: 1e9 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const lists = new BoundaryLists(5);
        const model: number[][] = [[], [], [], [], []];
        for (const { flow, push, value } of ops) {
          if (push) {
            lists.push(flow, value);
            model[flow]?.push(value);
          } else {
            lists.pop(flow);
            model[flow]?.pop();
          }
        }
        model.forEach((values, flow) => {
          expect(lists.length(flow)).toBe(values.length);
          expect(values.map((_, i) => lists.at(flow, i))).toEqual(values);
          if (values.length > 0) expect(lists.last(flow)).toBe(values[values.length - 1]);
        });
      }),
    );
  });
});
