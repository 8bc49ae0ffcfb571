import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may open the queue dashboard. One secret, `EVALWATCH_DASHBOARD_TOKEN`, three ways to present it:
 *
 * - scripts send `Authorization: Bearer <token>` on every request;
 * - a person opens `<base>/?token=<token>` once: the server answers with a session cookie and a
 *   redirect to the same page without the token, so the secret leaves the address bar (and the
 *   history, and any Referer) at once;
 * - the browser then sends the cookie with every page, asset and API call of the board.
 *
 * The cookie never holds the token: it holds an expiry and an HMAC of it keyed by the token, so it
 * expires on its own, and changing the token logs every browser out.
 */

/** Name of the dashboard session cookie. */
export const DASHBOARD_COOKIE = 'evalwatch_dashboard';

/** What {@link authorizeDashboard} decided. */
export type DashboardAccess =
  | { readonly kind: 'allow'; readonly via: 'bearer' | 'cookie' }
  /** `?token=` was right: set the cookie and redirect to `location` (the URL without the token). */
  | { readonly kind: 'login'; readonly location: string; readonly setCookie: string }
  | { readonly kind: 'deny' };

/** Options of {@link authorizeDashboard}. */
export interface DashboardAuthOptions {
  /** The configured token (`EVALWATCH_DASHBOARD_TOKEN`). */
  readonly token: string;
  /** URL path the cookie is scoped to, e.g. `/dashboard`. */
  readonly basePath: string;
  /** Clock (epoch ms), for the cookie's expiry. */
  readonly now: () => number;
  /** How long a browser session lasts (ms). Default 43200000 (12 h). */
  readonly sessionMs?: number;
}

/**
 * Compares a presented secret with the token in constant time (both are hashed first, so neither
 * the content nor the length of the token leaks through timing).
 *
 * @example
 * tokenEquals('s3cret', 's3cret'); // true
 */
export function tokenEquals(given: string, token: string): boolean {
  if (!token) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * The bearer token of a request, if it sent one.
 *
 * @example
 * bearerToken(req); // 's3cret' for "Authorization: Bearer s3cret"
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m ? (m[1] as string).trim() : undefined;
}

/**
 * A session cookie value: `v1.<expires-at-ms>.<hmac>`, the HMAC-SHA256 of the version and expiry
 * keyed by the token.
 *
 * @example
 * sessionValue('s3cret', Date.parse('2026-11-24T06:00Z')); // 'v1.1795500000000.Hk3…'
 */
export function sessionValue(token: string, expiresAt: number): string {
  return `v1.${expiresAt}.${sessionMac(token, expiresAt)}`;
}

/**
 * Whether a session cookie value was made with this token and has not expired.
 *
 * @example
 * sessionValid(sessionValue(token, now + 1000), token, now); // true
 */
export function sessionValid(value: string | undefined, token: string, now: number): boolean {
  if (!value || !token) return false;
  const m = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const expiresAt = Number(m[1]);
  if (!(expiresAt > now)) return false;
  return timingSafeEqual(Buffer.from(m[2] as string), Buffer.from(sessionMac(token, expiresAt)));
}

/**
 * One cookie of a request's `Cookie` header, or `undefined`.
 *
 * @example
 * readCookie(req, DASHBOARD_COOKIE);
 */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Decides a dashboard request: a bearer header or a valid session cookie is let in; a right
 * `?token=` becomes a login (cookie + redirect without the token); anything else is denied.
 * A wrong bearer header is denied even when a cookie would pass, so a script's misconfiguration
 * never hides behind a browser session.
 *
 * @example
 * const access = authorizeDashboard(req, { token, basePath: '/dashboard', now: Date.now });
 * if (access.kind === 'login') { res.writeHead(303, { location: access.location, 'set-cookie': access.setCookie }); }
 */
export function authorizeDashboard(req: IncomingMessage, o: DashboardAuthOptions): DashboardAccess {
  const bearer = bearerToken(req);
  if (bearer !== undefined) return tokenEquals(bearer, o.token) ? { kind: 'allow', via: 'bearer' } : { kind: 'deny' };
  const url = new URL(req.url ?? '/', 'http://localhost');
  const given = url.searchParams.get('token');
  if (given !== null) {
    if (!tokenEquals(given, o.token)) return { kind: 'deny' };
    const sessionMs = o.sessionMs ?? 12 * 3_600_000;
    const expiresAt = o.now() + sessionMs;
    url.searchParams.delete('token');
    // SameSite=Lax, not Strict: a person who follows a link to the board (from Slack, a runbook)
    // arrives by a cross-site navigation, and a Strict cookie would not be sent on it. The board is
    // read-only and served for GET only, so Lax gives a foreign site nothing to forge.
    const cookie = [
      `${DASHBOARD_COOKIE}=${sessionValue(o.token, expiresAt)}`,
      `Path=${o.basePath}`,
      `Max-Age=${Math.floor(sessionMs / 1000)}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(forwardedHttps(req) ? ['Secure'] : []),
    ].join('; ');
    return { kind: 'login', location: `${url.pathname}${url.search}`, setCookie: cookie };
  }
  return sessionValid(readCookie(req, DASHBOARD_COOKIE), o.token, o.now()) ? { kind: 'allow', via: 'cookie' } : { kind: 'deny' };
}

function sessionMac(token: string, expiresAt: number): string {
  return createHmac('sha256', token).update(`evalwatch-dashboard:v1:${expiresAt}`).digest('base64url');
}

/** Behind a TLS-terminating proxy the cookie is marked Secure (it only ever narrows where it is sent). */
function forwardedHttps(req: IncomingMessage): boolean {
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim() === 'https';
}
