import { completeFields } from '@payreq/testing';
import { describe, expect, it } from 'vitest';

import type { Actor, ChangeFacts } from '../src';
import {
  DomainError,
  agentForChatRequest,
  assertOfferAcceptable,
  assertOfferWithdrawable,
  causeOf,
  deadlineReminderDue,
  deadlineReminderRecipients,
  decideOffer,
  invitationState,
  mayFileStandardRequest,
  mayInviteToCompany,
  mayJoinCompany,
  permissionsFor,
  relationTo,
  isOnWhitelist,
  minimumOffersWindowMs,
  pipelineFor,
  planChanges,
  responsibleAgentOf,
} from '../src';

const now = new Date('2026-12-02T12:00:00Z');
/** An agent of the bank (the master tenant). */
const bankAgent: Actor = {
  kind: 'agent',
  agentId: 'a-1',
  userId: null,
  telegramId: 1,
  name: 'Anna',
  tenantId: 't-bank',
  tenantIsMaster: true,
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
  fields: completeFields,
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
        facts({ fields: { ...completeFields, payerTaxId: null } }),
        [{ kind: 'status', to: 'COLLECTING_OFFERS' }],
        'AGENT',
        now,
      ),
    ).toThrowError(/Tax ID/);
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
      { validUntil: null },
    );
    expect(decision).toEqual({ outcome: 'PENDING', agentId: 'a-9', withdrawsOwnOpenOffer: true });
  });

  it('lets the client accept only an open offer, before the deadline, while collecting', () => {
    const priced = {
      amount: '1250000.00',
      currency: 'CNY',
      direction: 'OUTGOING' as const,
      totalCurrency: 'RUB',
    };
    const open = {
      status: 'COLLECTING_OFFERS' as const,
      offersDeadline: new Date(now.getTime() + 1),
      priced,
    };
    const pending = { status: 'PENDING' as const, validUntil: null, priced };
    expect(() => assertOfferAcceptable(open, pending, now)).not.toThrow();
    expect(() =>
      assertOfferAcceptable(open, { ...pending, status: 'WITHDRAWN' }, now),
    ).toThrowError(/no longer open/);
    expect(() =>
      assertOfferAcceptable({ ...open, offersDeadline: now }, pending, now),
    ).toThrowError(/deadline/);
    expect(() =>
      assertOfferAcceptable({ ...open, status: 'OFFER_ACCEPTED' }, pending, now),
    ).toThrowError(/collecting offers/);
  });
});

