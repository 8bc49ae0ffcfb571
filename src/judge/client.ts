import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { BudgetMeter } from './budget-meter.ts';
import type { JudgeConfig } from './config.ts';
import { JudgeUnavailableError } from './errors.ts';
import { approxTokens, type JudgeItem } from './item.ts';
import { outputSchema } from './output-schema.ts';
import { parseJudgeReply, type DimensionScore } from './parse.ts';
import { buildJudgeMessages, repairMessage, type OutputMode } from './prompt.ts';
import { backoffDelay, classifyError, type Failure } from './retry.ts';
import type { Rubric } from './rubric-schema.ts';
import { Limiter } from './limiter.ts';
import { priceOf } from './budget-meter.ts';
import { providerOf } from './config.ts';

/** Why an item has no score. Reported and counted; never turned into a score. */
export type UnmeasuredReason =
  | 'judge_unavailable'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'truncated'
  | 'empty_output'
  | 'invalid_output'
  | 'judge_refused'
  | 'content_filter'
  | 'input_too_long'
  | 'bad_request'
  | 'budget_exhausted'
  | 'missing_field'
  | 'aborted';

/** Tokens and calls one judgment cost (every call counted, the failed ones too). */
export interface CallUsage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

/** Timing of a judgment, for the benchmark and metrics. */
export interface JudgeTiming {
  /** Time inside `chat.completions.create`, summed over calls (ms). */
  httpMs: number;
  /** The server's own processing time when it reports `openai-processing-ms` (ms, summed). */
  serverMs: number;
  /** Our own work: prompt building, parsing, validation (ms). */
  ownMs: number;
  /** Waiting for the limiter and backoffs (ms). */
  waitMs: number;
}

interface OutcomeBase {
  readonly usage: CallUsage;
  readonly timing: JudgeTiming;
  /** Output mode of the last call. */
  readonly mode: OutputMode;
  /** `model` the endpoint says served the call, and its `system_fingerprint`. */
  readonly servedModel?: string;
  readonly systemFingerprint?: string;
}

export type JudgeOutcome =
  | (OutcomeBase & {
      readonly status: 'scored';
      readonly scores: Record<string, DimensionScore>;
      /** The reply was invalid once and fixed by the single repair attempt. */
      readonly repaired: boolean;
      /** The first reply was cut at `max_tokens` and the retry with more tokens succeeded. */
      readonly lengthRetried: boolean;
    })
  | (OutcomeBase & {
      readonly status: 'unmeasured';
      readonly reason: UnmeasuredReason;
      readonly detail: string;
      /** The judge's raw reply(ies) when there was one, kept for inspection. */
      readonly raw?: string[];
    });

/** Something the client did that a log, a metric or a test may want to see. */
export type JudgeEvent =
  | { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly type: 'fallback'; readonly from: OutputMode; readonly to: OutputMode; readonly message: string }
  | { readonly type: 'length_retry'; readonly maxTokens: number }
  | { readonly type: 'repair'; readonly problem: string }
  | { readonly type: 'unavailable'; readonly reason: string; readonly message: string }
  | JudgeCallEvent;

/**
 * One request to the endpoint (`ok`, `error`), one refused by the budget before it was made
 * (`budget`), or one judgment served from the cache (`cached`, emitted by the pipeline). Usage is
 * what the run's budget counted for it: a failed request counts its estimated prompt tokens, as
 * the provider may bill it, so metrics and the report's spend agree.
 */
export interface JudgeCallEvent {
  readonly type: 'call';
  /** `judge.provider`, else the endpoint host. */
  readonly provider: string;
  /** Model the request named (the judge, or the target model of a self-consistency re-run). */
  readonly model: string;
  readonly outcome: 'ok' | 'error' | 'budget' | 'cached';
  /** Why an `error` failed (`rate_limited`, `server_error`, `auth`, …). */
  readonly reason?: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Dollars at `judge.pricing`. */
  readonly usd: number;
}

