import type { PrismaClient } from '@payreq/db';
import { parseSeedAgents, redactUrl, seed } from '@payreq/db';
import { startTracing } from '@payreq/telemetry';
import type { Logger } from 'pino';

import { issuePlatformToken } from './auth/platform-token';
import type { ApiEnv } from './env';
import { ConfigurationError, loadEnv, portalSettingsOf } from './env';
import { startJobs } from './jobs/scheduler';
import { createLogger } from './logger';
import { MigrationsBehindError, openDatabase } from './open-database';
import { startOnecBridge } from './outbox/onec-bridge';
import { telegramWebOrigins } from './http/security-headers';
import { buildServer } from './server';
import { createFileStore } from './storage/file-store';
import { telegramMembershipCheck } from './telegram/membership';

/** Starts the api: database (migrated and seeded), HTTP server, scheduled jobs; stops cleanly on a signal. */
async function main(): Promise<void> {
  const env = loadEnv();
  const tracing = startTracing('payreq-api', env);
  const logger = createLogger(env.LOG_LEVEL);
  const database = env.DATABASE_URL ? redactUrl(env.DATABASE_URL) : `pglite:${env.PGLITE_DATA_DIR}`;
  logger.info({ database }, 'opening the database');
  const db = await startupStep(`the database (DATABASE_URL ${database})`, () =>
    openDatabase(env, logger),
  );
  await seed(db.prisma, {
    masterTenantName: env.SEED_MASTER_TENANT_NAME,
    agents: parseSeedAgents(env.SEED_AGENTS),
  });
  if (env.NODE_ENV === 'development') await logDevelopmentTokens(db.prisma, env, logger);
  const files = await startupStep(
    env.FILE_STORE === 's3'
      ? 'the file store (FILE_STORE=s3, S3_*)'
      : 'the file store (FILE_STORAGE_DIR)',
    () => createFileStore(env),
  );
  if (env.NODE_ENV === 'production' && !env.ONEC_INBOUND_HMAC_SECRET)
    logger.warn(
      'ONEC_INBOUND_HMAC_SECRET is unset: 1C calls are checked by their API key only, not signed (apps/api/docs/onec-guide.md)',
    );
  logger.info(
    env.FILE_STORE === 's3'
      ? {
          fileStore: 's3',
          bucket: env.S3_BUCKET,
          endpoint: env.S3_ENDPOINT ?? 'AWS',
          prefix: env.S3_PREFIX || undefined,
        }
      : { fileStore: 'disk', dir: env.FILE_STORAGE_DIR },
    'file store ready',
  );

  const app = await buildServer({
    deps: {
      db: db.prisma,
      platformTokenSecret: env.PLATFORM_TOKEN_SECRET,
      now: () => new Date(),
      files,
      telegram: {
        botToken: env.TELEGRAM_BOT_TOKEN,
        initDataMaxAgeSeconds: env.INIT_DATA_MAX_AGE_SECONDS,
        botServiceToken: env.BOT_SERVICE_TOKEN,
        uploadMaxBytes: env.UPLOAD_MAX_BYTES,
        exportMaxBytes: env.EXPORT_MAX_BYTES,
        checkMembership: telegramMembershipCheck(env.TELEGRAM_API_ROOT, env.TELEGRAM_BOT_TOKEN),
      },
      portal: portalSettingsOf(env),
    },
    logger,
    onec: { documentMaxBytes: env.ONEC_DOCUMENT_MAX_BYTES, timeZone: env.ONEC_TIMEZONE },
    webappDistDir: env.WEBAPP_DIST_DIR,
    frontends: [
      {
        name: 'portal',
        prefix: '/portal/',
        distDir: env.PORTAL_DIST_DIR,
        build: 'pnpm --filter @payreq/portal build',
      },
    ],
    trustProxy: env.TRUST_PROXY,
    security: {
      frameAncestors: [
        ...telegramWebOrigins,
        ...env.FRAME_ANCESTORS,
        // Development: the Telegram stand-in on this machine frames the Mini App.
        ...(env.NODE_ENV === 'production' ? [] : ['http://127.0.0.1:*', 'http://localhost:*']),
      ],
    },
    rateLimits: {
      enabled: env.RATE_LIMITS_ENABLED,
      perMinute: {
        miniApp: env.RATE_LIMIT_MINIAPP_PER_MINUTE,
        platform: env.RATE_LIMIT_PLATFORM_PER_MINUTE,
        bot: env.RATE_LIMIT_BOT_PER_MINUTE,
        onec: env.RATE_LIMIT_ONEC_PER_MINUTE,
        anonymous: env.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      },
    },
  });
  // Listening first: a port in use stops the api before any worker has started.
  await startupStep(`listening on ${env.HOST}:${env.PORT} (HOST, PORT)`, () =>
    app.listen({ host: env.HOST, port: env.PORT }),
  );
  const onecBridge = await startOnecBridge({ env, db: db.prisma, logger });
  const jobs = env.JOBS_ENABLED
    ? startJobs({
        db: db.prisma,
        logger,
        intervalMs: env.JOBS_INTERVAL_MS,
        retention: {
          outboxDeliveredDays: env.OUTBOX_RETENTION_DAYS,
          idempotencyKeyDays: env.IDEMPOTENCY_RETENTION_DAYS,
        },
      })
    : null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await onecBridge.stop();
    await jobs?.stop();
    await app.close();
    await db.close();
    await tracing.shutdown();
    logger.info('stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean stop');
          process.exit(1);
        },
      );
    });
  }
}

/** Platform tokens for the seeded agents, so the platform procedures can be tried with curl. */
async function logDevelopmentTokens(
  prisma: PrismaClient,
  env: ApiEnv,
  logger: Logger,
): Promise<void> {
  const agents = await prisma.agent.findMany({ where: { active: true }, orderBy: { name: 'asc' } });
  for (const agent of agents) {
    const token = issuePlatformToken({ kind: 'agent', id: agent.id }, env.PLATFORM_TOKEN_SECRET);
    logger.info({ agent: agent.name }, `development token: Authorization: Bearer ${token}`);
  }
}

/**
 * One step of the start that depends on an outside system or a setting. Its failure is told as
 * the operator's next step, naming what failed and the settings behind it, not as a stack trace.
 */
async function startupStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof MigrationsBehindError || error instanceof ConfigurationError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(`The api cannot start: ${what} failed: ${reason}`, {
      cause: error,
    });
  }
}

main().catch((error: unknown) => {
  // A database that is behind, or settings production refuses, is an operator's next step, not
  // a crash: the message alone.
  const told = error instanceof MigrationsBehindError || error instanceof ConfigurationError;
  console.error(told ? error.message : error);
  process.exit(1);
});
