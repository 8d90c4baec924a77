import { describe, expect, it } from 'vitest';

import type { OfferOrigin, PricedTerms } from '../src';
import {
  DomainError,
  assertOfferAcceptable,
  assertOfferPricedOnCurrentTerms,
  assertOfferValidUntil,
  assertOfferWithdrawable,
  decideOffer,
  pipelineFor,
  pricedTermsOf,
} from '../src';

const now = new Date('2026-12-08T12:00:00Z');
const at = (offsetMs: number | null) =>
  offsetMs === null ? null : new Date(now.getTime() + offsetMs);
const hour = 3600_000;

const standard = pipelineFor({
  source: 'PLATFORM_UI',
  telegramChatId: null,
  tenant: { isMaster: false },
});
/** A Telegram request of the bank: in-house, 1C computes its terms. */
const inHouse = pipelineFor({ source: 'TELEGRAM', telegramChatId: -1, tenant: { isMaster: true } });
/** A Telegram request of another agency: its linked agent's offer is accepted at once. */
const partner = pipelineFor({
  source: 'TELEGRAM',
  telegramChatId: -2,
  tenant: { isMaster: false },
});

/** The reason a call is refused with, or null when it passes. */
function reasonOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    throw error;
  }
  return null;
}

/** Intl groups digits with (narrow) no-break spaces: compared as plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('an offer’s «Действует до» when it is sent or changed', () => {
  const agent: OfferOrigin = { kind: 'agent', agentId: 'a-1' };
  const requestOn = (pipeline: typeof standard) => ({
    pipeline,
    status: 'COLLECTING_OFFERS' as const,
    agentId: pipeline.kind === 'TELEGRAM' ? 'a-1' : null,
    offersDeadline: pipeline.kind === 'STANDARD' ? at(24 * hour) : null,
  });

  it.each<[string, typeof standard, OfferOrigin, number | null, string | null]>([
    ['standard, no limit', standard, agent, null, null],
    ['standard, valid for a minute more', standard, agent, 60_000, null],
    ['standard, valid until a millisecond from now', standard, agent, 1, null],
    ['standard, valid until now', standard, agent, 0, 'OFFER_VALID_UNTIL_PAST'],
    ['standard, valid until two hours ago', standard, agent, -2 * hour, 'OFFER_VALID_UNTIL_PAST'],
    ['Telegram, the linked agent, valid for a day', partner, agent, 24 * hour, null],
    [
      'Telegram, the linked agent, valid until an hour ago',
      partner,
      agent,
      -hour,
      'OFFER_VALID_UNTIL_PAST',
    ],
    // 1C's terms are accepted as they arrive; its date is the invoice's pay-by date, not a gate.
    ['in-house, 1C, valid until an hour ago', inHouse, { kind: 'onec' }, -hour, null],
    ['in-house, 1C, no limit', inHouse, { kind: 'onec' }, null, null],
  ])('%s', (_name, pipeline, origin, validUntil, reason) => {
    expect(
      reasonOf(() => decideOffer(requestOn(pipeline), origin, now, { validUntil: at(validUntil) })),
    ).toBe(reason);
  });

  it('says why in both languages', () => {
    const error = new DomainError('VALIDATION_FAILED', 'OFFER_VALID_UNTIL_PAST');
    expect(() => assertOfferValidUntil({ validUntil: at(-hour) }, now)).toThrow(error.message);
    expect(error.describe('ru')).toMatch(/^Срок «Действует до» уже прошёл/);
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('still refuses a late offer for the deadline first', () => {
    const late = { ...requestOn(standard), offersDeadline: at(-1) };
    expect(reasonOf(() => decideOffer(late, agent, now, { validUntil: at(-hour) }))).toBe(
      'OFFER_DEADLINE_PASSED',
    );
  });
});

describe('accepting an offer', () => {
  const priced: PricedTerms = {
    amount: '12500.50',
    currency: 'USD',
    direction: 'OUTGOING',
    totalCurrency: 'RUB',
  };
  const request = {
    status: 'COLLECTING_OFFERS' as const,
    offersDeadline: at(24 * hour),
    priced,
  };
  const offer = { status: 'PENDING' as const, validUntil: null, priced };

  it.each<[string, number | null, string | null]>([
    ['no limit', null, null],
    ['valid for an hour more', hour, null],
    ['valid until a millisecond from now', 1, null],
    ['valid until now', 0, 'OFFER_EXPIRED'],
    ['valid until an hour ago', -hour, 'OFFER_EXPIRED'],
  ])('«Действует до»: %s', (_name, validUntil, reason) => {
    expect(
      reasonOf(() => assertOfferAcceptable(request, { ...offer, validUntil: at(validUntil) }, now)),
    ).toBe(reason);
  });

  it.each<[string, Partial<PricedTerms> | null, string | null]>([
    ['priced on the request as it is', {}, null],
    ['the same amount spelt otherwise', { amount: '12500.5' }, null],
    ['no snapshot (an offer from before offers kept one)', null, null],
    ['the amount changed', { amount: '25000.00' }, 'OFFER_PRICED_FOR_OTHER_AMOUNT'],
    ['the currency changed', { currency: 'EUR' }, 'OFFER_PRICED_FOR_OTHER_AMOUNT'],
    ['the direction changed', { direction: 'INCOMING' }, 'OFFER_PRICED_FOR_OTHER_TERMS'],
    ['the payment currency changed', { totalCurrency: 'CNY' }, 'OFFER_PRICED_FOR_OTHER_TERMS'],
    ['the amount cleared', { amount: null }, 'OFFER_PRICED_FOR_OTHER_TERMS'],
  ])('what the request is now, against what the offer priced: %s', (_name, now_, reason) => {
    // The offer kept `priced`; the request moved to `current`.
    const current = now_ === null ? priced : { ...priced, ...now_ };
    const offerPriced = now_ === null ? null : priced;
    expect(
      reasonOf(() =>
        assertOfferAcceptable(
          { ...request, priced: current },
          { ...offer, priced: offerPriced },
          now,
        ),
      ),
    ).toBe(reason);
  });

  it('names both amounts, as the locale writes them', () => {
    const refused = (() => {
      try {
        assertOfferPricedOnCurrentTerms(priced, { ...priced, amount: '25000.00' });
      } catch (error) {
        return error as DomainError;
      }
      throw new Error('not refused');
    })();
    expect(refused.code).toBe('TRANSITION_NOT_ALLOWED');
    expect(plain(refused.describe('ru'))).toBe(
      'Предложение рассчитано на 12 500,50 USD, а в заявке теперь 25 000,00 USD: агенту нужно обновить предложение',
    );
    expect(refused.describe('en')).toBe(
      'The offer was priced for 12,500.50 USD, but the request is now for 25,000.00 USD: the agent needs to update the offer',
    );
  });

  it('names the fields that changed when it is not the amount', () => {
    try {
      assertOfferPricedOnCurrentTerms(priced, { ...priced, direction: 'INCOMING' });
    } catch (error) {
      expect((error as DomainError).describe('ru')).toContain('изменены поля: Направление');
      return;
    }
    throw new Error('not refused');
  });

  it('checks the request and the offer’s status before its own terms', () => {
    const stale = { status: 'WITHDRAWN' as const, validUntil: at(-hour), priced: null };
    expect(reasonOf(() => assertOfferAcceptable(request, stale, now))).toBe('OFFER_NOT_PENDING');
    expect(
      reasonOf(() =>
        assertOfferAcceptable(
          { ...request, status: 'EXPIRED' },
          { ...offer, validUntil: at(-hour) },
          now,
        ),
      ),
    ).toBe('OFFER_NOT_OPEN');
  });

  it('lets the agent withdraw an offer past its «Действует до» or priced on old terms', () => {
    const mine = { agentId: 'a-1', status: 'PENDING' as const };
    expect(reasonOf(() => assertOfferWithdrawable(request, mine, 'a-1', now))).toBeNull();
    expect(reasonOf(() => assertOfferWithdrawable(request, mine, 'a-2', now))).toBe(
      'OFFER_NOT_OWN',
    );
  });

  it('reads what an offer prices from the request: the total in the client’s currency, else the amount’s', () => {
    expect(
      pricedTermsOf({
        amount: '1.00',
        currency: 'USD',
        direction: 'OUTGOING',
        clientCurrency: null,
      }),
    ).toEqual({ amount: '1.00', currency: 'USD', direction: 'OUTGOING', totalCurrency: 'USD' });
    expect(
      pricedTermsOf({ amount: '1.00', currency: 'USD', direction: null, clientCurrency: 'RUB' })
        .totalCurrency,
    ).toBe('RUB');
  });
});
