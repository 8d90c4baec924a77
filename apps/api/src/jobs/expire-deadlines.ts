import type { Actor } from '@payreq/domain';
import { assertStatusTransition, pipelineFor } from '@payreq/domain';

import type { Db } from '../db';
import { transaction } from '../db';
import { recordHistory } from '../services/history';

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
      const request = await tx.paymentRequest.findUniqueOrThrow({
        where: { id },
        include: { tenant: true },
      });
      const pipeline = pipelineFor({
        source: request.source,
        telegramChatId: request.telegramChatId,
        tenant: request.tenant,
      });
      if (!pipeline.hasDeadlines) continue;
      assertStatusTransition(
        { pipeline, status: request.status, paymentStatus: request.paymentStatus },
        'EXPIRED',
        'SYSTEM',
        'expire',
      );
      const { count } = await tx.paymentRequest.updateMany({
        where: { id, status: 'COLLECTING_OFFERS' },
        data: { status: 'EXPIRED', version: { increment: 1 } },
      });
      if (count !== 1) continue;
      await tx.offer.updateMany({
        where: { requestId: id, status: 'PENDING' },
        data: { status: 'REJECTED' },
      });
      await recordHistory(
        tx,
        id,
        system,
        [{ field: 'status', from: 'COLLECTING_OFFERS', to: 'EXPIRED' }],
        now,
      );
      expired.push(id);
    }
    return expired;
  });
}
