import type { Dimension, Rubric } from './rubric-schema.ts';

/**
 * The JSON Schema of a judge reply for a rubric: one object per dimension, `reasoning` before
 * `score` (property order is generation order for structured outputs, so the model argues first
 * and scores second). Compatible with OpenAI strict mode: every property required, no extras.
 *
 * @example
 * const schema = outputSchema(rubric);
 * schema.required; // ['relevance']
 */
export function outputSchema(rubric: Pick<Rubric, 'dimensions'>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const d of rubric.dimensions) {
    properties[d.name] = {
      type: 'object',
      additionalProperties: false,
      required: ['reasoning', 'score'],
      properties: {
        reasoning: { type: 'string', description: 'Brief evidence-based reasoning, written before the score.' },
        score: scoreSchema(d),
      },
    };
  }
  return { type: 'object', additionalProperties: false, required: rubric.dimensions.map((d) => d.name), properties };
}

function scoreSchema(d: Dimension): Record<string, unknown> {
  switch (d.type) {
    case 'boolean':
      return { type: 'boolean' };
    case 'categorical':
      return { type: 'string', enum: d.labels };
    case 'integer': {
      const [lo, hi] = d.range;
      // Strict mode has long supported enum everywhere; minimum/maximum only recently.
      if (hi - lo <= 20) return { type: 'integer', enum: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) };
      return { type: 'integer', minimum: lo, maximum: hi };
    }
  }
}