describe('agents', () => {
  const ivan: Actor = { kind: 'user', userId: 'u-1', telegramId: 2, name: 'Ivan' };

  it('keeps the whitelist: active and known by a Telegram id', () => {
    expect(isOnWhitelist({ active: true, telegramId: 7000000001n })).toBe(true);
    expect(isOnWhitelist({ active: false, telegramId: 7000000001n })).toBe(false);
    expect(isOnWhitelist({ active: true, telegramId: null })).toBe(false);
    expect(isOnWhitelist(null)).toBe(false);
  });

  it('links a deal room’s request to the agent who creates it, else to the room’s agent', () => {
    expect(agentForChatRequest(bankAgent, { agentId: 'a-7' })).toBe('a-1');
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

describe('the standard pipeline outside Telegram', () => {
  const otherAgent: Actor = {
    ...bankAgent,
    agentId: 'a-9',
    tenantId: 't-agency',
    tenantIsMaster: false,
  };
  const companyAgent: Actor = { ...otherAgent, agentId: 'a-5', tenantId: 't-company' };
  const member: Actor = {
    kind: 'user',
    userId: 'u-2',
    telegramId: 3,
    name: 'Olga',
    tenantId: 't-company',
  };
  const outsider: Actor = {
    kind: 'user',
    userId: 'u-3',
    telegramId: 4,
    name: 'Petr',
    tenantId: 't-else',
  };
  const nobody: Actor = { kind: 'user', userId: 'u-4', telegramId: 5, name: 'Nina' };
  const filed = (status: 'DRAFT' | 'COLLECTING_OFFERS' = 'COLLECTING_OFFERS') => ({
    pipeline: standard,
    status,
    paymentStatus: 'NOT_PAID' as const,
    tenantId: 't-company',
    tenantIsMaster: false,
    inHouseVisibility: 'ALL_AGENTS' as const,
    agentId: null,
    clientUserId: null,
    acceptedOfferAgentId: null,
    filedByAgentId: 'a-1',
  });
  const member_ = { isChatMember: false };

  it('keeps a request the bank files by hand on the standard road, never the Telegram one', () => {
    const pipeline = pipelineFor({
      source: 'PLATFORM_UI',
      telegramChatId: null,
      tenant: { isMaster: true },
    });
    expect(pipeline.kind).toBe('STANDARD');
    expect(pipeline.sendsToOnec).toBe(false);
    expect(pipeline.hasDeadlines).toBe(true);
  });

  it('lets members of a company file for it, and the bank for a company; nobody else', () => {
    expect(mayFileStandardRequest(member)).toBe(true);
    expect(mayFileStandardRequest(bankAgent)).toBe(true);
    expect(mayFileStandardRequest(nobody)).toBe(false);
    expect(mayFileStandardRequest(otherAgent)).toBe(false);
  });

  it('makes the company’s members and the filing bank agent its clients; others see nothing', () => {
    expect(relationTo(member, filed(), member_)).toBe('client');
    expect(relationTo(bankAgent, filed(), member_)).toBe('client');
    expect(relationTo(outsider, filed(), member_)).toBe('stranger');
    // The bank's own tenant is no client company: its people are not clients of its requests.
    const bankPerson: Actor = { ...member, tenantId: 't-bank' };
    const banks = { ...filed(), tenantId: 't-bank', tenantIsMaster: true, filedByAgentId: null };
    expect(relationTo(bankPerson, banks, member_)).toBe('stranger');
    expect(permissionsFor('client', filed('COLLECTING_OFFERS'))).toContain('offer.accept');
  });

  it('lets agents of every other tenant offer, never those of the client’s own company', () => {
    expect(relationTo(otherAgent, filed(), member_)).toBe('offeringAgent');
    expect(relationTo(companyAgent, filed(), member_)).toBe('colleague');
    expect(permissionsFor(relationTo(companyAgent, filed(), member_), filed())).not.toContain(
      'offer.create',
    );
  });

  it('lets an agent withdraw only their own open offer, before the deadline', () => {
    const request = {
      status: 'COLLECTING_OFFERS' as const,
      offersDeadline: new Date(now.getTime() + 1),
    };
    const offer = { agentId: 'a-9', status: 'PENDING' as const };
    expect(() => assertOfferWithdrawable(request, offer, 'a-9', now)).not.toThrow();
    const reason = (run: () => void) => {
      try {
        run();
      } catch (error) {
        return (error as DomainError).reason;
      }
      return null;
    };
    expect(reason(() => assertOfferWithdrawable(request, offer, 'a-5', now))).toBe('OFFER_NOT_OWN');
    expect(
      reason(() => assertOfferWithdrawable(request, { ...offer, status: 'WITHDRAWN' }, 'a-9', now)),
    ).toBe('OFFER_NOT_PENDING');
    expect(
      reason(() => assertOfferWithdrawable({ ...request, offersDeadline: now }, offer, 'a-9', now)),
    ).toBe('OFFER_DEADLINE_PASSED');
    expect(
      reason(() => assertOfferWithdrawable({ ...request, status: 'EXPIRED' }, offer, 'a-9', now)),
    ).toBe('OFFER_NOT_OPEN');
  });

  it('opens a company to an invitation once, until it expires; members and the bank invite', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(invitationState({ usedAt: null, expiresAt: new Date(now.getTime() + 1) }, now)).toBe(
      'open',
    );
    expect(invitationState({ usedAt: now, expiresAt: new Date(now.getTime() + 1) }, now)).toBe(
      'used',
    );
    expect(invitationState({ usedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(mayInviteToCompany(member, 't-company')).toBe(true);
    expect(mayInviteToCompany(outsider, 't-company')).toBe(false);
    expect(mayInviteToCompany(bankAgent, 't-company')).toBe(true);
    expect(mayInviteToCompany(otherAgent, 't-company')).toBe(false);
    expect(mayJoinCompany(nobody)).toBe(true);
    expect(mayJoinCompany(member)).toBe(false);
  });

  it('reminds a day and an hour before the deadline, only while offers are collected', () => {
    const deadline = new Date('2026-12-03T12:00:00Z');
    const at = (hoursLeft: number) => new Date(deadline.getTime() - hoursLeft * 3600_000);
    const request = {
      pipeline: standard,
      status: 'COLLECTING_OFFERS' as const,
      offersDeadline: deadline,
    };
    expect(deadlineReminderDue(request, at(30))).toBeNull();
    expect(deadlineReminderDue(request, at(23))).toBe('deadline:24h');
    expect(deadlineReminderDue(request, at(0.5))).toBe('deadline:1h');
    expect(deadlineReminderDue(request, at(-1))).toBeNull();
    expect(deadlineReminderDue({ ...request, status: 'OFFER_ACCEPTED' }, at(0.5))).toBeNull();
    expect(deadlineReminderDue({ ...request, pipeline: inHouse }, at(0.5))).toBeNull();
  });

  it('reminds the company’s people, the filing agent and the agents still offering, once each', () => {
    expect(
      deadlineReminderRecipients({
        memberUserIds: ['u1', 'u2'],
        filedByAgentId: 'a-bank',
        offers: [
          { agentId: 'a1', status: 'PENDING' },
          { agentId: 'a1', status: 'WITHDRAWN' },
          { agentId: 'a2', status: 'WITHDRAWN' },
          { agentId: 'a-bank', status: 'PENDING' },
        ],
      }),
    ).toEqual(['user:u1', 'user:u2', 'agent:a-bank', 'agent:a1']);
    expect(
      deadlineReminderRecipients({ memberUserIds: [], filedByAgentId: null, offers: [] }),
    ).toEqual([]);
  });
});
