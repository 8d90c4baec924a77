import {
  ErrorBody,
  OnecDocumentBody,
  OnecDocumentResult,
  OnecOfferBody,
  OnecOfferResult,
  OnecRequestParams,
  OnecRequestView,
  OnecStatusBody,
  OnecStatusResult,
  onecHeaders,
} from '@payreq/contracts';
import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, oas31 } from 'zod-openapi';

/**
 * The REST shim 1C calls, described once: the routes (routes.ts) and the OpenAPI document
 * are both built from this table, so they cannot drift apart. Schemas are the contracts'.
 */

export const onecRestPrefix = '/onec';

export type OnecOperationId = 'getRequest' | 'postOffer' | 'postStatus' | 'postDocument';

export interface OnecOperationSpec {
  id: OnecOperationId;
  method: 'GET' | 'POST';
  /** OpenAPI path under the prefix, e.g. `/v1/requests/{requestId}`. */
  path: string;
  summary: string;
  description: string;
  body: z.ZodType | null;
  response: z.ZodType;
  successStatus: 200 | 201;
  successDescription: string;
  /**
   * For a 201: what the 200 answer means (the object already existed: posted before under
   * another key, or without one). A replay with the same key answers the first answer again.
   */
  existingDescription?: string;
  /** How the idempotency key is found: the header, or the header else the body's Ref_Key. */
  idempotency: 'none' | 'header' | 'headerOrRefKey';
  errors: Partial<Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500, string>>;
  bodyExample?: unknown;
  responseExample: unknown;
}

const exampleRequestId = '6f1c2e1a-1111-4222-8333-944455556666';
const exampleRef = '8934251d-5a39-436c-a5de-d2e2ea7a8838';

const staleText =
  " Also **409 `STALE_VERSION`**: the body's `version` is older than the last change of the request's fields (1C computed on data changed since; `currentVersion` in the answer says where the request is now). Nothing is written: apply the updates the platform sent, compute again and post with the newer `version`.";

const common = {
  400: 'The body is not JSON or breaks the schema (`issues` lists each field), or a header is malformed.',
  401: 'Missing or unknown `x-api-key`, or a missing or wrong `x-signature`.',
  403: 'The request is not an in-house request of the bank: 1C may not act on it.',
  404: 'No request with this id.',
  429: 'Too many calls in a minute: try again after `Retry-After` seconds, with the same key and body.',
  500: 'Trouble on the platform: try again later with the same key and body.',
} as const;

