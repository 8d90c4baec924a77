import {
  ChatId,
  OfferStatus,
  PaymentStatus,
  RequestStatus,
  displayRequestNumber,
  telegramId,
} from '@payreq/contracts';
import { pipelineFor } from '@payreq/domain';
import { z } from 'zod';

import { notFound } from '../../errors';
import { claimOutboxBatch, completeOutbox, failOutbox } from '../../outbox';
import { botProcedure, router } from '../trpc';
import { transaction } from '../../db';

/**
 * The Telegram side of the outbox, for the bot process (service token): it claims the
 * TELEGRAM rows the api wrote with the changes that caused them, renders and sends them, and
 * reports back. The state machine (leases, backoff, DEAD) is the outbox module's; this is only
 * its remote door, plus the little the bot needs to word its messages.
 */

const OutboxId = z.string().regex(/^\d{1,19}$/, { error: 'invalid_type' });
/** Who holds the lease: each bot process sends its own id, so two processes never settle each other's rows. */
const WorkerId = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,128}$/, { error: 'invalid_type' })
  .default('telegram-bot');

export const ClaimInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(10),
  /** How long the bot holds the rows: a delivery must be completed or failed within it. */
  leaseMs: z
    .number()
    .int()
    .min(1_000)
    .max(30 * 60_000)
    .default(60_000),
  workerId: WorkerId,
});

export const ClaimedMessage = z.object({
  id: OutboxId,
  kind: z.string(),
  aggregateKey: z.string(),
  payload: z.unknown(),
  /** Attempts so far, this one included. */
  attempts: z.number().int(),
  lockedUntil: z.string(),
  createdAt: z.string(),
  /** The trace of the change that wrote it (W3C traceparent): the delivery continues it. */
  traceparent: z.string().nullable(),
});
export type ClaimedMessage = z.infer<typeof ClaimedMessage>;

export const CompleteInput = z.strictObject({
  id: OutboxId,
  workerId: WorkerId,
  /** The message the bot posted; for `telegram.document` it is also kept on the Document. */
  telegramMessageId: z.number().int().positive().optional(),
  /** The chat it was posted in (after a supergroup migration, not the payload's). */
  chatId: ChatId.optional(),
});

export const FailInput = z.strictObject({
  id: OutboxId,
  workerId: WorkerId,
  error: z.string().min(1).max(2_000),
  /** False: trying again cannot help (the bot was removed from the chat, ...): parked as DEAD. */
  retryable: z.boolean(),
  /** Telegram's `retry_after` (429), in ms: the next attempt waits at least this long. */
  retryAfterMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3_600_000)
    .nullish(),
});

export const FailResult = z.object({
  /** NOT_HELD: the lease had expired and the row is no longer this worker's. */
  state: z.enum(['PENDING', 'DEAD', 'NOT_HELD']),
  attempts: z.number().int().nullable(),
  nextAttemptAt: z.string().nullable(),
});

export const RequestCardInput = z.strictObject({
  requestId: z.uuid(),
  /** The offer to describe (e.g. `telegram.offerAccepted`'s); the accepted one when absent. */
  offerId: z.uuid().optional(),
});

