import type { OutboxMessage } from '@payreq/db';
import { z } from 'zod';

import { AppError } from '../../errors';
import { deliveryFailureOf, listDeadOutbox, requeueDead } from '../../outbox/store';
import { masterAgentProcedure, router } from '../trpc';
import * as types from './outbox.types';

function toDeadLetterView(message: OutboxMessage): types.DeadLetterView {
  return {
    id: message.id.toString(),
    target: message.target,
    kind: message.kind,
    aggregateKey: message.aggregateKey,
    payload: message.payload,
    state: message.state,
    attempts: message.attempts,
    lastError: message.lastError,
    failureReason: deliveryFailureOf(message)?.reason ?? null,
    failureStatus: message.failureStatus,
    createdAt: message.createdAt.toISOString(),
    nextAttemptAt: message.nextAttemptAt.toISOString(),
  };
}

/** Dead letters of the outbox: messages whose delivery gave up, kept until someone requeues them. */
export const outboxRouter = router({
  dead: masterAgentProcedure
    .input(types.ListDeadInput)
    .output(z.object({ items: z.array(types.DeadLetterView), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const rows = await listDeadOutbox(ctx.db, {
        target: input.target,
        limit: input.limit + 1,
        afterId: input.cursor ?? null,
      });
      const page = rows.slice(0, input.limit);
      return {
        items: page.map(toDeadLetterView),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id.toString() ?? null) : null,
      };
    }),

  requeue: masterAgentProcedure
    .input(z.strictObject({ id: types.OutboxMessageId }))
    .output(types.DeadLetterView)
    .mutation(async ({ ctx, input }) => {
      const message = await requeueDead(ctx.db, input.id, { now: ctx.now() });
      if (!message) {
        throw new AppError('NOT_FOUND', {
          ru: `Нет «мёртвого» сообщения ${input.id} в очереди`,
          en: `There is no dead outbox message ${input.id}`,
        });
      }
      ctx.logger.info(
        { outboxId: input.id, kind: message.kind, by: ctx.actor.name },
        'outbox message requeued',
      );
      return toDeadLetterView(message);
    }),
});
