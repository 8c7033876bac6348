/**
 * The service's logs (pino), on stderr as Prometheus and its exporters write theirs, in one of two
 * formats (`--log.format`): logfmt, the default, as go-kit prints it (`level=info ts=… msg=…`), or
 * pino's JSON lines. One logger for the service; children add `component`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { encodeLogfmt } from './logfmt.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * A pino JSON line as a logfmt line: go-kit's key order (level, ts, component, msg, then the
 * fields), an error as its message (the JSON format keeps the stack), no constant `service`.
 */
export function jsonLineToLogfmt(line: string): string {
  const {
    level,
    time,
    component,
    msg,
    service: _service,
    ...fields
  } = JSON.parse(line) as Record<string, unknown>;
  const err = fields.err as { message?: unknown } | undefined;
  if (err && typeof err === 'object' && 'message' in err) fields.err = err.message;
  return encodeLogfmt({ level, ts: time, component, msg, ...fields }) + '\n';
}

/** pino writes each JSON line to this; it passes the logfmt form on. */
function logfmtStream(out: DestinationStream | NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => void out.write(jsonLineToLogfmt(line)) };
}

export function createLogger(
  level: LogLevel = 'info',
  destination?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  // Synchronous: the last lines before an exit (a refused config, "stopped") are not lost.
  const out = destination ?? pino.destination({ dest: 2, sync: true });
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
    format === 'logfmt' ? logfmtStream(out) : (out as DestinationStream),
  );
}

export type { Logger };
