/**
 * Redaction of personal data and secrets before anything leaves the process: Slack payloads, the
 * console/file sink and the logs. Detectors with a checksum (cards: Luhn, IBANs: mod-97) only
 * redact numbers that pass it, so order ids and timestamps stay readable; the others match shapes
 * that are specific enough (a JWT's `eyJ…` header, provider key prefixes, `Bearer …`).
 */

export type DetectorName =
  | 'privateKey'
  | 'jwt'
  | 'bearer'
  | 'urlCredentials'
  | 'apiKey'
  | 'awsKey'
  | 'email'
  | 'iban'
  | 'card'
  | 'phone';

export interface RedactorOptions {
  /** Extra patterns (regular-expression sources) replaced by `[redacted]`. Default: none. */
  readonly patterns?: readonly string[];
  /** Built-in detectors to turn off. Default: none. */
  readonly disable?: readonly string[];
}

export interface Redactor {
  /** Redacts one string. */
  text(input: string): string;
  /** Redacts every string inside a JSON-like value (a deep copy); secret-named keys are blanked whole. */
  value<T>(input: T): T;
}

interface Detector {
  readonly name: DetectorName;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
  /** A substring every match contains: texts without it skip the pattern (most texts, cheaply). */
  readonly hint?: string;
}

const SECRET_KEY_NAME = /^(authorization|password|passwd|secret|token|api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|cookie|set-cookie|x-api-key)$/i;

/** Checks a digit string with the Luhn algorithm (payment card numbers). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Checks an IBAN (no spaces, upper case) with the ISO 13616 mod-97 check. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const digit of part) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const DETECTORS: readonly Detector[] = [
  {
    name: 'privateKey',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    replace: () => '[private_key]',
    hint: 'PRIVATE KEY',
  },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: () => '[jwt]', hint: 'eyJ' },
  {
    name: 'bearer',
    pattern: /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, scheme, space) => `${scheme}${space}[token]`,
  },
  {
    name: 'urlCredentials',
    // Bounded runs and a look-behind anchor keep every pattern linear on long inputs.
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/:@]{1,256}:[^\s/@]{1,256}@/gi,
    replace: (_m, scheme) => `${scheme}[redacted]@`,
    hint: '://',
  },
  {
    name: 'apiKey',
    pattern:
      /\b(?:sk-(?:proj-|ant-|live-)?[A-Za-z0-9_-]{16,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})/g,
    replace: () => '[api_key]',
  },
  {
    name: 'apiKey',
    // `api_key=…`, `"secret": "…"`, `password: …`: keep the name so the reader knows what was there.
    pattern: /\b((?:api[_-]?key|secret|token|password|passwd|access[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?)([^\s"',;}{]{6,})/gi,
    replace: (_m, head) => `${head}[secret]`,
  },
  { name: 'awsKey', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: () => '[api_key]' },
  {
    name: 'email',
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z])/g,
    replace: () => '[email]',
    hint: '@',
  },
  {
    name: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/g,
    replace: (m) => (ibanValid(m.replace(/ /g, '')) ? '[iban]' : m),
  },
  {
    name: 'card',
    pattern: /(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d.])/g,
    replace: (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? '[card]' : m;
    },
  },
  {
    name: 'phone',
    // International numbers with a leading `+`, and North-American 3-3-4 groups. Bare digit runs
    // are left alone: they are far more often ids, counts and timestamps than phone numbers.
    pattern: /(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4})(?![\w])/g,
    replace: (m) => {
      const digits = m.replace(/\D/g, '').length;
      return digits >= 8 && digits <= 15 ? '[phone]' : m;
    },
  },
];

/**
 * Builds a redactor from the built-in detectors and extra patterns.
 *
 * @example
 * const r = createRedactor({ patterns: ['ACME-\\d{6}'] });
 * r.text('mail jane@example.com, order ACME-123456'); // 'mail [email], order [redacted]'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const disabled = new Set(options.disable ?? []);
  const detectors = DETECTORS.filter((d) => !disabled.has(d.name));
  const custom = (options.patterns ?? []).map((source) => {
    try {
      return new RegExp(source, 'g');
    } catch (err) {
      throw new RedactionPatternError(source, err);
    }
  });
  const text = (input: string): string => {
    let out = input;
    for (const d of detectors) {
      if (d.hint !== undefined && !out.includes(d.hint)) continue;
      d.pattern.lastIndex = 0;
      out = out.replace(d.pattern, d.replace as (m: string, ...g: string[]) => string);
    }
    for (const re of custom) {
      re.lastIndex = 0;
      out = out.replace(re, '[redacted]');
    }
    return out;
  };
  const value = <T>(input: T): T => redactDeep(input, text, new WeakSet()) as T;
  return { text, value };
}

/**
 * `ancestors` holds the objects on the path from the root, not every object seen: the same object
 * reached twice (a finding whose baseline and current share one array) is data, not a cycle.
 */
function redactDeep(input: unknown, text: (s: string) => string, ancestors: WeakSet<object>): unknown {
  if (typeof input === 'string') return text(input);
  if (input === null || typeof input !== 'object') return input;
  if (ancestors.has(input)) return '[circular]';
  if (input instanceof Error) {
    return { type: input.name, message: text(input.message), ...(input.stack ? { stack: text(input.stack) } : {}) };
  }
  ancestors.add(input);
  try {
    if (Array.isArray(input)) return input.map((v) => redactDeep(v, text, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) {
      // Keys carry data too (a map of model names or request ids to counts): redact them, and keep
      // two keys that redact alike apart rather than merge their values.
      let key = text(k);
      for (let i = 2; key !== k && Object.hasOwn(out, key); i++) key = `${text(k)}#${i}`;
      out[key] = SECRET_KEY_NAME.test(k) && v !== undefined && v !== null && v !== '' ? '[redacted]' : redactDeep(v, text, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(input);
  }
}

/** A custom redaction pattern is not a valid regular expression. */
export class RedactionPatternError extends Error {
  readonly code = 'REDACTION_PATTERN_INVALID';
  constructor(readonly pattern: string, cause: unknown) {
    super(`alerts.redaction.patterns: ${JSON.stringify(pattern)} is not a valid regular expression: ${(cause as Error).message}`, { cause });
    this.name = 'RedactionPatternError';
  }
}

/**
 * pino options that redact every log line's fields and message, for `src/runtime/logger.ts`:
 * spread them into `pino({...})`. Path-based `redact` (pino's own) blanks known keys; this catches
 * personal data and tokens inside free text (an error message quoting a prompt, a URL with a key).
 *
 * @example
 * const logger = pino({ level: 'info', ...pinoRedaction(createRedactor()) });
 * logger.info({ prompt: 'call +44 20 7946 0958' }, 'token sk-abcdefghijklmnop1234'); // both redacted
 */
export function pinoRedaction(redactor: Redactor): {
  formatters: { log: (object: Record<string, unknown>) => Record<string, unknown> };
  hooks: { logMethod: (this: unknown, args: unknown[], method: (...a: unknown[]) => void) => void };
} {
  return {
    formatters: { log: (object) => redactor.value(object) },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactor.text(a) : a instanceof Error ? redactor.value(a) : a)),
        );
      },
    },
  };
}
