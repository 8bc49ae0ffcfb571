import { describe, expect, it } from 'vitest';
import { compileFieldMap, DEFAULT_FIELD_MAP, FieldMapError } from '../../src/captures/field-map.ts';

describe('compileFieldMap', () => {
  it('maps flat OpenTelemetry GenAI attribute names by default', () => {
    const map = compileFieldMap();
    const out = map({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 34,
      'gen_ai.request.model': 'gpt-4o',
      'http.response.status_code': 200,
      'service.name': 'support-api',
    });
    expect(out).toMatchObject({ input_tokens: 12, output_tokens: 34, model: 'gpt-4o', downstream_status: 200, service: 'support-api' });
  });

  it('maps nested paths when no flat key exists', () => {
    const map = compileFieldMap();
    const out = map({ gen_ai: { usage: { input_tokens: 5, output_tokens: 7 }, response: { model: 'm-resp' } } });
    expect(out).toMatchObject({ input_tokens: 5, output_tokens: 7, model: 'm-resp' });
  });

  it('prefers the literal flat key over the nested path', () => {
    const map = compileFieldMap();
    const out = map({ 'gen_ai.usage.input_tokens': 1, gen_ai: { usage: { input_tokens: 2 } } });
    expect(out.input_tokens).toBe(1);
  });

  it('keeps our own field when both are present', () => {
    const map = compileFieldMap({ endpoint: 'route' });
    const out = map({ route: 'ours', endpoint: 'theirs', input_tokens: 3, 'gen_ai.usage.input_tokens': 9 });
    expect(out.route).toBe('ours');
    expect(out.input_tokens).toBe(3);
  });

  it('copies rather than moves: the source field stays', () => {
    const out = compileFieldMap({ latency_ms: 'latency_total_ms' })({ latency_ms: 12 });
    expect(out).toEqual({ latency_ms: 12, latency_total_ms: 12 });
  });

  it('tries sources in order: user entries first, then defaults (response model before request model)', () => {
    const map = compileFieldMap({ llm_model: 'model' });
    expect(map({ 'gen_ai.request.model': 'req', 'gen_ai.response.model': 'resp', llm_model: 'user' }).model).toBe('user');
    expect(compileFieldMap()({ 'gen_ai.request.model': 'req', 'gen_ai.response.model': 'resp' }).model).toBe('resp');
  });

  it('treats null sources as missing and falls through to the next one', () => {
    const out = compileFieldMap()({ 'gen_ai.response.model': null, 'gen_ai.request.model': 'req' });
    expect(out.model).toBe('req');
    expect('input_tokens' in compileFieldMap()({ 'gen_ai.usage.input_tokens': null })).toBe(false);
  });

  it('lets a user entry mapped to "" disable a default', () => {
    const out = compileFieldMap({ 'service.name': '' })({ 'service.name': 'x' });
    expect(out.service).toBeUndefined();
  });

  it('user entries override the default target of the same source', () => {
    const out = compileFieldMap({ 'service.name': 'tenant_id' })({ 'service.name': 'x' });
    expect(out).toMatchObject({ tenant_id: 'x' });
    expect(out.service).toBeUndefined();
  });

  it('does not reach the prototype chain', () => {
    const map = compileFieldMap({ constructor: 'route', 'a.constructor.name': 'model' }, {});
    const out = map({ a: {} });
    expect(out.route).toBeUndefined();
    expect(out.model).toBeUndefined();
  });

  it('ignores non-object intermediate values on a nested path', () => {
    const out = compileFieldMap()({ gen_ai: 'flat string', 'gen_ai.usage': [1] });
    expect(out.input_tokens).toBeUndefined();
  });

  it('rejects names with empty path segments', () => {
    expect(() => compileFieldMap({ 'a..b': 'route' })).toThrow(FieldMapError);
  });

  it('with an empty map returns records unchanged', () => {
    const rec = { a: 1 };
    expect(compileFieldMap({}, {})(rec)).toBe(rec);
  });

  it('documents a default for every OpenTelemetry name it claims', () => {
    expect(DEFAULT_FIELD_MAP['gen_ai.usage.input_tokens']).toBe('input_tokens');
    expect(Object.isFrozen(DEFAULT_FIELD_MAP)).toBe(true);
  });
});
