import { paymentStatuses, requestStatuses } from '@payreq/contracts';
import type { PaymentStatus, RequestStatus } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { ActingRole, Pipeline, TransitionCause } from '../src';
import {
  DomainError,
  assertPaymentTransition,
  assertStatusTransition,
  offeredStatuses,
  pipelineFor,
  settableStatuses,
} from '../src';

const pipelines: Record<'STD' | 'TGM' | 'TGO', Pipeline> = {
  STD: pipelineFor({ source: 'PLATFORM_UI', telegramChatId: null, tenant: { isMaster: true } }),
  TGM: pipelineFor({ source: 'TELEGRAM', telegramChatId: -100123, tenant: { isMaster: true } }),
  TGO: pipelineFor({ source: 'TELEGRAM', telegramChatId: -100456, tenant: { isMaster: false } }),
};
const roles: ActingRole[] = ['CLIENT', 'AGENT', 'ONEC', 'SYSTEM'];

/**
 * The transitions of docs/domain.md, written out by hand: "pipeline from>to role cause". Every combination not
 * listed here must be refused.
 */
const allowedStatus = new Set(
  `
  STD DRAFT>COLLECTING_OFFERS CLIENT submit
  TGM DRAFT>COLLECTING_OFFERS AGENT submit
  TGO DRAFT>COLLECTING_OFFERS AGENT submit
  STD COLLECTING_OFFERS>OFFER_ACCEPTED CLIENT acceptOffer
  TGM COLLECTING_OFFERS>OFFER_ACCEPTED AGENT acceptOffer
  TGM COLLECTING_OFFERS>OFFER_ACCEPTED ONEC acceptOffer
  TGO COLLECTING_OFFERS>OFFER_ACCEPTED AGENT acceptOffer
  STD OFFER_ACCEPTED>IN_PROGRESS AGENT setStatus
  TGM OFFER_ACCEPTED>IN_PROGRESS AGENT setStatus
  TGM OFFER_ACCEPTED>IN_PROGRESS ONEC setStatus
  TGO OFFER_ACCEPTED>IN_PROGRESS AGENT setStatus
  STD IN_PROGRESS>COMPLETED AGENT setStatus
  TGM IN_PROGRESS>COMPLETED AGENT setStatus
  TGM IN_PROGRESS>COMPLETED ONEC setStatus
  TGO IN_PROGRESS>COMPLETED AGENT setStatus
  STD DRAFT>CANCELLED CLIENT cancel
  STD DRAFT>CANCELLED AGENT cancel
  TGM DRAFT>CANCELLED CLIENT cancel
  TGM DRAFT>CANCELLED AGENT cancel
  TGO DRAFT>CANCELLED CLIENT cancel
  TGO DRAFT>CANCELLED AGENT cancel
  STD COLLECTING_OFFERS>CANCELLED CLIENT cancel
  STD COLLECTING_OFFERS>CANCELLED AGENT cancel
  TGM COLLECTING_OFFERS>CANCELLED CLIENT cancel
  TGM COLLECTING_OFFERS>CANCELLED AGENT cancel
  TGM COLLECTING_OFFERS>CANCELLED ONEC cancel
  TGO COLLECTING_OFFERS>CANCELLED CLIENT cancel
  TGO COLLECTING_OFFERS>CANCELLED AGENT cancel
  STD OFFER_ACCEPTED>CANCELLED AGENT cancel
  TGM OFFER_ACCEPTED>CANCELLED AGENT cancel
  TGM OFFER_ACCEPTED>CANCELLED ONEC cancel
  TGO OFFER_ACCEPTED>CANCELLED AGENT cancel
  STD IN_PROGRESS>CANCELLED AGENT cancel
  TGM IN_PROGRESS>CANCELLED AGENT cancel
  TGM IN_PROGRESS>CANCELLED ONEC cancel
  TGO IN_PROGRESS>CANCELLED AGENT cancel
  STD COLLECTING_OFFERS>EXPIRED SYSTEM expire
`
    .trim()
    .split('\n')
    .map((line) => line.trim()),
);

const causes: TransitionCause[] = ['submit', 'acceptOffer', 'setStatus', 'cancel', 'expire'];

