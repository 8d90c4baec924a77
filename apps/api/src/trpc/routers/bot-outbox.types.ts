import {
  ChatId,
  ChatMessageInput,
  ClaimedTelegramMessage,
  DeliveryFailureReason,
} from '@payreq/contracts';
import { z } from 'zod';

import { OutboxMessageId } from './outbox.types';

export { ClaimedTelegramMessage };

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

export const ClaimResult = z.object({ messages: z.array(ClaimedTelegramMessage) });

export const CompleteInput = z.strictObject({
  id: OutboxMessageId,
  workerId: WorkerId,
  /** The message the bot posted; for `telegram.document` it is also kept on the Document. */
  telegramMessageId: z.number().int().positive().optional(),
  /** The chat it was posted in (after a supergroup migration, not the payload's). */
  chatId: ChatId.optional(),
  /**
   * The posted message as the deal room's archive keeps it (a group's only; a person's private
   * chat has no archive). For `telegram.document` the api files it with the document's own file.
   */
  message: ChatMessageInput.optional(),
});

export const CompleteResult = z.object({ completed: z.boolean() });

export const FailInput = z.strictObject({
  id: OutboxMessageId,
  workerId: WorkerId,
  error: z.string().min(1).max(2_000),
  /** False: trying again cannot help (the bot was removed from the chat, ...): parked as DEAD. */
  retryable: z.boolean(),
  /** Why, in a word the portal says in the operator's language (a bot of an older release sends none). */
  reason: DeliveryFailureReason.optional(),
  /** Telegram's error code, when it answered. */
  status: z.number().int().optional(),
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
