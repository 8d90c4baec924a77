import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';
import { outboxSignal } from '../outbox/signal';
import { outboxTraceparent } from '../tracing';

export type OutboxTarget = 'ONEC' | 'TELEGRAM';

export interface OutboxEntry {
  target: OutboxTarget;
  /** What to deliver, e.g. `onec.createRequest`, `telegram.statusChanged`. */
  kind: string;
  /** Messages with one key are delivered in the order they were written. */
  aggregateKey: string;
  payload: Prisma.InputJsonValue;
}

/**
 * Writes a message for an outside system in the caller's transaction: it exists if and
 * only if the change that caused it was committed (transactional outbox).
 */
export async function enqueueOutbox(tx: Tx, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const traceparent = outboxTraceparent();
  await tx.outboxMessage.createMany({ data: entries.map((entry) => ({ ...entry, traceparent })) });
  for (const entry of entries) outboxSignal.recordWrite(tx, entry.target);
}
