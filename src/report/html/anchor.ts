import { createHash } from 'node:crypto';

/**
 * The `id` of a finding's section in `report.html`, derived from its fingerprint alone, so an
 * alert can link to `report.html#<anchor>` without reading the report. Readable when the
 * fingerprint is made of URL-safe characters (`f-095db3d94797906c`), else a hash of it.
 *
 * @example
 * findingAnchor('095db3d94797906c'); // 'f-095db3d94797906c'
 * findingAnchor('judge.quality:helpful:chat:tone'); // 'f-judge.quality-helpful-chat-tone'
 * findingAnchor('route with spaces/<x>'); // 'f-h' + 16 hex digits
 */
export function findingAnchor(fingerprint: string): string {
  const readable = fingerprint.replace(/:/g, '-');
  if (/^[A-Za-z0-9._-]{1,96}$/.test(readable)) return `f-${readable}`;
  return `f-h${createHash('sha256').update(fingerprint).digest('hex').slice(0, 16)}`;
}
