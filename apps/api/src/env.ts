import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { TelemetryEnv } from '@payreq/telemetry';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

// An empty variable counts as unset (docker-compose and .env files write `X=`).
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Every setting of the api, validated once at start. Other files never read process.env. */
const ApiEnvFields = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
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
  PLATFORM_TOKEN_SECRET: z.string().min(16).default('development-only-platform-token-secret'),
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
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/)
    .default('1000000001:development-only-bot-token-xxxxxxxx'),
  /** Telegram Bot API root: the local test server by default, https://api.telegram.org in production. */
  TELEGRAM_API_ROOT: z.url().default('http://127.0.0.1:8081'),
  /** Init data older than this is refused. */
  INIT_DATA_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** The bot process calls the api with this token. */
  BOT_SERVICE_TOKEN: z.string().min(24).default('development-only-bot-service-token'),

  // 1C, outbound: the bank's HTTP service (the emulator by default)
  ONEC_BASE_URL: z.url().default('http://127.0.0.1:4020/bank'),
  ONEC_ROOT: z.string().default('payreq'),
  ONEC_USERNAME: z.string().default('payreq'),
  ONEC_PASSWORD: z.string().default('payreq'),
  ONEC_WEB_CLIENT_URL: optional(z.url()),
  ONEC_DOCUMENT_NAME: z.string().default('ЗаявкаНаПлатеж'),
  ONEC_TIMEZONE: z.string().default('Europe/Moscow'),
  ONEC_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // 1C, inbound: the REST shim's integration (seeded; the key is stored hashed)
  ONEC_INBOUND_API_KEY: z.string().min(16).default('development-only-onec-api-key'),
  ONEC_INBOUND_HMAC_SECRET: optional(z.string().min(16)),
  /** Largest document 1C may post, in bytes of the decoded file. */
  ONEC_DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),

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

export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = ApiEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid api configuration:\n${lines.join('\n')}`);
  }
  if (
    parsed.data.NODE_ENV === 'production' &&
    parsed.data.PLATFORM_TOKEN_SECRET.startsWith('development-only')
  ) {
    throw new Error(
      'Invalid api configuration:\n  PLATFORM_TOKEN_SECRET: set a real secret in production',
    );
  }
  const env = parsed.data;
  if (env.FILE_STORE === 's3') {
    const problems: string[] = [];
    if (!env.S3_BUCKET) problems.push('  S3_BUCKET: required when FILE_STORE=s3');
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY))
      problems.push(
        '  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither (the AWS SDK chain)',
      );
    if (problems.length > 0) throw new Error(`Invalid api configuration:\n${problems.join('\n')}`);
  }
  return env;
}
