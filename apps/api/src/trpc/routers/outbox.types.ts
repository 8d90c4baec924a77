import { DeliveryFailureReason } from '@payreq/contracts';
import { z } from 'zod';

export const OutboxTarget = z.enum(['ONEC', 'TELEGRAM']);
export const OutboxMessageId = z.string().regex(/^\d{1,19}$/, { error: 'invalid_type' });

export const DeadLetterView = z.object({
  id: z.string(),
  target: OutboxTarget,
  kind: z.string(),
  aggregateKey: z.string(),
  payload: z.unknown(),
  state: z.enum(['PENDING', 'DELIVERED', 'DEAD']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  failureReason: DeliveryFailureReason.nullable(),
  failureStatus: z.number().int().nullable(),
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
