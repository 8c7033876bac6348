/** Structured JSON logs (pino). One logger for the service; children add `component`. */
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vantage' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: even if a secret-bearing object is logged by mistake, these paths are masked.
      redact: {
        paths: [
          '*.password',
          '*.bearer_token',
          '*.credentials',
          '*.admin_token',
          'headers.authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
        ],
        censor: '<secret>',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}

export type { Logger };
