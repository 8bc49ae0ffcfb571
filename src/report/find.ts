import { summarizeSlo } from '../slo/summary.ts';
import type { ResultsStore } from '../store/types.ts';
import type { RunReport } from './types.ts';

const decoder = new TextDecoder();

/**
 * Finds a run report by run id, or the most recently finished one for `latest`.
 *
 * @example
 * const found = await findReport(store, 'latest');
 * if (found) console.log(found.report.status, store.locate(found.key));
 */
export async function findReport(store: ResultsStore, runId: string): Promise<{ key: string; report: RunReport } | null> {
  const keys: string[] = [];
  for await (const key of store.list('runs/')) if (key.endsWith('/report.json')) keys.push(key);
  // `latest` reads only the newest day folder (runs/<YYYY-MM-DD>/…), not every report ever written.
  const newestDay = keys.reduce((d, k) => ((k.split('/')[1] ?? '') > d ? (k.split('/')[1] ?? '') : d), '');
  const candidates = runId === 'latest' ? keys.filter((k) => k.split('/')[1] === newestDay) : keys.filter((k) => k.split('/')[2] === runId);
  let best: { key: string; report: RunReport } | null = null;
  for (const key of candidates) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    const report = JSON.parse(decoder.decode(bytes)) as RunReport;
    if (!best || report.finishedAt > best.report.finishedAt) best = { key, report };
  }
  return best;
}

/**
 * A terminal summary a person reads in ten seconds.
 *
 * @example
 * process.stdout.write(summarizeReport(report, '/path/to/report.json'));
 */
export function summarizeReport(report: RunReport, location: string): string {
  const lines: string[] = [];
  const i = report.input;
  lines.push(`${report.pipeline} run ${report.runId}: ${report.status.toUpperCase()}`);
  lines.push(`  window   ${report.window.start} → ${report.window.end}`);
  for (const reason of report.statusReasons) lines.push(`  why      ${reason}`);
  lines.push(
    `  input    ${i.objects} objects, ${i.records.toLocaleString('en-US')} records (${i.populationRecords.toLocaleString('en-US')} population, ≈${Math.round(i.estimatedCalls).toLocaleString('en-US')} calls)`,
  );
  const rejected = Object.entries(i.rejected).filter(([, n]) => (n ?? 0) > 0);
  if (rejected.length) {
    lines.push(`  rejected ${rejected.map(([r, n]) => `${r} ${n}`).join(', ')} — ${i.quarantined} lines quarantined`);
  }
  lines.push(`  findings ${report.findings.length}${report.unmeasured.length ? `, ${report.unmeasured.length} tests unmeasured (insufficient data)` : ''}`);
  for (const f of report.findings) lines.push(`    [${f.severity}${f.state ? `/${f.state}` : ''}] ${f.summary}`);
  // Cost and SLO sections (an slo run, or a nightly run that includes one) get their own lines.
  const slo = summarizeSlo(report);
  if (slo.length) lines.push('  cost/slo', ...slo.map((l) => `    ${l}`));
  lines.push(`  report   ${location}`);
  return `${lines.join('\n')}\n`;
}
