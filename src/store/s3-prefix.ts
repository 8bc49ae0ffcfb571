/**
 * Normalises a configured key prefix to `''` or `a/b/` (no leading slash, one trailing slash),
 * so that joining is plain concatenation. In a module of its own, without the AWS SDK, so the lazy
 * S3 store and source (`src/runtime/lazy-s3.ts`) can use it before the SDK is loaded.
 *
 * @example
 * normalizeS3Prefix('/captures/prod'); // 'captures/prod/'
 * normalizeS3Prefix(''); // ''
 */
export function normalizeS3Prefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed ? `${trimmed}/` : '';
}
