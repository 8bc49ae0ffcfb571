import type { z } from 'zod';
import { closestName } from '../assertions/catalog.ts';
import { formatPath, type KeyPath, type YamlSource } from './positions.ts';

/** One problem of a suite file: where and what. Printed as `file:line: message`. */
export interface SuiteProblem {
  readonly file: string;
  readonly line: number;
  /** `key.path: what is wrong`. */
  readonly message: string;
}

/**
 * `golden/foo.yaml:12: tests[3].assert[1].type: unknown assertion "contain"`.
 *
 * @example
 * formatProblem({ file: 'golden/qa.yaml', line: 12, message: 'cases[0].id: required' });
 */
export function formatProblem(p: SuiteProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** Collects the errors and warnings of one YAML file, each with its line. */
export class Problems {
  constructor(
    readonly file: string,
    readonly src: YamlSource,
    private readonly errors: SuiteProblem[],
    private readonly warnings: SuiteProblem[],
  ) {}

  /** Errors recorded so far (all files of the load share the list). */
  get errorCount(): number {
    return this.errors.length;
  }

  error(path: KeyPath, message: string, line = this.src.lineOf(path)): void {
    this.errors.push({ file: this.file, line, message: path.length ? `${formatPath(path)}: ${message}` : message });
  }

  warn(path: KeyPath, message: string, line = this.src.lineOf(path)): void {
    this.warnings.push({ file: this.file, line, message: path.length ? `${formatPath(path)}: ${message}` : message });
  }

  /**
   * Records zod issues found at `prefix`; `keysAt` names the keys allowed at a path (relative to
   * the prefix), for "did you mean" on an unknown key.
   */
  zod(issues: readonly z.core.$ZodIssue[], prefix: KeyPath, keysAt: (rel: KeyPath) => readonly string[], input: unknown): void {
    for (const issue of issues) {
      const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const path = [...prefix, ...rel];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const guess = closestName(key, keysAt(rel));
          this.error([...path, key], `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`, this.src.lineOfKey(path, key));
        }
        continue;
      }
      this.error(path, describe(issue, valueAt(input, rel)));
    }
  }
}

function describe(issue: z.core.$ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${show(got)}`;
    case 'invalid_union':
      return `expected a string or a list of {role, content} messages, got ${show(got)}`;
    case 'too_big':
    case 'too_small':
      // zod's "Too big: expected number to be <=1" reads as a parser talking; say the range.
      if (issue.origin === 'number') return `must be ${issue.code === 'too_big' ? '≤' : '≥'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}${got === undefined ? '' : `, got ${show(got)}`}`;
      return `${issue.message}${got === undefined ? '' : `, got ${show(got)}`}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(got)}`;
    default:
      return `${issue.message}${got === undefined ? '' : `, got ${show(got)}`}`;
  }
}

function valueAt(input: unknown, path: KeyPath): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
