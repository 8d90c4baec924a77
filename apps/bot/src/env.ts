import {
  developmentSecret,
  notLoopback,
  productionRefusal,
  sharedSettings,
} from '@payreq/contracts';
import { TelemetryEnv } from '@payreq/telemetry';
import { z } from 'zod';

/**
 * The bot's configuration: the only place that reads `process.env`. Everything else gets a
 * validated `BotConfig`. Production differs from the local demo by configuration alone
 * (TELEGRAM_API_ROOT=https://api.telegram.org, BOT_MODE=webhook, real URLs and secrets).
 */

// An empty variable counts as unset (docker-compose and .env files write `X=`).
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), schema);

const httpUrl = z.url({ protocol: /^https?$/ });
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

export const BotEnv = z
  .object({
    /** production: refuses the repository's development secrets and a Telegram on this machine. */
    NODE_ENV: withDefault(sharedSettings.NODE_ENV, 'development'),
    /** `<bot id>:<secret>` from @BotFather. Never logged. */
    TELEGRAM_BOT_TOKEN: sharedSettings.TELEGRAM_BOT_TOKEN,
    /** The Bot API: the project's test server locally, https://api.telegram.org in production. */
    TELEGRAM_API_ROOT: withDefault(httpUrl, 'http://127.0.0.1:8081'),
    /** The bot's @username, for t.me links; asked with getMe when unset. */
    BOT_USERNAME: optional(
      z
        .string()
        .transform((value) => value.replace(/^@/, ''))
        .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/)),
    ),
    /** The Mini App's short name (`t.me/<bot>/<app>`); unset: the bot's main Mini App (`t.me/<bot>?startapp=`). */
    MINI_APP_SHORT_NAME: optional(z.string().regex(/^[A-Za-z0-9_]{3,30}$/)),
    /** The Mini App's https URL, for the `web_app` buttons of private chats. */
    WEBAPP_URL: optional(httpUrl),
    API_URL: withDefault(httpUrl, 'http://127.0.0.1:3000'),
    /** The api's service token for the bot (`Authorization: Bearer ...`). Never logged. */
    BOT_SERVICE_TOKEN: sharedSettings.BOT_SERVICE_TOKEN,
    BOT_MODE: withDefault(z.enum(['polling', 'webhook']), 'polling'),
    /** Public https base URL Telegram posts updates to (webhook mode), e.g. https://bot.example.com */
    WEBHOOK_URL: optional(httpUrl),
    WEBHOOK_PATH: withDefault(z.string().regex(/^\/[A-Za-z0-9/_.-]*$/), '/telegram/webhook'),
    /** Checked against `X-Telegram-Bot-Api-Secret-Token` on every webhook call. */
    WEBHOOK_SECRET: optional(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/)),
    /** Parallel webhook deliveries Telegram may make; 1 keeps every chat's updates in order. */
    WEBHOOK_MAX_CONNECTIONS: withDefault(int(1, 100), 1),
    HOST: withDefault(z.string().min(1), '0.0.0.0'),
    PORT: withDefault(int(0, 65_535), 8443),
    /**
     * The ops listener (`GET /healthz`, `GET /metrics`) on HOST:OPS_PORT, in either mode; 0: any
     * free port (logged). Unset: none in polling mode; in webhook mode both are served on the
     * webhook server's port.
     */
    OPS_PORT: optional(int(0, 65_535)),
    /** /healthz answers 503 once Telegram or the api has been failing this long (polling: or no getUpdates answer for this plus the 25 s long poll). */
    HEALTH_STALE_MS: withDefault(int(1_000, 3_600_000), 120_000),
    LOG_LEVEL: withDefault(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      'info',
    ),
    /** How often the delivery loop asks the api for Telegram messages to send. */
    DELIVERY_POLL_MS: withDefault(int(50, 600_000), 2_000),
    DELIVERY_ENABLED: withDefault(flag, 'true'),
    /** How long a claimed outbox message is the bot's (must exceed a send plus its report). */
    DELIVERY_LEASE_MS: withDefault(int(5_000, 30 * 60_000), 120_000),
    DELIVERY_BATCH: withDefault(int(1, 100), 10),
    /** A Telegram send that has not answered in this time has an unknown outcome. */
    TELEGRAM_SEND_TIMEOUT_MS: withDefault(int(1_000, 600_000), 30_000),
    API_TIMEOUT_MS: withDefault(int(1_000, 600_000), 30_000),
    /** On SIGTERM: how long in-flight updates may keep retrying before the bot exits (they stay in the journal). */
    SHUTDOWN_GRACE_MS: withDefault(int(0, 600_000), 10_000),
    /** Tracing (OpenTelemetry): OTLP export only with OTEL_EXPORTER_OTLP_ENDPOINT. */
    ...TelemetryEnv.shape,
    /**
     * The update journal's folder (local disk, one bot process per folder): every update is
     * written here before Telegram is told it arrived, and handled from here once the api takes it.
     */
    JOURNAL_DIR: withDefault(z.string().min(1), '.data/bot-journal'),
    /** The journal's limit (pending updates' bytes): at it the bot acknowledges nothing more, Telegram keeps the rest. */
    JOURNAL_MAX_BYTES: withDefault(int(64 * 1024, 64 * 1024 ** 3), 256 * 1024 ** 2),
    /**
     * Telegram's sending limits, kept below: at most SEND_LIMIT_PER_CHAT messages to one chat in
     * SEND_LIMIT_PER_CHAT_WINDOW_MS (Telegram: 20 a minute to a group) and SEND_LIMIT_OVERALL in
     * SEND_LIMIT_OVERALL_WINDOW_MS (Telegram: about 30 a second), spaced evenly.
     */
    SEND_LIMIT_PER_CHAT: withDefault(int(1, 10_000), 20),
    SEND_LIMIT_PER_CHAT_WINDOW_MS: withDefault(int(1, 3_600_000), 60_000),
    SEND_LIMIT_OVERALL: withDefault(int(1, 10_000), 30),
    SEND_LIMIT_OVERALL_WINDOW_MS: withDefault(int(1, 3_600_000), 1_000),
  })
  .superRefine((env, ctx) => {
    if (env.BOT_MODE !== 'webhook') return;
    if (env.OPS_PORT !== undefined && env.OPS_PORT !== 0 && env.OPS_PORT === env.PORT)
      ctx.addIssue({
        code: 'custom',
        path: ['OPS_PORT'],
        message:
          'must differ from PORT in webhook mode (unset: /healthz and /metrics on the webhook port)',
      });
    if (!env.WEBHOOK_URL)
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'required in webhook mode' });
    if (!env.WEBHOOK_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET'],
        message: 'required in webhook mode (16-256 of [A-Za-z0-9_-])',
      });
  });
