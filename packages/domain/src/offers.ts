import type { Locale, PaymentDirection, RequestStatus } from '@payreq/contracts';
import { formatMoney } from '@payreq/contracts';
import { fieldLabel } from '@payreq/i18n';

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

/** What an offer's own terms say about how long they hold: null is no limit. */
export interface OfferValidity {
  validUntil: Date | null;
}

/**
 * An agent's offer must be valid for a while yet when it is sent (or changed: a revision is a new
 * offer): a «Действует до» that is not in the future is a mistake, refused at once. 1C's offers
 * are not held to it: their terms are accepted the moment they arrive (`AUTO_ACCEPT`), their
 * `validUntil` is the invoice's pay-by date in 1C's local time, and refusing an accounting
 * document 1C has already posted would leave it with nowhere to go.
 */
export function assertOfferValidUntil(offer: OfferValidity, now: Date): void {
  if (offer.validUntil && offer.validUntil.getTime() <= now.getTime())
    throw new DomainError('VALIDATION_FAILED', 'OFFER_VALID_UNTIL_PAST', {}, 'terms.validUntil');
}

/** Decides what happens to a new offer, or throws why it cannot be made. */
export function decideOffer(
  request: OfferFacts,
  origin: OfferOrigin,
  now: Date,
  offer: OfferValidity,
): OfferDecision {
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
    assertOfferValidUntil(offer, now);
    return { outcome: 'AUTO_ACCEPT', agentId: origin.agentId };
  }
  if (origin.kind === 'onec') throw new DomainError('FORBIDDEN', 'OFFER_NOT_FROM_ONEC');
  if (request.offersDeadline && request.offersDeadline.getTime() <= now.getTime()) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_DEADLINE_PASSED');
  }
  assertOfferValidUntil(offer, now);
  return { outcome: 'PENDING', agentId: origin.agentId, withdrawsOwnOpenOffer: true };
}

/**
 * What an offer is priced on: the request's amount and currency, its direction, and the
 * currency the total is paid in (the client's, else the amount's). The offer keeps these as
 * they were when it was sent (its snapshot); the request's own change while it collects offers.
 */
export interface PricedTerms {
  /** A decimal string ("12500.50"); null when the request has none. */
  amount: string | null;
  currency: string | null;
  direction: PaymentDirection | null;
  totalCurrency: string | null;
}

/** The terms of a request an offer prices, from its fields as they are now. */
export function pricedTermsOf(request: {
  amount: string | null;
  currency: string | null;
  direction: PaymentDirection | null;
  clientCurrency: string | null;
}): PricedTerms {
  return {
    amount: request.amount,
    currency: request.currency,
    direction: request.direction,
    totalCurrency: request.clientCurrency ?? request.currency,
  };
}

/** A decimal string in one spelling: "12500.5", "12500.50" and "012500.500" are one amount. */
function canonicalAmount(value: string | null): string | null {
  if (value === null) return null;
  const match = /^\s*(-?)0*(\d*?)(?:\.(\d*?)0*)?\s*$/.exec(value);
  if (!match) return value;
  const [, sign, whole, fraction] = match;
  return `${sign}${whole || '0'}${fraction ? `.${fraction}` : ''}`;
}

/** The request's terms the offer was priced on have changed since (which of them). */
export function pricedTermsChanged(
  priced: PricedTerms,
  current: PricedTerms,
): ('amount' | 'currency' | 'direction' | 'clientCurrency')[] {
  const changed: ('amount' | 'currency' | 'direction' | 'clientCurrency')[] = [];
  if (canonicalAmount(priced.amount) !== canonicalAmount(current.amount)) changed.push('amount');
  if (priced.currency !== current.currency) changed.push('currency');
  if (priced.direction !== current.direction) changed.push('direction');
  if (priced.totalCurrency !== current.totalCurrency) changed.push('clientCurrency');
  return changed;
}

/** An amount with its currency as the locale writes it («12 500,50 USD»), in both languages. */
function moneyWords(terms: PricedTerms): Record<Locale, string> {
  const words = (locale: Locale) =>
    terms.amount === null
      ? '—'
      : terms.currency
        ? formatMoney(terms.amount, terms.currency, locale)
        : terms.amount;
  return { ru: words('ru'), en: words('en') };
}

/**
 * Refuses an offer priced on other terms than the request has now: the client changed the
 * amount, its currency, the direction or the currency they pay in after the agent priced it,
 * so its total no longer answers the request. The agent updates it (a new offer, priced anew).
 * An offer with no snapshot (`priced` null: made before offers kept one) is not judged.
 */
export function assertOfferPricedOnCurrentTerms(
  priced: PricedTerms | null,
  current: PricedTerms,
): void {
  if (!priced) return;
  const changed = pricedTermsChanged(priced, current);
  if (changed.length === 0) return;
  if (
    (changed.includes('amount') || changed.includes('currency')) &&
    priced.amount !== null &&
    current.amount !== null
  ) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_PRICED_FOR_OTHER_AMOUNT', {
      priced: moneyWords(priced),
      current: moneyWords(current),
    });
  }
  const labels = (locale: Locale) => changed.map((name) => fieldLabel(name, locale)).join(', ');
  throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_PRICED_FOR_OTHER_TERMS', {
    fields: { ru: labels('ru'), en: labels('en') },
  });
}

type OfferStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN';

/** The request still collects offers, the offer is still open, and the deadline has not passed. */
function assertOfferOpen(
  request: Pick<OfferFacts, 'status' | 'offersDeadline'>,
  offer: { status: OfferStatus },
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
 * Whether the client may accept this offer now: the request still collects offers, the offer is
 * still open, the deadline has not passed, the offer's own «Действует до» has not passed
 * (`OFFER_EXPIRED`: the agent is asked for a new one), and it was priced on the request's
 * amount, currency, direction and payment currency as they are now.
 */
export function assertOfferAcceptable(
  request: Pick<OfferFacts, 'status' | 'offersDeadline'> & { priced: PricedTerms },
  offer: OfferValidity & { status: OfferStatus; priced: PricedTerms | null },
  now: Date,
): void {
  assertOfferOpen(request, offer, now);
  if (offer.validUntil && offer.validUntil.getTime() <= now.getTime())
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'OFFER_EXPIRED');
  assertOfferPricedOnCurrentTerms(offer.priced, request.priced);
}

/**
 * Whether an agent may withdraw this offer now: their own, still open, while the request
 * collects offers and before its deadline (after it, the client's choice is already due).
 */
export function assertOfferWithdrawable(
  request: Pick<OfferFacts, 'status' | 'offersDeadline'>,
  offer: { agentId: string; status: OfferStatus },
  agentId: string,
  now: Date,
): void {
  if (offer.agentId !== agentId) throw new DomainError('FORBIDDEN', 'OFFER_NOT_OWN');
  // An offer past its own «Действует до» or priced on old terms may still be taken back.
  assertOfferOpen(request, offer, now);
}

/** The standard pipeline needs time to collect offers. */
export const minimumOffersWindowMs = 60 * 60 * 1000;

/** Whether an offers deadline leaves less than the minimum window (the portal checks it as typed). */
export function isOffersDeadlineTooSoon(deadline: Date, now: Date): boolean {
  return deadline.getTime() - now.getTime() < minimumOffersWindowMs;
}

export function assertOffersDeadline(deadline: Date, now: Date): void {
  if (isOffersDeadlineTooSoon(deadline, now)) {
    throw new DomainError('VALIDATION_FAILED', 'DEADLINE_TOO_SOON', {}, 'offersDeadline');
  }
}
