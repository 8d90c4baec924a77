import type { PrismaClient } from '@payreq/db';
import { createDb } from '@payreq/db';
import type { TestDb } from '@payreq/db/testing';
import { createTestDb } from '@payreq/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { ClaimedOutboxMessage, OutboxLogger } from '../src/outbox';
import {
  OutboxDeliveryError,
  OutboxHandlerRegistry,
  OutboxWorker,
  claimOutboxBatch,
  completeOutbox,
  deliveryFailureOf,
  failOutbox,
  failedPollPauseMs,
  listDeadOutbox,
  outboxBackoffMs,
  requeueDead,
} from '../src/outbox';
import { outboxSignal } from '../src/outbox/signal';
import { transaction } from '../src/db';
import { enqueueOutbox } from '../src/services/outbox';
import { dbKind, skipDb } from '../testing/harness';

const silent: OutboxLogger = { info: () => {}, warn: () => {}, error: () => {} };

function spyLogger() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies OutboxLogger;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('outbox backoff', () => {
  it('grows exponentially with jitter in [ceiling/2, ceiling], capped', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect(outboxBackoffMs(1, policy, () => 0)).toBe(500);
    expect(outboxBackoffMs(1, policy, () => 1)).toBe(1000);
    expect(outboxBackoffMs(4, policy, () => 0)).toBe(4000);
    expect(outboxBackoffMs(4, policy, () => 1)).toBe(8000);
    expect(outboxBackoffMs(30, policy, () => 1)).toBe(60_000);
    expect(outboxBackoffMs(30, policy, () => 0)).toBe(30_000);
  });
});

describe('a worker whose database is away', () => {
  it('spaces its polls out, doubling to at most 10 s, and logs the 1st, 2nd, 4th, 8th… failure only', async () => {
    expect([1, 2, 3, 5, 6, 40].map((n) => failedPollPauseMs(500, n))).toEqual([
      500, 1000, 2000, 8000, 10_000, 10_000,
    ]);
    expect(failedPollPauseMs(20_000, 3)).toBe(20_000);

    // Nothing listens on port 1: every claim fails, as while PostgreSQL restarts.
    const away = await createDb({ url: 'postgresql://payreq:payreq@127.0.0.1:1/payreq' });
    const logger = spyLogger();
    const worker = new OutboxWorker({
      db: away.prisma,
      target: 'ONEC',
      handlers: new OutboxHandlerRegistry(),
      logger,
      pollMs: 1,
    }).start();
    try {
      await until(async () => logger.error.mock.calls.length >= 4);
    } finally {
      await worker.stop();
      await away.close();
    }
    const logged = logger.error.mock.calls.map(([fields, message]) => ({
      failures: (fields as { failures: number }).failures,
      pauseMs: (fields as { pauseMs: number }).pauseMs,
      message,
    }));
    expect(logged.slice(0, 4)).toEqual([
      { failures: 1, pauseMs: 1, message: 'outbox poll failed' },
      { failures: 2, pauseMs: 2, message: 'outbox poll still failing' },
      { failures: 4, pauseMs: 8, message: 'outbox poll still failing' },
      { failures: 8, pauseMs: 128, message: 'outbox poll still failing' },
    ]);
  });
});

