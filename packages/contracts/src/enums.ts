import { z } from 'zod';

import {
  documentKinds,
  documentRequestStates,
  documentSources,
  inHouseVisibilities,
  locales,
  offerSources,
  offerStatuses,
  paymentDirections,
  paymentStatuses,
  pipelineKinds,
  requestSources,
  requestStatuses,
  userRoles,
} from './codes';

// The schemas of the codes in codes.ts (what each code means is told there).

export const RequestStatus = z.enum(requestStatuses);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const PaymentStatus = z.enum(paymentStatuses);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const RequestSource = z.enum(requestSources);
export type RequestSource = z.infer<typeof RequestSource>;

export const PaymentDirection = z.enum(paymentDirections);
export type PaymentDirection = z.infer<typeof PaymentDirection>;

export const OfferSource = z.enum(offerSources);
export type OfferSource = z.infer<typeof OfferSource>;

export const OfferStatus = z.enum(offerStatuses);
export type OfferStatus = z.infer<typeof OfferStatus>;

export const DocumentKind = z.enum(documentKinds);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const DocumentSource = z.enum(documentSources);
export type DocumentSource = z.infer<typeof DocumentSource>;

export const DocumentRequestState = z.enum(documentRequestStates);
export type DocumentRequestState = z.infer<typeof DocumentRequestState>;

export const InHouseVisibility = z.enum(inHouseVisibilities);
export type InHouseVisibility = z.infer<typeof InHouseVisibility>;

export const UserRole = z.enum(userRoles);
export type UserRole = z.infer<typeof UserRole>;

export const Locale = z.enum(locales);
export type Locale = z.infer<typeof Locale>;

export const PipelineKind = z.enum(pipelineKinds);
export type PipelineKind = z.infer<typeof PipelineKind>;
