// The platform's enumerated codes as plain lists: no zod here, so a browser bundle that only
// names a code (a status, a document kind) does not carry a schema library. Their schemas and
// types are in enums.ts.

/** Statuses of a payment request (docs/domain.md, Statuses). */
export const requestStatuses = [
  'DRAFT',
  'COLLECTING_OFFERS',
  'OFFER_ACCEPTED',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
] as const;

/** Payment status, separate from the request status (docs/domain.md). */
export const paymentStatuses = [
  'NOT_PAID',
  'TEST_PAYMENT_SENT',
  'TEST_PAYMENT_CONFIRMED',
  'PAYMENT_SENT',
  'PAYMENT_RECEIVED',
  'PAYOUT_DONE',
] as const;

export const requestSources = ['PLATFORM_UI', 'API', 'TELEGRAM'] as const;

export const paymentDirections = ['OUTGOING', 'INCOMING'] as const;

export const offerSources = ['AGENT', 'ONEC'] as const;

export const offerStatuses = ['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN'] as const;

export const documentKinds = [
  'INVOICE',
  'CONTRACT',
  'ACT',
  'AGENT_REPORT',
  'SWIFT_CONFIRMATION',
  'RECEIPT',
  'OTHER',
] as const;

export const documentSources = ['ONEC', 'CHAT', 'UPLOAD'] as const;

export const documentRequestStates = ['QUEUED', 'SENT', 'FULFILLED', 'FAILED'] as const;

export const inHouseVisibilities = ['ALL_AGENTS', 'MASTER_ONLY'] as const;

export const userRoles = ['CLIENT', 'AGENT', 'ADMIN'] as const;

export const locales = ['ru', 'en'] as const;

/** Which road a request takes through the platform (docs/domain.md, Two roads). */
export const pipelineKinds = ['STANDARD', 'TELEGRAM'] as const;
