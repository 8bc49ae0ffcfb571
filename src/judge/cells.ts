import { weightedMean } from './estimate.ts';
import type { JudgedRow } from './partial.ts';
import type { QualityCell } from './regression.ts';
import type { Rubric } from './rubric-schema.ts';

/** Every route's cells plus `*` (all routes, population-weighted). */
export const ALL_ROUTES = '*';

/**
 * The per rubric × route × dimension estimates of a run from its population rows: the weighted
 * mean of integer scores and the weighted pass rate of every dimension. Cells with fewer than
 * two scored captures are left out (the report lists them as `insufficient_data`, see finalize).
 *
 * @example
 * const cells = qualityCells(merged.rows, rubrics);
 */
export function qualityCells(rows: readonly JudgedRow[], rubrics: readonly Rubric[]): QualityCell[] {
  const out: QualityCell[] = [];
  const groups = new Map<string, JudgedRow[]>();
  for (const r of rows) {
    if (!r.population || r.status !== 'scored') continue;
    for (const route of [r.route, ALL_ROUTES]) {
      const k = `${r.rubric}\u0000${r.fingerprint}\u0000${route}`;
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
  }
  const byName = new Map(rubrics.map((r) => [r.name, r]));
  for (const k of [...groups.keys()].sort()) {
    const [rubricName, fingerprint, route] = k.split('\u0000') as [string, string, string];
    const rubric = byName.get(rubricName);
    if (!rubric) continue;
    const g = groups.get(k)!;
    for (const d of rubric.dimensions) {
      const applicable = g.filter((r) => r.values?.[d.name]?.[2]);
      const base = { fingerprint, rubric: rubricName, route, dimension: d.name };
      if (d.type === 'integer') {
        const e = weightedMean(applicable.map((r) => ({ weight: r.weight, value: r.values![d.name]![0] as number })));
        if (e) out.push({ ...base, metric: 'mean', estimate: e.estimate, se: e.se, ci: e.ci, n: e.n, nEff: e.nEff, scale: d.range[1] - d.range[0] });
      }
      const p = weightedMean(applicable.map((r) => ({ weight: r.weight, value: r.values![d.name]![1] ? 1 : 0 })), 'rate');
      if (p) out.push({ ...base, metric: 'pass_rate', estimate: p.estimate, se: p.se, ci: p.ci, n: p.n, nEff: p.nEff, scale: 1 });
    }
  }
  return out;
}

/** Coverage of one rubric × route: judgments attempted, scored, and why the rest were not. */
export interface CoverageCell {
  rubric: string;
  route: string;
  population: boolean;
  attempted: number;
  scored: number;
  coverage: number;
  reasons: Record<string, number>;
}

/**
 * Coverage (scored / attempted) per rubric × route, population and flagged apart.
 *
 * @example
 * coverageCells(rows).filter((c) => c.coverage < cfg.coverageFloor);
 */
export function coverageCells(rows: readonly JudgedRow[]): CoverageCell[] {
  const m = new Map<string, CoverageCell>();
  for (const r of rows) {
    const k = `${r.rubric}\u0000${r.route}\u0000${r.population ? 1 : 0}`;
    let c = m.get(k);
    if (!c) m.set(k, (c = { rubric: r.rubric, route: r.route, population: r.population, attempted: 0, scored: 0, coverage: 0, reasons: {} }));
    c.attempted++;
    if (r.status === 'scored') c.scored++;
    else c.reasons[r.reason ?? 'unknown'] = (c.reasons[r.reason ?? 'unknown'] ?? 0) + 1;
  }
  return [...m.keys()].sort().map((k) => {
    const c = m.get(k)!;
    c.coverage = c.attempted ? c.scored / c.attempted : 1;
    return c;
  });
}

/**
 * Flagged captures (judged apart, never part of the population): unweighted pass counts per
 * rubric × route × dimension.
 *
 * @example
 * flaggedSummary(rows, rubrics); // [{ rubric, route, dimension, n: 12, passed: 7 }]
 */
export function flaggedSummary(rows: readonly JudgedRow[], rubrics: readonly Rubric[]): { rubric: string; route: string; dimension: string; n: number; passed: number; examples: string[] }[] {
  const out = new Map<string, { rubric: string; route: string; dimension: string; n: number; passed: number; examples: string[] }>();
  const byName = new Map(rubrics.map((r) => [r.name, r]));
  for (const r of rows) {
    if (r.population || r.status !== 'scored') continue;
    for (const d of byName.get(r.rubric)?.dimensions ?? []) {
      const v = r.values?.[d.name];
      if (!v || !v[2]) continue;
      const k = `${r.rubric}\u0000${r.route}\u0000${d.name}`;
      let s = out.get(k);
      if (!s) out.set(k, (s = { rubric: r.rubric, route: r.route, dimension: d.name, n: 0, passed: 0, examples: [] }));
      s.n++;
      if (v[1]) s.passed++;
      else if (s.examples.length < 5) s.examples.push(r.id);
    }
  }
  return [...out.keys()].sort().map((k) => out.get(k)!);
}
