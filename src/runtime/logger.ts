import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** Default `info`, or `EVALWATCH_LOG_LEVEL`. */
  readonly level?: string;
  /** Where logs go. Default: standard error, so standard output stays for results. */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * The structured logger (JSON lines on stderr). Secret-bearing keys are redacted wherever they
 * appear, so a config or an error object can be logged without leaking credentials.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ runId }, 'run finished');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.EVALWATCH_LOG_LEVEL ?? 'info',
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
