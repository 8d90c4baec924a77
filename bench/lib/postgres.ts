import { execFileSync } from 'node:child_process';

import pg from 'pg';

// Relative imports into the workspace's TypeScript source (run by tsx), see README.md.
import {
  createTestDb,
  findPostgresBinDir,
  startTemporaryPostgres,
} from '../../packages/db/src/testing/index.ts';
import type { TestDb } from '../../packages/db/src/testing/index.ts';
import { track } from './cleanup.ts';

export interface PostgresServer {
  /** Admin URL (the database helper creates the benchmark databases from it). */
  adminUrl: string;
  /** Where it came from: `TEST_POSTGRES_URL` (as in CI) or a temporary server started here. */
  origin: 'TEST_POSTGRES_URL' | 'temporary';
  /** `SELECT version()`. */
  version: string;
  /** Folder with `psql`, if any (the COPY floor needs it). */
  psql: string | null;
}

/**
 * PostgreSQL as CI has it: `TEST_POSTGRES_URL` when set, else a temporary server from the
 * database package's testing helper (stopped by the cleanup, also on errors and Ctrl-C).
 */
export async function acquirePostgres(): Promise<PostgresServer> {
  let adminUrl = process.env.TEST_POSTGRES_URL?.trim();
  let origin: PostgresServer['origin'] = 'TEST_POSTGRES_URL';
  if (!adminUrl) {
    const server = await startTemporaryPostgres();
    track('temporary PostgreSQL', () => server.stop());
    adminUrl = server.url;
    origin = 'temporary';
    // createTestDb() reads the admin URL from here, as the test workers do.
    process.env.TEST_POSTGRES_URL = adminUrl;
  }
  const client = await connect(adminUrl);
  let version: string;
  try {
    version = (await client.query<{ version: string }>('SELECT version()')).rows[0]!.version;
  } finally {
    await client.end();
  }
  return { adminUrl, origin, version, psql: findPsql() };
}

function findPsql(): string | null {
  const binDir = findPostgresBinDir();
  const candidates = [binDir ? `${binDir}/psql` : null, 'psql'].filter(Boolean) as string[];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** A fresh, migrated, empty database; `drop()` (or the cleanup) drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const db: TestDb = await createTestDb('postgres');
  const drop = track('benchmark database', () => db.close());
  return { url: db.url!, drop };
}

/**
 * A `pg` client that does not crash the run when the server goes away under it (e.g. Ctrl-C
 * stops PostgreSQL too): the error fails the pending query instead of the process.
 */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
