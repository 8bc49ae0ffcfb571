import type { Pipeline, UnitAccounting, WorkUnit } from './types.ts';

/**
 * Bounded fan-in. A run's units are merged in two levels when there are many of them: each group
 * of contiguous units (plan order, so a drift group covers neighbouring hours and its merged
 * partial is small) is merged by a job of its own while the other units still run, and the
 * finalize step merges only the groups' results. The serial tail after the last unit then reads
 * about 2·√N partials instead of N.
 *
 * The grouping is decided once, when the plan is written, and kept in the run record: every
 * runner (inline or queue, any replica, any retry) merges the same partials in the same order, so
 * float sums and therefore reports are identical however the units were scheduled.
 */

/** Units a run may have before it merges in two levels. Default of `maxFanIn` options. */
export const DEFAULT_MAX_FAN_IN = 16;

/**
 * Units per merge group for a run of `units` units: `undefined` (one level, every partial merged
 * by the finalize step) up to `maxFanIn` units, else ⌈√units⌉, which balances the last group's
 * merge against the finalize's.
 *
 * @example
 * fanInGroupSize(12); // undefined
 * fanInGroupSize(96); // 10 (10 groups)
 */
export function fanInGroupSize(units: number, maxFanIn: number = DEFAULT_MAX_FAN_IN): number | undefined {
  if (!Number.isInteger(maxFanIn) || maxFanIn < 2) throw new RangeError(`maxFanIn must be an integer ≥ 2, got ${maxFanIn}`);
  return units <= maxFanIn ? undefined : Math.ceil(Math.sqrt(units));
}

/**
 * The merge groups of a plan: contiguous runs of `groupSize` units in plan order, or one group of
 * all units when `groupSize` is undefined.
 *
 * @example
 * fanInGroups(units, 10).length; // ⌈units.length / 10⌉
 */
export function fanInGroups<U>(units: readonly U[], groupSize: number | undefined): U[][] {
  if (groupSize === undefined || units.length <= groupSize) return [[...units]];
  const groups: U[][] = [];
  for (let i = 0; i < units.length; i += groupSize) groups.push(units.slice(i, i + groupSize));
  return groups;
}

/** A merge group's result: its merged partial (none when no unit of it completed) and accounting. */
export interface MergedGroup<P> {
  readonly partial?: P;
  /** Units of the group that completed. */
  readonly done: number;
  /** Units of the group that did not, with the reason. */
  readonly failed: UnitAccounting['failed'];
}

/**
 * Merges one group: the completed units' partials sorted by unit id (so float sums do not depend
 * on completion order), and every other unit of the group accounted as failed, with its error or
 * "no result was recorded for this unit", never dropped.
 *
 * @example
 * const group = mergeGroup(pipeline, units, partials, failures);
 */
export function mergeGroup<P>(
  pipeline: Pick<Pipeline<P>, 'merge'>,
  units: readonly WorkUnit[],
  partials: ReadonlyMap<string, P>,
  failures: ReadonlyMap<string, string>,
): MergedGroup<P> {
  const parts: P[] = [];
  const failed: UnitAccounting['failed'] = [];
  for (const unit of [...units].sort(byId)) {
    if (partials.has(unit.id)) parts.push(partials.get(unit.id) as P);
    else failed.push({ unitId: unit.id, keys: [...unit.keys], error: failures.get(unit.id) ?? 'no result was recorded for this unit' });
  }
  return parts.length > 0 ? { partial: pipeline.merge(parts), done: parts.length, failed } : { done: 0, failed };
}

/**
 * Merges the groups' results in group order into the run's partial and accounting. One group's
 * partial is taken as it is (a one-level run merges exactly as it always did).
 *
 * @example
 * const { merged, accounting } = mergeGroupResults(pipeline, groups);
 */
export function mergeGroupResults<P>(pipeline: Pick<Pipeline<P>, 'merge'>, groups: readonly MergedGroup<P>[]): { merged: P; accounting: UnitAccounting } {
  const parts = groups.flatMap((g) => (g.partial !== undefined ? [g.partial] : []));
  const failed = groups.flatMap((g) => g.failed).sort((a, b) => byId({ id: a.unitId }, { id: b.unitId }));
  const done = groups.reduce((t, g) => t + g.done, 0);
  const merged = groups.length === 1 && parts.length === 1 ? (parts[0] as P) : pipeline.merge(parts);
  return { merged, accounting: { planned: done + failed.length, done, failed } };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
