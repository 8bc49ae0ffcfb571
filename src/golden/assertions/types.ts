import type { GoldenAssertion, GoldenCase } from '../types.ts';

/** What a scorer sees of one case and its output. */
export interface ScoreContext {
  /** The case id and route: judge items are named by them. */
  readonly caseId: string;
  readonly route?: string;
  /** The answer text being scored. */
  readonly output: string;
  /** The case's `expected`, the default value of reference-based assertions. */
  readonly expected?: string;
  readonly input: GoldenCase['input'];
  readonly vars: Record<string, unknown>;
  readonly latencyMs?: number;
  readonly tokens?: { input?: number; output?: number };
  readonly costUsd?: number;
}

/**
 * A scorer's verdict before `not-` is applied: a pass/fail with a score in [0, 1], or
 * `unmeasured` when the assertion could not be evaluated (never a pass or a fail).
 */
export type Verdict =
  | { readonly pass: boolean; readonly score: number; readonly reason: string }
  | { readonly unmeasured: string; readonly reason: string };

/** A scorer that needs nothing but the case and its output. */
export type SyncScorer = (a: GoldenAssertion, ctx: ScoreContext) => Verdict;

/** A verdict for a binary check. */
export function binary(pass: boolean, reason: string): Verdict {
  return { pass, score: pass ? 1 : 0, reason };
}

/**
 * A short, one-line quote of a text for reasons: newlines shown as `⏎`, long texts cut in the
 * middle so both ends stay visible.
 *
 * @example
 * quote('a\nb'); // '"a⏎b"'
 */
export function quote(text: unknown, max = 80): string {
  const s = (typeof text === 'string' ? text : JSON.stringify(text) ?? String(text)).replace(/\r?\n/g, '⏎');
  if (s.length <= max) return `"${s}"`;
  const half = Math.floor((max - 1) / 2);
  return `"${s.slice(0, half)}…${s.slice(s.length - half)}"`;
}

/** The reference texts of an assertion: its value (a string or a list), else the case's `expected`. */
export function references(a: GoldenAssertion, ctx: ScoreContext): string[] | undefined {
  const v = a.value ?? ctx.expected;
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => String(x));
  return [typeof v === 'string' ? v : String(v)];
}

/** The threshold of a graded assertion: its own, else the type's default. */
export function thresholdOf(a: GoldenAssertion, fallback: number): number {
  return a.threshold ?? fallback;
}

/** A score printed for a reason: two decimals. */
export function fmt(x: number): string {
  return x.toFixed(2);
}