export interface JudgeClientOptions {
  /** The judge options (`config.judge`). */
  readonly config: JudgeConfig;
  /** API key (`readEnv().judgeApiKey`). Default: none, which local endpoints accept. */
  readonly apiKey?: string;
  /**
   * The pacing of calls. Default: a `Limiter` built from `config.rateLimit` and
   * `config.concurrency`. Pass a shared one so every client of a provider shares a bucket.
   */
  readonly limiter?: Limiter;
  /** Output mode to start from (a plan's negotiated mode). Default from `config.outputMode`. */
  readonly mode?: OutputMode;
  /** Called for retries, fallbacks and the circuit break. Default: nothing. */
  readonly onEvent?: (event: JudgeEvent) => void;
  /** Uniform random for backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
}

type CallResult = { completion: ChatCompletion } | { unmeasured: UnmeasuredReason; detail: string } | { fallback: true };

const MODES: OutputMode[] = ['json_schema', 'json_object', 'tool'];
const TOOL_NAME = 'submit_scores';

/**
 * The judge client: one call per rubric per item through the `openai` SDK to any
 * OpenAI-compatible endpoint, with the only retry layer (the SDK's own is off), output-mode
 * fallback, one retry with more tokens after truncation, at most one repair, and a circuit
 * break for errors that no retry can fix.
 */
export class JudgeClient {
  readonly openai: OpenAI;
  readonly limiter: Limiter;
  private modeNow: OutputMode;
  private readonly autoMode: boolean;
  private unavailableErr: JudgeUnavailableError | undefined;
  private readonly provider: string;

  /**
   * @example
   * const client = new JudgeClient({ config: cfg.judge, apiKey: readEnv().judgeApiKey });
   * const outcome = await client.judge(rubric, itemFromRecord(record));
   * if (outcome.status === 'scored') outcome.scores.relevance.value;
   */
  constructor(private readonly options: JudgeClientOptions) {
    const cfg = options.config;
    this.openai = new OpenAI({
      apiKey: options.apiKey ?? 'no-key',
      baseURL: cfg.baseURL,
      // Our retry layer is the only one: it honours retry-after, paces the whole provider after a
      // 429 and counts every attempt against the budget. Two layers would multiply attempts.
      maxRetries: 0,
      timeout: cfg.timeoutMs,
    });
    this.limiter =
      options.limiter ??
      new Limiter({
        enabled: cfg.rateLimit.enabled,
        requestsPerSecond: cfg.rateLimit.requestsPerSecond,
        burst: cfg.rateLimit.burst,
        tokensPerMinute: cfg.rateLimit.tokensPerMinute,
        concurrency: cfg.concurrency,
      });
    this.provider = providerOf(cfg);
    this.autoMode = !options.mode && cfg.outputMode === 'auto';
    this.modeNow = options.mode ?? (cfg.outputMode === 'auto' ? 'json_schema' : cfg.outputMode);
  }

  /** The output mode in use (after any fallback). */
  get mode(): OutputMode {
    return this.modeNow;
  }

  /** Set once the endpoint refused the run (401, 403, unknown model, no quota). */
  get unavailable(): JudgeUnavailableError | undefined {
    return this.unavailableErr;
  }

  /**
   * Judges one item on one rubric. Never throws for a judge failure: the outcome says
   * `unmeasured` with its reason (and the raw reply when there was one).
   *
   * @example
   * const o = await client.judge(rubric, item, { budget: meter, signal });
   */
  async judge(rubric: Rubric, item: JudgeItem, options: { budget?: BudgetMeter; signal?: AbortSignal; model?: string } = {}): Promise<JudgeOutcome> {
    const cfg = this.options.config;
    const model = options.model ?? rubric.model ?? cfg.model;
    const usage: CallUsage = { calls: 0, promptTokens: 0, completionTokens: 0 };
    const timing: JudgeTiming = { httpMs: 0, serverMs: 0, ownMs: 0, waitMs: 0 };
    const meta: { servedModel?: string; systemFingerprint?: string } = {};
    const raws: string[] = [];
    const unmeasured = (reason: UnmeasuredReason, detail: string): JudgeOutcome => ({
      status: 'unmeasured',
      reason,
      detail,
      ...(raws.length ? { raw: raws } : {}),
      usage,
      timing,
      mode: this.modeNow,
      ...meta,
    });

    let t0 = performance.now();
    const schema = outputSchema(rubric);
    let messages = buildJudgeMessages(rubric, item, this.modeNow, schema);
    let builtFor = this.modeNow;
    timing.ownMs += performance.now() - t0;

    let maxTokens = cfg.maxTokens;
    let lengthRetried = false;
    let repaired = false;
    for (;;) {
      if (builtFor !== this.modeNow) {
        // The endpoint rejected an output mode (in this call or a concurrent one): the next mode
        // spells the schema out in the prompt, so the conversation starts over in that mode.
        t0 = performance.now();
        messages = buildJudgeMessages(rubric, item, this.modeNow, schema);
        builtFor = this.modeNow;
        repaired = false;
        timing.ownMs += performance.now() - t0;
      }
      const result = await this.call(model, messages, schema, maxTokens, usage, timing, options);
      if ('fallback' in result) continue;
      if ('unmeasured' in result) return unmeasured(result.unmeasured, result.detail);
      const { completion } = result;
      t0 = performance.now();
      meta.servedModel = completion.model;
      if (completion.system_fingerprint) meta.systemFingerprint = completion.system_fingerprint;
      const choice = completion.choices?.[0];
      const text = choice ? replyText(choice.message) : '';
      if (text) raws.push(text);
      const finish = choice?.finish_reason;
      if (choice?.message?.refusal) {
        timing.ownMs += performance.now() - t0;
        return unmeasured('judge_refused', choice.message.refusal);
      }
      if (finish === 'content_filter') {
        timing.ownMs += performance.now() - t0;
        return unmeasured('content_filter', 'the endpoint filtered the reply');
      }
      if (finish === 'length' || !text.trim()) {
        timing.ownMs += performance.now() - t0;
        if (!lengthRetried) {
          lengthRetried = true;
          maxTokens = Math.max(cfg.maxTokensRetry, maxTokens);
          this.options.onEvent?.({ type: 'length_retry', maxTokens });
          continue;
        }
        return finish === 'length'
          ? unmeasured('truncated', `the reply was cut at max_tokens twice (${maxTokens} tokens)`)
          : unmeasured('empty_output', 'the judge replied with no content twice');
      }
      const parsed = parseJudgeReply(text, rubric);
      timing.ownMs += performance.now() - t0;
      if (parsed.ok) {
        return { status: 'scored', scores: parsed.scores, repaired, lengthRetried, usage, timing, mode: this.modeNow, ...meta };
      }
      if (repaired) return unmeasured('invalid_output', `still invalid after one repair: ${parsed.problem}`);
      repaired = true;
      this.options.onEvent?.({ type: 'repair', problem: parsed.problem });
      messages = [...messages, { role: 'assistant', content: text }, repairMessage(parsed.problem)];
    }
  }

