import { z } from 'zod';

import { DocumentKind, PaymentStatus, RequestStatus } from './enums';
import { exchangeRate, moneyAmount, onecGuid, percent, text } from './fields';
import { PaymentRequestFields } from './payment-request';

/**
 * The REST shim 1C calls (`/onec/v1/...`). JSON only, files as base64, because that is
 * what 1C's HTTPConnection does without extra libraries (SPEC §6).
 */

/** 1C's `Edm.DateTime`: no time zone; the platform reads it in the 1C server's zone (a setting). */
export const OnecDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, { error: 'date' });

export const OnecRequestParams = z.object({ requestId: z.uuid() });

export const OnecOfferBody = z.strictObject({
  /** The 1C calculation document: a retried post with the same Ref_Key changes nothing. */
  Ref_Key: onecGuid,
  rate: exchangeRate,
  feePercent: percent,
  fixedFee: moneyAmount,
  totalToPay: moneyAmount,
  settlementDays: z.number().int().min(0).max(365),
  validUntil: OnecDateTime.nullish(),
  comment: text(2000).nullish(),
});
export type OnecOfferBody = z.output<typeof OnecOfferBody>;
export type OnecOfferBodyInput = z.input<typeof OnecOfferBody>;

/** Statuses 1C may set on a request (the transition table still decides). */
export const OnecSettableStatus = RequestStatus.extract(['IN_PROGRESS', 'COMPLETED', 'CANCELLED']);

export const OnecStatusBody = z
  .strictObject({
    status: OnecSettableStatus.optional(),
    paymentStatus: PaymentStatus.optional(),
    comment: text(2000).nullish(),
  })
  .refine((body) => body.status !== undefined || body.paymentStatus !== undefined, {
    error: 'required',
    path: ['status'],
  });
export type OnecStatusBody = z.output<typeof OnecStatusBody>;

/** Document files 1C may post. */
export const onecDocumentMimeTypes = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/xml',
  'text/plain',
] as const;

export const OnecDocumentBody = z.strictObject({
  /** The 1C document: a retried post with the same Ref_Key stores nothing twice. */
  Ref_Key: onecGuid,
  kind: DocumentKind,
  fileName: text(255).refine((name) => !/[\\/]/.test(name), { error: 'invalid_type' }),
  mime: z.enum(onecDocumentMimeTypes),
  contentBase64: z
    .string()
    .min(4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'base64' })
    .refine((value) => value.length % 4 === 0, { error: 'base64' }),
  /** Set when the document answers an agent's request from the Mini App. */
  documentRequestId: z.uuid().nullish(),
  number: text(64).nullish(),
  date: OnecDateTime.nullish(),
});
export type OnecDocumentBody = z.output<typeof OnecDocumentBody>;
export type OnecDocumentBodyInput = z.input<typeof OnecDocumentBody>;

export const OnecRequestView = z.object({
  id: z.uuid(),
  number: z.number().int(),
  displayNumber: z.string(),
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  inHouse: z.boolean(),
  onecRef: z.string().nullable(),
  agent: z.object({ id: z.string(), name: z.string() }).nullable(),
  fields: PaymentRequestFields,
  acceptedOfferId: z.string().nullable(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type OnecRequestView = z.infer<typeof OnecRequestView>;

export const OnecOfferResult = z.object({
  offerId: z.uuid(),
  requestId: z.uuid(),
  status: RequestStatus,
  offerStatus: z.enum(['ACCEPTED']),
});
export type OnecOfferResult = z.infer<typeof OnecOfferResult>;

export const OnecStatusResult = z.object({
  requestId: z.uuid(),
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  version: z.number().int(),
});
export type OnecStatusResult = z.infer<typeof OnecStatusResult>;

export const OnecDocumentResult = z.object({
  documentId: z.uuid(),
  requestId: z.uuid(),
  sha256: z.string().length(64),
  size: z.number().int(),
});
export type OnecDocumentResult = z.infer<typeof OnecDocumentResult>;

/** Headers of a 1C call. The signature is HMAC-SHA256 of the raw body, hex, when the integration requires it. */
export const onecHeaders = {
  apiKey: 'x-api-key',
  signature: 'x-signature',
  idempotencyKey: 'idempotency-key',
} as const;
