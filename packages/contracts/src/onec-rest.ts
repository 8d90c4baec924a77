import { z } from 'zod';

import { DocumentKind, PaymentStatus, RequestStatus } from './enums';
import { emptyAsZero, exchangeRate, moneyAmount, onecGuid, percent, text } from './fields';
import { PaymentRequestFields } from './payment-request';

/**
 * The REST shim 1C calls (`/onec/v1/...`). JSON only, files as base64, because that is
 * what 1C's HTTPConnection does without extra libraries.
 */

/** 1C's `Edm.DateTime`: no time zone; the platform reads it in the 1C server's zone (a setting). */
export const OnecDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, { error: 'date' });

/**
 * 1C's empty date (`Дата(1, 1, 1)`): a 1C `Дата` is never null, so a date left blank is this,
 * as `ЗаписатьJSON` writes it.
 */
export const ONEC_EMPTY_DATE = '0001-01-01T00:00:00';

// What 1C writes for "nothing here" is read as null: a 1C string attribute left empty is ""
// (padded with spaces when it has a fixed length), a date left empty is the empty date (and ""
// through `Формат`), an empty reference or `УникальныйИдентификатор` is the nil GUID.
const NIL_GUID = '00000000-0000-0000-0000-000000000000';
const isBlank = (value: unknown) => typeof value === 'string' && value.trim() === '';
/** "" (or spaces) as null; anything else as it is. */
export const onecBlankToNull = (value: unknown) => (isBlank(value) ? null : value);
const emptyDateToNull = (value: unknown) =>
  isBlank(value) || value === ONEC_EMPTY_DATE ? null : value;
/** "" and the nil GUID (an empty reference or `УникальныйИдентификатор`) as null. */
export const onecEmptyGuidToNull = (value: unknown) =>
  isBlank(value) || value === NIL_GUID ? null : value;

/** An optional 1C date: absent, null, "" and 1C's empty date all mean "no date". */
export const OnecOptionalDateTime = z.preprocess(emptyDateToNull, OnecDateTime.nullish()).meta({
  description: `\`YYYY-MM-DDTHH:mm:ss\` in the 1C server's zone, or null. 1C's empty date (\`${ONEC_EMPTY_DATE}\`) and \`""\` mean no date.`,
});

/** Optional text from 1C: "" (an empty 1C string) means none. */
const onecOptionalText = (max: number) =>
  z.preprocess(onecBlankToNull, text(max).nullish()).meta({
    description: `Up to ${max} characters, or null; \`""\` means none.`,
  });

/** An optional platform id echoed by 1C: "" and the nil GUID (an empty \`УникальныйИдентификатор\`) mean none. */
const onecOptionalUuid = z.preprocess(onecEmptyGuidToNull, z.uuid().nullish());

/**
 * A decimal that may be zero. 1C's `Формат(0, "ЧДЦ=2")` is "" (zero prints as nothing unless
 * the format string says `ЧН=`), so "" is read as 0 here (`emptyAsZero`).
 */
const zeroOrMore = <T extends z.ZodType>(schema: T, description: string) =>
  emptyAsZero(schema).meta({
    description: `${description} \`""\` (what \`Формат\` writes for 0 without \`ЧН=\`) is 0.`,
  });

export const OnecRequestParams = z.object({ requestId: z.uuid() });

/**
 * The request's version 1C computed an offer or a status on: the latest `version` it received
 * (with the request, an update, or a post's answer). Required: fields changed since then refuse
 * the post with 409 STALE_VERSION (domain `checkOnecVersion`).
 */
const basedOnVersion = z.number().int().positive().meta({
  description:
    "The request's version this was computed on: the latest `version` 1C received (with the request, an update, or the answer to a post). When the fields have changed since, the post is refused with 409 `STALE_VERSION` and changes nothing.",
});

