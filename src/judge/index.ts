/**
 * evalwatch judge: LLM-as-judge over a stratified, budgeted sample of production captures.
 */
export { judgeConfigSchema, defaultJudgeConfig, providerOf, type JudgeConfig, type JudgeConfigInput } from './config.ts';
export { RubricError, JudgeUnavailableError, JudgeConfigError } from './errors.ts';
export { parseRubric, loadRubrics, appliesTo, contentHash, canonicalJson } from './rubric.ts';
export { rubricSchema, type Rubric, type Dimension, type Canary } from './rubric-schema.ts';
export { itemFromRecord, inputHash, type JudgeItem } from './item.ts';
export { buildJudgeMessages, renderTemplate, PROMPT_VERSION, type OutputMode } from './prompt.ts';
export { outputSchema } from './output-schema.ts';
export { parseJudgeReply, type DimensionScore } from './parse.ts';
export { JudgeClient, type JudgeOutcome, type JudgeEvent, type JudgeCallEvent, type UnmeasuredReason, type JudgeClientOptions } from './client.ts';
export { Limiter, type LimiterOptions, type Permit } from './limiter.ts';
export { classifyError, retryAfter, backoffDelay } from './retry.ts';
export { BudgetMeter, priceOf, type Spend, type BudgetLimit } from './budget-meter.ts';
export { selectionDraw, planSample, type SamplePlan } from './sampling.ts';
export { weightedMean, wilson, type Estimate } from './estimate.ts';
export { judgeDescriptor, judgeFingerprint, type JudgeDescriptor } from './fingerprint.ts';
export { runCanaries, type CanaryResult } from './canaries.ts';
export { selfConsistency, meanPairwiseSimilarity, routeConsistency } from './consistency.ts';
export { bridgeJudges, type BridgeResult, type DimensionAgreement } from './bridge.ts';
export { cohenKappa, spearman } from './agreement.ts';
export { runBridges, describeChanges, oldJudgeConfig, type CurrentJudge, type RunBridgesOptions } from './bridge-run.ts';
export { readFrozen, readTrusted, readBridge, topUpFrozen, type FrozenItem, type FrozenSample, type TrustedJudge, type BridgeRecord } from './bridge-store.ts';
export { updateBridgeState } from './bridge-state.ts';
export { judgeMetricsListener, fanOut, type JudgeCounters } from './metrics.ts';
export { qualityRegressions, type QualityCell, type RegressionTest } from './regression.ts';
export { judgeConfigured, HOW_TO_CONFIGURE_JUDGE, type JudgeDeps } from './context.ts';
export { judgePipeline, createJudgePipeline, runJudgeInline } from './pipeline.ts';
export type { JudgePartial } from './partial.ts';
