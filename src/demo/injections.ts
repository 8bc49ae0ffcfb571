import { isLanguage, LANGUAGES, type Language } from './languages.ts';

/**
 * Injections: deliberate, labelled changes of the synthetic traffic, so that drift detection,
 * SLOs and alerts have something true to find. Each one changes only what it names (plus what
 * physically follows from it: longer answers take longer and cost more).
 */

/** Where and when an injection acts. */
export interface InjectionScope {
  /** Route it applies to; `'*'` (the default) means every route. */
  readonly route?: string;
  /** First affected instant (epoch ms, inclusive). */
  readonly from: number;
  /** End of the effect (epoch ms, exclusive). Default: never ends. */
  readonly to?: number;
}

/** One injection. Several of the same kind compose: factors multiply, the last rate wins. */
export type Injection = InjectionScope &
  (
    | { /** Answers get `factor` × longer (tokens and text). */ readonly kind: 'output_length'; readonly factor: number }
    | { /** Refusal probability × `factor` (capped at 1). */ readonly kind: 'refusal_rate'; readonly factor: number }
    | { /** Time to first token × `factor` (every quantile, so p95 × 2 with factor 2). */ readonly kind: 'ttft'; readonly factor: number }
    | {
        /** The route's calls go to `model`; cost per call × `costFactor` (default 1). */
        readonly kind: 'model_swap';
        readonly model: string;
        readonly costFactor?: number;
      }
    | { /** JSON answers validate with probability `rate` instead of the route's own. */ readonly kind: 'schema_valid'; readonly rate: number }
    | {
        /** A `share` of user messages is written in `language`; the rest keep their baseline language. */
        readonly kind: 'language_mix';
        readonly language: Language;
        readonly share: number;
      }
    | { /** `field` is absent from a `share` of records. */ readonly kind: 'missing_field'; readonly field: string; readonly share: number }
    | { /** Call volume × `factor`. */ readonly kind: 'volume'; readonly factor: number }
    | { /** A `share` of lines is written malformed (not JSON, truncated, wrong type, …). */ readonly kind: 'malformed'; readonly share: number }
  );

export type InjectionKind = Injection['kind'];

/** The combined effect of the injections active for one record. */
export interface Effects {
  readonly outputFactor: number;
  readonly refusalFactor: number;
  readonly ttftFactor: number;
  readonly model: string | undefined;
  readonly costFactor: number;
  readonly schemaValidRate: number | undefined;
  readonly language: { readonly language: Language; readonly share: number } | undefined;
  readonly missing: ReadonlyArray<{ readonly field: string; readonly share: number }>;
  readonly malformedShare: number;
}

/** An injection that cannot be applied; `path` names the offending key. */
export class InjectionError extends Error {
  readonly code = 'invalid_injection';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`demo injections${path}: ${message}`);
    this.name = 'InjectionError';
  }
}

export const NO_EFFECTS: Effects = Object.freeze({
  outputFactor: 1,
  refusalFactor: 1,
  ttftFactor: 1,
  model: undefined,
  costFactor: 1,
  schemaValidRate: undefined,
  language: undefined,
  missing: Object.freeze([]) as Effects['missing'],
  malformedShare: 0,
});

/** Injections compiled per route for the hot loop. */
export interface CompiledInjections {
  /** Effects for a record of route `routeIndex` at time `t`. */
  effectsAt(routeIndex: number, t: number): Effects;
  /** Traffic factor for route `routeIndex` at time `t`. */
  volumeAt(routeIndex: number, t: number): number;
  /** Largest traffic factor for the route within `[from, to)` (≥ the factor at any instant there). */
  maxVolumeIn(routeIndex: number, from: number, to: number): number;
  /** True when some volume injection of the route overlaps `[from, to)`. */
  volumeOverlaps(routeIndex: number, from: number, to: number): boolean;
}

const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
const unitShare = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;