export const OnecOfferBody = z.strictObject({
  /** The 1C calculation document: a retried post with the same Ref_Key changes nothing. */
  Ref_Key: onecGuid,
  version: basedOnVersion,
  rate: exchangeRate.meta({
    description:
      'Exchange rate: a decimal string with a dot (or a JSON number), > 0, at most 6 decimals.',
  }),
  feePercent: zeroOrMore(percent, 'Fee in percent: a decimal, 0–100, at most 4 decimals.'),
  fixedFee: zeroOrMore(moneyAmount, 'Fixed fee: a decimal, ≥ 0, at most 2 decimals.'),
  totalToPay: moneyAmount.meta({
    description:
      'What the client pays: a decimal string with a dot (or a JSON number), at most 2 decimals.',
  }),
  settlementDays: z.number().int().min(0).max(365),
  validUntil: OnecOptionalDateTime,
  comment: onecOptionalText(2000),
});
export type OnecOfferBody = z.output<typeof OnecOfferBody>;
export type OnecOfferBodyInput = z.input<typeof OnecOfferBody>;

/** Statuses 1C may set on a request (the transition table still decides). */
export const OnecSettableStatus = RequestStatus.extract(['IN_PROGRESS', 'COMPLETED', 'CANCELLED']);

// An unset enumeration in 1C writes as "" (or null): the same as leaving the key out.
const onecOptionalEnum = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

export const OnecStatusBody = z
  .strictObject({
    version: basedOnVersion,
    status: onecOptionalEnum(OnecSettableStatus),
    paymentStatus: onecOptionalEnum(PaymentStatus),
    comment: onecOptionalText(2000),
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
  /** `Base64Строка(ДвоичныеДанные)`: it breaks lines every 76 characters; the breaks are dropped. */
  contentBase64: z
    .string()
    .regex(/^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/, { error: 'base64' })
    .transform((value) => value.replace(/[\r\n]+/g, ''))
    .pipe(
      z
        .string()
        .min(4, { error: 'base64' })
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'base64' })
        .refine((value) => value.length % 4 === 0, { error: 'base64' }),
    )
    .meta({
      description:
        'The file as base64 (`Base64Строка(ДвоичныеДанные)`); the line breaks it inserts every 76 characters are allowed and ignored.',
    }),
  /** Set when the document answers an agent's request from the Mini App. */
  documentRequestId: onecOptionalUuid,
  number: onecOptionalText(64),
  date: OnecOptionalDateTime,
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
  /** The request's version after the offer was accepted. */
  version: z.number().int(),
});
export type OnecOfferResult = z.infer<typeof OnecOfferResult>;

export const OnecStatusResult = z.object({
  requestId: z.uuid(),
  status: RequestStatus,
  paymentStatus: PaymentStatus,
  version: z.number().int(),
});
export type OnecStatusResult = z.infer<typeof OnecStatusResult>;

/**
 * What became of the agent's document request a posted document answers (`documentRequestId`):
 * FULFILLED, it now has this document; UNKNOWN, the request has no such document request (the
 * document is kept all the same: a generated file is never lost); FULFILLED_BY_ANOTHER, it was
 * fulfilled with another document before and stays so (this one is kept beside it).
 */
export const OnecDocumentRequestOutcome = z.enum(['FULFILLED', 'UNKNOWN', 'FULFILLED_BY_ANOTHER']);
export type OnecDocumentRequestOutcome = z.infer<typeof OnecDocumentRequestOutcome>;

export const OnecDocumentResult = z.object({
  documentId: z.uuid(),
  requestId: z.uuid(),
  sha256: z.string().length(64),
  size: z.number().int(),
  /** Null when the post named no `documentRequestId`. */
  documentRequest: OnecDocumentRequestOutcome.nullable(),
});
export type OnecDocumentResult = z.infer<typeof OnecDocumentResult>;

/** Headers of a 1C call. The signature is HMAC-SHA256 of the raw body, hex, when the integration requires it. */
export const onecHeaders = {
  apiKey: 'x-api-key',
  signature: 'x-signature',
  idempotencyKey: 'idempotency-key',
} as const;
