import type { PaymentRequestFields } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { Actor, ChangeFacts } from '../src';
import {
  DomainError,
  agentForChatRequest,
  assertOfferAcceptable,
  causeOf,
  decideOffer,
  isOnWhitelist,
  minimumOffersWindowMs,
  pipelineFor,
  planChanges,
  responsibleAgentOf,
} from '../src';

const now = new Date('2026-12-02T12:00:00Z');
const complete: PaymentRequestFields = {
  payerName: 'ООО «Ромашка»',
  payerTaxId: '7707083893',
  direction: 'OUTGOING',
  amount: '1250000.00',
  currency: 'CNY',
  clientCurrency: 'RUB',
  beneficiaryName: 'Shenzhen Flower Trading Co., Ltd.',
  beneficiaryCountry: 'CN',
  beneficiaryAddress: null,
  beneficiaryBankName: 'Bank of China',
  beneficiarySwift: 'BKCHCNBJ45A',
  beneficiaryAccount: '6217000010012345678',
  purpose: 'Оплата по контракту',
  contractNumber: null,
  contractDate: null,
  invoiceNumber: null,
  desiredDate: null,
  comment: null,
};
const inHouse = pipelineFor({ source: 'TELEGRAM', telegramChatId: -1, tenant: { isMaster: true } });
const standard = pipelineFor({
  source: 'PLATFORM_UI',
  telegramChatId: null,
  tenant: { isMaster: false },
});
const facts = (overrides: Partial<ChangeFacts> = {}): ChangeFacts => ({
  pipeline: inHouse,
  status: 'DRAFT',
  paymentStatus: 'NOT_PAID',
  fields: complete,
  offersDeadline: null,
  ...overrides,
});

describe('one transition for every status and payment change', () => {
  it('submits an in-house draft: one step, and the request goes to 1C', () => {
    expect(
      planChanges(facts(), [{ kind: 'status', to: 'COLLECTING_OFFERS' }], 'AGENT', now),
    ).toEqual({
      set: { status: 'COLLECTING_OFFERS' },
      steps: [{ field: 'status', from: 'DRAFT', to: 'COLLECTING_OFFERS' }],
      sendToOnec: true,
    });
  });

  it('refuses a submit of an incomplete form, naming the fields', () => {
    expect(() =>
      planChanges(
        facts({ fields: { ...complete, payerTaxId: null } }),
        [{ kind: 'status', to: 'COLLECTING_OFFERS' }],
        'AGENT',
        now,
      ),
    ).toThrowError(/payerTaxId/);
  });

  it('applies changes in order: 1C sets the payout, then completes the request, in one call', () => {
    const plan = planChanges(
      facts({ status: 'IN_PROGRESS', paymentStatus: 'PAYMENT_RECEIVED' }),
      [
        { kind: 'payment', to: 'PAYOUT_DONE' },
        { kind: 'status', to: 'COMPLETED' },
      ],
      'ONEC',
      now,
    );
    expect(plan.set).toEqual({ paymentStatus: 'PAYOUT_DONE', status: 'COMPLETED' });
    expect(plan.steps.map((step) => step.to)).toEqual(['PAYOUT_DONE', 'COMPLETED']);
    expect(plan.sendToOnec).toBe(false);
  });

  it('keeps offers and expiry off the roads of a status asked for by hand', () => {
    expect(causeOf('COLLECTING_OFFERS', 'OFFER_ACCEPTED')).toBe('acceptOffer');
    expect(() =>
      planChanges(
        facts({ status: 'COLLECTING_OFFERS' }),
        [{ kind: 'status', to: 'OFFER_ACCEPTED' }],
        'AGENT',
        now,
      ),
    ).toThrow(DomainError);
    expect(
      planChanges(
        facts({ status: 'COLLECTING_OFFERS' }),
        [{ kind: 'status', to: 'OFFER_ACCEPTED' }],
        'AGENT',
        now,
        ['acceptOffer'],
      ).set,
    ).toEqual({ status: 'OFFER_ACCEPTED' });
  });

  it('holds a standard submit to the same deadline rule as creation: an hour ahead', () => {
    const submit = (deadline: Date | null) =>
      planChanges(
        facts({ pipeline: standard, offersDeadline: deadline }),
        [{ kind: 'status', to: 'COLLECTING_OFFERS' }],
        'CLIENT',
        now,
      );
    expect(submit(new Date(now.getTime() + minimumOffersWindowMs)).set.status).toBe(
      'COLLECTING_OFFERS',
    );
    expect(() => submit(new Date(now.getTime() + minimumOffersWindowMs - 1))).toThrowError(
      /at least an hour/,
    );
    expect(() => submit(null)).toThrowError(/deadline/);
  });
});

describe('offers', () => {
  it('gives an agent one open offer: a new one withdraws the earlier', () => {
    const decision = decideOffer(
      { pipeline: standard, status: 'COLLECTING_OFFERS', agentId: null, offersDeadline: null },
      { kind: 'agent', agentId: 'a-9' },
      now,
    );
    expect(decision).toEqual({ outcome: 'PENDING', agentId: 'a-9', withdrawsOwnOpenOffer: true });
  });

  it('lets the client accept only an open offer, before the deadline, while collecting', () => {
    const open = {
      status: 'COLLECTING_OFFERS' as const,
      offersDeadline: new Date(now.getTime() + 1),
    };
    expect(() => assertOfferAcceptable(open, { status: 'PENDING' }, now)).not.toThrow();
    expect(() => assertOfferAcceptable(open, { status: 'WITHDRAWN' }, now)).toThrowError(
      /no longer open/,
    );
    expect(() =>
      assertOfferAcceptable({ ...open, offersDeadline: now }, { status: 'PENDING' }, now),
    ).toThrowError(/deadline/);
    expect(() =>
      assertOfferAcceptable({ ...open, status: 'OFFER_ACCEPTED' }, { status: 'PENDING' }, now),
    ).toThrowError(/collecting offers/);
  });
});

describe('agents', () => {
  const anna: Actor = {
    kind: 'agent',
    agentId: 'a-1',
    userId: null,
    telegramId: 1,
    name: 'Anna',
    tenantId: 't-bank',
    tenantIsMaster: true,
  };
  const ivan: Actor = { kind: 'user', userId: 'u-1', telegramId: 2, name: 'Ivan' };

  it('keeps the whitelist: active and known by a Telegram id', () => {
    expect(isOnWhitelist({ active: true, telegramId: 7000000001n })).toBe(true);
    expect(isOnWhitelist({ active: false, telegramId: 7000000001n })).toBe(false);
    expect(isOnWhitelist({ active: true, telegramId: null })).toBe(false);
    expect(isOnWhitelist(null)).toBe(false);
  });

  it('links a deal room’s request to the agent who creates it, else to the room’s agent', () => {
    expect(agentForChatRequest(anna, { agentId: 'a-7' })).toBe('a-1');
    expect(agentForChatRequest(ivan, { agentId: 'a-7' })).toBe('a-7');
    expect(agentForChatRequest(ivan, { agentId: null })).toBeNull();
  });

  it('makes the linked agent responsible in Telegram, the accepted offer’s agent in the market', () => {
    expect(
      responsibleAgentOf({ pipeline: inHouse, agentId: 'a-1', acceptedOfferAgentId: 'a-9' }),
    ).toBe('a-1');
    expect(
      responsibleAgentOf({ pipeline: standard, agentId: null, acceptedOfferAgentId: 'a-9' }),
    ).toBe('a-9');
    expect(
      responsibleAgentOf({ pipeline: standard, agentId: null, acceptedOfferAgentId: null }),
    ).toBeNull();
  });
});
