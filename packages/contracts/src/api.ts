import { z } from 'zod';

import { PaymentStatus, RequestSource, RequestStatus } from './enums';
import { innCode, kppCode, safeString, text } from './fields';
import {
  HISTORY_PAGE_MAX,
  OfferTerms,
  PaymentRequestPatch,
  PaymentRequestSummary,
} from './payment-request';

/** Inputs and outputs of the api's procedures that are not entities themselves. */

export const RequestId = z.object({ requestId: z.uuid() });

/** The history entries before a cursor (a view's `historyBefore`, a page's `before`). */
export const HistoryPageInput = z.strictObject({
  before: z.string().regex(/^[1-9][0-9]{0,18}$/, { error: 'invalid_type' }),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(HISTORY_PAGE_MAX),
});
export type HistoryPageInput = z.input<typeof HistoryPageInput>;

export const RequestHistoryInput = HistoryPageInput.extend({ requestId: z.uuid() });

export const CreateStandardRequestInput = z.strictObject({
  source: RequestSource.extract(['PLATFORM_UI', 'API']).default('PLATFORM_UI'),
  /** The client company a bank agent files it for; a company's member files for their own. */
  companyId: z.uuid().optional(),
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

export const WithdrawOfferInput = z.strictObject({
  requestId: z.uuid(),
  offerId: z.uuid(),
});

/**
 * A client company registers with its name and tax ids: the INN with its check digits, and the
 * KPP that an organisation (a 10-digit INN) has and a sole trader (12 digits) has not.
 */
export const RegisterCompanyInput = z
  .strictObject({
    name: text(300),
    taxId: innCode,
    kpp: z.preprocess((value) => (value === '' ? null : value), kppCode.nullish()),
  })
  .superRefine((company, ctx) => {
    if (company.taxId.length === 10 && !company.kpp)
      ctx.addIssue({ code: 'custom', message: 'kpp_required', path: ['kpp'] });
    if (company.taxId.length === 12 && company.kpp)
      ctx.addIssue({ code: 'custom', message: 'kpp_forbidden', path: ['kpp'] });
  });
export type RegisterCompanyInput = z.input<typeof RegisterCompanyInput>;

export const CompanyView = z.object({
  id: z.uuid(),
  name: z.string(),
  taxId: z.string().nullable(),
  kpp: z.string().nullable(),
  members: z.number().int(),
});
export type CompanyView = z.infer<typeof CompanyView>;

export const CreateInvitationInput = z.strictObject({ companyId: z.uuid() });

/** The invitation's token goes in a link (`/portal/join/<token>`); it is shown once. */
export const InvitationView = z.object({ token: z.string(), expiresAt: z.string() });
export type InvitationView = z.infer<typeof InvitationView>;

export const JoinCompanyInput = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, { error: 'invalid_type' }),
});

export const ListCompaniesInput = z.strictObject({
  /** Part of the name or of the INN. */
  search: safeString().trim().max(100).optional(),
  limit: z.number().int().min(1).max(50).default(20),
});

/** The caller's notifications in the portal (deadline reminders, ...), newest first. */
export const ListNotificationsInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20),
  /** The `id` of the last item of the previous page. */
  before: z
    .string()
    .regex(/^\d{1,19}$/, { error: 'invalid_type' })
    .optional(),
});

export const NotificationView = z.object({
  id: z.string(),
  at: z.string(),
  /** In the caller's language, from the catalogue (`@payreq/i18n`). */
  text: z.string(),
  requestId: z.string().nullable(),
  read: z.boolean(),
});
export type NotificationView = z.infer<typeof NotificationView>;

export const ListNotificationsOutput = z.object({
  items: z.array(NotificationView),
  unread: z.number().int(),
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: z.string().nullable(),
});

export const MarkNotificationsReadInput = z.strictObject({
  /** Up to this notification (inclusive): everything the caller has seen. */
  upTo: z.string().regex(/^\d{1,19}$/, { error: 'invalid_type' }),
});
