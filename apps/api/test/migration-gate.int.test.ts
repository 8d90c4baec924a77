import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { applyMigrations, createDb, ensurePostgresDatabase, listMigrations } from '@payreq/db';
import { afterAll, describe, expect, it } from 'vitest';

import { productionSettings } from '@payreq/testing';

import { loadEnv } from '../src/env';
import { MIGRATE_COMMAND, openDatabase } from '../src/open-database';
import { skipDb } from '../testing/harness';

/**
 * In production migrating is a step of its own: the api refuses a PostgreSQL database whose
 * migrations are behind, naming them and the command, and starts once they are applied.
 */

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const admin = process.env.TEST_POSTGRES_URL ?? '';
const database = `payreq_gate_${process.pid}_${Date.now().toString(36)}`;
const url = () => {
  const u = new URL(admin);
  u.pathname = `/${database}`;
  return u.toString();
};

const productionEnv = () => ({
  ...productionSettings,
  DATABASE_URL: url(),
  PORT: '0',
  // The gate is checked before any file is stored: local disk, on purpose, is enough here.
  FILE_STORE: 'disk',
  ALLOW_LOCAL_STORAGE_IN_PRODUCTION: 'true',
  OUTBOX_WORKER_ENABLED: 'false',
  LOG_LEVEL: 'warn',
});

/** Runs the api as production runs it and collects what it says until it exits (or 60 s). */
function runApi(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, 'src/main.ts'], {
    cwd: apiDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe.skipIf(skipDb)('the api on a database that is behind', () => {
  afterAll(async () => {
    const server = await createDb({ url: admin });
    await server.prisma.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await server.close();
  });

  it('in production: refuses to start, naming the pending migrations and the command', async () => {
    await ensurePostgresDatabase(url());
    const { code, output } = await runApi(productionEnv());
    expect(code, output).toBe(1);
    expect(output).toContain('The database is not migrated up to date');
    for (const name of await listMigrations()) expect(output).toContain(`not applied: ${name}`);
    expect(output).toContain(MIGRATE_COMMAND);
    expect(output).not.toMatch(/^\s+at /m); // a message for the operator, no stack trace
    // It migrated nothing by itself.
    const raw = await createDb({ url: url() });
    const tables = await raw.prisma.$queryRaw<
      unknown[]
    >`SELECT 1 FROM pg_tables WHERE tablename = 'Tenant'`;
    await raw.close();
    expect(tables).toHaveLength(0);
  });

  it('a database it cannot reach, or a URL it would misread: one line naming DATABASE_URL, no password', async () => {
    const password = 'gate-password-1234';
    const closed = new URL(admin);
    closed.username = 'payreq';
    closed.password = password;
    // A port nothing listens on (1 is privileged and unused here).
    closed.port = '1';
    const unreachable = await runApi({ ...productionEnv(), DATABASE_URL: closed.toString() });
    expect(unreachable.code, unreachable.output).toBe(1);
    expect(unreachable.output).toMatch(
      /The api cannot start: the database \(DATABASE_URL postgresql:\/\/payreq:\*\*\*@[^)]+:1\/[^)]+\) failed: (.*ECONNREFUSED|Can't reach database server at)/,
    );
    expect(unreachable.output).not.toMatch(/^\s+at /m);
    expect(unreachable.output).not.toContain(password);

    // A password with an unencoded "@" and "/" would be read as part of the host.
    const misread = `postgresql://payreq:${password}@x/y@127.0.0.1:5432/payreq`;
    const refused = await runApi({ ...productionEnv(), DATABASE_URL: misread });
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain('must percent-encode (@ as %40, / as %2F');
    expect(refused.output).not.toContain(password);
    expect(refused.output).not.toContain('x/y');
  });

  it('opens once the migration step has run; development migrates by itself', async () => {
    const production = loadEnv(productionEnv());
    expect(production.MIGRATE_ON_START).toBe(false);
    expect(loadEnv({ ...productionEnv(), NODE_ENV: 'development' }).MIGRATE_ON_START).toBe(true);
    await expect(openDatabase(production)).rejects.toThrow(/not applied/);
    await applyMigrations(url());
    const db = await openDatabase(production);
    try {
      expect(await db.prisma.tenant.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
