import { describe, expect, it } from 'vitest';
import { fanInGroups, fanInGroupSize, mergeGroup, mergeGroupResults } from '../../src/pipeline/fan-in.ts';
import type { WorkUnit } from '../../src/pipeline/types.ts';

/** A merge that shows its input order, so a test sees which partials were merged and how. */
const concat = { merge: (parts: string[]) => `(${parts.join(' ')})` };
const unit = (id: string): WorkUnit => ({ id, keys: [`k-${id}`] });

describe('fan-in grouping', () => {
  it('merges in one level up to maxFanIn units, then in groups of ⌈√units⌉', () => {
    expect(fanInGroupSize(0)).toBeUndefined();
    expect(fanInGroupSize(16)).toBeUndefined();
    expect(fanInGroupSize(17)).toBe(5);
    expect(fanInGroupSize(96)).toBe(10);
    expect(fanInGroupSize(10_000)).toBe(100);
    expect(fanInGroupSize(5, 4)).toBe(3);
    expect(() => fanInGroupSize(5, 1)).toThrow(/maxFanIn/);
  });

  it('groups are contiguous runs of the plan order; the last may be short', () => {
    const units = Array.from({ length: 10 }, (_, i) => i);
    expect(fanInGroups(units, undefined)).toEqual([units]);
    expect(fanInGroups(units, 4)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(fanInGroups(units, 10)).toEqual([units]);
    expect(fanInGroups([], 3)).toEqual([[]]);
  });
});

describe('mergeGroup', () => {
  it('merges the completed units sorted by unit id and accounts every other unit as failed', () => {
    const units = [unit('c'), unit('a'), unit('d'), unit('b')];
    const g = mergeGroup(concat, units, new Map([['c', 'C'], ['a', 'A']]), new Map([['d', 'boom']]));
    expect(g.partial).toBe('(A C)');
    expect(g.done).toBe(2);
    expect(g.failed).toEqual([
      { unitId: 'b', keys: ['k-b'], error: 'no result was recorded for this unit' },
      { unitId: 'd', keys: ['k-d'], error: 'boom' },
    ]);
  });

  it('a group with no completed unit has no partial (not an empty merge that could read as data)', () => {
    const g = mergeGroup(concat, [unit('a')], new Map(), new Map([['a', 'x']]));
    expect(g).toEqual({ done: 0, failed: [{ unitId: 'a', keys: ['k-a'], error: 'x' }] });
  });
});

describe('mergeGroupResults', () => {
  it('one group: its partial as it is, exactly what a one-level merge gives', () => {
    const { merged, accounting } = mergeGroupResults(concat, [mergeGroup(concat, [unit('b'), unit('a')], new Map([['a', 'A'], ['b', 'B']]), new Map())]);
    expect(merged).toBe('(A B)');
    expect(accounting).toEqual({ planned: 2, done: 2, failed: [] });
  });

  it('several groups: merged in group order, skipping groups without a partial; failures sorted by unit id', () => {
    const groups = [
      { partial: '(A B)', done: 2, failed: [{ unitId: 'z', keys: [], error: 'e1' }] },
      { done: 0, failed: [{ unitId: 'c', keys: [], error: 'e2' }] },
      { partial: '(D)', done: 1, failed: [] },
    ];
    const { merged, accounting } = mergeGroupResults(concat, groups);
    expect(merged).toBe('((A B) (D))');
    expect(accounting).toEqual({ planned: 5, done: 3, failed: [groups[1]!.failed[0], groups[0]!.failed[0]] });
  });

  it('no unit completed anywhere: the pipeline merges nothing, as before', () => {
    expect(mergeGroupResults(concat, [{ done: 0, failed: [] }]).merged).toBe('()');
  });
});
