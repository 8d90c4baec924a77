import pino from 'pino';

/**
 * Structured JSON logs. Secrets that can reach a log line through headers or
 * configuration are redacted here once.
 */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
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
