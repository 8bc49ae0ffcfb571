import type { Entity } from './pools.ts';

/**
 * The JSON answers of the structured-output routes, valid or broken in the ways real models break
 * them, with the Ajv-style validation errors a producer would log next to them.
 */

/** One validation error, shaped like Ajv's (`instancePath`, `keyword`, `message`). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message: string;
}

/** A JSON answer and its validation errors (empty when it validates). */
export interface JsonAnswer {
  readonly text: string;
  readonly errors: readonly SchemaError[];
}

const parseError = (text: string): SchemaError => ({
  instancePath: '',
  keyword: 'parse',
  message: text.startsWith('`') ? "Unexpected token '`', \"```json\" is not valid JSON" : 'Unexpected end of JSON input',
});

/** Cuts a JSON text so that it no longer parses, as a max_tokens stop does. */
const truncate = (json: string): string => json.slice(0, Math.max(1, Math.floor(json.length * 0.6)));

/**
 * The intent router's answer. `variant` in [0, 1) picks how an invalid answer is broken.
 *
 * @example
 * classifyAnswer({ intent: 'auth.sso', confidence: 0.91, language: 'en', rationale: '' }, true, 0).errors; // []
 */
export function classifyAnswer(
  value: { intent: string; confidence: number; language: string; rationale: string },
  valid: boolean,
  variant: number,
): JsonAnswer {
  const obj: Record<string, unknown> = { ...value };
  if (obj.rationale === '') delete obj.rationale;
  if (valid) return { text: JSON.stringify(obj), errors: [] };
  switch (Math.floor(variant * 4)) {
    case 0:
      obj.intent = `${value.intent.split('.').pop() ?? 'other'}_request`;
      return {
        text: JSON.stringify(obj),
        errors: [{ instancePath: '/intent', keyword: 'enum', message: 'must be equal to one of the allowed values' }],
      };
    case 1:
      delete obj.confidence;
      return {
        text: JSON.stringify(obj),
        errors: [{ instancePath: '', keyword: 'required', message: "must have required property 'confidence'" }],
      };
    case 2:
      obj.confidence = value.confidence > 0.8 ? 'high' : 'medium';
      return { text: JSON.stringify(obj), errors: [{ instancePath: '/confidence', keyword: 'type', message: 'must be number' }] };
    default: {
      const text = truncate(JSON.stringify(obj));
      return { text, errors: [parseError(text)] };
    }
  }
}

/**
 * The entity extractor's answer. `variant` in [0, 1) picks how an invalid answer is broken.
 *
 * @example
 * extractAnswer([{ type: 'ORG', text: 'Globex' }], '', true, 0).text; // '{"entities":[{"type":"ORG","text":"Globex"}]}'
 */
export function extractAnswer(entities: readonly Entity[], notes: string, valid: boolean, variant: number): JsonAnswer {
  const obj: Record<string, unknown> = { entities };
  if (notes !== '') obj.notes = notes;
  if (valid) return { text: JSON.stringify(obj), errors: [] };
  switch (Math.floor(variant * 4)) {
    case 0: {
      const renamed = entities.map((e, i) => (i === 0 && e.type === 'ORG' ? { ...e, type: 'COMPANY' } : i === 0 ? { ...e, type: 'MONEY' } : e));
      return {
        text: JSON.stringify({ ...obj, entities: renamed }),
        errors: [{ instancePath: '/entities/0/type', keyword: 'enum', message: 'must be equal to one of the allowed values' }],
      };
    }
    case 1: {
      const asObject = Object.fromEntries(entities.map((e) => [e.text, e.type]));
      return {
        text: JSON.stringify({ ...obj, entities: asObject }),
        errors: [{ instancePath: '/entities', keyword: 'type', message: 'must be array' }],
      };
    }
    case 2: {
      const text = '```json\n' + JSON.stringify(obj, null, 2) + '\n```';
      return { text, errors: [parseError(text)] };
    }
    default: {
      const text = truncate(JSON.stringify(obj));
      return { text, errors: [parseError(text)] };
    }
  }
}