  /**
   * A plain completion (no schema) against a target model, for self-consistency re-runs; the
   * same retry layer, limiter and budget as judge calls.
   *
   * @example
   * const text = await client.complete('gpt-4o-mini', [{ role: 'user', content: prompt }], { temperature: 1 });
   */
  async complete(
    model: string,
    messages: ChatCompletionMessageParam[],
    options: { temperature?: number; maxTokens?: number; budget?: BudgetMeter; signal?: AbortSignal } = {},
  ): Promise<{ text: string; usage: CallUsage } | { unmeasured: UnmeasuredReason; detail: string; usage: CallUsage }> {
    const usage: CallUsage = { calls: 0, promptTokens: 0, completionTokens: 0 };
    const timing: JudgeTiming = { httpMs: 0, serverMs: 0, ownMs: 0, waitMs: 0 };
    const result = await this.call(model, messages, null, options.maxTokens ?? 512, usage, timing, options, options.temperature);
    if ('fallback' in result) return { unmeasured: 'bad_request', detail: 'unexpected output-mode fallback', usage };
    if ('unmeasured' in result) return { unmeasured: result.unmeasured, detail: result.detail, usage };
    const choice = result.completion.choices?.[0];
    return { text: choice ? replyText(choice.message) : '', usage };
  }

