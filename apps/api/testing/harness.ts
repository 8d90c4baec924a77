import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { PrismaClient } from '@payreq/db';
import { createTestDb, isPostgresAvailable } from '@payreq/db/testing';
import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';
import type { Logger } from 'pino';
import pino from 'pino';

import { issuePlatformToken } from '../src/auth/platform-token';
import type { RateLimitOptions } from '../src/http/rate-limits';
import { defaultRateLimits } from '../src/http/rate-limits';
import type { Frontend } from '../src/http/webapp';
import type { OnecRestOptions } from '../src/rest/onec/routes';
import type { PortalSettings } from '../src/context';
import { defaultPortalSettings } from '../src/context';
import { buildServer } from '../src/server';
import type { FileStore } from '../src/storage/file-store';
import { LocalFileStore } from '../src/storage/file-store';
import { telegramMembershipCheck } from '../src/telegram/membership';
import type { AppRouter } from '../src/trpc/router';

import { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN, TEST_TOKEN_SECRET } from '@payreq/testing';

export { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN, TEST_TOKEN_SECRET };

export type DbKind = 'pglite' | 'postgres';

/** Which database this vitest project runs on (set per project in vitest.config.ts). */
export const dbKind = (process.env.TEST_DB ?? 'pglite') as DbKind;

/** The PostgreSQL run is skipped only where no server could be had (never in CI: the global setup fails there). */
export const skipDb = dbKind === 'postgres' && !isPostgresAvailable();

/** A settable clock, so deadline tests need no waiting. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

export interface TestApi {
  url: string;
  prisma: PrismaClient;
  clock: TestClock;
  /** The api's file store (content-addressed bytes of assets and documents). */
  files: FileStore;
  client(
    token?: string,
    headers?: Record<string, string>,
  ): ReturnType<typeof createTRPCClient<AppRouter>>;
  tokenFor(subject: { kind: 'user' | 'agent'; id: string }): string;
  close(): Promise<void>;
}

/** The real api on a real database, listening on a random local port. */
export async function startTestApi(
  kind: DbKind = dbKind,
  options: {
    onec?: Partial<OnecRestOptions>;
    webappDistDir?: string;
    /** Further built front ends (see http/webapp.ts). */
    frontends?: Frontend[];
    telegramApiRoot?: string;
    /** Default: a local-disk store in a temporary folder. */
    files?: FileStore;
    /** A database the test controls (e.g. a cluster it restarts); default: a fresh test database. */
    database?: { prisma: PrismaClient; close(): Promise<void> };
    /** Default: pino at TEST_LOG_LEVEL (silent). */
    logger?: Logger;
    /** Default: off, since suites fire thousands of calls as one person; the rate-limit test turns them on. */
    rateLimits?: RateLimitOptions;
    /** The portal's sessions and sign-in; default: `defaultPortalSettings`. */
    portal?: PortalSettings;
  } = {},
): Promise<TestApi> {
  const db = options.database ?? (await createTestDb(kind));
  const clock = new TestClock();
  // The temporary folder of the default store is the harness's to remove on close.
  const ownFilesDir = options.files ? null : await mkdtemp(path.join(tmpdir(), 'payreq-files-'));
  const files = options.files ?? new LocalFileStore(ownFilesDir!);
  const app = await buildServer({
    deps: {
      db: db.prisma,
      platformTokenSecret: TEST_TOKEN_SECRET,
      now: clock.now,
      files,
      telegram: {
        botToken: TEST_BOT_TOKEN,
        initDataMaxAgeSeconds: 3600,
        botServiceToken: TEST_BOT_SERVICE_TOKEN,
        uploadMaxBytes: 1024 * 1024,
        exportMaxBytes: 64 * 1024 * 1024,
        checkMembership: options.telegramApiRoot
          ? telegramMembershipCheck(options.telegramApiRoot, TEST_BOT_TOKEN)
          : undefined,
      },
      portal: options.portal ?? defaultPortalSettings,
    },
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    onec: options.onec,
    webappDistDir: options.webappDistDir,
    rateLimits: options.rateLimits ?? { ...defaultRateLimits, enabled: false },
    frontends: options.frontends,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    prisma: db.prisma,
    clock,
    files,
    client(token, headers = {}) {
      return createTRPCClient<AppRouter>({
        links: [
          httpLink({
            url: `${url}/trpc`,
            headers: () => ({ ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }),
          }),
        ],
      });
    },
    tokenFor: (subject) =>
      issuePlatformToken(subject, TEST_TOKEN_SECRET, 3600, clock.now().getTime()),
    async close() {
      // A keep-alive connection still finishing its last answer when close starts is not idle
      // to Fastify, and would hold the close for its keep-alive timeout (72 s, past the hook's
      // limit): after a grace the test's leftovers are cut.
      const closing = app.close();
      const cut = setTimeout(() => app.server.closeAllConnections(), 2_000);
      await closing.finally(() => clearTimeout(cut));
      await db.close();
      if (ownFilesDir) await rm(ownFilesDir, { recursive: true, force: true });
    },
  };
}

/** The error answer of a failed call: HTTP status, stable code, readable message. */
export async function failureOf(call: Promise<unknown>): Promise<{
  httpStatus: number;
  appCode: string;
  message: string;
  data: Record<string, unknown>;
}> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = (error.data ?? {}) as Record<string, unknown>;
      return {
        httpStatus: Number(data.httpStatus),
        appCode: String(data.appCode),
        message: error.message,
        data,
      };
    }
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * What the database holds, table by table: its row count and a digest of its rows, so a refused
 * call that inserted, deleted or changed anything (a row of any table, any column) shows up as
 * a difference. Every table of the schema, found as `resetDatabase` finds them: a table added
 * later is watched too.
 */
export async function footprint(prisma: PrismaClient): Promise<Record<string, string>> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'
    ORDER BY tablename`;
  const digests = await prisma.$queryRawUnsafe<{ name: string; rows: number; digest: string }[]>(
    tables
      .map(
        ({ name }) =>
          `SELECT '${name}' AS name, count(*)::int AS rows,
             md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest
           FROM "${name}" t`,
      )
      .join(' UNION ALL '),
  );
  return Object.fromEntries(digests.map((t) => [t.name, `${t.rows} rows, ${t.digest}`]));
}

/**
 * Empties every table of the schema (but Prisma's migration log) between tests: a table added
 * later is emptied too, without a list to keep up to date.
 */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
  await prisma.$executeRawUnsafe(
    `TRUNCATE ${tables.map((table) => `"${table.name}"`).join(', ')} CASCADE`,
  );
}
