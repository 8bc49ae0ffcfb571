import type { RunReport } from '../../../src/report/types.ts';

/** Markup a capture could carry; any of it executing sets `window.__xss`. */
export const XSS = [
  '<img src=x onerror="window.__xss=1">',
  '</script><script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
  "'><iframe srcdoc='<script>parent.__xss=4</script>'>",
  '<!--',
  '\u2028</ScRiPt ><script>window.__xss=5</script>',
] as const;

/**
 * A copy of a report with capture-derived strings replaced by hostile ones: routes, subjects,
 * summaries, request ids, model and template labels, categorical labels, unmeasured details,
 * status reasons, link labels (and a `javascript:` link), section keys and values.
 *
 * @example
 * const hostile = poison(report);
 */
export function poison(report: RunReport): RunReport {
  const r = structuredClone(report);
  const p = (i: number) => XSS[i % XSS.length] as string;
  r.statusReasons = [...r.statusReasons, p(0)];
  r.findings.forEach((f, i) => {
    f.route = `${f.route}${p(i)}`;
    f.summary = `${f.summary} ${p(i + 1)}`;
    f.subject = `${f.subject}${p(i + 2)}`;
    f.examples = [...f.examples, p(i + 3)];
    f.links = [
      { label: p(i + 4), url: 'https://logs.example.com/?q=a&b=<c>' },
      { label: 'click', url: 'javascript:window.__xss=6' },
    ];
    f.current.models = [{ label: p(i + 5), share: 0.5 }];
    if (Array.isArray(f.current.top)) f.current.top = [{ label: p(i), share: 0.7 }, ...(f.current.top as unknown[])];
    f.stats.method = p(i + 1);
  });
  r.unmeasured = [...r.unmeasured, { route: p(2), subject: p(3), reason: 'insufficient_data', detail: p(1) }];
  r.sections = { ...r.sections, [p(0)]: { note: p(1), nested: [p(2)] } };
  return r;
}