function check(injection: Injection, i: number, routes: readonly string[]): void {
  const at = (key: string) => `[${i}].${key}`;
  const r = injection as unknown as Record<string, unknown>;
  if (typeof r.from !== 'number' || !Number.isFinite(r.from)) throw new InjectionError(at('from'), 'expected epoch milliseconds');
  if (r.to !== undefined && (typeof r.to !== 'number' || !(r.to > r.from))) {
    throw new InjectionError(at('to'), 'expected epoch milliseconds after `from`');
  }
  if (r.route !== undefined && r.route !== '*' && !routes.includes(r.route as string)) {
    throw new InjectionError(at('route'), `unknown route "${String(r.route)}" (routes: ${routes.join(', ')}, or "*")`);
  }
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(r[key])) throw new InjectionError(at(key), `expected ${what}, got ${JSON.stringify(r[key])}`);
  };
  switch (injection.kind) {
    case 'output_length':
    case 'refusal_rate':
    case 'ttft':
    case 'volume':
      return need('factor', positive, 'a positive number');
    case 'model_swap':
      need('model', (v) => typeof v === 'string' && v.length > 0, 'a model name');
      if (r.costFactor !== undefined) need('costFactor', positive, 'a positive number');
      return;
    case 'schema_valid':
      return need('rate', unitShare, 'a probability in [0, 1]');
    case 'language_mix':
      need('language', isLanguage, `one of ${LANGUAGES.join(', ')}`);
      return need('share', unitShare, 'a share in [0, 1]');
    case 'missing_field':
      need('field', (v) => typeof v === 'string' && v.length > 0, 'a field name');
      return need('share', unitShare, 'a share in [0, 1]');
    case 'malformed':
      return need('share', unitShare, 'a share in [0, 1]');
    default:
      throw new InjectionError(at('kind'), `unknown kind ${JSON.stringify(r.kind)}`);
  }
}

const active = (inj: Injection, t: number): boolean => t >= inj.from && (inj.to === undefined || t < inj.to);

/**
 * Validates injections and indexes them by route.
 *
 * @example
 * const inj = compileInjections([{ kind: 'ttft', factor: 2, route: 'answer', from: t0 }], ['answer', 'chat']);
 * inj.effectsAt(0, t0 + 1).ttftFactor; // 2
 */
export function compileInjections(injections: readonly Injection[], routes: readonly string[]): CompiledInjections {
  injections.forEach((inj, i) => check(inj, i, routes));
  const perRoute = routes.map((name) =>
    injections.filter((inj) => inj.kind !== 'volume' && (inj.route === undefined || inj.route === '*' || inj.route === name)),
  );
  const volumes = routes.map((name) =>
    injections.filter((inj) => inj.kind === 'volume' && (inj.route === undefined || inj.route === '*' || inj.route === name)),
  ) as Array<Array<Extract<Injection, { kind: 'volume' }>>>;

  return {
    effectsAt(routeIndex, t) {
      const list = perRoute[routeIndex];
      if (!list || list.length === 0) return NO_EFFECTS;
      let e: { -readonly [K in keyof Effects]: Effects[K] } | undefined;
      for (const inj of list) {
        if (!active(inj, t)) continue;
        e ??= { ...NO_EFFECTS, missing: [] };
        switch (inj.kind) {
          case 'output_length':
            e.outputFactor *= inj.factor;
            break;
          case 'refusal_rate':
            e.refusalFactor *= inj.factor;
            break;
          case 'ttft':
            e.ttftFactor *= inj.factor;
            break;
          case 'model_swap':
            e.model = inj.model;
            e.costFactor *= inj.costFactor ?? 1;
            break;
          case 'schema_valid':
            e.schemaValidRate = inj.rate;
            break;
          case 'language_mix':
            e.language = { language: inj.language, share: inj.share };
            break;
          case 'missing_field':
            (e.missing as Array<{ field: string; share: number }>).push({ field: inj.field, share: inj.share });
            break;
          case 'malformed':
            e.malformedShare = inj.share;
            break;
          default:
            break;
        }
      }
      return e ?? NO_EFFECTS;
    },
    volumeAt(routeIndex, t) {
      let f = 1;
      for (const inj of volumes[routeIndex] ?? []) if (active(inj, t)) f *= inj.factor;
      return f;
    },
    volumeOverlaps(routeIndex, from, to) {
      return (volumes[routeIndex] ?? []).some((inj) => inj.from < to && (inj.to === undefined || inj.to > from));
    },
    maxVolumeIn(routeIndex, from, to) {
      // The factor is piecewise constant; it can only change at injection boundaries.
      const list = volumes[routeIndex] ?? [];
      const points = [from];
      for (const inj of list) {
        if (inj.from > from && inj.from < to) points.push(inj.from);
        if (inj.to !== undefined && inj.to > from && inj.to < to) points.push(inj.to);
      }
      let max = 0;
      for (const p of points) max = Math.max(max, this.volumeAt(routeIndex, p));
      return max;
    },
  };
}
