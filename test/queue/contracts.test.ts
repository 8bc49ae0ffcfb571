import { describe, expect, it } from 'vitest';
import { parsePayload, PayloadInvalidError, planJobSchema, unitJobSchema } from '../../src/queue/contracts.ts';
import { finalizeJobId, rerunId, runIdFor, unitJobId, windowLabel } from '../../src/queue/names.ts';
import { assertRedisReachable, RedisUnavailableError } from '../../src/queue/redis.ts';
import { freePort } from '../helpers/redis.ts';
import { exitCodeForReport } from '../../src/pipeline/run-core.ts';

const W = { start: Date.UTC(2026, 10, 23, 13), end: Date.UTC(2026, 10, 23, 14) };

describe('job contracts and ids', () => {
  it('run ids are deterministic in pipeline, window end and length, and job-id safe', () => {
    expect(runIdFor('drift', W)).toBe('drift-20261123T1400Z-1h');
    expect(runIdFor('nightly', { start: W.end - 86_400_000, end: W.end })).toBe('nightly-20261123T1400Z-24h');
    expect(runIdFor('drift', { start: W.start, end: W.end + 30_500 })).toBe('drift-20261123T140030500Z-3630500ms');
    expect(windowLabel(7 * 86_400_000)).toBe('7d');
    expect(windowLabel(90 * 60_000)).toBe('90m');
    expect(finalizeJobId(runIdFor('drift', W))).not.toContain(':');
    expect(unitJobId('drift-x', 'dt=2026-11-23/hour=13/a.jsonl')).toMatch(/^drift-x\.h[0-9a-f]{24}$/);
    expect(unitJobId('drift-x', 'u0001')).toBe('drift-x.u0001');
    expect(rerunId('drift-x', Date.UTC(2026, 10, 24, 10, 15))).toBe('drift-x.r20261124T101500000Z');
    expect(() => finalizeJobId('a:b')).toThrow(/not a safe run\/job id/);
  });

  it('a bad payload is an unrecoverable PayloadInvalidError naming each key path', () => {
    const run = { runId: 'drift-x', pipeline: 'drift', window: W, requestedAt: W.end };
    expect(parsePayload(unitJobSchema, { v: 1, run, unit: { id: 'u1', keys: ['a'] } }, 'job')).toBeTruthy();
    let err: unknown;
    try {
      parsePayload(planJobSchema, { v: 1, trigger: 'manual', run: { ...run, pipeline: 'nope', window: { start: 5, end: 1 } } }, 'runs job 7');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PayloadInvalidError);
    const e = err as PayloadInvalidError;
    expect(e.code).toBe('JOB_PAYLOAD_INVALID');
    expect(e.name).toBe('UnrecoverableError'); // BullMQ fails it without retrying
    expect(e.message).toMatch(/^runs job 7: invalid payload: /);
    expect(e.problems.join('\n')).toMatch(/run\.pipeline/);
    expect(e.problems.join('\n')).toMatch(/run\.window/);
  });

  it('exit codes: unmeasurable/failed → 2, golden regression → 1, a drift run that measured → 0', () => {
    expect(exitCodeForReport({ status: 'ok', pipeline: 'drift', findings: [{ kind: 'drift.numeric' } as never] })).toBe(0);
    expect(exitCodeForReport({ status: 'degraded', pipeline: 'drift', findings: [] })).toBe(0);
    expect(exitCodeForReport({ status: 'unmeasurable', pipeline: 'drift', findings: [] })).toBe(2);
    expect(exitCodeForReport({ status: 'failed', pipeline: 'drift', findings: [] })).toBe(2);
    expect(exitCodeForReport({ status: 'ok', pipeline: 'golden', findings: [{ kind: 'golden.regression', state: 'firing' } as never] })).toBe(1);
  });

  it('an unreachable Redis fails fast with a message naming REDIS_URL (without password) and how to start Redis', async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const err = await assertRedisReachable(url, 1_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    const m = (err as Error).message;
    expect(m).toContain(`redis://:***@127.0.0.1:${port}`);
    expect(m).not.toContain('hunter2');
    expect(m).toMatch(/REDIS_URL/);
    expect(m).toMatch(/redis-server --daemonize yes/);
    expect(m).toMatch(/--inline/);
  });
});
