// @payreq/db: the Prisma Client (generated into ./generated/prisma), how to open the database
// (PGlite or PostgreSQL), migrations on the WebAssembly schema engine, and the seed.

// PrismaClient, the Prisma namespace, every enum (value and type), $Enums, and the model types.
export * from './generated/prisma/client';

export { createDb } from './client';
export type { CreateDbOptions, Db } from './client';

export {
  applyMigrations,
  createMigration,
  ensurePostgresDatabase,
  listMigrations,
  migrationDrift,
  MIGRATION_LOCK_KEY,
  migrationStatus,
  readMigrationsList,
  withMigrationLock,
} from './migrations';
export type {
  ApplyMigrationsResult,
  CreatedMigration,
  CreateMigrationOptions,
  MigrationDrift,
  MigrationOptions,
  MigrationStatus,
  MigrationTarget,
} from './migrations';

export {
  closePglite,
  MEMORY_URL,
  openPglite,
  pgConfigFromUrl,
  redactUrl,
  resolveDatabaseTarget,
} from './target';
export type { DatabaseTarget, ResolveTargetOptions } from './target';

export { parseSeedAgents, seed, seedConfigSchema } from './seed';
export type { SeedAgent, SeedConfig, SeedResult } from './seed';

export { defaultMigrationsDir, defaultPgliteDataDir, defaultSchemaPath } from './paths';

export { forgetRecentQueryArguments } from './query-arguments';
