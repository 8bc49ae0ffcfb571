/** Spend of judge calls: what a budget counts. */
export interface Spend {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

/** A budget in calls, tokens and dollars; any may be `Infinity`. */
export interface BudgetLimit {
  readonly calls: number;
  readonly tokens: number;
  readonly usd: number;
}

export interface Pricing {
  /** USD per million prompt tokens. */
  readonly inputPerMTok: number;
  /** USD per million completion tokens. */
  readonly outputPerMTok: number;
}

/**
 * An empty spend.
 *
 * @example
 * const total = addSpend(emptySpend(), a, b);
 */
export function emptySpend(): Spend {
  return { calls: 0, promptTokens: 0, completionTokens: 0, usd: 0 };
}

/**
 * Sums spends; the inputs are not modified.
 *
 * @example
 * addSpend(a, b).calls === a.calls + b.calls;
 */
export function addSpend(...parts: Spend[]): Spend {
  const out = emptySpend();
  for (const p of parts) {
    out.calls += p.calls;
    out.promptTokens += p.promptTokens;
    out.completionTokens += p.completionTokens;
    out.usd += p.usd;
  }
  return out;
}

/**
 * Dollars for a token count at a price.
 *
 * @example
 * priceOf(1_000_000, 0, { inputPerMTok: 2.5, outputPerMTok: 10 }); // 2.5
 */
export function priceOf(promptTokens: number, completionTokens: number, pricing: Pricing): number {
  return (promptTokens * pricing.inputPerMTok + completionTokens * pricing.outputPerMTok) / 1e6;
}

/**
 * Counts what a run (or one unit's share of it) spends and refuses a call that could overrun
 * the limit: the call is refused before it is made, so a budget is a hard ceiling, and the item
 * becomes `unmeasured: budget_exhausted` rather than silently dropped.
 */
export class BudgetMeter {
  readonly spent: Spend = emptySpend();

  /**
   * @example
   * const meter = new BudgetMeter({ calls: 100, tokens: 1e6, usd: 5 }, pricing);
   * if (meter.allows(estimatedPrompt, maxCompletion)) { … meter.record(usage) }
   */
  constructor(
    readonly limit: BudgetLimit,
    readonly pricing: Pricing,
  ) {}

  /** Whether one more call of this size (prompt tokens, worst-case completion tokens) fits. */
  allows(promptTokens: number, completionTokens: number): boolean {
    const s = this.spent;
    return (
      s.calls + 1 <= this.limit.calls &&
      s.promptTokens + s.completionTokens + promptTokens + completionTokens <= this.limit.tokens &&
      s.usd + priceOf(promptTokens, completionTokens, this.pricing) <= this.limit.usd
    );
  }

  /** Records a call that was made (also a failed one: the provider may bill it). */
  record(promptTokens: number, completionTokens: number): void {
    this.spent.calls += 1;
    this.spent.promptTokens += promptTokens;
    this.spent.completionTokens += completionTokens;
    this.spent.usd += priceOf(promptTokens, completionTokens, this.pricing);
  }
}
