import { pino, type DestinationStream, type Logger } from 'pino';
import { createRedactor, pinoRedaction, type RedactorOptions } from '../alerts/redact.ts';

export interface LoggerOptions {
  /** Default `info`, or `EVALWATCH_LOG_LEVEL`. */
  readonly level?: string;
  /** Where logs go. Default: standard error, so standard output stays for results. */
  readonly destination?: NodeJS.WritableStream;
  /** Extra patterns / disabled detectors (`alerts.redaction`). Default: the built-in detectors. */
  readonly redaction?: RedactorOptions;
}

/**
 * The structured logger (JSON lines on stderr). Secret-bearing keys are blanked wherever they
 * appear, and personal data and tokens inside free text (an error quoting a prompt, a URL with a
 * key) are redacted by the same detectors as Slack payloads.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ runId }, 'run finished');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.EVALWATCH_LOG_LEVEL ?? 'info',
      ...pinoRedaction(createRedactor(options.redaction)),
      base: { svc: 'evalwatch' },
      redact: {
        paths: [
          '*.apiKey',
          '*.token',
          '*.password',
          '*.secretAccessKey',
          '*.authorization',
          '*.headers.authorization',
          'apiKey',
          'token',
          'password',
        ],
        censor: '[redacted]',
      },
    },
    (options.destination ?? process.stderr) as DestinationStream,
  );
}

/** A logger that drops everything: for tests and library callers that log nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
