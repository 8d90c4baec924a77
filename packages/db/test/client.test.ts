import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, Prisma, RequestSource, RequestStatus } from '../src';
import { createTestDb, isPostgresAvailable } from '../src/testing';
import { describeOnEachDb } from './helpers';

describeOnEachDb('Prisma Client', (db, skip) => {
  it.skipIf(skip)('does a nested create and reads it back with include', async () => {
    const tenant = await db().prisma.tenant.create({
      data: {
        name: 'ООО Ромашка',
        agents: { create: [{ name: 'Анна', telegramId: 9_007_199_254_740_993n }] },
        requests: {
          create: {
            source: RequestSource.API,
            amount: new Prisma.Decimal('1234567.89'),
            currency: 'USD',
            history: { create: { actorKind: 'system', field: 'status', toValue: { to: 'DRAFT' } } },
          },
        },
      },
      include: { agents: true, requests: { include: { history: true } } },
    });
    expect(tenant.agents[0]?.telegramId).toBe(9_007_199_254_740_993n);
    const request = tenant.requests[0]!;
    expect(request.status).toBe(RequestStatus.DRAFT);
    expect(request.amount?.toString()).toBe('1234567.89');
    expect(request.number).toBeGreaterThan(0);
    expect(request.history[0]?.toValue).toEqual({ to: 'DRAFT' });

    const found = await db().prisma.paymentRequest.findUniqueOrThrow({
      where: { id: request.id },
      include: { tenant: { include: { agents: true } }, offers: true },
    });
    expect(found.tenant.name).toBe('ООО Ромашка');
    expect(found.tenant.agents.map((a) => a.name)).toEqual(['Анна']);
    expect(found.offers).toEqual([]);
  });

  it.skipIf(skip)('commits and rolls back interactive transactions', async () => {
    const tenant = await db().prisma.tenant.create({ data: { name: 'Tx' } });
    await db().prisma.$transaction(async (tx) => {
      await tx.agent.create({ data: { tenantId: tenant.id, name: 'kept' } });
    });
    await expect(
      db().prisma.$transaction(async (tx) => {
        await tx.agent.create({ data: { tenantId: tenant.id, name: 'rolled back' } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const names = (await db().prisma.agent.findMany({ where: { tenantId: tenant.id } })).map(
      (a) => a.name,
    );
    expect(names).toEqual(['kept']);
  });

  it.skipIf(skip)('maps unique violations to P2002', async () => {
    const tenant = await db().prisma.tenant.create({ data: { name: 'Dup' } });
    await db().prisma.agent.create({ data: { tenantId: tenant.id, name: 'a', telegramId: 42n } });
    const error = await db()
      .prisma.agent.create({ data: { tenantId: tenant.id, name: 'b', telegramId: 42n } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  });

  it.skipIf(skip)('allows one master tenant only (partial unique index)', async () => {
    await db().prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await db().prisma.tenant.create({ data: { name: 'Client 1' } });
    await db().prisma.tenant.create({ data: { name: 'Client 2', isMaster: false } });
    const error = await db()
      .prisma.tenant.create({ data: { name: 'Второй банк', isMaster: true } })
      .catch((e: unknown) => e);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
    const master = await db().prisma.tenant.findUnique({ where: { isMaster: true } });
    expect(master?.name).toBe('Банк');
  });
});

describe('createDb', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'payreq-createdb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens an in-memory PGlite and migrates it with memory://', async () => {
    const db = await createDb({ url: 'memory://', migrate: true });
    try {
      expect(db.kind).toBe('pglite');
      expect(await db.prisma.tenant.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('opens a file-backed PGlite, keeps data across reopenings, and refuses a second instance', async () => {
    const pgliteDataDir = path.join(dir, 'pglite');
    const first = await createDb({ pgliteDataDir, migrate: true });
    try {
      await first.prisma.tenant.create({ data: { name: 'Persisted' } });
      await expect(createDb({ pgliteDataDir })).rejects.toThrow(/already open/);
    } finally {
      await first.close();
    }
    await first.close(); // idempotent
    const second = await createDb({ pgliteDataDir });
    try {
      expect((await second.prisma.tenant.findMany()).map((t) => t.name)).toEqual(['Persisted']);
    } finally {
      await second.close();
    }
  });

  it.skipIf(!isPostgresAvailable())('connects to PostgreSQL by URL', async () => {
    const test = await createTestDb('postgres');
    try {
      const db = await createDb({ url: test.url, migrate: true });
      try {
        expect(db.kind).toBe('postgres');
        await db.prisma.tenant.create({ data: { name: 'Через URL' } });
        expect(await test.prisma.tenant.count()).toBe(1);
      } finally {
        await db.close();
      }
    } finally {
      await test.close();
    }
  });
});
