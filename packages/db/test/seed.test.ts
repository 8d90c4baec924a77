import { describe, expect, it } from 'vitest';
import { parseSeedAgents, seed } from '../src/seed';
import { describeOnEachDb } from './helpers';

describe('parseSeedAgents', () => {
  it('parses Name:telegramId lists', () => {
    expect(parseSeedAgents('Анна Петрова:111:admin, Борис:222,')).toEqual([
      { name: 'Анна Петрова', telegramId: 111n, active: true, isAdmin: true },
      { name: 'Борис', telegramId: 222n, active: true, isAdmin: false },
    ]);
    expect(parseSeedAgents(undefined)).toEqual([]);
    expect(parseSeedAgents('  ')).toEqual([]);
  });

  it('rejects malformed items', () => {
    expect(() => parseSeedAgents('Анна')).toThrow(/Name:telegramId/);
    expect(() => parseSeedAgents('Анна:abc')).toThrow(/not a Telegram id/);
  });
});

describeOnEachDb('seed', (db, skip) => {
  const snapshot = async () => ({
    tenants: await db().prisma.tenant.findMany({ orderBy: { name: 'asc' } }),
    agents: (await db().prisma.agent.findMany({ orderBy: { telegramId: 'asc' } })).map(
      ({ updatedAt: _u, ...agent }) => agent,
    ),
  });

  it.skipIf(skip)('is idempotent', async () => {
    const config = {
      masterTenantName: 'Банк',
      agents: [
        { name: 'Анна', telegramId: 111n },
        { name: 'Борис', telegramId: '222' },
      ],
    };
    const first = await seed(db().prisma, config);
    expect(first.masterTenantCreated).toBe(true);
    expect(first.agents).toEqual({ created: 2, updated: 0, unchanged: 0, deactivated: 0 });
    const before = await snapshot();

    const second = await seed(db().prisma, config);
    expect(second.masterTenantCreated).toBe(false);
    expect(second.masterTenantId).toBe(first.masterTenantId);
    expect(second.agents).toEqual({ created: 0, updated: 0, unchanged: 2, deactivated: 0 });
    expect(await snapshot()).toEqual(before);
    expect(before.tenants).toHaveLength(1);
    expect(before.tenants[0]).toMatchObject({ name: 'Банк', isMaster: true });
    expect(before.agents.every((a) => a.tenantId === first.masterTenantId && a.active)).toBe(true);
  });

  it.skipIf(skip)(
    'deactivates agents removed from the config, renames, and reactivates',
    async () => {
      const removed = await seed(db().prisma, {
        masterTenantName: 'Банк (головной)',
        agents: [{ name: 'Анна Петрова', telegramId: 111 }],
      });
      expect(removed.agents).toEqual({ created: 0, updated: 1, unchanged: 0, deactivated: 1 });
      const { tenants, agents } = await snapshot();
      expect(tenants.map((t) => t.name)).toEqual(['Банк (головной)']);
      expect(agents.map((a) => [a.telegramId, a.name, a.active])).toEqual([
        [111n, 'Анна Петрова', true],
        [222n, 'Борис', false],
      ]);

      const again = await seed(db().prisma, {
        masterTenantName: 'Банк (головной)',
        agents: [{ name: 'Анна Петрова', telegramId: 111 }],
      });
      expect(again.agents).toEqual({ created: 0, updated: 0, unchanged: 1, deactivated: 0 });

      await seed(db().prisma, {
        masterTenantName: 'Банк (головной)',
        agents: [
          { name: 'Анна Петрова', telegramId: 111 },
          { name: 'Борис', telegramId: 222 },
        ],
      });
      const after = await snapshot();
      expect(after.agents.map((a) => a.active)).toEqual([true, true]);
      expect(await db().prisma.agent.count()).toBe(2); // never deleted, never duplicated
    },
  );

  it.skipIf(skip)('leaves alone the agents an administrator added in the portal', async () => {
    const master = await db().prisma.tenant.findFirstOrThrow({ where: { isMaster: true } });
    await db().prisma.agent.create({
      data: { tenantId: master.id, name: 'Вера', telegramId: 333n, managedBy: 'portal' },
    });
    const result = await seed(db().prisma, {
      masterTenantName: 'Банк (головной)',
      agents: [
        { name: 'Анна Петрова', telegramId: 111, isAdmin: true },
        { name: 'Борис', telegramId: 222 },
      ],
    });
    expect(result.agents.deactivated).toBe(0);
    const agents = await db().prisma.agent.findMany({ orderBy: { telegramId: 'asc' } });
    expect(agents.map((a) => [a.name, a.active, a.isAdmin])).toEqual([
      ['Анна Петрова', true, true],
      ['Борис', true, false],
      ['Вера', true, false],
    ]);
  });

  it.skipIf(skip)('rejects a config listing a Telegram id twice', async () => {
    await expect(
      seed(db().prisma, {
        masterTenantName: 'Банк',
        agents: [
          { name: 'A', telegramId: 1 },
          { name: 'B', telegramId: 1 },
        ],
      }),
    ).rejects.toThrow(/listed twice/);
  });
});
