import { shortHash } from '../../store/keys.ts';

/**
 * The `id` of a finding's section in `report.html`: `f` + the first 16 hex digits of the
 * SHA-256 of its fingerprint. It is the same string alerts key incident members by
 * (`findingId` in `src/alerts/router.ts`), so a Slack message links to `report.html#<member id>`
 * without carrying the fingerprint itself, and any fingerprint (routes with spaces, `<`, `#`)
 * gives a valid, URL-safe anchor.
 *
 * @example
 * findingAnchor('095db3d94797906c'); // 'f' + 16 hex digits
 */
export function findingAnchor(fingerprint: string): string {
  return `f${shortHash(fingerprint)}`;
}
