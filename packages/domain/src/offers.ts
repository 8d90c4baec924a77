import type { RequestStatus } from '@payreq/contracts';

import { DomainError } from './errors';
import type { Pipeline } from './pipeline';

export type OfferOrigin = { kind: 'agent'; agentId: string } | { kind: 'onec' };

export type OfferDecision =
  /** Telegram: the linked agent's offer (or 1C's on its behalf) becomes the accepted offer at once. */
  | { outcome: 'AUTO_ACCEPT'; agentId: string }
  /**
   * Standard: the offer waits for the client to choose. An agent has one open offer at a time:
   * a new one withdraws the agent's earlier open offer (a revision).
   */
  | { outcome: 'PENDING'; agentId: string; withdrawsOwnOpenOffer: true };

export interface OfferFacts {
  pipeline: Pipeline;
  status: RequestStatus;
  agentId: string | null;
  offersDeadline: Date | null;
}

/** Decides what happens to a new offer, or throws why it cannot be made. */
export function decideOffer(request: OfferFacts, origin: OfferOrigin, now: Date): OfferDecision {
  if (request.status !== 'COLLECTING_OFFERS')
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_NOT_OPEN');
  if (request.pipeline.autoAcceptsLinkedAgentOffer) {
    if (!request.agentId) throw new DomainError('FORBIDDEN', 'OFFER_NOT_LINKED_AGENT');
    if (origin.kind === 'onec') {
      if (!request.pipeline.sendsToOnec)
        throw new DomainError('FORBIDDEN', 'OFFER_NOT_LINKED_AGENT');
      return { outcome: 'AUTO_ACCEPT', agentId: request.agentId };
    }
    if (origin.agentId !== request.agentId)
      throw new DomainError('FORBIDDEN', 'OFFER_NOT_LINKED_AGENT');
    return { outcome: 'AUTO_ACCEPT', agentId: origin.agentId };
  }
  if (origin.kind === 'onec') throw new DomainError('FORBIDDEN', 'OFFER_NOT_FROM_ONEC');
  if (request.offersDeadline && request.offersDeadline.getTime() <= now.getTime()) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_DEADLINE_PASSED');
  }
  return { outcome: 'PENDING', agentId: origin.agentId, withdrawsOwnOpenOffer: true };
}

/**
 * Whether the client may accept this offer now: the request still collects offers, the offer is
 * still open, and the deadline has not passed.
 */
export function assertOfferAcceptable(
  request: Pick<OfferFacts, 'status' | 'offersDeadline'>,
  offer: { status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN' },
  now: Date,
): void {
  if (request.status !== 'COLLECTING_OFFERS')
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_NOT_OPEN');
  if (offer.status !== 'PENDING')
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_NOT_PENDING');
  if (request.offersDeadline && request.offersDeadline.getTime() <= now.getTime())
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_DEADLINE_PASSED');
}

/**
 * Whether an agent may withdraw this offer now: their own, still open, while the request
 * collects offers and before its deadline (after it, the client's choice is already due).
 */
export function assertOfferWithdrawable(
  request: Pick<OfferFacts, 'status' | 'offersDeadline'>,
  offer: { agentId: string; status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN' },
  agentId: string,
  now: Date,
): void {
  if (offer.agentId !== agentId) throw new DomainError('FORBIDDEN', 'OFFER_NOT_OWN');
  assertOfferAcceptable(request, offer, now);
}

/** The standard pipeline needs time to collect offers. */
export const minimumOffersWindowMs = 60 * 60 * 1000;

export function assertOffersDeadline(deadline: Date, now: Date): void {
  if (deadline.getTime() - now.getTime() < minimumOffersWindowMs) {
    throw new DomainError('VALIDATION_FAILED', 'DEADLINE_TOO_SOON');
  }
}
