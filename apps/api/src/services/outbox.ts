import type { OutboxMessage } from '@payreq/contracts';
import { OutboxMessage as OutboxMessageSchema, aggregateKeyOf } from '@payreq/contracts';
import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';
import { outboxSignal } from '../outbox/signal';
import { outboxTraceparent } from '../tracing';

export type OutboxTarget = OutboxMessage['target'];

/**
 * Writes messages for outside systems in the caller's transaction: each exists if and only if
 * the change that caused it was committed (transactional outbox). Every message is one of the
 * contract's (`@payreq/contracts` outbox.ts), checked here, so a deliverer never meets a shape
 * it does not know.
 */
export async function enqueueOutbox(tx: Tx, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  // The trace of the change that wrote them: their delivery continues it (tracing.ts).
  const traceparent = outboxTraceparent();
  await tx.outboxMessage.createMany({
    data: messages.map((message) => {
      OutboxMessageSchema.parse(message);
      return {
        target: message.target,
        kind: message.kind,
        aggregateKey: aggregateKeyOf(message),
        payload: message.payload as Prisma.InputJsonValue,
        traceparent,
      };
    }),
  });
  for (const message of messages) outboxSignal.recordWrite(tx, message.target);
}
