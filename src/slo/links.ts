/**
 * Link templates of `alerts.links` filled for an slo finding: `{route}`, `{from}`, `{to}` (ISO
 * times) and `{request_ids}` (comma-separated), each URL-encoded. One place for `slo.burn` and
 * `cost.anomaly` findings (drift has its own, over a drift test).
 *
 * @example
 * fillLinks([{ label: 'logs', url: 'https://logs/?q={request_ids}' }], { route: 'answer', from, to, ids: ['r-1'] });
 * // [{ label: 'logs', url: 'https://logs/?q=r-1' }]
 */
export function fillLinks(
  links: readonly { label: string; url: string }[] | undefined,
  v: { route: string; from: number; to: number; ids: readonly string[] },
): { label: string; url: string }[] {
  return (links ?? []).map((l) => ({
    label: l.label,
    url: l.url
      .replaceAll('{route}', encodeURIComponent(v.route))
      .replaceAll('{from}', encodeURIComponent(new Date(v.from).toISOString()))
      .replaceAll('{to}', encodeURIComponent(new Date(v.to).toISOString()))
      .replaceAll('{request_ids}', encodeURIComponent(v.ids.join(','))),
  }));
}
