import type { Permission, RequestStatus } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { Actor, RequestAccessFacts } from '../src';
import {
  DomainError,
  canAgentSee,
  isFormerAgent,
  decideOffer,
  permissionsFor,
  permissionsWithoutRequest,
  pipelineFor,
  relationTo,
} from '../src';

const master = { tenantId: 't-bank', tenantIsMaster: true };
const linkedAgent: Actor = {
  kind: 'agent',
  agentId: 'a-1',
  userId: null,
  telegramId: 1001,
  name: 'Anna',
  ...master,
};
const colleague: Actor = {
  kind: 'agent',
  agentId: 'a-2',
  userId: null,
  telegramId: 1002,
  name: 'Boris',
  ...master,
};
const outsider: Actor = {
  kind: 'agent',
  agentId: 'a-9',
  userId: null,
  telegramId: 1009,
  name: 'Zoe',
  tenantId: 't-other',
  tenantIsMaster: false,
};
const client: Actor = { kind: 'user', userId: 'u-1', telegramId: 2001, name: 'Client' };
const onec: Actor = { kind: 'onec', integrationId: 'i-1', name: '1C' };

function telegramRequest(
  status: RequestStatus,
  overrides: Partial<RequestAccessFacts> = {},
): RequestAccessFacts {
  return {
    pipeline: pipelineFor({
      source: 'TELEGRAM',
      telegramChatId: -100777,
      tenant: { isMaster: true },
    }),
    status,
    paymentStatus: 'NOT_PAID',
    tenantId: 't-bank',
    tenantIsMaster: true,
    inHouseVisibility: 'ALL_AGENTS',
    agentId: 'a-1',
    clientUserId: null,
    acceptedOfferAgentId: null,
    ...overrides,
  };
}

function standardRequest(
  status: RequestStatus,
  overrides: Partial<RequestAccessFacts> = {},
): RequestAccessFacts {
  return {
    ...telegramRequest(status),
    pipeline: pipelineFor({
      source: 'PLATFORM_UI',
      telegramChatId: null,
      tenant: { isMaster: false },
    }),
    tenantId: 't-client',
    tenantIsMaster: false,
    agentId: null,
    clientUserId: 'u-1',
    ...overrides,
  };
}

const member = { isChatMember: true };
const notMember = { isChatMember: false };

function perms(actor: Actor, request: RequestAccessFacts, context = member): Permission[] {
  return permissionsFor(relationTo(actor, request, context), request);
}

describe('relations', () => {
  it('tells apart the linked agent, colleagues, outsiders, clients and strangers in Telegram', () => {
    const request = telegramRequest('COLLECTING_OFFERS');
    expect(relationTo(linkedAgent, request, notMember)).toBe('linkedAgent');
    expect(relationTo(colleague, request, member)).toBe('colleague');
    expect(relationTo(outsider, request, member)).toBe('viewer');
    expect(relationTo(outsider, { ...request, inHouseVisibility: 'MASTER_ONLY' }, member)).toBe(
      'stranger',
    );
    expect(relationTo(client, request, member)).toBe('client');
    expect(relationTo(client, request, notMember)).toBe('stranger');
    expect(relationTo(onec, request, notMember)).toBe('onec');
  });

  it('lets 1C act only on in-house requests', () => {
    expect(relationTo(onec, standardRequest('COLLECTING_OFFERS'), notMember)).toBe('stranger');
    const notInHouse = telegramRequest('COLLECTING_OFFERS', {
      pipeline: pipelineFor({
        source: 'TELEGRAM',
        telegramChatId: -1,
        tenant: { isMaster: false },
      }),
    });
    expect(relationTo(onec, notInHouse, notMember)).toBe('stranger');
  });

  it('makes the agent of the accepted offer responsible in the standard pipeline', () => {
    const request = standardRequest('OFFER_ACCEPTED', { acceptedOfferAgentId: 'a-9' });
    expect(relationTo(outsider, request, notMember)).toBe('linkedAgent');
    expect(relationTo(colleague, request, notMember)).toBe('viewer');
    expect(relationTo(colleague, standardRequest('COLLECTING_OFFERS'), notMember)).toBe(
      'offeringAgent',
    );
  });
});

