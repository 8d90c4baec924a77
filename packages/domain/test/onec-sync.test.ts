import type { RequestStatus } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { Actor, StepChange } from '../src';
import {
  DomainError,
  assertOnecVersion,
  checkOnecVersion,
  onecChangesOfSteps,
  tellsOnec,
} from '../src';

const agent: Actor = {
  kind: 'agent',
  agentId: 'a',
  userId: null,
  telegramId: null,
  name: 'Anna',
  tenantId: 't',
  tenantIsMaster: true,
};
const client: Actor = { kind: 'user', userId: 'u', name: 'Ivan', telegramId: null };
const onec: Actor = { kind: 'onec', integrationId: 'i', name: '1C' };
const system: Actor = { kind: 'system', name: 'deadlines' };

describe('tellsOnec: which changes 1C hears of', () => {
  it.each<[string, boolean, RequestStatus, Actor, boolean]>([
    ['a client edit of a submitted in-house request', true, 'COLLECTING_OFFERS', client, true],
    ['the agent cancelling it', true, 'COLLECTING_OFFERS', agent, true],
    ['a client payment mark after the offer', true, 'OFFER_ACCEPTED', client, true],
    ['a step of the platform itself', true, 'IN_PROGRESS', system, true],
    ['1C’s own status post (it knows it)', true, 'OFFER_ACCEPTED', onec, false],
    ['an edit of a draft (1C has no copy yet)', true, 'DRAFT', client, false],
    ['the submit itself (the create call)', true, 'DRAFT', agent, false],
    ['a standard request (never in 1C)', false, 'COLLECTING_OFFERS', client, false],
  ])('%s', (_name, sendsToOnec, status, actor, expected) => {
    expect(tellsOnec({ pipeline: { sendsToOnec }, status }, actor)).toBe(expected);
  });
});

describe('onecChangesOfSteps: the steps as 1C is told them', () => {
  it.each<[string, StepChange[], ReturnType<typeof onecChangesOfSteps>]>([
    [
      'a cancellation is its own kind',
      [{ field: 'status', from: 'COLLECTING_OFFERS', to: 'CANCELLED' }],
      [{ type: 'cancelled', from: 'COLLECTING_OFFERS' }],
    ],
    [
      'a status moved by hand',
      [{ field: 'status', from: 'OFFER_ACCEPTED', to: 'IN_PROGRESS' }],
      [{ type: 'status', from: 'OFFER_ACCEPTED', to: 'IN_PROGRESS' }],
    ],
    [
      'a payment mark',
      [{ field: 'paymentStatus', from: 'NOT_PAID', to: 'TEST_PAYMENT_SENT' }],
      [{ type: 'paymentStatus', from: 'NOT_PAID', to: 'TEST_PAYMENT_SENT' }],
    ],
    [
      'a payout and the completion, in order',
      [
        { field: 'paymentStatus', from: 'PAYMENT_RECEIVED', to: 'PAYOUT_DONE' },
        { field: 'status', from: 'IN_PROGRESS', to: 'COMPLETED' },
      ],
      [
        { type: 'paymentStatus', from: 'PAYMENT_RECEIVED', to: 'PAYOUT_DONE' },
        { type: 'status', from: 'IN_PROGRESS', to: 'COMPLETED' },
      ],
    ],
    [
      'the submit (sent as the create call)',
      [{ field: 'status', from: 'DRAFT', to: 'COLLECTING_OFFERS' }],
      [],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(onecChangesOfSteps(steps)).toEqual(expected);
  });
});

describe('checkOnecVersion: which of 1C’s posts are stale', () => {
  it.each<
    [
      string,
      number,
      { version: number; fieldsVersion: number },
      ReturnType<typeof checkOnecVersion>,
    ]
  >([
    ['computed on the current version', 5, { version: 5, fieldsVersion: 5 }, { ok: true }],
    [
      'computed before status moves that left the fields alone',
      3,
      { version: 6, fieldsVersion: 3 },
      { ok: true },
    ],
    [
      'computed before the amount was edited',
      2,
      { version: 4, fieldsVersion: 3 },
      { ok: false, reason: 'stale', currentVersion: 4 },
    ],
    [
      'a version the request never had',
      9,
      { version: 4, fieldsVersion: 2 },
      { ok: false, reason: 'unknown', currentVersion: 4 },
    ],
  ])('%s', (_name, basedOn, facts, expected) => {
    expect(checkOnecVersion(basedOn, facts)).toEqual(expected);
  });

  it('refuses a stale post with STALE_VERSION, in words of both languages', () => {
    const error = (() => {
      try {
        assertOnecVersion(2, { version: 4, fieldsVersion: 3 });
      } catch (caught) {
        return caught as DomainError;
      }
      throw new Error('not refused');
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('STALE_VERSION');
    expect(error.describe('ru')).toContain('версии заявки 2');
    expect(error.describe('en')).toContain('now version 4');
    expect(() => assertOnecVersion(9, { version: 4, fieldsVersion: 2 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => assertOnecVersion(4, { version: 4, fieldsVersion: 2 })).not.toThrow();
  });
});
