import { z } from 'zod';

import {
  DocumentKind,
  HistoryActor,
  OnecDateTime,
  OnecRequestChange,
  OnecOptionalDateTime,
  PaymentRequestFields,
  PaymentStatus,
  RequestStatus,
  onecBlankToNull,
  onecEmptyGuidToNull,
  onecGuid,
} from '@payreq/contracts';

/**
 * The contract between the platform and the bank's 1C HTTP service
 * (`{baseUrl}/hs/{root}/v1/...`). The 1C developer implements exactly these shapes;
 * README.md in this package is the human-readable version of this file.
 */

export { OnecDateTime, OnecOptionalDateTime };

// What 1C writes for "nothing" is read as null (or 0), as in the REST contracts.

/** Text 1C may leave empty: "" is null. */
const optionalText = z.preprocess(onecBlankToNull, z.string().nullable());

/** A reference 1C may leave empty: "" and the nil GUID of an empty reference are null. */
const optionalRef = <T extends z.ZodType>(schema: T) =>
  z.preprocess(onecEmptyGuidToNull, schema.nullable());

/**
 * A decimal from 1C as a string with a dot: a JSON number (`ЗаписатьJSON` of a `Число`) or a
 * string; "" (`Формат(0, ...)` without `ЧН=`) is "0".
 */
const onecDecimal = z
  .union([z.string(), z.number()])
  .transform((value) => (value === '' ? '0' : String(value)))
  .pipe(z.string().regex(/^-?\d+(\.\d+)?$/));

/** The agent (bank manager) linked to the request, as 1C receives it. */
export const OnecAgent = z.object({
  name: z.string().min(1),
  /** 1C's empty number is 0: no Telegram id. */
  telegramId: z.preprocess((value) => (value === 0 ? null : value), z.number().int().nullable()),
});
export type OnecAgent = z.infer<typeof OnecAgent>;

/** `POST /v1/requests`: the body the platform sends. */
export const OnecCreateRequestBody = z.object({
  /** The platform's request id: 1C's idempotency key for this call. */
  platformId: z.uuid(),
  /** The platform's request number (integer). */
  number: z.number().int().positive(),
  /** The number people read out ("№ 000123"). */
  displayNumber: z.string().min(1),
  /** The form fields; amounts are decimal strings ("1250000.00"), never floats. */
  fields: PaymentRequestFields,
  agent: OnecAgent.nullable(),
  /** When the request was submitted, in the 1C server's local time (no zone). */
  createdAt: OnecDateTime,
  /** The request's version at the submit: what 1C names in its posts until an update brings a newer one. */
  version: z.number().int().positive(),
});
export type OnecCreateRequestBody = z.infer<typeof OnecCreateRequestBody>;

/** `POST /v1/requests`: 1C's answer (201 when created, 200 with `created: false` on a repeat). */
export const OnecCreateRequestAnswer = z.object({
  Ref_Key: onecGuid,
  /** 1C's own document number, e.g. "ЗП00-000123". */
  Number: z.string().min(1),
  created: z.boolean(),
});
export type OnecCreateRequestAnswer = z.infer<typeof OnecCreateRequestAnswer>;

export { OnecRequestChange };

/**
 * `POST /v1/requests/{Ref_Key}/updates`: one change of the request made on the platform after
 * the submit (field edits, a cancellation, payment marks and steps, status moves, documents).
 * Sent in the order they were made, each once or more: 1C applies an `updateId` once.
 */
export const OnecUpdateRequestBody = z.object({
  /** 1C's idempotency key for this update. */
  updateId: z.uuid(),
  platformId: z.uuid(),
  /** The request's version after the change: name it in the offer and status posts. */
  version: z.number().int().positive(),
  /** When the change was made, in the 1C server's local time (no zone). */
  at: OnecDateTime,
  /** Who made it: `client`, `agent` (with a name) or `system`. */
  by: HistoryActor,
  comment: z.string().nullable(),
  /** In the order they were made. */
  changes: z.array(OnecRequestChange).min(1),
});
export type OnecUpdateRequestBody = z.infer<typeof OnecUpdateRequestBody>;

/** `POST /v1/requests/{Ref_Key}/updates`: 201 applied, 200 with `applied: false` for an `updateId` already applied. */
export const OnecUpdateRequestAnswer = z.object({
  updateId: z.uuid(),
  applied: z.boolean(),
  /** The newest version 1C holds of the request now. */
  version: z.number().int(),
});
export type OnecUpdateRequestAnswer = z.infer<typeof OnecUpdateRequestAnswer>;