  /** One logical request: limiter, budget, our retry loop, mode fallback, circuit break. */
  private async call(
    model: string,
    messages: ChatCompletionMessageParam[],
    schema: Record<string, unknown> | null,
    maxTokens: number,
    usage: CallUsage,
    timing: JudgeTiming,
    options: { budget?: BudgetMeter; signal?: AbortSignal },
    temperature?: number,
  ): Promise<CallResult> {
    const cfg = this.options.config;
    const promptTokens = approxTokens(messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0));
    let attempt = 0;
    for (;;) {
      if (this.unavailableErr) return { unmeasured: 'judge_unavailable', detail: this.unavailableErr.message };
      if (options.signal?.aborted) return { unmeasured: 'aborted', detail: 'the run was cancelled' };
      if (options.budget && !options.budget.allows(promptTokens, maxTokens)) {
        this.emitCall(model, 'budget', 0, 0);
        return { unmeasured: 'budget_exhausted', detail: 'the run budget (calls, tokens or dollars) is spent' };
      }
      attempt++;
      const mode = this.modeNow;
      const body = this.requestBody(model, messages, schema, mode, maxTokens, temperature);
      let waitStart = performance.now();
      let permit;
      try {
        permit = await this.limiter.acquire(promptTokens + Math.min(maxTokens, 400), options.signal);
      } catch {
        return { unmeasured: 'aborted', detail: 'the run was cancelled' };
      }
      timing.waitMs += performance.now() - waitStart;
      const start = performance.now();
      let failure: Failure;
      try {
        const { data, response } = await this.openai.chat.completions
          .create(body, { ...(options.signal ? { signal: options.signal } : {}), timeout: cfg.timeoutMs, maxRetries: 0 })
          .withResponse();
        timing.httpMs += performance.now() - start;
        const serverMs = Number(response.headers.get('openai-processing-ms'));
        if (Number.isFinite(serverMs)) timing.serverMs += serverMs;
        const p = data.usage?.prompt_tokens ?? promptTokens;
        const c = data.usage?.completion_tokens ?? approxTokens(replyText(data.choices?.[0]?.message).length);
        usage.calls++;
        usage.promptTokens += p;
        usage.completionTokens += c;
        options.budget?.record(p, c);
        permit.release(p + c);
        this.emitCall(model, 'ok', p, c);
        return { completion: data };
      } catch (err) {
        timing.httpMs += performance.now() - start;
        permit.release();
        failure = classifyError(err);
        // A refused or failed request may still be billed or counted by the provider.
        usage.calls++;
        options.budget?.record(promptTokens, 0);
        this.emitCall(model, 'error', promptTokens, 0, failure.action === 'fallback' ? 'output_mode_unsupported' : failure.reason);
      }
      if (failure.action === 'stop') {
        this.unavailableErr ??= new JudgeUnavailableError(failure.reason, failure.message, failure.status);
        this.options.onEvent?.({ type: 'unavailable', reason: failure.reason, message: failure.message });
        return { unmeasured: 'judge_unavailable', detail: failure.message };
      }
      if (failure.action === 'fallback') {
        const next = MODES[MODES.indexOf(mode) + 1];
        if (schema && this.autoMode && next) {
          // Another concurrent call may already have moved on; only move forward.
          if (MODES.indexOf(this.modeNow) <= MODES.indexOf(mode)) {
            this.modeNow = next;
            this.options.onEvent?.({ type: 'fallback', from: mode, to: next, message: failure.message });
          }
          return { fallback: true };
        }
        return { unmeasured: 'bad_request', detail: failure.message };
      }
      if (failure.action === 'skip') return { unmeasured: failure.reason, detail: failure.message };
      if (attempt >= cfg.maxAttempts) {
        return { unmeasured: failure.reason, detail: `gave up after ${attempt} attempts: ${failure.message}` };
      }
      const delayMs = backoffDelay(attempt, failure.retryAfterMs, {
        baseMs: cfg.backoffMs,
        maxMs: cfg.maxBackoffMs,
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > cfg.maxBackoffMs) {
        return { unmeasured: failure.reason, detail: `the endpoint asked to wait ${Math.round(failure.retryAfterMs / 1000)} s, more than judge.maxBackoffMs` };
      }
      if (failure.reason === 'rate_limited') this.limiter.pauseFor(delayMs);
      this.options.onEvent?.({
        type: 'retry',
        attempt,
        delayMs,
        reason: failure.reason,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      });
      waitStart = performance.now();
      try {
        await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        return { unmeasured: 'aborted', detail: 'the run was cancelled' };
      }
      timing.waitMs += performance.now() - waitStart;
    }
  }

  private emitCall(model: string, outcome: JudgeCallEvent['outcome'], promptTokens: number, completionTokens: number, reason?: string): void {
    const onEvent = this.options.onEvent;
    if (!onEvent) return;
    const cfg = this.options.config;
    onEvent({
      type: 'call',
      provider: this.provider,
      model,
      outcome,
      ...(reason ? { reason } : {}),
      promptTokens,
      completionTokens,
      usd: priceOf(promptTokens, completionTokens, cfg.pricing),
    });
  }

  private requestBody(
    model: string,
    messages: ChatCompletionMessageParam[],
    schema: Record<string, unknown> | null,
    mode: OutputMode,
    maxTokens: number,
    temperature?: number,
  ): ChatCompletionCreateParamsNonStreaming {
    const cfg = this.options.config;
    const body: ChatCompletionCreateParamsNonStreaming = {
      model,
      messages,
      temperature: temperature ?? cfg.temperature,
      ...(cfg.seed !== null ? { seed: cfg.seed } : {}),
      ...(cfg.maxTokensParam === 'max_tokens' ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
    };
    if (!schema) return body;
    if (mode === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name: 'judgment', strict: true, schema } };
    } else if (mode === 'json_object') {
      body.response_format = { type: 'json_object' };
    } else {
      body.tools = [{ type: 'function', function: { name: TOOL_NAME, description: 'Submit the scores for every rubric dimension.', parameters: schema, strict: true } }];
      body.tool_choice = { type: 'function', function: { name: TOOL_NAME } };
    }
    return body;
  }
}

function replyText(message: ChatCompletion.Choice['message'] | undefined): string {
  if (!message) return '';
  const call = message.tool_calls?.find((c) => c.type === 'function');
  if (call && call.type === 'function') return call.function.arguments ?? '';
  return message.content ?? '';
}