describe.skipIf(skipDb)(`outbox on ${dbKind}`, () => {
  let db: TestDb;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDb(dbKind);
    prisma = db.prisma;
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await prisma.$executeRawUnsafe('TRUNCATE "OutboxMessage" RESTART IDENTITY');
  });

  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);
  /** Up to `limit` 1C messages claimed by `workerId` at `ms`, for `leaseMs`. */
  const claim = (workerId: string, leaseMs: number, ms: number, limit = 1) =>
    claimOutboxBatch(prisma, { target: 'ONEC', workerId, limit, leaseMs, now: at(ms) });

  async function enqueue(
    aggregateKey: string,
    kind = 'test.deliver',
    target: 'ONEC' | 'TELEGRAM' = 'ONEC',
  ) {
    return prisma.outboxMessage.create({
      data: { target, kind, aggregateKey, payload: { aggregateKey }, nextAttemptAt: at(0) },
    });
  }

  it('claims only the oldest pending message of each aggregate, oldest first, one target', async () => {
    const a1 = await enqueue('request:a');
    const a2 = await enqueue('request:a');
    const b1 = await enqueue('request:b');
    await enqueue('chat:1', 'telegram.x', 'TELEGRAM');

    const first = await claim('w1', 60_000, 1, 10);
    expect(first.map((m) => m.id)).toEqual([a1.id, b1.id]);
    expect(first.every((m) => m.attempts === 1 && m.lockedBy === 'w1')).toBe(true);

    // Leased rows and the rest of their aggregates are not claimable meanwhile.
    expect(await claim('w2', 60_000, 2, 10)).toEqual([]);

    expect(await completeOutbox(prisma, a1.id, 'w1', { ok: true }, { now: at(3) })).toBe(true);
    const next = await claim('w2', 60_000, 4, 10);
    expect(next.map((m) => m.id)).toEqual([a2.id]);
    const delivered = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: a1.id } });
    expect(delivered).toMatchObject({ state: 'DELIVERED', lockedBy: null, deliveredAt: at(3) });
    expect(delivered.payload).toEqual({ aggregateKey: 'request:a', deliveryResult: { ok: true } });
  });

  it('takes a message back from a worker whose lease ran out; only the holder may complete or fail it', async () => {
    const message = await enqueue('request:a');
    await claim('w1', 1_000, 0);
    expect(await claim('w2', 1_000, 999)).toEqual([]);
    const retaken = await claim('w2', 1_000, 1_000);
    expect(retaken).toHaveLength(1);
    expect(retaken[0]!.attempts).toBe(2);

    expect(await completeOutbox(prisma, message.id, 'w1')).toBe(false);
    expect(
      await failOutbox(prisma, message.id, 'w1', {
        error: 'late',
        retryable: true,
        reason: 'timeout',
      }),
    ).toBeNull();
    expect(await completeOutbox(prisma, message.id, 'w2')).toBe(true);
  });

  it('retries with backoff and Retry-After, then parks the message as DEAD (logged, listed, requeued)', async () => {
    const logger = spyLogger();
    const message = await enqueue('request:a', 'onec.createRequest');
    const policy = {
      maxAttempts: 3,
      baseDelayMs: 1_000,
      maxDelayMs: 10_000,
      logger,
      random: () => 0,
    };
    const failAt = (ms: number, failure: Parameters<typeof failOutbox>[3]) =>
      failOutbox(prisma, message.id, 'w', failure, { ...policy, now: at(ms) });

    await claim('w', 5_000, 0);
    const one = await failAt(10, {
      error: 'Cannot reach 1C',
      retryable: true,
      reason: 'unreachable',
    });
    expect(one).toEqual({ state: 'PENDING', attempts: 1, nextAttemptAt: at(10 + 500) });
    expect(await claim('w', 5_000, 509)).toEqual([]);

    await claim('w', 5_000, 510);
    const two = await failAt(600, {
      error: '429',
      retryable: true,
      retryAfterMs: 7_000,
      reason: 'rateLimited',
      status: 429,
    });
    expect(two).toEqual({ state: 'PENDING', attempts: 2, nextAttemptAt: at(7_600) });
    // Each failure says why in a word, beside the logged line; the latest one stands.
    expect(
      await prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } }),
    ).toMatchObject({
      lastError: '429',
      failureReason: 'rateLimited',
      failureStatus: 429,
    });

    await claim('w', 5_000, 7_600);
    const three = await failAt(7_700, {
      error: 'Cannot reach 1C\n  at somewhere',
      retryable: true,
      reason: 'unreachable',
    });
    expect(three).toEqual({ state: 'DEAD', attempts: 3 });
    const dead = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(deliveryFailureOf(dead)).toEqual({
      reason: 'unreachable',
      status: null,
      detail: 'Cannot reach 1C at somewhere',
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatchObject({
      outboxId: message.id.toString(),
      kind: 'onec.createRequest',
      attempts: 3,
      error: 'Cannot reach 1C at somewhere',
    });

    // Dead is never dropped, nor delivered, until requeued.
    expect(await claim('w', 5_000, 99_999)).toEqual([]);
    expect((await listDeadOutbox(prisma)).map((m) => m.id)).toEqual([message.id]);
    expect(await requeueDead(prisma, message.id.toString(), { now: at(100_000) })).toMatchObject({
      state: 'PENDING',
      attempts: 0,
    });
    expect(await requeueDead(prisma, message.id)).toBeNull();
    expect(await claim('w', 5_000, 100_000)).toHaveLength(1);
    // Delivered at last: nothing is left of the failures.
    expect(await completeOutbox(prisma, message.id, 'w', undefined, { now: at(100_001) })).toBe(
      true,
    );
    const delivered = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(delivered).toMatchObject({ lastError: null, failureReason: null, failureStatus: null });
    expect(deliveryFailureOf(delivered)).toBeNull();
  });

  it('parks a message at once when the failure is not retryable, and then lets its aggregate go on', async () => {
    const bad = await enqueue('request:a');
    const after = await enqueue('request:a');
    await claim('w', 5_000, 0, 5);
    expect(
      await failOutbox(
        prisma,
        bad.id,
        'w',
        { error: '1C answered 400', retryable: false, reason: 'refused', status: 400 },
        { now: at(1), logger: silent },
      ),
    ).toEqual({ state: 'DEAD', attempts: 1 });
    const next = await claim('w', 5_000, 2, 5);
    expect(next.map((m) => m.id)).toEqual([after.id]);
  });

  it('a worker delivers in order per aggregate, retries failures and finishes in-flight work on stop', async () => {
    const seen: string[] = [];
    let failOnce = true;
    let release: () => void = () => {};
    const handlers = new OutboxHandlerRegistry()
      .register('test.deliver', async (message: ClaimedOutboxMessage) => {
        const { n } = message.payload as { n: number };
        if (n === 2 && failOnce) {
          failOnce = false;
          throw new Error('flaky receiver');
        }
        seen.push(`${message.aggregateKey}#${n}`);
      })
      .register('test.slow', async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        seen.push('slow');
      })
      .register('test.refused', async () => {
        throw new OutboxDeliveryError('refused for good', false, 'refused');
      });
    for (let n = 1; n <= 3; n += 1) {
      await prisma.outboxMessage.create({
        data: { target: 'ONEC', kind: 'test.deliver', aggregateKey: 'request:a', payload: { n } },
      });
    }
    const refused = await prisma.outboxMessage.create({
      data: { target: 'ONEC', kind: 'test.refused', aggregateKey: 'request:r', payload: {} },
    });
    const logger = spyLogger();
    const worker = new OutboxWorker({
      db: prisma,
      target: 'ONEC',
      handlers,
      logger,
      pollMs: 10,
      retry: { baseDelayMs: 20, maxDelayMs: 40, maxAttempts: 5 },
    }).start();
    try {
      await until(
        async () => (await prisma.outboxMessage.count({ where: { state: 'PENDING' } })) === 0,
      );
      expect(seen).toEqual(['request:a#1', 'request:a#2', 'request:a#3']);
      const failedOnce = await prisma.outboxMessage.findFirstOrThrow({
        where: { payload: { equals: { n: 2 } } },
      });
      expect(failedOnce).toMatchObject({ state: 'DELIVERED', attempts: 2 });
      expect(
        await prisma.outboxMessage.findUniqueOrThrow({ where: { id: refused.id } }),
      ).toMatchObject({
        state: 'DEAD',
        lastError: 'refused for good',
        failureReason: 'refused',
        failureStatus: null,
      });

      // Stop waits for the delivery in flight and records it.
      const slow = await prisma.outboxMessage.create({
        data: { target: 'ONEC', kind: 'test.slow', aggregateKey: 'request:s', payload: {} },
      });
      worker.wake();
      await until(
        async () =>
          (await prisma.outboxMessage.findUniqueOrThrow({ where: { id: slow.id } })).lockedBy !==
          null,
      );
      const stopped = worker.stop();
      setTimeout(() => release(), 50);
      await stopped;
      expect(seen.at(-1)).toBe('slow');
      expect(
        await prisma.outboxMessage.findUniqueOrThrow({ where: { id: slow.id } }),
      ).toMatchObject({ state: 'DELIVERED' });
    } finally {
      release();
      await worker.stop();
    }
  });

  it('a transaction that commits messages wakes the worker at once; one rolled back or begun elsewhere does not', async () => {
    const delivered: string[] = [];
    const handlers = new OutboxHandlerRegistry().register('onec.createRequest', async (message) => {
      delivered.push(message.aggregateKey);
    });
    const ids = {
      woken: '00000000-0000-4000-8000-00000000000a',
      undone: '00000000-0000-4000-8000-00000000000b',
      quiet: '00000000-0000-4000-8000-00000000000c',
    };
    const createIn1C = (requestId: string) =>
      ({ target: 'ONEC', kind: 'onec.createRequest', payload: { requestId } }) as const;
    // A poll a minute apart: only the signal can bring the message out within the test.
    const worker = new OutboxWorker({
      db: prisma,
      target: 'ONEC',
      handlers,
      logger: silent,
      pollMs: 60_000,
    }).start();
    let wakes = 0;
    const unsubscribe = outboxSignal.onWritten('ONEC', () => {
      wakes += 1;
      worker.wake();
    });
    try {
      // Let the first poll run (and find nothing): the worker is now waiting a minute.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await transaction(prisma, (tx) => enqueueOutbox(tx, [createIn1C(ids.woken)]));
      await until(async () => delivered.length === 1, 5_000);
      expect(delivered).toEqual([`request:${ids.woken}`]);
      expect(wakes).toBe(1);
      // Rolled back: no message, and no wake.
      await expect(
        transaction(prisma, async (tx) => {
          await enqueueOutbox(tx, [createIn1C(ids.undone)]);
          throw new Error('changed our mind');
        }),
      ).rejects.toThrow('changed our mind');
      expect(wakes).toBe(1);
      // A transaction begun elsewhere records nothing: its message waits for the next poll.
      await prisma.$transaction((tx) => enqueueOutbox(tx, [createIn1C(ids.quiet)]));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(delivered).toEqual([`request:${ids.woken}`]);
      expect(wakes).toBe(1);
    } finally {
      unsubscribe();
      await worker.stop();
    }
  });

  it('renews the leases of a long delivery, so a second worker never takes it; a silent worker loses them', async () => {
    const calls: string[] = [];
    const slowHandlers = (name: string) =>
      new OutboxHandlerRegistry().register('test.deliver', async () => {
        calls.push(name);
        // Two and a half leases long: without renewal the other worker would take it over.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
      });
    const options = { db: prisma, target: 'ONEC' as const, logger: silent, pollMs: 20 };
    const message = await prisma.outboxMessage.create({
      data: { target: 'ONEC', kind: 'test.deliver', aggregateKey: 'request:long', payload: {} },
    });
    const first = new OutboxWorker({ ...options, handlers: slowHandlers('first'), leaseMs: 1_000 });
    const second = new OutboxWorker({
      ...options,
      handlers: slowHandlers('second'),
      leaseMs: 1_000,
    });
    const third = new OutboxWorker({ ...options, handlers: slowHandlers('third'), leaseMs: 1_000 });
    first.start();
    await until(async () => calls.length === 1);
    second.start();
    try {
      await until(
        async () =>
          (await prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } })).state ===
          'DELIVERED',
      );
      expect(calls).toEqual(['first']);
      expect(
        await prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } }),
      ).toMatchObject({ attempts: 1, lockedBy: null });

      // A worker that claims and then goes silent (killed): its lease is not renewed, and a
      // running worker takes the message over once it runs out.
      await Promise.all([first.stop(), second.stop()]);
      const orphan = await prisma.outboxMessage.create({
        data: { target: 'ONEC', kind: 'test.deliver', aggregateKey: 'request:orphan', payload: {} },
      });
      const [claimed] = await claimOutboxBatch(prisma, {
        target: 'ONEC',
        workerId: 'killed-worker',
        limit: 1,
        leaseMs: 300,
        now: new Date(),
      });
      expect(claimed?.id).toBe(orphan.id);
      third.start();
      await until(
        async () =>
          (await prisma.outboxMessage.findUniqueOrThrow({ where: { id: orphan.id } })).state ===
          'DELIVERED',
      );
      expect(calls).toEqual(['first', 'third']);
    } finally {
      await Promise.all([first.stop(), second.stop(), third.stop()]);
    }
  });

  it('two workers on separate connections deliver every message exactly once, in order per aggregate', async () => {
    // On PostgreSQL the second worker has its own client (another "api instance").
    const other = db.url ? await createDb({ url: db.url }) : null;
    const deliveries = new Map<string, number>();
    const order: Record<string, number[]> = {};
    const handler = async (message: ClaimedOutboxMessage) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      const id = message.id.toString();
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      (order[message.aggregateKey] ??= []).push((message.payload as { n: number }).n);
    };
    const data = [];
    for (let n = 0; n < 40; n += 1) {
      data.push({
        target: 'ONEC' as const,
        kind: 'test.deliver',
        aggregateKey: `request:${n % 8}`,
        payload: { n },
      });
    }
    await prisma.outboxMessage.createMany({ data });
    const make = (client: PrismaClient, workerId: string) =>
      new OutboxWorker({
        db: client,
        target: 'ONEC',
        handlers: new OutboxHandlerRegistry().register('test.deliver', handler),
        logger: silent,
        workerId,
        pollMs: 5,
        batchSize: 3,
      });
    const workers = [make(prisma, 'one'), make(other?.prisma ?? prisma, 'two')];
    workers.forEach((worker) => worker.start());
    try {
      await until(
        async () => (await prisma.outboxMessage.count({ where: { state: 'DELIVERED' } })) === 40,
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await other?.close();
    }
    expect(deliveries.size).toBe(40);
    expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
    for (const [key, ns] of Object.entries(order)) {
      expect(ns, key).toEqual([...ns].sort((a, b) => a - b));
    }
    expect(await prisma.outboxMessage.count({ where: { attempts: { not: 1 } } })).toBe(0);
  });
});
