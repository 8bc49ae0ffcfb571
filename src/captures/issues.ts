import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const MAX_ISSUES = 8;

/**
 * Turns zod issues into one line that names every failing field, for quarantine entries and
 * config errors: `input_tokens: expected number, received string; request_id: required, missing`.
 *
 * @example
 * const r = captureRecordSchema.safeParse(raw);
 * if (!r.success) formatIssues(r.error.issues); // 'timestamp: invalid ISO datetime'
 */
export function formatIssues(issues: readonly Issue[]): string {
  const parts = issues.slice(0, MAX_ISSUES).map((i) => describe(i));
  if (issues.length > MAX_ISSUES) parts.push(`… and ${issues.length - MAX_ISSUES} more`);
  return parts.join('; ');
}

function describe(issue: Issue): string {
  const path = issue.path;
  const where = path.length === 0 ? '(record)' : path.map(String).join('.');
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
    return `${where}: required, missing (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Say what each alternative wanted instead of zod's bare "Invalid input".
    const wanted = issue.errors
      .map((branch) => branch.map((i) => describe(i).replace(/^\(record\): /, '')).join(', '))
      .join(' | or | ');
    return `${where}: ${wanted}`;
  }
  return `${where}: ${issue.message.replace(/^Invalid input: /, '')}`;
}
