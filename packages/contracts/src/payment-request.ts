import { z } from 'zod';

import {
  DocumentKind,
  DocumentRequestState,
  DocumentSource,
  OfferSource,
  OfferStatus,
  PaymentDirection,
  PaymentStatus,
  PipelineKind,
  RequestSource,
  RequestStatus,
} from './enums';
import {
  accountNumber,
  countryCode,
  currencyCode,
  emptyAsZero,
  exchangeRate,
  innCode,
  isoDate,
  moneyAmount,
  percent,
  positiveAmount,
  swiftCode,
  text,
} from './fields';
import { paymentRequestFieldNames } from './form-fields';
import type { PaymentRequestFieldName } from './form-fields';

/** The schema of each form field (`satisfies` keeps it to exactly the names above). */
export const paymentRequestFieldSchemas = {
  payerName: text(300),
  payerTaxId: innCode,
  direction: PaymentDirection,
  amount: positiveAmount,
  currency: currencyCode,
  clientCurrency: currencyCode,
  beneficiaryName: text(300),
  beneficiaryCountry: countryCode,
  beneficiaryAddress: text(500),
  beneficiaryBankName: text(300),
  beneficiarySwift: swiftCode,
  beneficiaryAccount: accountNumber,
  purpose: text(1000),
  contractNumber: text(100),
  contractDate: isoDate,
  invoiceNumber: text(100),
  desiredDate: isoDate,
  comment: text(4000),
} as const satisfies Record<PaymentRequestFieldName, z.ZodType>;

/** An empty input means "cleared": stored as null. */
const blankToNull = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? null : value;

type PatchShape = {
  [K in PaymentRequestFieldName]: z.ZodOptional<
    z.ZodNullable<(typeof paymentRequestFieldSchemas)[K]>
  >;
};

// The preprocess step only turns blanks into null; the cast keeps the field's own input type for callers.
const patchShape = Object.fromEntries(
  paymentRequestFieldNames.map((name) => [
    name,
    z.preprocess(blankToNull, paymentRequestFieldSchemas[name].nullish()).optional(),
  ]),
) as unknown as PatchShape;

/**
 * A partial form, as saved while a draft is being filled: every field present is
 * validated, `null` clears a field, an absent field is left as it is.
 */
export const PaymentRequestPatch = z.strictObject(patchShape);
export type PaymentRequestPatch = z.output<typeof PaymentRequestPatch>;
export type PaymentRequestPatchInput = z.input<typeof PaymentRequestPatch>;

/** The complete form: what submit requires. */
export const PaymentRequestForm = z.strictObject({
  ...paymentRequestFieldSchemas,
  beneficiaryAddress: paymentRequestFieldSchemas.beneficiaryAddress.nullish(),
  contractNumber: paymentRequestFieldSchemas.contractNumber.nullish(),
  contractDate: paymentRequestFieldSchemas.contractDate.nullish(),
  invoiceNumber: paymentRequestFieldSchemas.invoiceNumber.nullish(),
  desiredDate: paymentRequestFieldSchemas.desiredDate.nullish(),
  comment: paymentRequestFieldSchemas.comment.nullish(),
});
export type PaymentRequestForm = z.output<typeof PaymentRequestForm>;

