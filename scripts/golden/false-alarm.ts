/**
 * False-alarm and power figures of the golden verdict rule (README "Verdicts"), by simulation
 * with the real `decideVerdict`. Seeded: reruns print the same numbers.
 *
 *   npx tsx scripts/golden/false-alarm.ts [trials=20000]
 */
import { mixedSuite, simulateVerdicts } from '../../src/golden/verdict/simulate.ts';

const trials = Number(process.argv[2] ?? 20_000);
const rows: Record<string, unknown>[] = [];
const nullCases: [string, number[]][] = [
  ['100 cases at 90%, 10 flaky at p=0 (deterministic)', mixedSuite(100, 0.9, 0, 0)],
  ['100 cases at 90%: 80 stable + 20 flaky at p=0.5', mixedSuite(100, 0.9, 20, 0.5)],
  ['100 cases at 90%: 85 stable + 15 flaky at p=1/3', mixedSuite(100, 0.9, 15, 1 / 3)],
  ['100 cases at 90%: 87 stable + 13 flaky at p=0.2 (worst mix)', mixedSuite(100, 0.9, 13, 0.2)],
  ['100 cases at 90%: 70 stable + 30 flaky at p=2/3', mixedSuite(100, 0.9, 30, 2 / 3)],
  ['100 cases at 90%: every case p=0.9', Array.from({ length: 100 }, () => 0.9)],
  ['300 cases at 90%: 255 stable + 45 flaky at p=1/3', mixedSuite(300, 0.9, 45, 1 / 3)],
];
for (const [name, suite] of nullCases) {
  for (const retries of [0, 2]) {
    const r = simulateVerdicts({ before: suite, after: suite }, trials, retries, 1);
    rows.push({ scenario: name, retries, falseRegression: r.regression, falseImprovement: r.improvement, noChange: r['no-change'], inconclusive: r.inconclusive });
  }
}
// Power: k stable-passing cases break deterministically (p 1 → 0) on top of the flaky mix.
for (const k of [3, 5, 8, 10]) {
  const before = mixedSuite(100, 0.9, 20, 0.5);
  const after = before.map((p, i) => (i < k ? 0 : p));
  const r = simulateVerdicts({ before, after }, trials, 2, 2);
  rows.push({ scenario: `100 cases at 90% (20 flaky at 0.5), ${k} cases break`, retries: 2, detected: r.regression, noChange: r['no-change'], inconclusive: r.inconclusive });
}
// The fixed-threshold gate the issue criticises: "fail when the pass rate < 90%".
{
  const suite = mixedSuite(100, 0.9, 20, 0.5);
  let below = 0;
  let s = 12345;
  for (let t = 0; t < trials; t++) {
    let pass = 0;
    for (const p of suite) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      if (s / 4294967296 < p) pass++;
    }
    if (pass < 90) below++;
  }
  rows.push({ scenario: 'fixed threshold gate (pass rate < 90%) on the same null suite', falseRegression: below / trials });
}
process.stdout.write(`${JSON.stringify({ trials, rows }, null, 1)}\n`);
