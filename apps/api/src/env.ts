import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  developmentSecret,
  developmentValues,
  notLoopback,
  productionRefusal,
  sharedSettings,
} from '@payreq/contracts';
import { TelemetryEnv } from '@payreq/telemetry';
import { z } from 'zod';

import type { PortalSettings } from './context';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

// An empty variable counts as unset (docker-compose and .env files write `X=`).
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Every setting of the api, validated once at start. Other files never read process.env. */
const ApiEnvFields = z.object({
  NODE_ENV: sharedSettings.NODE_ENV.default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: embedded PGlite in PGLITE_DATA_DIR. `postgresql://...`: a real server. */
  DATABASE_URL: z.string().optional(),
  /**
   * Apply pending migrations at start (PostgreSQL). Default: yes, except in production, where
   * migrating is a step of its own (`migrate:deploy`) and the api refuses a database that is
   * behind. The embedded PGlite is always migrated at start.
   */
  MIGRATE_ON_START: optional(booleanFlag),
  PGLITE_DATA_DIR: z.string().default(path.join(repoRoot, '.data/pglite')),
  /** Signs platform session tokens (development identity and the platform UI). */
  PLATFORM_TOKEN_SECRET: z.string().min(16).default(developmentValues.PLATFORM_TOKEN_SECRET),
  SEED_MASTER_TENANT_NAME: z.string().default('Банк'),
  /** The agents' whitelist: `Name:telegramId,Name:telegramId`. */
  SEED_AGENTS: z.string().default(''),
  /** Run the scheduled jobs (deadline expiry) in this process. */
  JOBS_ENABLED: booleanFlag.default(true),
  JOBS_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),

  /** Where files (chat media, documents) live, content-addressed: `disk` or `s3`. */
  FILE_STORE: z.enum(['disk', 's3']).default('disk'),
  /** `FILE_STORE=disk`: the folder. */
  FILE_STORAGE_DIR: z.string().default(path.join(repoRoot, '.data/files')),
  /** `FILE_STORE=s3`: any S3-compatible store. Unset endpoint: AWS S3 in S3_REGION. */
  S3_ENDPOINT: optional(z.url({ protocol: /^https?$/ })),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: optional(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  /** Put before every object key, e.g. `payreq/` in a shared bucket. */
  S3_PREFIX: z.string().default(''),
  /** Both or neither; neither: the AWS SDK's own chain (AWS_* variables, profile, instance role). */
  S3_ACCESS_KEY_ID: optional(z.string().min(1)),
  S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
  /** `true` for most self-hosted stores (MinIO, Ceph): `endpoint/bucket/key` addressing. */
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  /** Largest chat upload the api takes, in bytes. */
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Largest Telegram Desktop chat export (result.json) an agent may import. */
  EXPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),

  // Telegram
  /** The bot's token: Mini App init data is signed with it. */
  TELEGRAM_BOT_TOKEN: sharedSettings.TELEGRAM_BOT_TOKEN.default(
    developmentValues.TELEGRAM_BOT_TOKEN,
  ),
  /** Telegram Bot API root: the local test server by default, https://api.telegram.org in production. */
  TELEGRAM_API_ROOT: z.url().default('http://127.0.0.1:8081'),
  /** Init data older than this is refused. */
  INIT_DATA_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** The bot process calls the api with this token. */
  BOT_SERVICE_TOKEN: sharedSettings.BOT_SERVICE_TOKEN.default(developmentValues.BOT_SERVICE_TOKEN),

  // 1C, outbound: the bank's HTTP service (the emulator by default)
  ONEC_BASE_URL: z.url().default('http://127.0.0.1:4020/bank'),
  ONEC_ROOT: z.string().default('payreq'),
  ONEC_USERNAME: z.string().default('payreq'),
  ONEC_PASSWORD: z.string().default(developmentValues.ONEC_PASSWORD),
  ONEC_WEB_CLIENT_URL: optional(z.url()),
  ONEC_DOCUMENT_NAME: z.string().default('ЗаявкаНаПлатеж'),
  ONEC_TIMEZONE: z.string().default('Europe/Moscow'),
  ONEC_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // 1C, inbound: the REST shim's integration (seeded; the key is stored hashed)
  ONEC_INBOUND_API_KEY: z.string().min(16).default(developmentValues.ONEC_INBOUND_API_KEY),
  ONEC_INBOUND_HMAC_SECRET: optional(z.string().min(16)),
  /** Largest document 1C may post, in bytes of the decoded file. */
  ONEC_DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),

  /** Production only: keep files on this machine's disk (a backed-up volume) instead of an S3 store. */
  ALLOW_LOCAL_STORAGE_IN_PRODUCTION: booleanFlag.default(false),
  /**
   * Extra origins that may show the platform's pages in a frame, besides Telegram's web client
   * (space-separated). Development adds this machine (the Telegram stand-in).
   */
  FRAME_ANCESTORS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(/^https?:\/\/[A-Za-z0-9.*-]+(:(\d+|\*))?$/, 'origins such as https://host:port'),
      ),
    ),
  /** Behind a load balancer or proxy: take the caller's address from X-Forwarded-For. */
  TRUST_PROXY: booleanFlag.default(false),
  /** Per-identity rate limits (calls a minute, per api instance); 429 with Retry-After beyond them. */
  RATE_LIMITS_ENABLED: booleanFlag.default(true),
  RATE_LIMIT_MINIAPP_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_PLATFORM_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  RATE_LIMIT_BOT_PER_MINUTE: z.coerce.number().int().positive().default(60_000),
  RATE_LIMIT_ONEC_PER_MINUTE: z.coerce.number().int().positive().default(3000),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().positive().default(300),
  /** Delivered outbox messages are deleted after this many days (undelivered ones never are). */
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /**
   * 1C's idempotency keys are deleted after this many days. It must outlast 1C's retries (the
   * developer kit gives up after 3 days), or a late retry would be applied twice.
   */
  IDEMPOTENCY_RETENTION_DAYS: z.coerce.number().int().min(4).default(30),

  // The web portal (apps/portal, served under /portal/)
  /** The built portal the api serves (`vite build` of apps/portal); missing: not served. */
  PORTAL_DIST_DIR: z.string().default(path.join(repoRoot, 'apps/portal/dist')),
  /**
   * How agents sign in to the portal, by Telegram's website login: `test-server` (the project's
   * Telegram test server's login page, offline) or `telegram` (Telegram's Login Widget). Either
   * way the api accepts only logins signed with TELEGRAM_BOT_TOKEN, so a test-server page can
   * sign nobody in to a real bot: production needs `telegram` to be usable, not to be safe.
   */
  PORTAL_LOGIN: z.enum(['test-server', 'telegram']).default('test-server'),
  /** `PORTAL_LOGIN=test-server`: the test server's address as the browser reaches it. */
  PORTAL_LOGIN_TEST_SERVER_URL: z.url().default('http://127.0.0.1:8081'),
  /** `PORTAL_LOGIN=telegram`: the bot's username (its domain is set in BotFather's /setdomain). */
  TELEGRAM_BOT_USERNAME: optional(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'a bot username'),
  ),
  /** A login confirmation older than this is refused. */
  PORTAL_LOGIN_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(600),
  /** A portal session unused this long ends. */
  PORTAL_SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 3600),
  /** A portal session's cookie is replaced by a new token after this long. */
  PORTAL_SESSION_ROTATE_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(15 * 60),

  /** The built Mini App the api serves (`vite build` of apps/webapp); missing: not served. */
  WEBAPP_DIST_DIR: z.string().default(path.join(repoRoot, 'apps/webapp/dist')),

  /** Deliver outbox messages to 1C from this process. */
  OUTBOX_WORKER_ENABLED: booleanFlag.default(true),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
  /**
   * How long a claimed message waits for a worker that went silent (killed, out of memory)
   * before another takes it over; renewed every third of it while a delivery runs.
   */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(300).default(15_000),
  /** After this many failed attempts a message is parked as dead (visible, never dropped). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),

  /** Tracing (OpenTelemetry): OTLP export only with OTEL_EXPORTER_OTLP_ENDPOINT. */
  ...TelemetryEnv.shape,
});
export const ApiEnv = ApiEnvFields.transform((env) => ({
  ...env,
  MIGRATE_ON_START: env.MIGRATE_ON_START ?? env.NODE_ENV !== 'production',
}));
export type ApiEnv = z.infer<typeof ApiEnv>;

