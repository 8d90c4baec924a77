import type { Actor } from '@payreq/domain';

import type { Db } from '../db';
import { transaction } from '../db';
import { applyTransition } from '../services/transitions';

const system: Actor = { kind: 'system', name: 'deadline job' };

/**
 * Expires standard requests whose offers deadline passed with no accepted offer. Safe on
 * several api instances at once: rows are claimed with SKIP LOCKED and the update is
 * guarded by the status, so each request expires exactly once. Telegram requests have
 * no deadlines and are never touched.
 */
export async function expireOverdueRequests(db: Db, now: Date, batchSize = 100): Promise<string[]> {
  return transaction(db, async (tx) => {
    const due = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "PaymentRequest"
      WHERE status = 'COLLECTING_OFFERS' AND "telegramChatId" IS NULL AND "offersDeadline" <= ${now}
      ORDER BY "offersDeadline"
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED`;
    const expired: string[] = [];
    for (const { id } of due) {
      // Already locked by this transaction (SKIP LOCKED above): read and changed through the
      // one transition every status change takes.
      const applied = await applyTransition(tx, system, id, [{ kind: 'status', to: 'EXPIRED' }], {
        now,
        causes: ['expire'],
      });
      await tx.offer.updateMany({
        where: { requestId: id, status: 'PENDING' },
        data: { status: 'REJECTED' },
      });
      expired.push(applied.access.request.id);
    }
    return expired;
  });
}
