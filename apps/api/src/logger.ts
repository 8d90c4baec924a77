import { traceLogFields } from '@payreq/telemetry';
import pino from 'pino';

/**
 * Structured JSON logs. Secrets that can reach a log line through headers or
 * configuration are redacted here once. A line logged inside a request or an outbox delivery
 * carries its trace_id, span_id and request_id.
 */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    mixin: traceLogFields,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-signature"]',
        'headers.authorization',
        '*.botToken',
        '*.password',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
  });
}
