import type { CaseResult } from '../types.ts';
import type { Confirmation, Flip } from './types.ts';

/**
 * Confirm-on-retry: a flip is `confirmed` when every re-run agrees with it, `flaky` as soon as a
 * measured re-run goes back to the baseline outcome (even if another re-run errored: it has
 * shown both outcomes), `infra` when a re-run could not be measured and none disagreed, and
 * `unconfirmed` when there were no re-runs.
 *
 * @example
 * confirmation('regression', ['fail', 'fail']); // 'confirmed'
 * confirmation('regression', ['fail', 'pass']); // 'flaky'
 * confirmation('regression', ['unmeasured', 'fail']); // 'infra'
 */
export function confirmation(direction: Flip['direction'], retries: ReadonlyArray<'pass' | 'fail' | 'unmeasured'>): Confirmation {
  if (retries.length === 0) return 'unconfirmed';
  const flipped = direction === 'regression' ? 'fail' : 'pass';
  if (retries.some((r) => r !== 'unmeasured' && r !== flipped)) return 'flaky';
  if (retries.some((r) => r === 'unmeasured')) return 'infra';
  return 'confirmed';
}

/**
 * The direction of a case's change from `before` to `now`, or `null` when it did not flip or
 * either run could not measure it (unmeasured cases are never pairs).
 *
 * @example
 * flipDirection({ status: 'pass' }, { status: 'fail' }); // 'regression'
 */
export function flipDirection(before: Pick<CaseResult, 'status'>, now: Pick<CaseResult, 'status'>): Flip['direction'] | null {
  if (before.status === 'unmeasured' || now.status === 'unmeasured' || before.status === now.status) return null;
  return now.status === 'fail' ? 'regression' : 'improvement';
}

/**
 * Builds the flip record a person reads: expected vs got, the baseline's answer, and the
 * reasons of the failing run's failed assertions.
 *
 * @example
 * const flip = describeFlip(before, now, 'regression');
 */
export function describeFlip(before: CaseResult, now: CaseResult, direction: Flip['direction']): Flip {
  const retries = now.retries ?? [];
  const failing = direction === 'regression' ? now : before;
  const reasons = failing.assertions.filter((a) => !a.pass && !a.unmeasured).map((a) => a.reason);
  return {
    caseId: now.caseId,
    direction,
    confirmation: confirmation(direction, retries),
    retries: [...retries],
    ...(now.expected !== undefined ? { expected: now.expected } : before.expected !== undefined ? { expected: before.expected } : {}),
    ...(now.output !== undefined ? { got: now.output } : {}),
    ...(before.output !== undefined ? { baselineOutput: before.output } : {}),
    reasons,
    ...(before.score !== undefined ? { scoreBefore: before.score } : {}),
    ...(now.score !== undefined ? { scoreAfter: now.score } : {}),
  };
}
