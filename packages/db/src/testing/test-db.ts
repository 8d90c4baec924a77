import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PgliteAdapterFactory, postgresClientAdapter } from '../adapters';
import { PrismaClient } from '../generated/prisma/client';
import { applyMigrations, quoteIdent, readMigrationsList } from '../migrations';
import { defaultMigrationsDir } from '../paths';
import { cachedDump, dumpPglite, openMemoryPglite, pgliteVersion } from '../pglite-cache';
import { pgConfigFromUrl, redactUrl, withDatabase } from '../target';
import { readTestingEnv } from './env';

export type TestDbKind = 'pglite' | 'postgres';

export interface TestDb {
  kind: TestDbKind;
  prisma: PrismaClient;
  /** URL of the fresh database (PostgreSQL only). */
  url?: string;
  /** The in-memory database (PGlite only), for raw SQL. */
  pglite?: PGlite;
  /** Disconnects, then drops the database (PostgreSQL) or closes PGlite. Safe to call twice. */
  close(): Promise<void>;
}

export interface CreateTestDbOptions {
  /** Migrations to apply (default: the package's `prisma/migrations`). */
  migrationsDir?: string;
}

/**
 * A fresh, migrated, empty database of the given kind, with a Prisma Client on it.
 *
 * - `pglite`: in-memory PGlite loaded from a migrated template (built once with the real
 *   `applyMigrations`, then cached as a data-folder dump in `packages/db/.cache`; its name is a
 *   hash of the migrations and the PGlite version). About 0.5 s per call instead of ~3 s.
 * - `postgres`: `CREATE DATABASE … TEMPLATE <migrated template database>` on the server at
 *   `TEST_POSTGRES_URL` (set it yourself, or let the globalSetup start a throwaway server); the
 *   database is dropped on `close()`.
 */
export async function createTestDb(
  kind: TestDbKind = 'pglite',
  options: CreateTestDbOptions = {},
): Promise<TestDb> {
  const migrationsDir = path.resolve(options.migrationsDir ?? defaultMigrationsDir);
  return kind === 'postgres'
    ? createPostgresTestDb(migrationsDir)
    : createPgliteTestDb(migrationsDir);
}

/** True when `createTestDb('postgres')` can run (`TEST_POSTGRES_URL` is set, e.g. by the globalSetup). */
export function isPostgresAvailable(): boolean {
  return readTestingEnv().TEST_POSTGRES_URL !== undefined;
}

/** Hash of the migrations (names and contents): names the templates, so edits rebuild them. */
async function migrationsKey(migrationsDir: string): Promise<string> {
  const list = await readMigrationsList(migrationsDir);
  const hash = createHash('sha256');
  for (const dir of list.migrationDirectories) {
    const content = dir.migrationFile.content;
    hash.update(`\0${dir.path}\0${content.tag === 'ok' ? content.value : ''}`);
  }
  return hash.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------- PGlite

/** Dump of an in-memory PGlite migrated with the real `applyMigrations` (cached, see pglite-cache). */
async function pgliteTemplate(migrationsDir: string): Promise<Blob> {
  const key = await migrationsKey(migrationsDir);
  return cachedDump(`pglite-template-${pgliteVersion()}-${key}`, async () => {
    const client = await openMemoryPglite();
    try {
      await applyMigrations({ kind: 'pglite', client }, { migrationsDir });
      return await dumpPglite(client);
    } finally {
      await client.close();
    }
  });
}

/**
 * A test database's `close`: disconnects Prisma, then releases the database even when the
 * disconnect failed. Calling it again returns the first call's promise.
 */
function closeOnce(prisma: PrismaClient, release: () => Promise<void>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= (async () => {
      try {
        await prisma.$disconnect();
      } finally {
        await release();
      }
    })());
}

async function createPgliteTestDb(migrationsDir: string): Promise<TestDb> {
  const pglite = await openMemoryPglite(await pgliteTemplate(migrationsDir));
  const prisma = new PrismaClient({ adapter: new PgliteAdapterFactory(pglite) });
  return { kind: 'pglite', prisma, pglite, close: closeOnce(prisma, () => pglite.close()) };
}

// ---------------------------------------------------------------- PostgreSQL

const postgresTemplates = new Map<string, Promise<string>>();
/** Any constant: serialises template builds across test workers. */
const TEMPLATE_LOCK = 727_001;
let counter = 0;

function adminUrl(): string {
  const url = readTestingEnv().TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      "createTestDb('postgres') needs TEST_POSTGRES_URL (an admin URL such as postgresql://postgres@127.0.0.1:5432/postgres), " +
        'or the globalSetup @payreq/db/testing/global-setup-postgres to start a throwaway server. ' +
        'Skip PostgreSQL tests with isPostgresAvailable().',
    );
  }
  return url;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Name of a migrated template database on the admin server, created (once, under a lock) if missing. */
function postgresTemplate(admin: string, migrationsDir: string): Promise<string> {
  const mapKey = `${admin}\0${migrationsDir}`;
  const cached = postgresTemplates.get(mapKey);
  if (cached) return cached;
  const promise = (async () => {
    const key = await migrationsKey(migrationsDir);
    const name = `payreq_tpl_${key}`;
    await withAdmin(admin, async (client) => {
      await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
      try {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount) return;
        const building = `${name}_building`;
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${quoteIdent(building)}`);
        await applyMigrations(withDatabase(admin, building), { migrationsDir });
        await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
        // Templates of older migration sets are useless now.
        const stale = await client.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname LIKE 'payreq\\_tpl\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_building'",
          [name],
        );
        for (const row of stale.rows) {
          await client
            .query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`)
            .catch(() => undefined);
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
      }
    });
    return name;
  })();
  postgresTemplates.set(mapKey, promise);
  promise.catch(() => postgresTemplates.delete(mapKey));
  return promise;
}

async function createPostgresTestDb(migrationsDir: string): Promise<TestDb> {
  const admin = adminUrl();
  const template = await postgresTemplate(admin, migrationsDir);
  const name = `payreq_test_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  await withAdmin(admin, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`),
  );
  const url = withDatabase(admin, name);
  const prisma = new PrismaClient({ adapter: postgresClientAdapter(pgConfigFromUrl(url)) });
  const drop = async () => {
    await withAdmin(admin, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
    ).catch((error: unknown) => {
      throw new Error(`Could not drop test database ${name} on ${redactUrl(admin)}`, {
        cause: error,
      });
    });
  };
  return { kind: 'postgres', prisma, url, close: closeOnce(prisma, drop) };
}
