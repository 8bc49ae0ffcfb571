import type { z } from 'zod';

/** A configuration problem: the message names the file and the key path. Exit code 3. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    message: string,
    /** One line per problem, `key.path: what is wrong`. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Turns zod issues into one line per problem that names the key path and what was expected.
 *
 * @example
 * formatIssues(result.error.issues); // ['drift.alpha: expected a number < 1, got 2']
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return `${path}: ${describeIssue(issue, valueAt(input, issue.path))}`;
  });
}

function describeIssue(issue: z.core.$ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see README "Configuration")`;
    case 'invalid_type':
      return got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${show(got)}`;
    case 'too_big':
      return `expected a ${issue.origin === 'string' ? 'string of length' : 'value'} ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${show(got)}`;
    case 'too_small':
      return `expected a ${issue.origin === 'string' ? 'string of length' : 'value'} ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${show(got)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(got)}`;
    case 'invalid_union':
      return `${issue.message}, got ${show(got)}`;
    default:
      return `${issue.message}${got === undefined ? '' : `, got ${show(got)}`}`;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
