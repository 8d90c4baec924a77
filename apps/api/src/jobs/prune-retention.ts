import type { Db } from '../db';

export interface RetentionPolicy {
  /** Delivered outbox messages are kept this long after their delivery. */
  outboxDeliveredDays: number;
  /** 1C's idempotency keys are kept this long: longer than 1C keeps retrying a call. */
  idempotencyKeyDays: number;
}

const day = 24 * 3600 * 1000;

/**
 * Deletes what has served its purpose: outbox messages delivered longer ago than the policy says,
 * and 1C idempotency keys older than theirs. Never a message still to deliver (PENDING) or given
 * up on (DEAD: the operators' dead letters), never a key 1C may still retry with. In batches, so
 * a large backlog never holds long locks; several api instances may run it at once.
 */
export async function pruneExpiredRecords(
  db: Db,
  now: Date,
  policy: RetentionPolicy,
  batchSize = 1_000,
): Promise<{ outboxMessages: number; idempotencyKeys: number }> {
  const deliveredBefore = new Date(now.getTime() - policy.outboxDeliveredDays * day);
  const keysBefore = new Date(now.getTime() - policy.idempotencyKeyDays * day);
  let outboxMessages = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM "OutboxMessage" WHERE id IN (
        SELECT id FROM "OutboxMessage"
        WHERE state = 'DELIVERED' AND "deliveredAt" < ${deliveredBefore}
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
    outboxMessages += deleted;
    if (deleted < batchSize) break;
  }
  let idempotencyKeys = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM "IdempotencyKey" WHERE (scope, key) IN (
        SELECT scope, key FROM "IdempotencyKey" WHERE "createdAt" < ${keysBefore}
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
    idempotencyKeys += deleted;
    if (deleted < batchSize) break;
  }
  return { outboxMessages, idempotencyKeys };
}
