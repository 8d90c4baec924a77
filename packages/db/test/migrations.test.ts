import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATION_LOCK_KEY,
  applyMigrations,
  createMigration,
  ensurePostgresDatabase,
  listMigrations,
  migrationDrift,
  migrationStatus,
} from '../src/migrations';
import { defaultMigrationsDir } from '../src/paths';
import { closePglite, openPglite, pgConfigFromUrl, withDatabase } from '../src/target';
import { createTestDb } from '../src/testing';
import { postgresUrl, scratchProject, uniqueName } from './helpers';

const committed = listMigrations();

describe('the committed migrations', () => {
  it('exist, with Prisma lock file, and create the single-master partial index', async () => {
    const names = await committed;
    expect(names.length).toBeGreaterThanOrEqual(1);
    expect(names[0]).toMatch(/^\d{14}_init$/);
    expect(readFileSync(path.join(defaultMigrationsDir, 'migration_lock.toml'), 'utf8')).toContain(
      'provider = "postgresql"',
    );
    const init = readFileSync(path.join(defaultMigrationsDir, names[0]!, 'migration.sql'), 'utf8');
    expect(init).toContain(
      'CREATE UNIQUE INDEX "Tenant_single_master_key" ON "Tenant"("isMaster") WHERE ("isMaster" = true);',
    );
  });

  it('match the schema: migrate:create finds nothing to do', async () => {
    const project = scratchProject();
    try {
      const created = await createMigration('nothing', {
        schemaPath: project.schemaPath,
        migrationsDir: project.migrationsDir,
      });
      expect(created).toBeNull();
    } finally {
      project.cleanup();
    }
  });
});

describe('deploy and status on a file-backed PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'payreq-pglite-'));
  const dataDir = path.join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports pending migrations on an empty database', async () => {
    const status = await migrationStatus({ kind: 'pglite', dataDir });
    expect(status.upToDate).toBe(false);
    expect(status.unapplied).toEqual(await committed);
  });

  it('applies every migration, then nothing', async () => {
    const first = await applyMigrations({ kind: 'pglite', dataDir });
    expect(first.applied).toEqual(await committed);
    const second = await applyMigrations({ pgliteDataDir: dataDir }); // resolved like createDb
    expect(second.applied).toEqual([]);
  });

  it('reports up to date and no drift; the data folder was closed and unlocked', async () => {
    const status = await migrationStatus({ kind: 'pglite', dataDir });
    expect(status).toMatchObject({ upToDate: true, unapplied: [], failed: [], edited: [] });
    expect(await migrationDrift({ kind: 'pglite', dataDir })).toEqual({ drifted: false });
    expect(readdirSync(dir)).toEqual(['data']); // no leftover .lock file
    const client = await openPglite(dataDir);
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
      );
      expect(rows[0]?.n).toBe((await committed).length);
      await expect(openPglite(dataDir)).rejects.toThrow(/already open/);
    } finally {
      await closePglite(client);
    }
  });
});