export type BotEnv = z.output<typeof BotEnv>;

export interface BotConfig {
  token: string;
  apiRoot: string;
  botUsername: string | null;
  miniAppShortName: string | null;
  webappUrl: string | null;
  apiUrl: string;
  serviceToken: string;
  mode: 'polling' | 'webhook';
  webhook: {
    url: string;
    path: string;
    secret: string;
    host: string;
    port: number;
    maxConnections: number;
  } | null;
  /** The ops listener (/healthz, /metrics); `port` null: none of its own. Unset: the defaults. */
  ops?: {
    host: string;
    port: number | null;
    staleMs: number;
  };
  logLevel: BotEnv['LOG_LEVEL'];
  delivery: {
    enabled: boolean;
    pollMs: number;
    leaseMs: number;
    batchSize: number;
  };
  telegramSendTimeoutMs: number;
  apiTimeoutMs: number;
  shutdownGraceMs: number;
  /** OpenTelemetry's settings (see @payreq/telemetry); unset in tests: no tracing. */
  telemetry?: TelemetryEnv;
  journal: { dir: string; maxBytes: number };
  /** Sends kept below Telegram's limits: `max` messages per `windowMs`, per chat and overall. */
  sendLimits: {
    perChat: { max: number; windowMs: number };
    overall: { max: number; windowMs: number };
  };
}

/** Validates the environment (or any record of the same variables, e.g. in tests). */
export function loadConfig(source: Record<string, string | undefined> = process.env): BotConfig {
  const parsed = BotEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid bot configuration: ${problems}`);
  }
  const env = parsed.data;
  const refusal =
    env.NODE_ENV === 'production'
      ? productionRefusal('the bot', [
          developmentSecret('TELEGRAM_BOT_TOKEN', env.TELEGRAM_BOT_TOKEN),
          developmentSecret('BOT_SERVICE_TOKEN', env.BOT_SERVICE_TOKEN),
          notLoopback('TELEGRAM_API_ROOT', env.TELEGRAM_API_ROOT),
        ])
      : null;
  if (refusal) throw new Error(refusal);
  return {
    token: env.TELEGRAM_BOT_TOKEN,
    apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    botUsername: env.BOT_USERNAME ?? null,
    miniAppShortName: env.MINI_APP_SHORT_NAME ?? null,
    webappUrl: env.WEBAPP_URL ?? null,
    apiUrl: env.API_URL.replace(/\/+$/, ''),
    serviceToken: env.BOT_SERVICE_TOKEN,
    mode: env.BOT_MODE,
    webhook:
      env.BOT_MODE === 'webhook' && env.WEBHOOK_URL && env.WEBHOOK_SECRET
        ? {
            url: env.WEBHOOK_URL.replace(/\/+$/, ''),
            path: env.WEBHOOK_PATH,
            secret: env.WEBHOOK_SECRET,
            host: env.HOST,
            port: env.PORT,
            maxConnections: env.WEBHOOK_MAX_CONNECTIONS,
          }
        : null,
    ops: { host: env.HOST, port: env.OPS_PORT ?? null, staleMs: env.HEALTH_STALE_MS },
    logLevel: env.LOG_LEVEL,
    delivery: {
      enabled: env.DELIVERY_ENABLED,
      pollMs: env.DELIVERY_POLL_MS,
      leaseMs: env.DELIVERY_LEASE_MS,
      batchSize: env.DELIVERY_BATCH,
    },
    telegramSendTimeoutMs: env.TELEGRAM_SEND_TIMEOUT_MS,
    apiTimeoutMs: env.API_TIMEOUT_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    telemetry: {
      OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      OTEL_EXPORTER_OTLP_HEADERS: env.OTEL_EXPORTER_OTLP_HEADERS,
      OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME,
      OTEL_SDK_DISABLED: env.OTEL_SDK_DISABLED,
    },
    journal: { dir: env.JOURNAL_DIR, maxBytes: env.JOURNAL_MAX_BYTES },
    sendLimits: {
      perChat: { max: env.SEND_LIMIT_PER_CHAT, windowMs: env.SEND_LIMIT_PER_CHAT_WINDOW_MS },
      overall: { max: env.SEND_LIMIT_OVERALL, windowMs: env.SEND_LIMIT_OVERALL_WINDOW_MS },
    },
  };
}
