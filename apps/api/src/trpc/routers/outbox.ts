import type { OutboxMessage } from '@payreq/db';
import { z } from 'zod';

import { AppError, forbidden, toTrpcError } from '../errors';
import { agentProcedure, router } from '../trpc/trpc';
import { listDeadOutbox, requeueDead } from './store';

const OutboxTarget = z.enum(['ONEC', 'TELEGRAM']);
const OutboxMessageId = z.string().regex(/^\d{1,19}$/, { error: 'invalid_type' });

export const DeadLetterView = z.object({
  id: z.string(),
  target: OutboxTarget,
  kind: z.string(),
  aggregateKey: z.string(),
  payload: z.unknown(),
  state: z.enum(['PENDING', 'DELIVERED', 'DEAD']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  nextAttemptAt: z.string(),
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;

export const ListDeadInput = z.strictObject({
  target: OutboxTarget.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** `nextCursor` of the previous page. */
  cursor: OutboxMessageId.nullish(),
});

export function toDeadLetterView(message: OutboxMessage): DeadLetterView {
  return {
    id: message.id.toString(),
    target: message.target,
    kind: message.kind,
    aggregateKey: message.aggregateKey,
    payload: message.payload,
    state: message.state,
    attempts: message.attempts,
    lastError: message.lastError,
    createdAt: message.createdAt.toISOString(),
    nextAttemptAt: message.nextAttemptAt.toISOString(),
  };
}

/** The bank's own agents look after the integrations: agents of the master tenant only. */
const masterAgentProcedure = agentProcedure.use(({ ctx, next }) => {
  if (!ctx.actor.tenantIsMaster) throw toTrpcError(forbidden());
  return next();
});

/** Dead letters of the outbox: messages whose delivery gave up, kept until someone requeues them. */
export const outboxRouter = router({
  dead: masterAgentProcedure
    .input(ListDeadInput)
    .output(z.object({ items: z.array(DeadLetterView), nextCursor: z.string().nullable() }))
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
    .input(z.strictObject({ id: OutboxMessageId }))
    .output(DeadLetterView)
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
