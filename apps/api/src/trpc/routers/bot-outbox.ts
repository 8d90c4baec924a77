import { failOutbox } from '../../outbox';
import { claimTelegramDeliveries, completeTelegramDelivery } from '../../services/telegram-outbox';
import { botProcedure, router } from '../trpc';
import * as types from './bot-outbox.types';

/**
 * The Telegram side of the outbox, for the bot process (service token): claim due messages
 * (each with the card to word it), report each delivered or failed.
 */
export const botOutboxRouter = router({
  /** Due TELEGRAM messages, oldest first, at most one per chat (their order is kept). */
  claim: botProcedure
    .input(types.ClaimInput)
    .output(types.ClaimResult)
    .mutation(async ({ ctx, input }) => ({
      messages: await claimTelegramDeliveries(ctx.db, {
        workerId: input.workerId,
        limit: input.limit,
        leaseMs: input.leaseMs,
        now: ctx.now(),
        logger: ctx.logger,
      }),
    })),

  /** Delivered. For a document, the Telegram message id is written on the Document. */
  complete: botProcedure
    .input(types.CompleteInput)
    .output(types.CompleteResult)
    .mutation(async ({ ctx, input }) => ({
      completed: await completeTelegramDelivery(ctx.db, input, ctx.now()),
    })),

  /** Not delivered: retried later (at least `retryAfterMs`), or parked as DEAD when not retryable. */
  fail: botProcedure
    .input(types.FailInput)
    .output(types.FailResult)
    .mutation(async ({ ctx, input }) => {
      const outcome = await failOutbox(
        ctx.db,
        input.id,
        input.workerId,
        {
          error: input.error,
          retryable: input.retryable,
          retryAfterMs: input.retryAfterMs ?? null,
          reason: input.reason ?? null,
          status: input.status ?? null,
        },
        { now: ctx.now(), logger: ctx.logger },
      );
      if (!outcome) return { state: 'NOT_HELD' as const, attempts: null, nextAttemptAt: null };
      return {
        state: outcome.state,
        attempts: outcome.attempts,
        nextAttemptAt: outcome.state === 'PENDING' ? outcome.nextAttemptAt.toISOString() : null,
      };
    }),
});
