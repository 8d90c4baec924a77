import { z } from 'zod';

import { PaymentStatus, RequestSource, RequestStatus } from './enums';
import { safeString } from './fields';
import { OfferTerms, PaymentRequestPatch, PaymentRequestSummary } from './payment-request';

/** Inputs and outputs of the api's procedures that are not entities themselves. */

export const RequestId = z.object({ requestId: z.uuid() });

export const CreateStandardRequestInput = z.strictObject({
  source: RequestSource.extract(['PLATFORM_UI', 'API']).default('PLATFORM_UI'),
  fields: PaymentRequestPatch.default({}),
  /** When the offers stop being collected; at least an hour ahead. */
  offersDeadline: z.iso.datetime({ offset: true }),
});
export type CreateStandardRequestInput = z.input<typeof CreateStandardRequestInput>;

export const UpdateRequestInput = z.strictObject({
  requestId: z.uuid(),
  /** The version the caller edited: a stale one is refused with VERSION_CONFLICT. */
  version: z.number().int().positive(),
  fields: PaymentRequestPatch,
});
export type UpdateRequestInput = z.input<typeof UpdateRequestInput>;

export const VersionedRequestInput = z.strictObject({
  requestId: z.uuid(),
  version: z.number().int().positive(),
});

export const SetStatusInput = z.strictObject({
  requestId: z.uuid(),
  status: RequestStatus,
  version: z.number().int().positive().optional(),
  comment: safeString().trim().max(2000).optional(),
});

export const SetPaymentStatusInput = z.strictObject({
  requestId: z.uuid(),
  paymentStatus: PaymentStatus,
});

export const SubmitOfferInput = z.strictObject({
  requestId: z.uuid(),
  terms: OfferTerms,
});

export const AcceptOfferInput = z.strictObject({
  requestId: z.uuid(),
  offerId: z.uuid(),
});

export const ListRequestsInput = z.strictObject({
  status: z.array(RequestStatus).optional(),
  /** Only requests linked to the calling agent. */
  mine: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(25),
  /** Opaque cursor from the previous page. */
  cursor: safeString().max(200).nullish(),
  /** Sent by tRPC's infinite queries; the board pages forward only. */
  direction: z.enum(['forward', 'backward']).optional(),
});
export type ListRequestsInput = z.input<typeof ListRequestsInput>;

export const ListRequestsOutput = z.object({
  items: z.array(PaymentRequestSummary.extend({ readOnly: z.boolean() })),
  nextCursor: safeString().nullable(),
});
export type ListRequestsOutput = z.infer<typeof ListRequestsOutput>;
