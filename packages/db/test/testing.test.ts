import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrationStatus } from '../src/migrations';
import { pgConfigFromUrl } from '../src/target';
import { createTestDb, isPostgresAvailable } from '../src/testing';

describe('createTestDb', () => {
  it('gives isolated, migrated PGlite databases', async () => {
    const a = await createTestDb('pglite');
    const b = await createTestDb('pglite');
    try {
      await a.prisma.tenant.create({ data: { name: 'only in a' } });
      expect(await a.prisma.tenant.count()).toBe(1);
      expect(await b.prisma.tenant.count()).toBe(0);
      expect((await migrationStatus({ kind: 'pglite', client: b.pglite! })).upToDate).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(a.pglite?.closed).toBe(true);
  });

  it.skipIf(!isPostgresAvailable())(
    'gives isolated PostgreSQL databases and drops them on close',
    async () => {
      const a = await createTestDb('postgres');
      const b = await createTestDb('postgres');
      const names = [a.url, b.url].map((u) => new URL(u!).pathname.slice(1));
      expect(names[0]).not.toBe(names[1]);
      try {
        await a.prisma.tenant.create({ data: { name: 'only in a' } });
        expect(await b.prisma.tenant.count()).toBe(0);
        expect((await migrationStatus(a.url!)).upToDate).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      const admin = new pg.Client(pgConfigFromUrl(process.env.TEST_POSTGRES_URL!));
      await admin.connect();
      try {
        const { rows } = await admin.query(
          'SELECT datname FROM pg_database WHERE datname = ANY($1)',
          [names],
        );
        expect(rows).toEqual([]);
      } finally {
        await admin.end();
      }
    },
  );
});
