import { Writable } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveAlertsConfig } from '../../src/alerts/config.ts';
import { createRedactor, ibanValid, luhnValid, pinoRedaction } from '../../src/alerts/redact.ts';
import { routeFindings } from '../../src/alerts/router.ts';
import { createFileSink, deliverInline } from '../../src/alerts/sink.ts';
import { createFsStore } from '../../src/store/fs-store.ts';
import { finding, HOUR, report, T0 } from './fixtures.ts';

/** Secrets and personal data that must never leave: each must be gone from every output. */
const LEAKS = [
  'jane.doe@example.com',
  'j.smith+billing@mail.co.uk',
  '+44 20 7946 0958',
  '+1 (415) 555-0132',
  '415-555-0199',
  '4111 1111 1111 1111',
  '5500-0000-0000-0004',
  '378282246310005',
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  'FR1420041010050500013M02606',
  'sk-proj-Abc123def456GHI789jkl012MNO345',
  'sk-ant-api03-abcdefghijklmnopqrstuv',
  'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'AKIAIOSFODNN7EXAMPLE',
  'AIzaSyA1234567890abcdefghijklmnopqrstuv',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'Bearer abcdef0123456789abcdef',
  'postgres://admin:hunter2@db.internal:5432/app',
  'password=CorrectHorseBattery',
  '"api_key": "zz9-plural-z-alpha"',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----',
  'CUST-99812345',
];
/** The parts of each leak that identify it (what a reader could use). */
const SECRET_PARTS = [
  'jane.doe@example.com', 'j.smith+billing@mail.co.uk', '7946 0958', '555-0132', '555-0199', '4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005',
  'DE89 3704', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'Abc123def456GHI789jkl012MNO345', 'abcdefghijklmnopqrstuv', 'AbCdEfGhIjKlMnOpQrStUvWx',
  'ghp_abcdefghij', 'AKIAIOSFODNN7EXAMPLE', 'AIzaSyA1234567890', 'dozjgNryP4J3jVmNHl0w5N', 'abcdef0123456789abcdef', 'hunter2', 'CorrectHorseBattery', 'zz9-plural-z-alpha', 'MIIEowIBAAKCAQEA7', 'CUST-99812345',
];
/** Look-alikes that must survive: numbers a person needs to read the alert. */
const KEEP = ['312 → 420 (+35%)', '2026-11-23T14:00:00Z', 'n = 4,812 vs 31,204', 'order 1234567890123', 'q < 1e-6', 'v1.2.3', 'DE00 1234 5678 9012 3456 78', '4111 1111 1111 1112'];

describe('redaction', () => {
  const r = createRedactor({ patterns: ['CUST-\\d{8}'] });

  it('checks cards with Luhn and IBANs with mod-97', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE00123456789012345678')).toBe(false);
  });

  it('removes every item of the corpus and keeps the look-alikes', () => {
    const text = LEAKS.map((l) => `see ${l} here`).join('\n');
    const out = r.text(text);
    for (const s of SECRET_PARTS) expect(out, s).not.toContain(s);
    const kept = r.text(KEEP.join(' | '));
    for (const k of KEEP) expect(kept).toContain(k);
  });

  it('blanks secret-named keys and walks nested values', () => {
    const v = r.value({ headers: { authorization: 'Basic abc' }, token: 'x', nested: [{ note: 'mail jane.doe@example.com' }], n: 3 });
    expect(v).toEqual({ headers: { authorization: '[redacted]' }, token: '[redacted]', nested: [{ note: 'mail [email]' }], n: 3 });
  });

  it('0 leaks from a finding full of the corpus into Slack payloads, the sink file and the console', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalwatch-redact-'));
    try {
      const config = resolveAlertsConfig({ redaction: { patterns: ['CUST-\\d{8}'] }, links: [{ label: 'Logs', url: 'https://logs.example.com/?ids={request_ids}' }] });
      const all = LEAKS.join(' ; ');
      const f = finding({
        summary: `refusals up for ${all}`,
        subject: `subject ${LEAKS[0]}`,
        examples: ['req-1', `req-${LEAKS[0]}`],
        current: { p50: 420, snippets: Object.fromEntries(LEAKS.slice(0, 10).map((l, i) => [`req-${i}`, `user said: ${l}`])), note: all, models: { [LEAKS[15] as string]: 3 } },
        baseline: { p50: 312 },
        links: [{ label: `open ${LEAKS[0]}`, url: `https://x.example.com/?email=${LEAKS[0]}` }],
      });
      const res = routeFindings({ runReport: report(T0 + HOUR, [f]), now: T0 + HOUR, config, incidents: [] });
      const chunks: string[] = [];
      const consoleOut = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
      const path = join(dir, 'alerts.jsonl');
      const store = createFsStore({ root: join(dir, 'store'), fsync: false });
      const written = await deliverInline(res.actions, createFileSink({ path, console: consoleOut }), { store, render: { config, redactor: createRedactor(config.redaction) } });
      expect(written).toBeGreaterThan(0);
      const outputs = [await readFile(path, 'utf8'), chunks.join(''), JSON.stringify(res.incidents)];
      // Check both the raw and the JSON-escaped form of each secret.
      for (const out of outputs) for (const s of SECRET_PARTS) {
        expect(out, s).not.toContain(s);
        expect(out, s).not.toContain(JSON.stringify(s).slice(1, -1));
      }
      // Run again: the store makes inline delivery exactly-once too.
      expect(await deliverInline(res.actions, createFileSink({ path, console: null }), { store, render: { config, redactor: createRedactor(config.redaction) } })).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tells a shared object from a cycle', () => {
    const shared = [{ label: 'gpt-4o', share: 1 }];
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const out = createRedactor().value({ baseline: shared, current: shared, cyclic });
    expect(out).toEqual({ baseline: shared, current: shared, cyclic: { a: 1, self: '[circular]' } });
  });

  it('redacts log lines through the pino helper', () => {
    const lines: string[] = [];
    const dest = new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } });
    const logger = pino({ level: 'info', ...pinoRedaction(createRedactor()) }, dest);
    logger.info({ prompt: `call ${LEAKS[2]}`, err: new Error(`bad key ${LEAKS[11]}`) }, `user ${LEAKS[0]} token ${LEAKS[18]}`);
    const out = lines.join('');
    for (const s of [SECRET_PARTS[0], SECRET_PARTS[2], SECRET_PARTS[11], SECRET_PARTS[18]]) expect(out).not.toContain(s as string);
    expect(out).toContain('[email]');
  });
});