export const onecOperations: readonly OnecOperationSpec[] = [
  {
    id: 'getRequest',
    method: 'GET',
    path: '/v1/requests/{requestId}',
    summary: 'Read a request',
    description:
      'The request as the platform holds it: status, payment status, the form fields, the linked agent and the accepted offer. `{requestId}` is the `platformId` 1C received when the request was created. When the integration signs its calls, the signature of a GET is the HMAC of the empty body.',
    body: null,
    response: OnecRequestView,
    successStatus: 200,
    successDescription: 'The request.',
    idempotency: 'none',
    errors: {
      400: common[400],
      401: common[401],
      403: common[403],
      404: common[404],
      500: common[500],
    },
    responseExample: {
      id: exampleRequestId,
      number: 123,
      displayNumber: '№ 000123',
      status: 'OFFER_ACCEPTED',
      paymentStatus: 'NOT_PAID',
      inHouse: true,
      onecRef: exampleRef,
      agent: { id: '0d6f7c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', name: 'Иван Петров' },
      fields: {
        payerName: 'ООО «Ромашка»',
        payerTaxId: '7707083893',
        direction: 'OUTGOING',
        amount: '125000.00',
        currency: 'USD',
        clientCurrency: 'RUB',
        beneficiaryName: 'Shenzhen Trading Co., Ltd.',
        beneficiaryCountry: 'CN',
        beneficiaryAddress: null,
        beneficiaryBankName: 'Bank of China',
        beneficiarySwift: 'BKCHCNBJ',
        beneficiaryAccount: '6217000010001234567',
        purpose: 'Оплата по контракту № 15 за оборудование',
        contractNumber: '15',
        contractDate: '2025-01-20',
        invoiceNumber: 'INV-77',
        desiredDate: null,
        comment: null,
      },
      acceptedOfferId: '5b0c8a52-93a4-4c1e-9d6b-7f2e1a0c3b4d',
      version: 4,
      updatedAt: '2025-03-15T08:20:00.000Z',
    },
  },
  {
    id: 'postOffer',
    method: 'POST',
    path: '/v1/requests/{requestId}/offer',
    summary: 'Post the computed offer',
    description:
      "The terms the operator computed in 1C. They become the offer of the request's linked agent (source ONEC) and are **accepted at once**: the request moves to OFFER_ACCEPTED and its fields become read-only. Only while the request is collecting offers; another calculation for an accepted request is refused with 409. `Ref_Key` is the 1C calculation document: posting the same one again answers the offer already made; the same `Ref_Key` with other terms is refused with 409 `ALREADY_EXISTS` (accepted terms do not change). Money as decimal strings with a dot; `validUntil` in 1C local time without zone.",
    body: OnecOfferBody,
    response: OnecOfferResult,
    successStatus: 201,
    successDescription:
      'The offer was made and accepted. A replay with the same `Idempotency-Key` and body answers this again, with `idempotent-replayed: true`.',
    existingDescription:
      'This calculation (`Ref_Key`) was posted before under another key or none: the offer already made, nothing changed.',
    idempotency: 'headerOrRefKey',
    errors: {
      ...common,
      409: `The request is not collecting offers (e.g. an offer is already accepted), the calculation was used for another offer, or the idempotency key was used with another body.${staleText}`,
    },
    bodyExample: {
      Ref_Key: 'c3a1f0b2-4d5e-11ee-a7c9-0050569f1a2b',
      version: 3,
      rate: '92.5',
      feePercent: '1.5',
      fixedFee: '1500.00',
      totalToPay: '11737437.50',
      settlementDays: 3,
      validUntil: '2025-03-20T23:59:59',
      comment: null,
    },
    responseExample: {
      offerId: '5b0c8a52-93a4-4c1e-9d6b-7f2e1a0c3b4d',
      requestId: exampleRequestId,
      status: 'OFFER_ACCEPTED',
      offerStatus: 'ACCEPTED',
      version: 4,
    },
  },
  {
    id: 'postStatus',
    method: 'POST',
    path: '/v1/requests/{requestId}/status',
    summary: 'Post a status change',
    description:
      "Sets the request status (`IN_PROGRESS`, `COMPLETED`, `CANCELLED`) and/or the payment status. The platform's transition tables decide: a move that is not allowed is refused with 409 and changes nothing. When both are sent, the payment status is applied first (a request is completed only after the payout). A value equal to the current one is no change. **`Idempotency-Key` is required** (there is no `Ref_Key` in this body).",
    body: OnecStatusBody,
    response: OnecStatusResult,
    successStatus: 200,
    successDescription:
      'The status after the change. A replay with the same `Idempotency-Key` and body answers this again, with `idempotent-replayed: true`.',
    idempotency: 'header',
    errors: {
      ...common,
      400: `${common[400]} Also: no \`Idempotency-Key\` header.`,
      409: `The transition is not allowed from the current status (the message says which), or the idempotency key was used with another body.${staleText}`,
    },
    bodyExample: { version: 4, status: 'IN_PROGRESS', comment: 'Данные проверены' },
    responseExample: {
      requestId: exampleRequestId,
      status: 'IN_PROGRESS',
      paymentStatus: 'NOT_PAID',
      version: 5,
    },
  },
  {
    id: 'postDocument',
    method: 'POST',
    path: '/v1/requests/{requestId}/documents',
    summary: 'Post a generated document',
    description:
      "A document 1C generated (invoice, act, ...), the file as base64 (line breaks are tolerated). The platform stores it, marks the agent's document request fulfilled when `documentRequestId` is given, and the bot posts it to the deal-room chat. `Ref_Key` is the 1C document: posting the same document again stores nothing twice. The decoded file may be at most the configured size (20 MiB by default): larger is refused with 413.",
    body: OnecDocumentBody,
    response: OnecDocumentResult,
    successStatus: 201,
    successDescription:
      'The document was stored. A replay with the same `Idempotency-Key` and body answers this again, with `idempotent-replayed: true`.',
    existingDescription:
      'This document (`Ref_Key`) was posted before under another key or none, with the same file: the document already stored, nothing changed.',
    idempotency: 'headerOrRefKey',
    errors: {
      ...common,
      409: 'This `Ref_Key` was already stored with other content or for another request, or the idempotency key was used with another body.',
      413: 'The file (or the whole body) is larger than allowed.',
      415: "The file's bytes are not of its declared `mime` (a PNG posted as a PDF, ...).",
    },
    bodyExample: {
      Ref_Key: 'e2b7c9d4-1f3a-4b5c-8d6e-7f8091a2b3c4',
      kind: 'INVOICE',
      fileName: 'Счёт на оплату СЧ-000001.pdf',
      mime: 'application/pdf',
      contentBase64:
        'JVBERi0xLjQKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRvYmoKMiAwIG9iago8PC9UeXBlL1BhZ2VzL0tpZHNbMyAwIFJdL0NvdW50IDE+PgplbmRvYmoKMyAwIG9iago8PC9UeXBlL1BhZ2UvUGFyZW50IDIgMCBSL01lZGlhQm94WzAgMCA1OTUgODQyXS9Db250ZW50cyA0IDAgUi9SZXNvdXJjZXM8PC9Gb250PDwvRjEgNSAwIFI+Pj4+Pj4KZW5kb2JqCjQgMCBvYmoKPDwvTGVuZ3RoIDQ5Pj5zdHJlYW0KQlQgL0YxIDE4IFRmIDU2IDc4MCBUZCAoSW52b2ljZSBTQ2gtMDAwMDAxKSBUaiBFVAplbmRzdHJlYW0KZW5kb2JqCjUgMCBvYmoKPDwvVHlwZS9Gb250L1N1YnR5cGUvVHlwZTEvQmFzZUZvbnQvSGVsdmV0aWNhPj4KZW5kb2JqCnhyZWYKMCA2CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDAwOSAwMDAwMCBuIAowMDAwMDAwMDU0IDAwMDAwIG4gCjAwMDAwMDAxMDUgMDAwMDAgbiAKMDAwMDAwMDIxNyAwMDAwMCBuIAowMDAwMDAwMzEzIDAwMDAwIG4gCnRyYWlsZXIKPDwvU2l6ZSA2L1Jvb3QgMSAwIFI+PgpzdGFydHhyZWYKMzc2CiUlRU9GCg==',
      documentRequestId: '0b7e3d0c-5f7a-4b8e-9c61-2a1d3e4f5a6b',
      number: 'СЧ-000001',
      date: '2025-03-15T11:25:00',
    },
    responseExample: {
      documentId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      requestId: exampleRequestId,
      sha256: 'e13fa36aa9d8e0819b43ce73c78734d22503a095035e5ad020b6cc26edcbd6d5',
      size: 556,
      documentRequest: 'FULFILLED',
    },
  },
];

