import OpenAI from 'openai';
import type { GoldenEmbeddingsConfig } from '../config.ts';
import { classifyError } from '../../judge/retry.ts';
import type { GoldenAssertion } from '../types.ts';
import { fmt, quote, references, thresholdOf, type ScoreContext, type Verdict } from './types.ts';

/** Turns texts into vectors. A failure rejects with an `EmbeddingError`. */
export interface Embedder {
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** The embeddings endpoint failed; `kind` is `rate_limited`, `server_error`, `timeout`, `auth`, … */
export class EmbeddingError extends Error {
  readonly code = 'EMBEDDINGS_FAILED';
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

export interface OpenAIEmbedderOptions {
  readonly config: GoldenEmbeddingsConfig;
  /** API key. Default none (local endpoints accept that). */
  readonly apiKey?: string;
}

/**
 * Embeddings through any OpenAI-compatible `/embeddings` endpoint with the `openai` SDK. Texts are
 * cached for the life of the embedder (a reference shared by many cases, or re-scored on a
 * confirm retry, is embedded once); a failed request is not cached. Retries of 429/5xx/timeouts
 * are the SDK's (honouring `retry-after`), `maxAttempts` in all.
 *
 * @example
 * const e = new OpenAIEmbedder({ config: cfg.golden.embeddings, apiKey: process.env.OPENAI_API_KEY });
 * const [a, b] = await e.embed(['a cat', 'a kitten']);
 */
export class OpenAIEmbedder implements Embedder {
  private readonly client: OpenAI;
  private readonly cache = new Map<string, Promise<number[]>>();

  constructor(private readonly options: OpenAIEmbedderOptions) {
    const cfg = options.config;
    this.client = new OpenAI({ apiKey: options.apiKey ?? 'no-key', baseURL: cfg.baseURL, maxRetries: cfg.maxAttempts - 1, timeout: cfg.timeoutMs });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const missing = [...new Set(texts.filter((t) => !this.cache.has(t)))];
    if (missing.length) {
      const batch = this.request(missing, signal);
      missing.forEach((t, i) => {
        const one = batch.then((vs) => vs[i]!);
        this.cache.set(t, one);
        // Failed requests are forgotten so a later case (or a retry) asks again.
        one.catch(() => this.cache.delete(t));
      });
    }
    return Promise.all(texts.map((t) => this.cache.get(t)!));
  }

  private async request(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    let res;
    try {
      res = await this.client.embeddings.create({ model: this.options.config.model, input: texts, encoding_format: 'float' }, signal ? { signal } : {});
    } catch (err) {
      const f = classifyError(err);
      throw new EmbeddingError('reason' in f ? f.reason : 'bad_request', f.message);
    }
    const out: number[][] = new Array(texts.length);
    for (const d of res.data ?? []) {
      if (Array.isArray(d.embedding) && d.index >= 0 && d.index < texts.length) out[d.index] = d.embedding;
    }
    for (let i = 0; i < texts.length; i++) {
      const v = out[i];
      if (!v || v.length === 0 || v.some((x) => !Number.isFinite(x))) {
        throw new EmbeddingError('bad_response', `the endpoint returned no usable embedding for input ${i}`);
      }
    }
    return out;
  }
}

/**
 * Cosine similarity of two vectors; `NaN` when either is all zeros or the lengths differ (no
 * similarity can be read from that: the caller reports it unmeasured).
 *
 * @example
 * cosine([1, 0], [1, 1]); // 0.7071
 */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.NaN;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
}

/**
 * `similar`: cosine similarity of the embeddings of the output and the reference (the value, a
 * list of values — the best counts — or the case's `expected`); passes at `threshold` (default
 * 0.75). No embedder, or an endpoint that fails, leaves it `unmeasured`.
 */
export async function similar(a: GoldenAssertion, ctx: ScoreContext, embedder: Embedder | undefined, signal?: AbortSignal): Promise<Verdict> {
  const refs = references(a, ctx);
  if (!refs?.length) return { unmeasured: 'no_reference', reason: 'similar has no value and the case no expected' };
  if (!embedder) return { unmeasured: 'no_embeddings', reason: 'no embeddings endpoint is configured (golden.embeddings)' };
  let vectors: number[][];
  try {
    vectors = await embedder.embed([ctx.output, ...refs], signal);
  } catch (err) {
    const kind = err instanceof EmbeddingError ? err.kind : 'network';
    return { unmeasured: `embeddings_${kind}`, reason: `embeddings failed: ${(err as Error).message}` };
  }
  let best = Number.NEGATIVE_INFINITY;
  let bestRef = '';
  refs.forEach((ref, i) => {
    const s = cosine(vectors[0]!, vectors[i + 1]!);
    if (s > best) {
      best = s;
      bestRef = ref;
    }
  });
  if (!Number.isFinite(best)) return { unmeasured: 'embeddings_bad_response', reason: 'the embeddings could not be compared (zero vector or mismatched dimensions)' };
  const t = thresholdOf(a, 0.75);
  // Cosine may be negative; the score is kept in [0, 1] as every score is.
  const score = Math.min(1, Math.max(0, best));
  const pass = best >= t;
  return { pass, score, reason: `similarity ${fmt(best)} ${pass ? '≥' : '<'} ${t} to ${quote(bestRef, 60)}` };
}
