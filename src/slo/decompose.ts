import { formatChange } from '../drift/format.ts';
import type { CostCell } from './cells.ts';
import type { PriceEvent } from './pricing.ts';

/**
 * Why a route's cost changed: the change from a baseline to the current window split into
 * requests × tokens per request × price per token,
 *
 *   ln(C₁/C₀) = ln(R₁/R₀) + ln(T) + ln(P)
 *
 * with R the estimated priced requests, T = s_in·(I₁/I₀) + s_out·(O₁/O₀) the change of tokens per
 * request weighted by the baseline's input/output shares of list-price cost (token shares when no
 * price is known), and P = (C₁/R₁)/(C₀/R₀)/T the change of cost per token at a fixed mix (price or
 * model). The largest term in the direction of the change names the cause.
 */

/** The drivers of a cost change. */
export interface Decomposition {
  requests: number;
  inputTokensPerRequest: number | null;
  outputTokensPerRequest: number | null;
  tokens: number;
  price: number;
  costPerRequest: number;
  /** Log contributions: traffic + tokens + price = ln(C₁/C₀). */
  contributions: { traffic: number; tokens: number; price: number };
  cause: 'traffic' | 'tokens' | 'price';
  baselineWindows: number;
}

/**
 * Decomposes the change from a baseline cell (the mean of comparison windows) to the current one.
 * `null` when either side has no priced requests or no cost.
 *
 * @example
 * decompose(current, baseline)?.cause; // 'tokens'
 */
export function decompose(cur: CostCell, base: CostCell, baselineWindows = 1): Decomposition | null {
  if (!(cur.pw > 0 && base.pw > 0 && cur.usd > 0 && base.usd > 0)) return null;
  const rReq = cur.pw / base.pw;
  const rCpr = cur.usd / cur.pw / (base.usd / base.pw);
  const tok = cur.tokW > 0 && base.tokW > 0;
  const rIn = tok && base.inTok > 0 ? cur.inTok / cur.tokW / (base.inTok / base.tokW) : null;
  const rOut = tok && base.outTok > 0 ? cur.outTok / cur.tokW / (base.outTok / base.tokW) : null;
  const listTotal = base.listIn + base.listOut;
  const sIn = listTotal > 0 ? base.listIn / listTotal : tok && base.inTok + base.outTok > 0 ? base.inTok / (base.inTok + base.outTok) : 0.5;
  const tokens = rIn !== null || rOut !== null ? sIn * (rIn ?? 1) + (1 - sIn) * (rOut ?? 1) : 1;
  const price = rCpr / tokens;
  const contributions = { traffic: Math.log(rReq), tokens: Math.log(tokens), price: Math.log(price) };
  const total = contributions.traffic + contributions.tokens + contributions.price;
  const entries = Object.entries(contributions) as [Decomposition['cause'], number][];
  // The cause is the term that moves most in the direction of the change.
  const cause = entries.sort((a, b) => Math.sign(total) * (b[1] - a[1]))[0]?.[0] ?? 'traffic';
  const r = (x: number) => Number(x.toPrecision(10));
  return {
    requests: r(rReq),
    inputTokensPerRequest: rIn === null ? null : r(rIn),
    outputTokensPerRequest: rOut === null ? null : r(rOut),
    tokens: r(tokens),
    price: r(price),
    costPerRequest: r(rCpr),
    contributions: { traffic: r(contributions.traffic), tokens: r(contributions.tokens), price: r(contributions.price) },
    cause,
    baselineWindows,
  };
}

function pct(ratio: number): string {
  return formatChange(1, ratio);
}

/**
 * The "why" of a cost change: "requests +2%, output tokens per request +28% — a prompt or model
 * change, not traffic".
 *
 * @example
 * explain(decomposition, 0.05, []); // 'requests +2%, output tokens per request +28% — a prompt or model change, not traffic'
 */
export function explain(d: Decomposition, threshold: number, priceEvents: readonly PriceEvent[]): string {
  const parts = [`requests ${pct(d.requests)}`];
  if (d.inputTokensPerRequest !== null && Math.abs(d.inputTokensPerRequest - 1) >= threshold) parts.push(`input tokens per request ${pct(d.inputTokensPerRequest)}`);
  if (d.outputTokensPerRequest !== null && Math.abs(d.outputTokensPerRequest - 1) >= threshold) parts.push(`output tokens per request ${pct(d.outputTokensPerRequest)}`);
  if (Math.abs(d.price - 1) >= threshold) parts.push(`cost per token ${pct(d.price)}`);
  const up = d.contributions.traffic + d.contributions.tokens + d.contributions.price >= 0;
  let why: string;
  if (d.cause === 'traffic') why = up ? 'more traffic, not longer prompts or answers: check callers (a retry loop, a new client, a batch job)' : 'less traffic';
  else if (d.cause === 'tokens') why = 'a prompt or model change, not traffic';
  else if (priceEvents.length) why = `a price change (${priceEvents.map((e) => `${e.model} on ${e.at.slice(0, 10)}`).join(', ')}; a pricing-table event, not drift)`;
  else why = 'a model or price change (cost per token moved), not traffic or token counts';
  return `${parts.join(', ')} — ${why}`;
}
