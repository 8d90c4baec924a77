import { traceLogFields } from '@payreq/telemetry';
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

const TOKEN_IN_URL = /\/(file\/)?(bot|user)\d+:[A-Za-z0-9_-]+/g;
const BARE_TOKEN = /\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g;

/** Removes the bot token (bare or inside Bot API / file URLs) and the given secrets from a text. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(TOKEN_IN_URL, (_match, file: string | undefined, mode: string) => {
    return `/${file ?? ''}${mode}<redacted>`;
  });
  out = out.replace(BARE_TOKEN, '<redacted>');
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join('<redacted>');
  }
  return out;
}

function redactDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, secrets);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, secrets, depth + 1);
  return out;
}

/**
 * An error as one log object: name, message, code, Telegram's description and parameters,
 * the cause; never the request payload telegraf keeps on its errors (file bytes, tokens).
 */
export function serializeError(error: unknown, secrets: readonly string[] = []): unknown {
  if (!(error instanceof Error)) return redactDeep(error, secrets);
  const e = error as Error & {
    code?: unknown;
    response?: { error_code?: unknown; description?: unknown; parameters?: unknown };
    data?: { httpStatus?: unknown; appCode?: unknown };
    status?: unknown;
    cause?: unknown;
  };
  const out: Record<string, unknown> = {
    type: e.name !== 'Error' ? e.name : e.constructor.name,
    message: redact(e.message, secrets),
  };
  if (e.code !== undefined) out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  if (e.response && typeof e.response === 'object') {
    out.telegram = {
      error_code: e.response.error_code,
      description:
        typeof e.response.description === 'string'
          ? redact(e.response.description, secrets)
          : undefined,
      parameters: e.response.parameters,
    };
  }
  if (e.data && typeof e.data === 'object' && 'httpStatus' in e.data) {
    out.api = { httpStatus: e.data.httpStatus, appCode: e.data.appCode };
  }
  if (e.stack) out.stack = redact(e.stack, secrets);
  if (e.cause !== undefined && e.cause !== error) out.cause = serializeError(e.cause, secrets);
  return out;
}

/**
 * The bot's logger: JSON lines (pino); the bot token, the service token and the webhook
 * secret never reach the output, wherever they hide (messages, URLs, error stacks).
 */
export function createLogger(options: {
  level: string;
  secrets: readonly string[];
  name?: string;
  /** Where the lines go (stdout by default). */
  destination?: pino.DestinationStream;
}): Logger {
  const secrets = options.secrets.filter((secret) => secret.length >= 8);
  const pinoOptions: pino.LoggerOptions = {
    name: options.name ?? 'payreq-bot',
    level: options.level,
    // A delivery's lines carry the trace of the change that wrote its message.
    mixin: traceLogFields,
    serializers: { err: (error: unknown) => serializeError(error, secrets) },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((arg, index) =>
          index === 0 && arg instanceof Error
            ? { err: arg }
            : typeof arg === 'object' && arg !== null && !(arg instanceof Error)
              ? redactDeep(arg, secrets)
              : typeof arg === 'string'
                ? redact(arg, secrets)
                : arg,
        );
        method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
