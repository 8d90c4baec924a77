import { describe, expect, it } from 'vitest';

import { pruneExpiredRecords } from '../src/jobs/prune-retention';
import { dbKind, skipDb } from '../testing/harness';
import { useTestApi } from '../testing/suite';

const day = 24 * 3600 * 1000;
const now = new Date('2026-12-02T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * day);
const policy = { outboxDeliveredDays: 30, idempotencyKeyDays: 30 };

describe.skipIf(skipDb)(`retention of delivered messages and idempotency keys (${dbKind})`, () => {
  const api = useTestApi();

  async function message(state: 'PENDING' | 'DELIVERED' | 'DEAD', createdDaysAgo: number) {
    const created = ago(createdDaysAgo);
    return api.prisma.outboxMessage.create({
      data: {
        target: 'ONEC',
        kind: 'onec.createRequest',
        aggregateKey: `request:${state}-${createdDaysAgo}`,
        payload: {},
        state,
        createdAt: created,
        nextAttemptAt: created,
        deliveredAt: state === 'DELIVERED' ? created : null,
      },
    });
  }

  it('deletes what was delivered long ago and never what is still owed or dead', async () => {
    const oldDelivered = await message('DELIVERED', 45);
    const recentDelivered = await message('DELIVERED', 3);
    const oldPending = await message('PENDING', 90);
    const oldDead = await message('DEAD', 90);

    const pruned = await pruneExpiredRecords(api.prisma, now, policy);

    expect(pruned.outboxMessages).toBe(1);
    const left = await api.prisma.outboxMessage.findMany({ select: { id: true } });
    expect(left.map((row) => row.id).sort()).toEqual(
      [recentDelivered.id, oldPending.id, oldDead.id].sort(),
    );
    expect(left.map((row) => row.id)).not.toContain(oldDelivered.id);
  });

  it('keeps idempotency keys inside their window, so a late 1C retry is still answered once', async () => {
    const key = (name: string, daysAgo: number) => ({
      scope: 'onec:test:postOffer:r',
      key: name,
      requestHash: '0'.repeat(64),
      status: 201,
      response: {},
      createdAt: ago(daysAgo),
    });
    await api.prisma.idempotencyKey.createMany({
      data: [key('old', 31), key('three-days', 3), key('yesterday', 1)],
    });

    const pruned = await pruneExpiredRecords(api.prisma, now, policy);

    expect(pruned.idempotencyKeys).toBe(1);
    const left = await api.prisma.idempotencyKey.findMany({ select: { key: true } });
    expect(left.map((row) => row.key).sort()).toEqual(['three-days', 'yesterday']);
  });

  it('works through a backlog larger than one batch', async () => {
    await api.prisma.outboxMessage.createMany({
      data: Array.from({ length: 25 }, (_, index) => ({
        target: 'TELEGRAM' as const,
        kind: 'telegram.statusChanged',
        aggregateKey: `chat:${index}`,
        payload: {},
        state: 'DELIVERED' as const,
        createdAt: ago(40),
        deliveredAt: ago(40),
      })),
    });
    const pruned = await pruneExpiredRecords(api.prisma, now, policy, 10);
    expect(pruned.outboxMessages).toBe(25);
    expect(await api.prisma.outboxMessage.count()).toBe(0);
  });
});