/** The stored form values, as the api returns them (null where not filled). */
export const PaymentRequestFields = z.object({
  payerName: z.string().nullable(),
  payerTaxId: z.string().nullable(),
  direction: PaymentDirection.nullable(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  clientCurrency: z.string().nullable(),
  beneficiaryName: z.string().nullable(),
  beneficiaryCountry: z.string().nullable(),
  beneficiaryAddress: z.string().nullable(),
  beneficiaryBankName: z.string().nullable(),
  beneficiarySwift: z.string().nullable(),
  beneficiaryAccount: z.string().nullable(),
  purpose: z.string().nullable(),
  contractNumber: z.string().nullable(),
  contractDate: z.string().nullable(),
  invoiceNumber: z.string().nullable(),
  desiredDate: z.string().nullable(),
  comment: z.string().nullable(),
});
export type PaymentRequestFields = z.infer<typeof PaymentRequestFields>;

export const OfferTerms = z.strictObject({
  rate: exchangeRate,
  // No fee typed is no fee.
  feePercent: emptyAsZero(percent),
  fixedFee: emptyAsZero(moneyAmount),
  totalToPay: moneyAmount,
  // «2,5» or nothing a number reads as is one refusal, in the words of days (not "a number expected").
  settlementDays: z
    .number({ error: 'days' })
    .int({ error: 'days' })
    .min(0, { error: 'days' })
    .max(365, { error: 'days' }),
  validUntil: z.iso.datetime({ offset: true }).nullish(),
  comment: text(2000).nullish(),
});
export type OfferTerms = z.output<typeof OfferTerms>;
export type OfferTermsInput = z.input<typeof OfferTerms>;

/** An offer's terms as answers carry them: decimals as strings, exactly as stored. */
export const OfferTermsView = z.object({
  rate: z.string(),
  feePercent: z.string(),
  fixedFee: z.string(),
  totalToPay: z.string(),
  settlementDays: z.number().int(),
  validUntil: z.string().nullable(),
  comment: z.string().nullable(),
});
export type OfferTermsView = z.infer<typeof OfferTermsView>;

export const OfferView = OfferTermsView.extend({
  id: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  /** The agent's tenant (the agency), for comparing offers side by side. */
  agentTenantName: z.string(),
  /**
   * The currency its fixed fee and total are in (the one the client pays in): with the offer,
   * as its agent sees it even where the request's own fields are no longer shown to them.
   */
  totalCurrency: z.string().nullable(),
  /** The request's amount and currency the offer was priced on. */
  pricedAmount: z.string().nullable(),
  pricedCurrency: z.string().nullable(),
  /**
   * The request's amount, currency, direction or payment currency changed since the offer was
   * priced: it cannot be accepted until its agent sends it again on the request as it is now.
   */
  outdated: z.boolean(),
  source: OfferSource,
  status: OfferStatus,
  createdAt: z.string(),
});
export type OfferView = z.infer<typeof OfferView>;

export const DocumentView = z.object({
  id: z.string(),
  kind: DocumentKind,
  fileName: z.string(),
  mime: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  source: DocumentSource,
  createdAt: z.string(),
  deliveredToChat: z.boolean(),
});
export type DocumentView = z.infer<typeof DocumentView>;

export const DocumentRequestView = z.object({
  id: z.string(),
  kind: DocumentKind,
  state: DocumentRequestState,
  requestedBy: z.string(),
  documentId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DocumentRequestView = z.infer<typeof DocumentRequestView>;

/** Who made a change, as people name them: a client or an agent by name, 1C, or the platform. */
export const HistoryActor = z.object({
  kind: z.enum(['client', 'agent', 'onec', 'system']),
  name: z.string().nullable(),
});
export type HistoryActor = z.infer<typeof HistoryActor>;

/** An offer as a history entry tells of it. */
export const HistoryOffer = z.object({
  source: OfferSource,
  agentName: z.string(),
  /**
   * What the offer priced: the request's amount and currency as they were when the offer was
   * sent (the request may have changed since).
   */
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  totalToPay: z.string(),
  /** The currency the total is paid in (the client's), as when the offer was sent. */
  totalCurrency: z.string().nullable(),
});
export type HistoryOffer = z.infer<typeof HistoryOffer>;

/**
 * What changed, typed: a history entry carries what the phrase catalogue (@payreq/i18n) needs
 * to say it in words, never a raw stored value.
 */
export const HistoryChange = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created') }),
  z.object({
    type: z.literal('field'),
    field: z.enum(paymentRequestFieldNames),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  z.object({
    type: z.literal('status'),
    from: RequestStatus.nullable(),
    to: RequestStatus,
    inHouse: z.boolean(),
    comment: z.string().nullable(),
  }),
  z.object({
    type: z.literal('paymentStatus'),
    from: PaymentStatus.nullable(),
    to: PaymentStatus,
    comment: z.string().nullable(),
  }),
  /** An offer placed (in Telegram: placed and accepted at once). */
  z.object({ type: z.literal('offer'), offer: HistoryOffer.nullable() }),
  /** Standard pipeline: the client chose this offer among the others. */
  z.object({ type: z.literal('offerAccepted'), offer: HistoryOffer.nullable() }),
  /** Standard pipeline: an agent took back their open offer. */
  z.object({ type: z.literal('offerWithdrawn'), agentName: z.string().nullable() }),
  z.object({
    type: z.literal('document'),
    kind: DocumentKind,
    fileName: z.string(),
    number: z.string().nullable(),
    source: DocumentSource,
  }),
  z.object({ type: z.literal('documentRequested'), kind: DocumentKind }),
  z.object({ type: z.literal('sentToOnec') }),
  /**
   * 1C posted an offer or a status computed on fields changed since: refused, and the agent is
   * told 1C will compute again on the new data.
   */
  z.object({ type: z.literal('onecStaleRefused'), what: z.enum(['offer', 'status']) }),
]);
export type HistoryChange = z.infer<typeof HistoryChange>;

/**
 * How many history entries a request's view carries: the latest ones. The entries before them
 * are read a page at a time (`miniApp.history`, `requests.history`), at most
 * `HISTORY_PAGE_MAX` a call, so no answer grows with the length of a deal.
 */
export const HISTORY_PAGE_SIZE = 20;
export const HISTORY_PAGE_MAX = 100;

export const HistoryEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: HistoryActor,
  change: HistoryChange,
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** When each payment step was marked, and by whom (the latest mark of each). */
export const PaymentMark = z.object({
  status: PaymentStatus,
  actor: HistoryActor,
  at: z.string(),
});
export type PaymentMark = z.infer<typeof PaymentMark>;

export const PaymentRequestSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  displayNumber: z.string(),
  /** The request's tenant (for a standard request, the client company): shown with full detail only. */
  tenantId: z.string().nullable(),
  tenantName: z.string().nullable(),
  source: RequestSource,
  pipeline: PipelineKind,
  inHouse: z.boolean(),
  telegramChatId: z.number().nullable(),
  chatTitle: z.string().nullable(),
  /** The agent responsible for the request: the linked agent, or the accepted offer's agent. */
  agentId: z.string().nullable(),
  agentName: z.string().nullable(),
  clientName: z.string().nullable(),
  /** Whether the caller may know the client: false, a null `clientName` is withheld, not missing. */
  clientShown: z.boolean(),
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  direction: PaymentDirection.nullable(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  offersDeadline: z.string().nullable(),
  onecUrl: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PaymentRequestSummary = z.infer<typeof PaymentRequestSummary>;

export const PaymentRequestView = PaymentRequestSummary.extend({
  fields: PaymentRequestFields,
  readOnly: z.boolean(),
  onecRef: z.string().nullable(),
  acceptedOffer: OfferView.nullable(),
  offers: z.array(OfferView),
  documents: z.array(DocumentView),
  documentRequests: z.array(DocumentRequestView),
  /** The latest entries (at most `HISTORY_PAGE_SIZE`), oldest first. */
  history: z.array(HistoryEntry).max(HISTORY_PAGE_SIZE),
  /** The cursor for the entries before `history` (a history page's `before`); null: none. */
  historyBefore: z.string().nullable(),
  paymentMarks: z.array(PaymentMark),
  /** What the caller may set next, from the domain's transition tables: the UI needs no table of its own. */
  next: z.object({ statuses: z.array(RequestStatus), paymentStatuses: z.array(PaymentStatus) }),
});
export type PaymentRequestView = z.infer<typeof PaymentRequestView>;

/** A page of a request's history, oldest first; `before` pages on to the older entries. */
export const HistoryPage = z.object({
  entries: z.array(HistoryEntry).max(HISTORY_PAGE_MAX),
  before: z.string().nullable(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** "№ 000123": the number people read out on the phone. */
export function displayRequestNumber(number: number): string {
  return `№ ${String(number).padStart(6, '0')}`;
}
