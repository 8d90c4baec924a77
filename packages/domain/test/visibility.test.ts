import type { PaymentRequestFieldName } from '@payreq/contracts';
import { paymentRequestFieldNames } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { Actor, Relation, RequestAccessFacts } from '../src';
import { permissionsFor, pipelineFor, relationTo, viewScopeFor } from '../src';

const agent = (agentId: string, tenantId: string, tenantIsMaster: boolean): Actor => ({
  kind: 'agent',
  agentId,
  userId: null,
  telegramId: 1,
  name: agentId,
  tenantId,
  tenantIsMaster,
});
const anna = agent('a-1', 't-bank', true);
const boris = agent('a-2', 't-bank', true);
const zoe = agent('a-9', 't-other', false);
const ivan: Actor = { kind: 'user', userId: 'u-1', telegramId: 2, name: 'Ivan' };
const onec: Actor = { kind: 'onec', integrationId: 'i-1', name: '1C' };

const inHouse: RequestAccessFacts = {
  pipeline: pipelineFor({ source: 'TELEGRAM', telegramChatId: -1, tenant: { isMaster: true } }),
  status: 'IN_PROGRESS',
  paymentStatus: 'NOT_PAID',
  tenantId: 't-bank',
  tenantIsMaster: true,
  inHouseVisibility: 'ALL_AGENTS',
  agentId: 'a-1',
  clientUserId: 'u-1',
  acceptedOfferAgentId: 'a-1',
};
const market: RequestAccessFacts = {
  ...inHouse,
  pipeline: pipelineFor({
    source: 'PLATFORM_UI',
    telegramChatId: null,
    tenant: { isMaster: false },
  }),
  status: 'COLLECTING_OFFERS',
  tenantId: 't-client',
  tenantIsMaster: false,
  agentId: null,
  acceptedOfferAgentId: null,
};

function scope(actor: Actor, request: RequestAccessFacts) {
  const relation: Relation = relationTo(actor, request, { isChatMember: true });
  return viewScopeFor(actor, relation, permissionsFor(relation, request));
}

const shown = (fields: readonly PaymentRequestFieldName[] | 'all') =>
  fields === 'all' ? paymentRequestFieldNames : fields;

describe('who sees how much of a request', () => {
  it.each([
    ['the client', ivan, 'full', false, true],
    ['the linked agent', anna, 'full', true, true],
    ['another agent of the bank', boris, 'full', true, true],
    ['1C', onec, 'full', true, false],
  ] as const)('%s sees the in-house request in full', (_who, actor, detail, onecLink, chat) => {
    const seen = scope(actor, inHouse);
    expect(seen.detail).toBe(detail);
    expect(seen.fields).toBe('all');
    expect(seen.onecLink).toBe(onecLink);
    expect(seen.chat).toBe(chat);
  });

  it('shows an agent of another tenant a summary: no tax ids, accounts, people, chat or 1C link', () => {
    const seen = scope(zoe, inHouse);
    expect(seen.detail).toBe('summary');
    expect(shown(seen.fields)).toEqual(['direction', 'amount', 'currency']);
    expect(seen).toMatchObject({
      onecLink: false,
      chat: false,
      tenant: false,
      documents: false,
      history: false,
      offers: 'own',
    });
  });

  it('never gives the client the 1C link', () => {
    expect(scope(ivan, inHouse).onecLink).toBe(false);
  });

  it('shows an offering agent what pricing needs and no more', () => {
    const seen = scope(zoe, market);
    expect(seen.detail).toBe('market');
    const fields = shown(seen.fields);
    expect(fields).toEqual(
      expect.arrayContaining(['amount', 'currency', 'clientCurrency', 'beneficiaryCountry']),
    );
    for (const secret of ['payerName', 'payerTaxId', 'beneficiaryName', 'beneficiaryAccount'])
      expect(fields).not.toContain(secret);
    expect(seen.offers).toBe('own');
    expect(seen.tenant).toBe(false);
  });

  it('lets the client of a standard request compare every offer', () => {
    expect(scope(ivan, market).offers).toBe('all');
  });
});
