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
  for (const unit of [...units].sort(byUnitId)) {
    if (partials.has(unit.id)) parts.push(partials.get(unit.id) as P);
    else failed.push({ unitId: unit.id, keys: [...unit.keys], error: failures.get(unit.id) ?? 'no result was recorded for this unit' });
  }
  return parts.length > 0 ? { partial: pipeline.merge(parts), done: parts.length, failed } : { done: 0, failed };
}

/**
 * The merge groups of a run whose partials are all in hand (the inline runners, and a one-level
 * queue run), each merged by {@link mergeGroup}. `fanIn` absent: one group, one level.
 *
 * @example
 * const groups = mergeAllGroups(pipeline, record, partials, failures);
 */
export function mergeAllGroups<P>(
  pipeline: Pick<Pipeline<P>, 'merge'>,
  record: { readonly units: readonly WorkUnit[]; readonly fanIn?: number | undefined },
  partials: ReadonlyMap<string, P>,
  failures: ReadonlyMap<string, string>,
): MergedGroup<P>[] {
  return fanInGroups(record.units, record.fanIn).map((units) => mergeGroup(pipeline, units, partials, failures));
}

/**
 * Throws when a plan repeats a unit id: partials are keyed by unit id, so a repeated one would be
 * merged wrongly.
 *
 * @example
 * assertUniqueUnitIds('drift', await pipeline.plan(ctx, run));
 */
export function assertUniqueUnitIds(pipeline: string, units: readonly WorkUnit[]): void {
  const ids = new Set<string>();
  for (const u of units) {
    if (ids.has(u.id)) throw new Error(`pipeline ${pipeline}: plan returned unit id "${u.id}" twice`);
    ids.add(u.id);
  }
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
  const failed = groups.flatMap((g) => g.failed).sort((a, b) => byUnitId({ id: a.unitId }, { id: b.unitId }));
  const done = groups.reduce((t, g) => t + g.done, 0);
  const merged = groups.length === 1 && parts.length === 1 ? (parts[0] as P) : pipeline.merge(parts);
  return { merged, accounting: { planned: done + failed.length, done, failed } };
}

/**
 * Unit-id order (UTF-16 code units), the order every runner merges partials in.
 *
 * @example
 * units.sort(byUnitId);
 */
export function byUnitId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
