// Prisma-compatible migrations on the WebAssembly schema engine (see README.md):
//   tsx scripts/migrate.ts create <name> [--allow-empty]   new prisma/migrations/<timestamp>_<name>
//   tsx scripts/migrate.ts deploy                          apply pending migrations
//   tsx scripts/migrate.ts status [--drift]                compare folder and database
// The database comes from DATABASE_URL (unset: embedded PGlite at PGLITE_DATA_DIR or <repo>/.data/pglite).
import path from 'node:path';
import {
  applyMigrations,
  createMigration,
  migrationDrift,
  migrationStatus,
} from '../src/migrations';
import { packageDir } from '../src/paths';
import { redactUrl, resolveDatabaseTarget } from '../src/target';
import type { DatabaseTarget } from '../src/target';
import { readScriptEnv } from './env';

const USAGE = 'usage: migrate.ts create <name> [--allow-empty] | deploy | status [--drift]';

function describe(target: DatabaseTarget): string {
  if (target.kind === 'postgres') return `PostgreSQL ${redactUrl(target.url)}`;
  if ('client' in target) return 'PGlite';
  if (target.dataDir.startsWith('memory://')) return 'PGlite in memory (memory://)';
  const relative = path.relative(process.cwd(), target.dataDir);
  return `PGlite at ${relative && !relative.startsWith('..') ? relative : target.dataDir}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a) => !a.startsWith('--'));
  const env = readScriptEnv();
  const log = env.SCHEMA_ENGINE_LOG ? (line: string) => console.error(line) : undefined;
  const target = () =>
    resolveDatabaseTarget({ url: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR });

  switch (command) {
    case 'create': {
      const name = args[0];
      if (!name) {
        console.error(USAGE);
        return 2;
      }
      const created = await createMigration(name, { allowEmpty: flags.has('--allow-empty'), log });
      if (!created) {
        console.log(
          'No schema changes: no migration created (pass --allow-empty for an empty one).',
        );
        return 0;
      }
      console.log(`Created ${path.relative(packageDir, path.join(created.dir, 'migration.sql'))}`);
      console.log('Review it, then run `pnpm migrate:deploy` (and commit the folder).');
      return 0;
    }
    case 'deploy': {
      const t = target();
      console.log(`Applying migrations to ${describe(t)}`);
      const { applied } = await applyMigrations(t, { log });
      if (applied.length === 0) console.log('No pending migrations to apply.');
      else for (const name of applied) console.log(`  applied ${name}`);
      return 0;
    }
    case 'status': {
      const t = target();
      console.log(`Database: ${describe(t)}`);
      const status = await migrationStatus(t, { log });
      console.log(`${status.migrations.length} migration(s) found in prisma/migrations`);
      for (const name of status.unapplied) console.log(`  not yet applied: ${name}`);
      for (const name of status.unknownToFolder)
        console.log(`  applied but missing from the folder: ${name}`);
      for (const name of status.failed) console.log(`  FAILED: ${name}`);
      for (const name of status.edited) console.log(`  edited after being applied: ${name}`);
      let ok = status.upToDate;
      if (ok) console.log('Database schema is up to date!');
      if (flags.has('--drift')) {
        const drift = await migrationDrift(t, { log });
        if (drift.drifted) {
          ok = false;
          console.log(`Drift detected: ${drift.reason ?? ''}`);
        } else {
          console.log('No drift: the database matches the migrations.');
        }
      }
      return ok ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
