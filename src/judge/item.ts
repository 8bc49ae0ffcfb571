import type { ReadRecord } from '../captures/record.ts';
import { contentHash } from './rubric.ts';

/** One thing to judge: the text fields of a capture (or a canary), flattened to strings. */
export interface JudgeItem {
  /** `request_id` of the capture, or the canary id. */
  readonly id: string;
  readonly route: string;
  readonly prompt?: string;
  readonly response?: string;
  readonly context?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

const METADATA_KEYS = ['service', 'model', 'prompt_template_version'] as const;

/**
 * The judge's view of a capture: chat messages flattened to `role: text` lines, the optional
 * dimensions the rubric may show as metadata.
 *
 * @example
 * const item = itemFromRecord(record);
 * item.prompt; // 'system: You are…\nuser: What is…'
 */
export function itemFromRecord(r: ReadRecord): JudgeItem {
  const metadata: Record<string, string> = {};
  for (const k of METADATA_KEYS) if (typeof r[k] === 'string') metadata[k] = r[k];
  return {
    id: r.request_id,
    route: r.route,
    ...(r.prompt !== undefined ? { prompt: flattenPrompt(r.prompt) } : {}),
    ...(typeof r.response === 'string' ? { response: r.response } : {}),
    ...(r.context ? { context: r.context } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

/**
 * Chat messages as plain text, one `role: content` block per message.
 *
 * @example
 * flattenPrompt([{ role: 'user', content: 'hi' }]); // 'user: hi'
 */
export function flattenPrompt(prompt: NonNullable<ReadRecord['prompt']>): string {
  if (typeof prompt === 'string') return prompt;
  return prompt
    .map((m) => {
      const c = m.content;
      const text =
        typeof c === 'string'
          ? c
          : Array.isArray(c)
            ? c.map((p) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : '')).filter(Boolean).join('\n')
            : '';
      return `${m.role}: ${text}`;
    })
    .join('\n');
}

/**
 * Hash of exactly what the judge sees of an item; with the judge fingerprint it keys the cache.
 *
 * @example
 * inputHash(item) === inputHash({ ...item }); // true
 */
export function inputHash(item: JudgeItem): string {
  return contentHash({ route: item.route, prompt: item.prompt, response: item.response, context: item.context, metadata: item.metadata }, 32);
}

/** The fields a rubric may require, and whether the item has each (present and not blank). */
export function hasField(item: JudgeItem, field: 'prompt' | 'response' | 'context' | 'route' | 'metadata'): boolean {
  switch (field) {
    case 'prompt':
      return !!item.prompt?.trim();
    case 'response':
      return !!item.response?.trim();
    case 'context':
      return !!item.context?.some((c) => c.trim());
    case 'route':
      return !!item.route;
    case 'metadata':
      return !!item.metadata && Object.keys(item.metadata).length > 0;
  }
}

/** Approximate token count of text (4 characters a token), for budgets and the limiter. */
export function approxTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