/** `POST /v1/requests/{Ref_Key}/documents`: ask 1C to generate a document. */
export const OnecDocumentRequestBody = z.object({
  kind: DocumentKind,
  /** The platform's document-request id: 1C's idempotency key and echoed back with the file. */
  documentRequestId: z.uuid(),
});
export type OnecDocumentRequestBody = z.infer<typeof OnecDocumentRequestBody>;

/** States of a document-generation job inside 1C. */
export const OnecDocumentJobState = z.enum(['QUEUED', 'GENERATED', 'SENT', 'FAILED']);
export type OnecDocumentJobState = z.infer<typeof OnecDocumentJobState>;

/** `POST /v1/requests/{Ref_Key}/documents`: 202 for a new job, 200 for a repeat of a known one. */
export const OnecDocumentJobAnswer = z.object({
  /** The job's GUID in 1C. */
  Ref_Key: onecGuid,
  state: OnecDocumentJobState,
  /** Absent means true (a 202 answer). */
  created: z.boolean().optional(),
});
export type OnecDocumentJobAnswer = z.infer<typeof OnecDocumentJobAnswer>;

export const OnecOfferState = z.object({
  /** The calculation document in 1C (the `Ref_Key` posted to the platform). */
  Ref_Key: onecGuid,
  rate: onecDecimal,
  feePercent: onecDecimal,
  fixedFee: onecDecimal,
  totalToPay: onecDecimal,
  settlementDays: z.number().int(),
  /** 1C's empty date means none. */
  validUntil: OnecOptionalDateTime.transform((value) => value ?? null),
  comment: optionalText,
  Date: OnecDateTime,
});
export type OnecOfferState = z.infer<typeof OnecOfferState>;

export const OnecDocumentState = z.object({
  Ref_Key: onecGuid,
  kind: DocumentKind,
  Number: z.string(),
  Date: OnecDateTime,
  fileName: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  documentRequestId: optionalRef(z.uuid()),
});
export type OnecDocumentState = z.infer<typeof OnecDocumentState>;

export const OnecDocumentJobView = z.object({
  Ref_Key: onecGuid,
  kind: DocumentKind,
  documentRequestId: z.uuid(),
  state: OnecDocumentJobState,
  document_Key: optionalRef(onecGuid),
  error: optionalText,
});
export type OnecDocumentJobView = z.infer<typeof OnecDocumentJobView>;

/** `GET /v1/requests/{Ref_Key}`: the request as 1C sees it. */
export const OnecRequestState = z.object({
  Ref_Key: onecGuid,
  Number: z.string(),
  /** When the document was registered in 1C (1C local time). */
  Date: OnecDateTime,
  platformId: z.uuid(),
  platformNumber: z.number().int(),
  displayNumber: z.string(),
  createdAt: OnecDateTime,
  fields: PaymentRequestFields,
  agent: OnecAgent.nullable(),
  /** The newest version of the request 1C holds (from the create call or the last update). */
  version: z.number().int(),
  /** The last status the 1C operator set (or COLLECTING_OFFERS / OFFER_ACCEPTED before that). */
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  offers: z.array(OnecOfferState),
  documents: z.array(OnecDocumentState),
  documentJobs: z.array(OnecDocumentJobView),
});
export type OnecRequestState = z.infer<typeof OnecRequestState>;

/** Error codes the 1C service answers with (1C may add its own: the client keeps any string). */
export const onecErrorCodes = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'IDEMPOTENCY_MISMATCH',
  'INTERNAL',
] as const;

/** Every 4xx/5xx from the 1C service should carry this body (real 1C may also send text/HTML). */
export const OnecErrorBody = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string(),
  }),
});
export type OnecErrorBody = z.infer<typeof OnecErrorBody>;

/** Relative paths of the service, below `{baseUrl}/hs/{root}`. */
export const onecServicePaths = {
  requests: '/v1/requests',
  request: (ref: string) => `/v1/requests/${encodeURIComponent(ref)}`,
  documents: (ref: string) => `/v1/requests/${encodeURIComponent(ref)}/documents`,
  updates: (ref: string) => `/v1/requests/${encodeURIComponent(ref)}/updates`,
} as const;
