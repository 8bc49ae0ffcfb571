import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/index.ts';
import { defaultGoldenConfig, goldenConfigSchema, resolveEnvRef, targetNameFor } from '../../../src/golden/config.ts';

describe('config.golden', () => {
  it('has defaults for everything, mounted in the worker config', () => {
    const g = defaultGoldenConfig();
    expect(g).toMatchObject({ suitesDir: 'golden', targets: {}, confirmRetries: 2, schedule: [], embeddings: { model: 'text-embedding-3-small' } });
    expect(g.verdict.alpha).toBe(0.05);
  });

  it('validates openai and http targets with their defaults', () => {
    const g = defaultGoldenConfig({
      defaultTarget: 'prod',
      targets: {
        prod: { kind: 'openai', model: 'gpt-4o-2024-08-06', system: 'You are support.', requestsPerSecond: 5 },
        svc: { kind: 'http', url: 'http://127.0.0.1:8080/answer', headers: { authorization: 'env:SVC_TOKEN' }, answerPath: '$.answer' },
      },
    });
    expect(g.targets.prod).toMatchObject({ kind: 'openai', baseURL: 'https://api.openai.com/v1', temperature: 0, maxTokens: 1024, concurrency: 8, requestsPerSecond: 5 });
    expect(g.targets.svc).toMatchObject({ kind: 'http', method: 'POST', body: { input: '{{input}}' }, answerPath: '$.answer' });
  });

  it('rejects an unknown default target, an unknown key and a bad kind', () => {
    const bad = goldenConfigSchema.safeParse({ defaultTarget: 'nope', targets: { a: { kind: 'openai', model: 'm' } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['defaultTarget'], message: 'unknown target "nope" (targets: a)' });
    expect(goldenConfigSchema.safeParse({ suiteDir: 'x' }).success).toBe(false);
    expect(goldenConfigSchema.safeParse({ targets: { a: { kind: 'grpc', url: 'x' } } }).success).toBe(false);
  });

  it('picks the target of a suite: pinned, default, or the only one', () => {
    const one = defaultGoldenConfig({ targets: { a: { kind: 'openai', model: 'm' } } });
    expect(targetNameFor(one)).toBe('a');
    expect(targetNameFor(one, 'b')).toBe('b');
    const two = defaultGoldenConfig({ targets: { a: { kind: 'openai', model: 'm' }, b: { kind: 'openai', model: 'n' } } });
    expect(targetNameFor(two)).toBeUndefined();
    expect(targetNameFor({ ...two, defaultTarget: 'b' })).toBe('b');
  });

  it('reads env: header values from the environment and never sends an empty one', () => {
    expect(resolveEnvRef('Bearer x', {})).toBe('Bearer x');
    expect(resolveEnvRef('env:TOKEN', { TOKEN: 's3cret' })).toBe('s3cret');
    expect(() => resolveEnvRef('env:TOKEN', {})).toThrow('environment variable TOKEN is not set');
  });

  it('is mounted at config.golden', () => {
    expect(configSchema.parse({}).golden.suitesDir).toBe('golden');
    expect(configSchema.parse({ golden: { suitesDir: 'tests/golden' } }).golden.suitesDir).toBe('tests/golden');
  });
});