describe('permission lists', () => {
  it('gives the Telegram client of a draft: view, edit, cancel — never submit or status', () => {
    expect(perms(client, telegramRequest('DRAFT'))).toEqual([
      'application.cancel',
      'application.edit',
      'application.view',
      'application.viewDetails',
      'documents.view',
      'history.view',
      'offer.view',
    ]);
  });

  it('gives the linked agent of a draft the submit', () => {
    const list = perms(linkedAgent, telegramRequest('DRAFT'));
    expect(list).toContain('application.submit');
    expect(list).toContain('application.edit');
    expect(list).toContain('chat.import');
    expect(list).not.toContain('offer.create'); // in-house offers come from 1C
  });

  it('makes every field read-only once the offer is accepted', () => {
    for (const status of ['OFFER_ACCEPTED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED'] as const) {
      expect(perms(client, telegramRequest(status))).not.toContain('application.edit');
      expect(perms(linkedAgent, telegramRequest(status))).not.toContain('application.edit');
    }
  });

  it('lets the client mark the payment sent, and the agent move it on', () => {
    expect(perms(client, telegramRequest('OFFER_ACCEPTED'))).toContain('payment.markSent');
    expect(perms(client, telegramRequest('OFFER_ACCEPTED'))).not.toContain('payment.setStatus');
    expect(
      perms(client, telegramRequest('IN_PROGRESS', { paymentStatus: 'TEST_PAYMENT_SENT' })),
    ).not.toContain('payment.markSent');
    expect(
      perms(linkedAgent, telegramRequest('IN_PROGRESS', { paymentStatus: 'TEST_PAYMENT_SENT' })),
    ).toContain('payment.setStatus');
    expect(perms(client, telegramRequest('IN_PROGRESS'))).not.toContain('application.setStatus');
    expect(perms(linkedAgent, telegramRequest('OFFER_ACCEPTED'))).toContain(
      'application.setStatus',
    );
  });

  it('lets the bank’s other agents read its in-house requests in full, changing nothing', () => {
    expect(perms(colleague, telegramRequest('IN_PROGRESS'))).toEqual([
      'application.view',
      'application.viewDetails',
      'documents.view',
      'history.view',
      'offer.view',
    ]);
  });

  it('lets agents of other tenants only look at a summary of in-house requests', () => {
    expect(perms(outsider, telegramRequest('IN_PROGRESS'))).toEqual(['application.view']);
  });

  it('gives a former agent still in the group no part in the deal room', () => {
    const former: Actor = { ...client, formerAgentId: 'a-5' };
    expect(isFormerAgent(former)).toBe(true);
    expect(isFormerAgent(client)).toBe(false);
    expect(relationTo(former, telegramRequest('DRAFT'), member)).toBe('stranger');
    expect(perms(former, telegramRequest('OFFER_ACCEPTED'))).toEqual([]);
    expect(
      permissionsWithoutRequest(former, {
        chatBound: true,
        isChatMember: true,
        isChatAgent: false,
      }),
    ).toEqual([]);
    // The standard pipeline is not a deal room: their own platform requests stay theirs.
    expect(relationTo(former, standardRequest('DRAFT'), notMember)).toBe('client');
  });

  it('gives strangers nothing', () => {
    expect(perms(client, telegramRequest('IN_PROGRESS'), notMember)).toEqual([]);
  });

  it('lets the linked agent ask 1C for documents once the request is submitted', () => {
    expect(perms(linkedAgent, telegramRequest('DRAFT'))).not.toContain('documents.generate');
    expect(perms(linkedAgent, telegramRequest('IN_PROGRESS'))).toContain('documents.generate');
    expect(perms(colleague, telegramRequest('IN_PROGRESS'))).not.toContain('documents.generate');
    expect(perms(linkedAgent, telegramRequest('COMPLETED'))).not.toContain('documents.generate');
  });

  it('runs the standard market: agents offer, the owner accepts', () => {
    const request = standardRequest('COLLECTING_OFFERS');
    expect(perms(outsider, request)).toContain('offer.create');
    expect(perms(outsider, request)).not.toContain('application.edit');
    expect(perms(client, request)).toContain('offer.accept');
    expect(perms(client, request)).toContain('application.edit');
    expect(perms(client, request)).not.toContain('offer.create');
    expect(perms(client, standardRequest('DRAFT'))).toContain('application.submit');
  });

  it('lets a bound chat create its request', () => {
    expect(
      permissionsWithoutRequest(client, {
        chatBound: true,
        isChatMember: true,
        isChatAgent: false,
      }),
    ).toEqual(['application.create']);
    expect(
      permissionsWithoutRequest(client, {
        chatBound: true,
        isChatMember: false,
        isChatAgent: false,
      }),
    ).toEqual([]);
    expect(
      permissionsWithoutRequest(linkedAgent, {
        chatBound: true,
        isChatMember: true,
        isChatAgent: true,
      }),
    ).toContain('application.create');
  });
});