describe('request status transitions', () => {
  const cases: [string, Pipeline, RequestStatus, RequestStatus, ActingRole, TransitionCause][] = [];
  for (const [name, pipeline] of Object.entries(pipelines)) {
    for (const from of requestStatuses) {
      for (const to of requestStatuses) {
        for (const role of roles) {
          for (const cause of causes) cases.push([name, pipeline, from, to, role, cause]);
        }
      }
    }
  }

  it.each(cases)('%s %s → %s by %s via %s', (name, pipeline, from, to, role, cause) => {
    const key = `${name} ${from}>${to} ${role} ${cause}`;
    // A cancel may also be asked through setStatus (the agent's status menu).
    const asCancel = `${name} ${from}>${to} ${role} cancel`;
    const allowed =
      allowedStatus.has(key) || (cause === 'setStatus' && allowedStatus.has(asCancel));
    const request = { pipeline, status: from, paymentStatus: 'PAYOUT_DONE' as PaymentStatus };
    const attempt = () => assertStatusTransition(request, to, role, cause);
    if (allowed) {
      expect(attempt().to).toBe(to);
    } else {
      expect(attempt).toThrow(DomainError);
    }
  });

  it('refuses to complete a request whose payout is not done', () => {
    const request = {
      pipeline: pipelines.TGM,
      status: 'IN_PROGRESS' as const,
      paymentStatus: 'PAYMENT_RECEIVED' as const,
    };
    expect(() => assertStatusTransition(request, 'COMPLETED', 'ONEC', 'setStatus')).toThrowError(
      /payout/,
    );
  });

  it('offers "completed" as a next step only once the payout is done', () => {
    for (const paymentStatus of paymentStatuses) {
      const request = { pipeline: pipelines.TGM, status: 'IN_PROGRESS' as const, paymentStatus };
      expect(settableStatuses(request, 'AGENT')).toEqual(['COMPLETED', 'CANCELLED']);
      // Each step offered is one the transition check accepts.
      const offered = offeredStatuses(request, 'AGENT');
      for (const to of offered)
        expect(() => assertStatusTransition(request, to, 'AGENT', 'setStatus')).not.toThrow();
      expect(offered).toEqual(
        paymentStatus === 'PAYOUT_DONE' ? ['COMPLETED', 'CANCELLED'] : ['CANCELLED'],
      );
    }
  });

  it('says who may do a transition when the role is wrong', () => {
    const request = {
      pipeline: pipelines.TGM,
      status: 'OFFER_ACCEPTED' as const,
      paymentStatus: 'NOT_PAID' as const,
    };
    try {
      assertStatusTransition(request, 'IN_PROGRESS', 'CLIENT', 'setStatus');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const domainError = error as DomainError;
      expect(domainError.code).toBe('FORBIDDEN');
      expect(domainError.describe('en')).toBe(
        'Only AGENT, ONEC may move a request from OFFER_ACCEPTED to IN_PROGRESS',
      );
      expect(domainError.describe('ru')).toContain('может сделать только');
    }
  });
});

const allowedPayment = new Set(
  `
  NOT_PAID>TEST_PAYMENT_SENT CLIENT AGENT ONEC
  NOT_PAID>PAYMENT_SENT CLIENT AGENT ONEC
  TEST_PAYMENT_SENT>TEST_PAYMENT_CONFIRMED AGENT ONEC
  TEST_PAYMENT_CONFIRMED>PAYMENT_SENT CLIENT AGENT ONEC
  PAYMENT_SENT>PAYMENT_RECEIVED AGENT ONEC
  PAYMENT_RECEIVED>PAYOUT_DONE AGENT ONEC
`
    .trim()
    .split('\n')
    .flatMap((line) => {
      const [edge, ...who] = line.trim().split(' ');
      return who.map((role) => `${edge} ${role}`);
    }),
);

describe('payment status transitions', () => {
  const cases: [string, Pipeline, PaymentStatus, PaymentStatus, ActingRole][] = [];
  for (const [name, pipeline] of Object.entries(pipelines)) {
    for (const from of paymentStatuses) {
      for (const to of paymentStatuses) {
        for (const role of roles) cases.push([name, pipeline, from, to, role]);
      }
    }
  }

  it.each(cases)('%s %s → %s by %s', (name, pipeline, from, to, role) => {
    // 1C acts only on in-house requests.
    const allowed =
      allowedPayment.has(`${from}>${to} ${role}`) && (role !== 'ONEC' || name === 'TGM');
    for (const status of ['OFFER_ACCEPTED', 'IN_PROGRESS'] as const) {
      const attempt = () =>
        assertPaymentTransition({ pipeline, status, paymentStatus: from }, to, role);
      if (allowed) expect(attempt().to).toBe(to);
      else expect(attempt).toThrow(DomainError);
    }
  });

  it.each(['DRAFT', 'COLLECTING_OFFERS', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const)(
    'is closed while the request is %s',
    (status) => {
      expect(() =>
        assertPaymentTransition(
          { pipeline: pipelines.TGM, status, paymentStatus: 'NOT_PAID' },
          'PAYMENT_SENT',
          'CLIENT',
        ),
      ).toThrowError(/only after an offer is accepted/);
    },
  );
});