/** What the bot's messages about a request say. */
export const RequestCard = z.object({
  requestId: z.string(),
  number: z.number().int(),
  displayNumber: z.string(),
  /** The chat the request lives in now (follows group → supergroup migrations). */
  chatId: z.number().nullable(),
  /** The chat's language (Russian by default). */
  locale: z.enum(['ru', 'en']),
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  inHouse: z.boolean(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  clientCurrency: z.string().nullable(),
  agentName: z.string().nullable(),
  onecUrl: z.string().nullable(),
  offer: z
    .object({
      id: z.string(),
      status: OfferStatus,
      rate: z.string(),
      feePercent: z.string(),
      fixedFee: z.string(),
      totalToPay: z.string(),
      settlementDays: z.number().int(),
      validUntil: z.string().nullable(),
      comment: z.string().nullable(),
    })
    .nullable(),
});
export type RequestCard = z.infer<typeof RequestCard>;

export const WhoIsResult = z.object({
  /** An active agent on the whitelist (Agent.telegramId). */
  isAgent: z.boolean(),
  name: z.string().nullable(),
  isMasterTenant: z.boolean(),
});

const trimDecimal = (value: { toFixed(digits: number): string }, digits: number) =>
  value.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');

export const botOutboxRouter = router({
  /** Due TELEGRAM messages, oldest first, at most one per chat (their order is kept). */
  claim: botProcedure
    .input(ClaimInput)
    .output(z.object({ messages: z.array(ClaimedMessage) }))
    .mutation(async ({ ctx, input }) => {
      const rows = await claimOutboxBatch(ctx.db, {
        target: 'TELEGRAM',
        workerId: input.workerId,
        limit: input.limit,
        leaseMs: input.leaseMs,
        now: ctx.now(),
      });
      return {
        messages: rows.map((row) => ({
          id: row.id.toString(),
          kind: row.kind,
          aggregateKey: row.aggregateKey,
          payload: row.payload,
          attempts: row.attempts,
          lockedUntil: row.lockedUntil.toISOString(),
          createdAt: row.createdAt.toISOString(),
          traceparent: row.traceparent,
        })),
      };
    }),

  /** Delivered. For a document, the Telegram message id is written on the Document in the same transaction. */
  complete: botProcedure
    .input(CompleteInput)
    .output(z.object({ completed: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const completed = await transaction(ctx.db, async (tx) => {
        const row = await tx.outboxMessage.findUnique({
          where: { id: BigInt(input.id) },
          select: { kind: true, payload: true, target: true },
        });
        if (!row || row.target !== 'TELEGRAM') return false;
        const result =
          input.telegramMessageId !== undefined || input.chatId !== undefined
            ? {
                telegramMessageId: input.telegramMessageId ?? null,
                chatId: input.chatId ?? null,
              }
            : undefined;
        const done = await completeOutbox(tx, input.id, input.workerId, result, {
          now: ctx.now(),
        });
        if (done && row.kind === 'telegram.document' && input.telegramMessageId !== undefined) {
          const payload = row.payload as { documentId?: unknown } | null;
          if (payload && typeof payload.documentId === 'string') {
            await tx.document.updateMany({
              where: { id: payload.documentId },
              data: { telegramMessageId: input.telegramMessageId },
            });
          }
        }
        return done;
      });
      return { completed };
    }),

  /** Not delivered: retried later (at least `retryAfterMs`), or parked as DEAD when not retryable. */
  fail: botProcedure
    .input(FailInput)
    .output(FailResult)
    .mutation(async ({ ctx, input }) => {
      const outcome = await failOutbox(
        ctx.db,
        input.id,
        input.workerId,
        {
          error: input.error,
          retryable: input.retryable,
          retryAfterMs: input.retryAfterMs ?? null,
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

  /** Number, statuses, amounts, the offer's terms, the 1C link and the chat's language. */
  requestCard: botProcedure
    .input(RequestCardInput)
    .output(RequestCard)
    .query(async ({ ctx, input }) => {
      const request = await ctx.db.paymentRequest.findUnique({
        where: { id: input.requestId },
        include: { tenant: true, agent: true, chat: true },
      });
      if (!request) throw notFound();
      const offer = input.offerId
        ? await ctx.db.offer.findFirst({ where: { id: input.offerId, requestId: request.id } })
        : await ctx.db.offer.findFirst({
            where: { requestId: request.id, status: 'ACCEPTED' },
            orderBy: { createdAt: 'desc' },
          });
      const pipeline = pipelineFor(request);
      return {
        requestId: request.id,
        number: request.number,
        displayNumber: displayRequestNumber(request.number),
        chatId: request.telegramChatId === null ? null : Number(request.telegramChatId),
        locale: request.chat?.locale === 'en' ? ('en' as const) : ('ru' as const),
        status: request.status,
        paymentStatus: request.paymentStatus,
        inHouse: pipeline.inHouse,
        amount: request.amount === null ? null : request.amount.toFixed(2),
        currency: request.currency,
        clientCurrency: request.clientCurrency,
        agentName: request.agent?.name ?? null,
        onecUrl: request.onecUrl,
        offer: offer
          ? {
              id: offer.id,
              status: offer.status,
              rate: trimDecimal(offer.rate, 6),
              feePercent: trimDecimal(offer.feePercent, 4),
              fixedFee: offer.fixedFee.toFixed(2),
              totalToPay: offer.totalToPay.toFixed(2),
              settlementDays: offer.settlementDays,
              validUntil: offer.validUntil === null ? null : offer.validUntil.toISOString(),
              comment: offer.comment,
            }
          : null,
      };
    }),

  /** Whether a Telegram user is a whitelisted agent (the bot's private-chat menu). */
  whoIs: botProcedure
    .input(z.strictObject({ telegramId }))
    .output(WhoIsResult)
    .query(async ({ ctx, input }) => {
      const agent = await ctx.db.agent.findUnique({
        where: { telegramId: BigInt(input.telegramId) },
        include: { tenant: true },
      });
      if (!agent?.active) return { isAgent: false, name: null, isMasterTenant: false };
      return { isAgent: true, name: agent.name, isMasterTenant: agent.tenant.isMaster };
    }),
});