describe('board visibility', () => {
  it('lists in-house requests for all agents unless the tenant chose MASTER_ONLY', () => {
    const request = telegramRequest('COLLECTING_OFFERS');
    expect(canAgentSee(outsider as Extract<Actor, { kind: 'agent' }>, request)).toBe(true);
    expect(
      canAgentSee(outsider as Extract<Actor, { kind: 'agent' }>, {
        ...request,
        inHouseVisibility: 'MASTER_ONLY',
      }),
    ).toBe(false);
    expect(
      canAgentSee(colleague as Extract<Actor, { kind: 'agent' }>, {
        ...request,
        inHouseVisibility: 'MASTER_ONLY',
      }),
    ).toBe(true);
  });

  it('keeps drafts to their own agent', () => {
    expect(
      canAgentSee(colleague as Extract<Actor, { kind: 'agent' }>, telegramRequest('DRAFT')),
    ).toBe(false);
    expect(
      canAgentSee(linkedAgent as Extract<Actor, { kind: 'agent' }>, telegramRequest('DRAFT')),
    ).toBe(true);
  });
});

describe('offers', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  /** An offer with no «Действует до». */
  const noLimit = { validUntil: null };

  it('accepts the linked agent’s or 1C’s offer on a Telegram request at once', () => {
    const request = { ...telegramRequest('COLLECTING_OFFERS'), offersDeadline: null };
    expect(decideOffer(request, { kind: 'onec' }, now, noLimit)).toEqual({
      outcome: 'AUTO_ACCEPT',
      agentId: 'a-1',
    });
    expect(decideOffer(request, { kind: 'agent', agentId: 'a-1' }, now, noLimit)).toEqual({
      outcome: 'AUTO_ACCEPT',
      agentId: 'a-1',
    });
    expect(() => decideOffer(request, { kind: 'agent', agentId: 'a-2' }, now, noLimit)).toThrow(
      DomainError,
    );
  });

  it('keeps standard offers pending until the deadline, then refuses', () => {
    const request = {
      ...standardRequest('COLLECTING_OFFERS'),
      offersDeadline: new Date('2026-11-25T00:00:00Z'),
    };
    expect(decideOffer(request, { kind: 'agent', agentId: 'a-9' }, now, noLimit)).toEqual({
      outcome: 'PENDING',
      agentId: 'a-9',
      withdrawsOwnOpenOffer: true,
    });
    expect(() =>
      decideOffer(
        request,
        { kind: 'agent', agentId: 'a-9' },
        new Date('2026-11-25T00:00:00Z'),
        noLimit,
      ),
    ).toThrowError(/deadline/);
    expect(() => decideOffer(request, { kind: 'onec' }, now, noLimit)).toThrow(DomainError);
  });

  it('refuses offers outside collecting offers', () => {
    for (const status of ['DRAFT', 'OFFER_ACCEPTED', 'IN_PROGRESS', 'CANCELLED'] as const) {
      expect(() =>
        decideOffer(
          { ...telegramRequest(status), offersDeadline: null },
          { kind: 'onec' },
          now,
          noLimit,
        ),
      ).toThrowError(/collecting offers/);
    }
  });
});
