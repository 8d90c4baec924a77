import { z } from 'zod';

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
export const RequestStatus = z.enum(requestStatuses);
export type RequestStatus = z.infer<typeof RequestStatus>;

/** Payment status, separate from the request status (docs/domain.md). */
export const paymentStatuses = [
  'NOT_PAID',
  'TEST_PAYMENT_SENT',
  'TEST_PAYMENT_CONFIRMED',
  'PAYMENT_SENT',
  'PAYMENT_RECEIVED',
  'PAYOUT_DONE',
] as const;
export const PaymentStatus = z.enum(paymentStatuses);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const RequestSource = z.enum(['PLATFORM_UI', 'API', 'TELEGRAM']);
export type RequestSource = z.infer<typeof RequestSource>;

export const PaymentDirection = z.enum(['OUTGOING', 'INCOMING']);
export type PaymentDirection = z.infer<typeof PaymentDirection>;

export const OfferSource = z.enum(['AGENT', 'ONEC']);
export type OfferSource = z.infer<typeof OfferSource>;

export const OfferStatus = z.enum(['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN']);
export type OfferStatus = z.infer<typeof OfferStatus>;

export const DocumentKind = z.enum([
  'INVOICE',
  'CONTRACT',
  'ACT',
  'AGENT_REPORT',
  'SWIFT_CONFIRMATION',
  'RECEIPT',
  'OTHER',
]);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const DocumentSource = z.enum(['ONEC', 'CHAT', 'UPLOAD']);
export type DocumentSource = z.infer<typeof DocumentSource>;

export const DocumentRequestState = z.enum(['QUEUED', 'SENT', 'FULFILLED', 'FAILED']);
export type DocumentRequestState = z.infer<typeof DocumentRequestState>;

export const InHouseVisibility = z.enum(['ALL_AGENTS', 'MASTER_ONLY']);
export type InHouseVisibility = z.infer<typeof InHouseVisibility>;

export const UserRole = z.enum(['CLIENT', 'AGENT', 'ADMIN']);
export type UserRole = z.infer<typeof UserRole>;

export const Locale = z.enum(['ru', 'en']);
export type Locale = z.infer<typeof Locale>;

/** Which road a request takes through the platform (docs/domain.md, Two roads). */
export const PipelineKind = z.enum(['STANDARD', 'TELEGRAM']);
export type PipelineKind = z.infer<typeof PipelineKind>;