/** A configuration the api refuses: the operator's next step, told without a stack trace. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = ApiEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid api configuration:\n${lines.join('\n')}`);
  }
  const refusal =
    parsed.data.NODE_ENV === 'production'
      ? productionRefusal('the api', productionChecks(parsed.data))
      : null;
  if (refusal) throw new ConfigurationError(refusal);
  const env = parsed.data;
  if (env.PORTAL_LOGIN === 'telegram' && !env.TELEGRAM_BOT_USERNAME)
    throw new ConfigurationError(
      'Invalid api configuration:\n  TELEGRAM_BOT_USERNAME: required when PORTAL_LOGIN=telegram (the Login Widget names the bot)',
    );
  if (env.FILE_STORE === 's3') {
    const problems: string[] = [];
    if (!env.S3_BUCKET) problems.push('  S3_BUCKET: required when FILE_STORE=s3');
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY))
      problems.push(
        '  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither (the AWS SDK chain)',
      );
    if (problems.length > 0)
      throw new ConfigurationError(`Invalid api configuration:\n${problems.join('\n')}`);
  }
  return env;
}

/**
 * What production refuses: secrets with their public development values, service URLs at this
 * machine's stand-ins, the embedded database, and local disk for files unless chosen on purpose.
 */
export function productionChecks(env: ApiEnv) {
  return [
    developmentSecret('PLATFORM_TOKEN_SECRET', env.PLATFORM_TOKEN_SECRET),
    developmentSecret('TELEGRAM_BOT_TOKEN', env.TELEGRAM_BOT_TOKEN),
    developmentSecret('BOT_SERVICE_TOKEN', env.BOT_SERVICE_TOKEN),
    developmentSecret('ONEC_INBOUND_API_KEY', env.ONEC_INBOUND_API_KEY),
    developmentSecret('ONEC_PASSWORD', env.ONEC_PASSWORD),
    notLoopback('TELEGRAM_API_ROOT', env.TELEGRAM_API_ROOT),
    notLoopback('ONEC_BASE_URL', env.ONEC_BASE_URL),
    {
      name: 'DATABASE_URL',
      problem: !env.DATABASE_URL
        ? 'unset, so the embedded PGlite database would be used: set a PostgreSQL URL'
        : env.DATABASE_URL.startsWith('memory://')
          ? 'memory:// keeps every request in this process only, lost at the next restart: set a PostgreSQL URL'
          : null,
    },
    {
      name: 'FILE_STORE',
      problem:
        env.FILE_STORE === 'disk' && !env.ALLOW_LOCAL_STORAGE_IN_PRODUCTION
          ? 'disk keeps files on this machine only: use FILE_STORE=s3, or set ALLOW_LOCAL_STORAGE_IN_PRODUCTION=true for a backed-up volume'
          : null,
    },
  ];
}

/** The portal's part of the api's dependencies. */
export function portalSettingsOf(env: ApiEnv): PortalSettings {
  return {
    session: {
      ttlSeconds: env.PORTAL_SESSION_TTL_SECONDS,
      rotateAfterSeconds: env.PORTAL_SESSION_ROTATE_SECONDS,
      secure: env.NODE_ENV === 'production',
    },
    login: {
      provider: env.PORTAL_LOGIN,
      testServerUrl: env.PORTAL_LOGIN_TEST_SERVER_URL,
      botUsername: env.TELEGRAM_BOT_USERNAME ?? null,
      maxAgeSeconds: env.PORTAL_LOGIN_MAX_AGE_SECONDS,
    },
  };
}
