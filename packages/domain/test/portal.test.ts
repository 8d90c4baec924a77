import { describe, expect, it } from 'vitest';

import type { Actor, Relation, RoomFacts } from '../src';
import {
  actorMayAdminister,
  chatFileRefusal,
  mayAdminister,
  mayReadRoomBeforeRequest,
  whitelistChangeRefusal,
} from '../src';

describe('mayAdminister', () => {
  it.each([
    [{ active: true, isAdmin: true, tenantIsMaster: true }, true],
    [{ active: true, isAdmin: false, tenantIsMaster: true }, false],
    [{ active: false, isAdmin: true, tenantIsMaster: true }, false],
    // Another tenant's agent never administers the bank's platform, flag or not.
    [{ active: true, isAdmin: true, tenantIsMaster: false }, false],
    [null, false],
  ])('%o → %s', (agent, expected) => {
    expect(mayAdminister(agent)).toBe(expected);
  });

  const agent = (isAdmin: boolean | undefined, tenantIsMaster: boolean): Actor => ({
    kind: 'agent',
    agentId: 'a',
    userId: null,
    telegramId: 1,
    name: 'A',
    tenantId: 't',
    tenantIsMaster,
    ...(isAdmin === undefined ? {} : { isAdmin }),
  });
  it('reads the caller', () => {
    expect(actorMayAdminister(agent(true, true))).toBe(true);
    expect(actorMayAdminister(agent(undefined, true))).toBe(false);
    expect(actorMayAdminister(agent(true, false))).toBe(false);
    expect(actorMayAdminister({ kind: 'user', userId: 'u', telegramId: 2, name: 'U' })).toBe(false);
    expect(actorMayAdminister(null)).toBe(false);
  });
});

describe('chatFileRefusal', () => {
  const ok = { messageInRequestChat: true, byPlatformBot: false, fileStored: true };
  it.each<[Relation, ReturnType<typeof chatFileRefusal>]>([
    ['linkedAgent', null],
    ['colleague', 'not_the_agent'],
    ['viewer', 'not_the_agent'],
    ['client', 'not_the_agent'],
    ['offeringAgent', 'not_the_agent'],
    ['stranger', 'not_the_agent'],
  ])('%s → %s', (relation, expected) => {
    expect(chatFileRefusal({ relation, ...ok })).toBe(expected);
  });
  it('needs the request’s own chat and a stored file', () => {
    expect(chatFileRefusal({ relation: 'linkedAgent', ...ok, messageInRequestChat: false })).toBe(
      'other_chat',
    );
    expect(chatFileRefusal({ relation: 'linkedAgent', ...ok, fileStored: false })).toBe('no_file');
  });
  it('takes no file the platform’s bot posted (1C’s documents are the request’s already)', () => {
    expect(chatFileRefusal({ relation: 'linkedAgent', ...ok, byPlatformBot: true })).toBe('by_bot');
    // A colleague is told it is not theirs to do, whoever posted the file.
    expect(chatFileRefusal({ relation: 'colleague', ...ok, byPlatformBot: true })).toBe(
      'not_the_agent',
    );
  });
});

describe('whitelistChangeRefusal', () => {
  const target = { id: 'b', active: true, tenantIsMaster: true };
  it.each([
    [{ target, makeActive: false }, null],
    [{ target: { ...target, active: false }, makeActive: true }, null],
    [{ target, makeActive: true }, 'already'],
    [{ target: { ...target, id: 'admin' }, makeActive: false }, 'self'],
    [{ target: { ...target, tenantIsMaster: false }, makeActive: false }, 'other_tenant'],
  ] as const)('%o → %s', (input, expected) => {
    expect(whitelistChangeRefusal({ adminAgentId: 'admin', ...input })).toBe(expected);
  });
});

describe('mayReadRoomBeforeRequest', () => {
  const agent = (agentId: string): Actor => ({
    kind: 'agent',
    agentId,
    userId: null,
    telegramId: 1,
    name: 'A',
    tenantId: 'bank',
    tenantIsMaster: true,
  });
  const room: RoomFacts = { agentId: 'anna', isGroup: true, hasRequest: false };
  it.each<[string, Actor, RoomFacts, boolean]>([
    ['the agent who added the bot', agent('anna'), room, true],
    // Private, like the draft that follows: not even the bank's other agents or administrators.
    ['another agent of the bank', agent('boris'), room, false],
    ['anyone, once the room has its request', agent('anna'), { ...room, hasRequest: true }, false],
    ['anyone, for a private chat with the bot', agent('anna'), { ...room, isGroup: false }, false],
    ['anyone, for a room nobody known added', agent('anna'), { ...room, agentId: null }, false],
    [
      'a person of the platform',
      { kind: 'user', userId: 'u', telegramId: 2, name: 'U' },
      room,
      false,
    ],
    ['the bot', { kind: 'bot', name: 'bot' }, room, false],
  ])('%s → %s', (_who, actor, facts, expected) => {
    expect(mayReadRoomBeforeRequest(actor, facts)).toBe(expected);
  });
});
