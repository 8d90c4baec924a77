import type { PGlite } from '@electric-sql/pglite';
import { postgresClientAdapter, PgliteAdapterFactory } from './adapters';
import { PrismaClient } from './generated/prisma/client';
import type { Prisma } from './generated/prisma/client';
import { applyMigrations } from './migrations';
import type { MigrationOptions } from './migrations';
import { closePglite, openPglite, pgConfigFromUrl, resolveDatabaseTarget } from './target';

export interface CreateDbOptions {
  /**
   * `postgresql://…` (PostgreSQL), `memory://` (in-memory PGlite), or unset: the file-backed embedded
   * PGlite. Defaults to `DATABASE_URL`.
   */
  url?: string;
  /** Data folder of the embedded PGlite. Defaults to `PGLITE_DATA_DIR`, then `<repo>/.data/pglite`. */
  pgliteDataDir?: string;
  /** Apply pending migrations before returning (for the api at startup, and for `memory://`). */
  migrate?: boolean | MigrationOptions;
  /** Prisma Client log levels. */
  log?: Prisma.LogLevel[];
}

export interface Db {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** The embedded database, when `kind` is `pglite` (for raw SQL, dumps…). */
  pglite?: PGlite;
  /** Disconnects Prisma and closes PGlite (a file-backed PGlite left open keeps Node alive). */
  close(): Promise<void>;
}

/**
 * Opens the database and a Prisma Client on it (`new PrismaClient({ adapter })`):
 * PGlite through pglite-prisma-adapter, PostgreSQL through @prisma/adapter-pg.
 * One file-backed PGlite per data folder and process: a second `createDb` on the same folder throws.
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Db> {
  const target = resolveDatabaseTarget({
    url: options.url,
    pgliteDataDir: options.pgliteDataDir,
  });
  const migrationOptions = typeof options.migrate === 'object' ? options.migrate : {};

  if (target.kind === 'postgres') {
    if (options.migrate) await applyMigrations(target, migrationOptions);
    const prisma = new PrismaClient({
      adapter: postgresClientAdapter(pgConfigFromUrl(target.url)),
      log: options.log,
    });
    return {
      prisma,
      kind: 'postgres',
      close: once(() => prisma.$disconnect()),
    };
  }

  const owned = 'dataDir' in target;
  const pglite = 'client' in target ? target.client : await openPglite(target.dataDir);
  try {
    if (options.migrate)
      await applyMigrations({ kind: 'pglite', client: pglite }, migrationOptions);
  } catch (error) {
    if (owned) await closePglite(pglite);
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PgliteAdapterFactory(pglite), log: options.log });
  return {
    prisma,
    kind: 'pglite',
    pglite,
    close: once(async () => {
      try {
        await prisma.$disconnect();
      } finally {
        if (owned) await closePglite(pglite);
      }
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