describe.skipIf(!postgresUrl)('deploy and status on PostgreSQL', () => {
  const admin = postgresUrl!;
  const database = uniqueName('payreq_deploy');
  const url = withDatabase(admin, database);
  afterAll(async () => {
    const client = new pg.Client(pgConfigFromUrl(admin));
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  it('creates the missing database and applies every migration, then nothing', async () => {
    expect((await applyMigrations(url)).applied).toEqual(await committed);
    expect((await applyMigrations(url)).applied).toEqual([]);
  });

  it('reports up to date, and the real schema matches the migrations (no drift)', async () => {
    expect((await migrationStatus(url)).upToDate).toBe(true);
    // Introspects PostgreSQL's catalog: proves the partial index round-trips on a real server.
    expect(await migrationDrift(url)).toEqual({ drifted: false });
  });
});

describe.skipIf(!postgresUrl)('two migrators at once on PostgreSQL', () => {
  const admin = postgresUrl!;
  const databases: string[] = [];
  const fresh = () => {
    const name = uniqueName('payreq_race');
    databases.push(name);
    return withDatabase(admin, name);
  };
  const appliedCounts = async (url: string) => {
    const client = new pg.Client(pgConfigFromUrl(url));
    await client.connect();
    try {
      const { rows } = await client.query<{ migration_name: string; count: string }>(
        'SELECT migration_name, count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL GROUP BY migration_name ORDER BY migration_name',
      );
      return Object.fromEntries(rows.map((row) => [row.migration_name, Number(row.count)]));
    } finally {
      await client.end();
    }
  };
  afterAll(async () => {
    const client = new pg.Client(pgConfigFromUrl(admin));
    await client.connect();
    for (const name of databases)
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });

  it('both succeed on a new database, and each migration is applied once', async () => {
    const url = fresh();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    const names = await committed;
    // One of them applied everything; the other waited for the lock and found nothing to do.
    expect(results.map((result) => result.applied).sort((a, b) => a.length - b.length)).toEqual([
      [],
      names,
    ]);
    expect(await appliedCounts(url)).toEqual(Object.fromEntries(names.map((name) => [name, 1])));
    expect((await migrationStatus(url)).upToDate).toBe(true);
  });

  it('a migrator waits while another holds the migration lock', async () => {
    const url = fresh();
    await ensurePostgresDatabase(url);
    const holder = new pg.Client(pgConfigFromUrl(url));
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      let done = false;
      const migrating = applyMigrations(url).finally(() => {
        done = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(done).toBe(false);
      expect((await migrationStatus(url)).unapplied).toEqual(await committed);
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      expect((await migrating).applied).toEqual(await committed);
    } finally {
      await holder.end();
    }
  });
});

describe('a schema change', () => {
  const project = scratchProject();
  let migrationName = '';
  afterAll(() => project.cleanup());

  beforeAll(async () => {
    project.editSchema(
      (s) =>
        s.replace(/model Integration \{\n/, 'model Integration {\n  description String?\n') +
        '\n/// Added by the test.\nmodel Note {\n  id        Int      @id @default(autoincrement())\n  text      String\n  createdAt DateTime @default(now()) @db.Timestamptz(3)\n}\n',
    );
  });

  it('produces a new migration with migrate:create, and only once', async () => {
    const created = await createMigration('add note', {
      schemaPath: project.schemaPath,
      migrationsDir: project.migrationsDir,
    });
    expect(created).not.toBeNull();
    migrationName = created!.name;
    expect(migrationName).toMatch(/^\d{14}_add_note$/);
    expect(migrationName > (await committed).at(-1)!).toBe(true);
    expect(created!.sql).toContain('ALTER TABLE "Integration" ADD COLUMN     "description" TEXT;');
    expect(created!.sql).toContain('CREATE TABLE "Note"');
    expect(created!.sql).not.toContain('DROP'); // the partial index is understood, not re-created
    expect(readFileSync(path.join(created!.dir, 'migration.sql'), 'utf8')).toBe(created!.sql);

    const again = await createMigration('again', {
      schemaPath: project.schemaPath,
      migrationsDir: project.migrationsDir,
    });
    expect(again).toBeNull();
  });

  it('applies on PGlite', async () => {
    const db = await createTestDb('pglite'); // already at the committed migrations
    try {
      const target = { kind: 'pglite' as const, client: db.pglite! };
      const options = { migrationsDir: project.migrationsDir, schemaPath: project.schemaPath };
      expect((await migrationStatus(target, options)).unapplied).toEqual([migrationName]);
      expect((await applyMigrations(target, options)).applied).toEqual([migrationName]);
      expect((await migrationStatus(target, options)).upToDate).toBe(true);
      await db.pglite!.query(`INSERT INTO "Note" (text) VALUES ('hello')`);
      const { rows } = await db.pglite!.query<{ text: string }>('SELECT text FROM "Note"');
      expect(rows).toEqual([{ text: 'hello' }]);
    } finally {
      await db.close();
    }
  });

  it.skipIf(!postgresUrl)('applies on PostgreSQL (from scratch)', async () => {
    const database = uniqueName('payreq_change');
    const url = withDatabase(postgresUrl!, database);
    const options = { migrationsDir: project.migrationsDir, schemaPath: project.schemaPath };
    try {
      const { applied } = await applyMigrations(url, options);
      expect(applied).toEqual([...(await committed), migrationName]);
      expect((await migrationStatus(url, options)).upToDate).toBe(true);
      const client = new pg.Client(pgConfigFromUrl(url));
      await client.connect();
      try {
        await client.query(`INSERT INTO "Note" (text) VALUES ('hello')`);
        const { rows } = await client.query('SELECT text FROM "Note"');
        expect(rows).toEqual([{ text: 'hello' }]);
      } finally {
        await client.end();
      }
    } finally {
      const client = new pg.Client(pgConfigFromUrl(postgresUrl!));
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.end();
    }
  });
});

describe('a failing migration', () => {
  const project = scratchProject();
  afterAll(() => project.cleanup());

  async function addBrokenMigration() {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const dir = path.join(project.migrationsDir, '29990101000000_broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'migration.sql'),
      'CREATE TABLE "Half" ("id" INTEGER);\nSELECT no_such_function();\n',
    );
  }

  it('is reported, rolled back as a whole, and marked failed (PGlite)', async () => {
    await addBrokenMigration();
    const db = await createTestDb('pglite');
    try {
      const target = { kind: 'pglite' as const, client: db.pglite! };
      const options = { migrationsDir: project.migrationsDir };
      await expect(applyMigrations(target, options)).rejects.toThrow(/no_such_function/);
      const status = await migrationStatus(target, options);
      expect(status.failed).toEqual(['29990101000000_broken']);
      expect(status.upToDate).toBe(false);
      const { rows } = await db.pglite!.query(`SELECT to_regclass('"Half"') AS t`);
      expect(rows).toEqual([{ t: null }]);
    } finally {
      await db.close();
    }
  });

  it.skipIf(!postgresUrl)(
    'is reported, rolled back as a whole, and marked failed (PostgreSQL)',
    async () => {
      const db = await createTestDb('postgres');
      try {
        const options = { migrationsDir: project.migrationsDir };
        await expect(applyMigrations(db.url!, options)).rejects.toThrow(/no_such_function/);
        expect((await migrationStatus(db.url!, options)).failed).toEqual(['29990101000000_broken']);
        const rows = await db.prisma.$queryRaw<
          { t: string | null }[]
        >`SELECT to_regclass('"Half"')::text AS t`;
        expect(rows).toEqual([{ t: null }]);
      } finally {
        await db.close();
      }
    },
  );
});
