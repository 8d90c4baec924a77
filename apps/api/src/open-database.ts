import type { Db } from '@payreq/db';
import { applyMigrations, createDb, migrationStatus, resolveDatabaseTarget } from '@payreq/db';
import type { Logger } from 'pino';

import type { ApiEnv } from './env';

/** The one command that brings a database's migrations up to date (also the containers' job). */
export const MIGRATE_COMMAND = 'pnpm --filter @payreq/db migrate:deploy';

/** The api was asked to start on a database whose migrations are not all applied. */
export class MigrationsBehindError extends Error {
  override readonly name = 'MigrationsBehindError';
  constructor(readonly problems: string[]) {
    super(
      `The database is not migrated up to date, so the api does not start:\n${problems.map((line) => `  ${line}`).join('\n')}\n` +
        `Apply the migrations first, as a step of its own: ${MIGRATE_COMMAND}\n` +
        '(in a container image: node dist/migrate.js deploy; see docs/deploy.md). ' +
        'Set MIGRATE_ON_START=true to let the api migrate by itself instead.',
    );
  }
}

/**
 * Opens the api's database. The embedded PGlite, and PostgreSQL with `MIGRATE_ON_START`
 * (the default outside production), are migrated here, under the migrators' advisory lock.
 * Otherwise migrating is a step of its own (`migrate:deploy`, the migration job): the api only
 * checks that nothing is pending and refuses to start, naming what is, when something is.
 */
export async function openDatabase(env: ApiEnv, logger?: Logger): Promise<Db> {
  const options = { url: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR };
  const target = resolveDatabaseTarget(options);
  if (target.kind === 'pglite') return createDb({ ...options, migrate: true });
  if (env.MIGRATE_ON_START) {
    const { applied } = await applyMigrations(target);
    logger?.info({ applied }, 'migrations applied at start (MIGRATE_ON_START)');
    return createDb(options);
  }
  const status = await migrationStatus(target);
  if (!status.upToDate) {
    const problems = [
      ...status.unapplied.map((name) => `not applied: ${name}`),
      ...status.failed.map((name) => `failed: ${name}`),
      ...status.edited.map((name) => `edited after it was applied: ${name}`),
      ...status.unknownToFolder.map((name) => `applied, but unknown to this build: ${name}`),
    ];
    if (problems.length === 0) problems.push('no migration has been applied yet');
    throw new MigrationsBehindError(problems);
  }
  logger?.info({ migrations: status.migrations.length }, 'migrations checked: up to date');
  return createDb(options);
}
