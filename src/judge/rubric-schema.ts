import { z } from 'zod';

/**
 * The rubric file contract (`evals/*.yaml`). A rubric names the dimensions a judge rates, how
 * each is scored and what passes, the prompt template over capture fields, the routes it applies
 * to, and the canaries that prove the judge can still grade it.
 */

const dimensionName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a snake_case name such as "relevance"');

const base = {
  name: dimensionName,
  /** What the judge rates, in words the judge model reads. */
  description: z.string().min(10, 'a description the judge can act on (at least 10 characters)'),
};

const booleanDimension = z
  .object({ ...base, type: z.literal('boolean'), /** The value that passes. Default true. */ pass: z.boolean().default(true) })
  .strict();

const integerDimension = z
  .object({
    ...base,
    type: z.literal('integer'),
    /** Inclusive score range, e.g. [1, 5]. */
    range: z
      .tuple([z.number().int(), z.number().int()])
      .refine(([lo, hi]) => lo < hi, 'expected [min, max] with min < max'),
    /** Scores at or above this pass. */
    pass: z.number().int(),
  })
  .strict()
  .refine((d) => d.pass >= d.range[0] && d.pass <= d.range[1], { message: 'must lie inside range', path: ['pass'] });

const categoricalDimension = z
  .object({
    ...base,
    type: z.literal('categorical'),
    /** The labels the judge chooses from, in order from best to worst. */
    labels: z
      .array(z.string().min(1))
      .min(2)
      .refine((l) => new Set(l).size === l.length, 'labels must be unique'),
    /** Labels that pass. */
    pass: z.array(z.string().min(1)).min(1),
    /**
     * Labels meaning "does not apply" (e.g. `no_format_requested`): such a verdict is recorded
     * but left out of every aggregate, instead of inflating the pass rate. Default none.
     */
    abstain: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine((d) => d.pass.every((p) => d.labels.includes(p)), { message: 'every pass label must be one of labels', path: ['pass'] })
  .refine((d) => d.abstain.every((p) => d.labels.includes(p) && !d.pass.includes(p)), {
    message: 'every abstain label must be one of labels and not a pass label',
    path: ['abstain'],
  });

export const dimensionSchema = z.discriminatedUnion('type', [booleanDimension, integerDimension, categoricalDimension]);

/** Capture fields a template may use and a rubric may require. */
export const templateFields = ['prompt', 'response', 'context', 'route', 'metadata'] as const;
export type TemplateField = (typeof templateFields)[number];

const canarySchema = z
  .object({
    id: z.string().min(1),
    prompt: z.string().optional(),
    response: z.string(),
    context: z.array(z.string()).optional(),
    /** Whether a healthy judge grades this item as passing. */
    expect: z.enum(['pass', 'fail']),
    /** Dimensions the expectation applies to. Default: every dimension. */
    dimensions: z.array(dimensionName).optional(),
    /** Why this canary exists (e.g. "long but off-topic: catches length bias"). */
    note: z.string().optional(),
  })
  .strict();

export const rubricSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" or "_"'),
    description: z.string().min(1),
    /** Route patterns (`*` matches any run of characters). Default every route. */
    routes: z.array(z.string().min(1)).min(1).default(['*']),
    /** Capture fields that must be present and non-empty; otherwise the item is unmeasured, never scored. */
    requires: z.array(z.enum(templateFields)).default(['response']),
    /** Judge model snapshot for this rubric; default `judge.model`. */
    model: z.string().min(1).optional(),
    dimensions: z
      .array(dimensionSchema)
      .min(1)
      .refine((d) => new Set(d.map((x) => x.name)).size === d.length, 'dimension names must be unique'),
    /** Instructions with `{{prompt}}`, `{{response}}`, `{{context}}`, `{{route}}`, `{{metadata}}`. */
    template: z.string().min(1),
    /** Per-rubric overrides of `judge.sampling`. */
    sampling: z
      .object({
        targetPerRoute: z.number().int().positive().optional(),
        minPerRoute: z.number().int().min(0).optional(),
        flaggedPerRoute: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    canaries: z.array(canarySchema).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    const used = new Set<string>();
    for (const m of r.template.matchAll(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g)) {
      const field = m[1] ?? '';
      if (!(templateFields as readonly string[]).includes(field)) {
        ctx.addIssue({ code: 'custom', path: ['template'], message: `unknown placeholder {{${field}}}; use ${templateFields.map((f) => `{{${f}}}`).join(', ')}` });
      }
      used.add(field);
    }
    if (!used.has('response')) ctx.addIssue({ code: 'custom', path: ['template'], message: 'must contain {{response}}: the text being judged' });
    r.requires.forEach((f, i) => {
      if (!used.has(f)) ctx.addIssue({ code: 'custom', path: ['requires', i], message: `"${f}" is required but the template never uses {{${f}}}` });
    });
    const names = new Set(r.dimensions.map((d) => d.name));
    r.canaries.forEach((c, i) =>
      c.dimensions?.forEach((d, j) => {
        if (!names.has(d)) ctx.addIssue({ code: 'custom', path: ['canaries', i, 'dimensions', j], message: `unknown dimension "${d}"` });
      }),
    );
  });

export type Dimension = z.output<typeof dimensionSchema>;
export type Canary = z.output<typeof canarySchema>;
export type RubricSpec = z.output<typeof rubricSchema>;

/** A validated rubric with its provenance and version. */
export interface Rubric extends RubricSpec {
  /** Content hash of the validated rubric (comments and formatting do not change it). */
  readonly version: string;
  /** File it was read from. */
  readonly file: string;
}
