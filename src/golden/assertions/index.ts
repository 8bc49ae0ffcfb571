/**
 * Golden-case scorers: deterministic text, JSON and overlap checks, latency/token/cost limits,
 * embedding similarity and the model-graded `llm-rubric` / `factuality`.
 */
export { ASSERTIONS, parseType, type AssertionSpec, type ValueKind, type ParsedType } from './catalog.ts';
export { NORMALIZERS, normalizeText, canonicalNumber, tokenize, type Normalizer } from './normalize.ts';
export { levenshteinRatio, tokenF1, rougeL, rougeN } from './overlap.ts';
export { compileSchema, extractJsonObjects } from './json.ts';
export { OpenAIEmbedder, EmbeddingError, cosine, type Embedder } from './embeddings.ts';
export { llmRubric, factualityRubric, FACT_LABELS, type GoldenJudge } from './judged.ts';
export { scoreCase, combine, type ScoreDeps } from './score-case.ts';
export { createScoreDeps, type CreateScoreDepsOptions } from './deps.ts';
