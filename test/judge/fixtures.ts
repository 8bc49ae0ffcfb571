import { defaultJudgeConfig, type JudgeConfigInput } from '../../src/judge/config.ts';
import { parseRubric } from '../../src/judge/rubric.ts';
import type { Rubric } from '../../src/judge/rubric-schema.ts';

/** A two-dimension rubric scored by the local server's overlap judge. */
export function testRubric(extra = ''): Rubric {
  return parseRubric(
    `name: qa
description: Test rubric.
requires: [prompt, response]
dimensions:
  - name: relevance
    type: integer
    range: [1, 5]
    pass: 4
    description: How well the response addresses the request.
  - name: grounded
    type: boolean
    description: Whether the response sticks to the request's terms.
template: |
  Request:
  {{prompt}}
  Response:
  {{response}}
${extra}`,
    'test/qa.yaml',
  );
}

/** Judge options for tests: fast backoff, no rate limit unless asked. */
export function testJudgeConfig(baseURL: string, extra: JudgeConfigInput = {}) {
  return defaultJudgeConfig({
    baseURL,
    model: 'judge-test-2025-01-01',
    backoffMs: 5,
    maxBackoffMs: 5_000,
    timeoutMs: 5_000,
    rateLimit: { enabled: false },
    ...extra,
  });
}

export const onTopic = {
  id: 'r-good',
  route: 'qa',
  prompt: 'How do penguins regulate body temperature in freezing Antarctic water?',
  response: 'Penguins regulate body temperature with dense feathers, blubber and counter-current blood flow, so freezing Antarctic water costs little heat.',
};

export const offTopic = {
  id: 'r-bad',
  route: 'qa',
  prompt: 'How do penguins regulate body temperature in freezing Antarctic water?',
  response: 'Our store opens at nine and closes at six on weekdays.',
};
