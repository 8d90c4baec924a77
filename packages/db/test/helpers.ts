import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';

import { defaultMigrationsDir, defaultSchemaPath } from '../src/paths';
import { createTestDb, isPostgresAvailable } from '../src/testing';
import type { TestDb, TestDbKind } from '../src/testing';

/** A scratch copy of the schema and the migrations, removed by `cleanup()`. */
export function scratchProject(): {
  dir: string;
  schemaPath: string;
  migrationsDir: string;
  editSchema(fn: (source: string) => string): void;
  cleanup(): void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'payreq-db-test-'));
  const schemaPath = path.join(dir, 'schema.prisma');
  const migrationsDir = path.join(dir, 'migrations');
  cpSync(defaultSchemaPath, schemaPath);
  cpSync(defaultMigrationsDir, migrationsDir, { recursive: true });
  return {
    dir,
    schemaPath,
    migrationsDir,
    editSchema(fn) {
      writeFileSync(schemaPath, fn(readFileSync(schemaPath, 'utf8')));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL admin URL provided by the globalSetup, or undefined (tests then skip). */
export const postgresUrl = process.env.TEST_POSTGRES_URL;

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

const dbKinds: TestDbKind[] = ['pglite', 'postgres'];

/**
 * Declares `suite` once on PGlite and once on PostgreSQL, each with a fresh database for its
 * tests (`db()`); `skip` is true for PostgreSQL where no server is available.
 */
export function describeOnEachDb(
  title: string,
  suite: (db: () => TestDb, skip: boolean) => void,
): void {
  describe.each(dbKinds)(`${title} on %s`, (kind) => {
    const skip = kind === 'postgres' && !isPostgresAvailable();
    let db: TestDb | undefined;
    beforeAll(async () => {
      if (!skip) db = await createTestDb(kind);
    });
    afterAll(async () => {
      await db?.close();
    });
    suite(() => db!, skip);
  });
}