/** The Fastify form of an OpenAPI path: `{requestId}` → `:requestId`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

const errorExamples: Record<number, unknown> = {
  400: {
    error: {
      code: 'VALIDATION_FAILED',
      message: 'rate: Rate: a positive number with at most 6 decimals',
      issues: [{ path: 'rate', message: 'Rate: a positive number with at most 6 decimals' }],
    },
  },
  401: { error: { code: 'UNAUTHENTICATED', message: 'Unknown or inactive API key' } },
  403: { error: { code: 'FORBIDDEN', message: 'You have no access to this' } },
  404: { error: { code: 'NOT_FOUND', message: 'The request was not found' } },
  409: {
    error: {
      code: 'TRANSITION_NOT_ALLOWED',
      message: 'A request cannot move from COLLECTING_OFFERS to COMPLETED',
    },
  },
  413: {
    error: {
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The file is larger than the allowed 20971520 bytes',
    },
  },
  415: {
    error: {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message:
        "The file's content does not match its type application/pdf: its bytes are a PNG image",
    },
  },
  429: { error: { code: 'RATE_LIMITED', message: 'Too many requests: try again in 29 s' } },
  500: { error: { code: 'INTERNAL', message: 'Internal error' } },
};

const RequestParams = OnecRequestParams.extend({
  requestId: OnecRequestParams.shape.requestId.meta({
    description: "The platform's id of the request (the `platformId` 1C got on creation).",
    example: exampleRequestId,
  }),
});

function headersFor(spec: OnecOperationSpec) {
  const signature = z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/)
    .optional()
    .meta({
      description:
        "Lower-case hex HMAC-SHA256 of the exact raw body bytes, keyed with the integration's secret. Required when the integration has a secret; for a GET, the HMAC of the empty body.",
      example: 'd6144a9c60d8f6ac532712b71fe68e22efcc205726529deb723e7f42182cad15',
    });
  if (spec.idempotency === 'none') return z.object({ [onecHeaders.signature]: signature });
  const key = z.string().min(1).max(200);
  const keyMeta = {
    example: '2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d',
    description:
      spec.idempotency === 'header'
        ? 'A key per logical operation (a UUID), the same on every retry of it, with the same body. Required.'
        : "A key per logical operation (a UUID), the same on every retry of it, with the same body. Optional: without it the body's `Ref_Key` is the key.",
  };
  return z.object({
    [onecHeaders.signature]: signature,
    [onecHeaders.idempotencyKey]:
      spec.idempotency === 'header' ? key.meta(keyMeta) : key.optional().meta(keyMeta),
  });
}

const replayedHeader: Record<string, oas31.HeaderObject> = {
  'idempotent-replayed': {
    description:
      '`true` when this is the stored first answer to the same `Idempotency-Key` and body (nothing was changed); absent otherwise.',
    schema: { type: 'string', enum: ['true'] },
  },
};

function operationOf(spec: OnecOperationSpec): ZodOpenApiOperationObject {
  const success = {
    content: { 'application/json': { schema: spec.response, example: spec.responseExample } },
    ...(spec.idempotency === 'none' ? {} : { headers: replayedHeader }),
  };
  const responses: ZodOpenApiOperationObject['responses'] = {
    [String(spec.successStatus) as '200']: { description: spec.successDescription, ...success },
  };
  if (spec.existingDescription) {
    responses['200'] = { description: spec.existingDescription, ...success };
  }
  for (const [status, description] of Object.entries(spec.errors)) {
    responses[status as '400'] = {
      description,
      content: {
        'application/json': { schema: ErrorBody, example: errorExamples[Number(status)] },
      },
    };
  }
  return {
    operationId: spec.id,
    summary: spec.summary,
    description: spec.description,
    tags: ['1C'],
    requestParams: { path: RequestParams, header: headersFor(spec) },
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: spec.body, example: spec.bodyExample },
            },
          },
        }
      : {}),
    responses,
  };
}

const documentDescription = `The platform's REST endpoints for the bank's 1C:Enterprise. JSON in UTF-8 both ways, files as base64.

- **Authentication**: header \`x-api-key\` with the integration's key. When the integration has a secret, also \`x-signature\`: the lower-case hex HMAC-SHA256 of the exact raw body bytes (for a GET, of the empty body).
- **Idempotency**: every write takes an \`Idempotency-Key\` header (for the offer and documents the body's \`Ref_Key\` stands in when it is absent). A repeat with the same key and body answers the first answer again (same status and JSON, header \`idempotent-replayed: true\`) and changes nothing; the same key with another body is refused with 409 \`IDEMPOTENCY_MISMATCH\`. Retry on connection errors, timeouts, 429 (after \`Retry-After\`) and 5xx with the same key and the same body; do not retry other 4xx.
- **Dates** from 1C (\`validUntil\`, \`date\`): \`YYYY-MM-DDTHH:mm:ss\` without zone, in the 1C server's time zone (a platform setting, Europe/Moscow by default). Dates the platform answers are ISO 8601 in UTC.
- **Money**: decimal strings with a dot (\`"1500.00"\`).
- **Versions**: every change of a request moves its \`version\`. 1C gets it with the request, with every update the platform sends to 1C's service (\`POST /v1/requests/{Ref_Key}/updates\`) and in the answers to its posts; the offer and status posts must name the latest one 1C holds. A post computed before the fields last changed is refused with 409 \`STALE_VERSION\` (\`currentVersion\` in the answer) and changes nothing.
- **Errors**: \`{ "error": { "code", "message", "issues"?, "currentVersion"? } }\` with a stable \`code\` and an English \`message\`.`;

/** The OpenAPI 3.1 document of the REST shim (deterministic: the committed copy must equal it). */
export function buildOnecOpenApiDocument(): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const spec of onecOperations) {
    const path = `${onecRestPrefix}${spec.path}`;
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operationOf(spec) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Payment-request platform — REST API for 1C',
      version: '1.0.0',
      description: documentDescription,
      contact: { name: 'The platform’s integration team (the bank’s IT department)' },
      license: {
        name: 'Proprietary: for the bank and its 1C integration',
        identifier: 'LicenseRef-Proprietary',
      },
    },
    servers: [
      {
        url: '{platform}',
        description: 'The platform’s public address',
        variables: { platform: { default: 'http://127.0.0.1:3000' } },
      },
    ],
    security: [{ apiKey: [] }],
    tags: [{ name: '1C', description: 'Calls 1C makes to the platform' }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: onecHeaders.apiKey,
          description: "The integration's API key (stored hashed on the platform).",
        },
      },
      schemas: {
        OnecRequestView,
        OnecOfferBody,
        OnecOfferResult,
        OnecStatusBody,
        OnecStatusResult,
        OnecDocumentBody,
        OnecDocumentResult,
        ErrorBody,
      },
    },
  });
}

/** The document as committed (`apps/api/docs/onec-openapi.json`): two-space JSON and a final newline. */
export function serializeOnecOpenApiDocument(document = buildOnecOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
