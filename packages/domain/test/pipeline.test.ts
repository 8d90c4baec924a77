import type { RequestSource } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import { DomainError, pipelineFor } from '../src';

describe('pipelineFor: master/non-master tenant × source × Telegram flag', () => {
  const sources: RequestSource[] = ['PLATFORM_UI', 'API', 'TELEGRAM'];
  const cases = [true, false].flatMap((isMaster) =>
    sources.flatMap((source) =>
      [null, -1001234567890].map((chat) => [isMaster, source, chat] as const),
    ),
  );

  it.each(cases)('master=%s source=%s chat=%s', (isMaster, source, chat) => {
    const facts = { source, telegramChatId: chat, tenant: { isMaster } };
    if (chat === null && source === 'TELEGRAM') {
      expect(() => pipelineFor(facts)).toThrow(DomainError);
      return;
    }
    const pipeline = pipelineFor(facts);
    if (chat === null) {
      // Made by hand in the platform (even by the bank itself) or through the API: the standard road.
      expect(pipeline).toEqual({
        kind: 'STANDARD',
        inHouse: false,
        hasDeadlines: true,
        autoAcceptsLinkedAgentOffer: false,
        sendsToOnec: false,
        syncsChat: false,
      });
    } else {
      expect(pipeline).toEqual({
        kind: 'TELEGRAM',
        inHouse: isMaster,
        hasDeadlines: false,
        autoAcceptsLinkedAgentOffer: true,
        sendsToOnec: isMaster,
        syncsChat: true,
      });
    }
  });
});

describe('pipelineFor: the bank files by hand for a client company it has no agent for', () => {
  it('takes the standard road (deadlines, offers from the market), never the Telegram one', () => {
    // The request belongs to the client company (a non-master tenant), made in the portal.
    const pipeline = pipelineFor({
      source: 'PLATFORM_UI',
      telegramChatId: null,
      tenant: { isMaster: false },
    });
    expect(pipeline.kind).toBe('STANDARD');
    expect(pipeline).toMatchObject({ hasDeadlines: true, sendsToOnec: false, syncsChat: false });
  });
});
