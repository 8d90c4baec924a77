import { describe, expect, it } from 'vitest';

import { offerChoiceRecipients, offerNewsRecipients, outdatedOfferRecipients } from '../src';

describe('who hears of offers', () => {
  it('an offer sent or changed: the client company’s people and the agent who filed for them', () => {
    const cases: Array<[string, Parameters<typeof offerNewsRecipients>[0], string[]]> = [
      [
        'filed by the client',
        { memberUserIds: ['u1', 'u2'], filedByAgentId: null, offeringAgentId: 'a1' },
        ['user:u1', 'user:u2'],
      ],
      [
        'filed by a bank agent for the client',
        { memberUserIds: ['u1'], filedByAgentId: 'a9', offeringAgentId: 'a1' },
        ['user:u1', 'agent:a9'],
      ],
      [
        'the filing agent offering themselves is not told of their own offer',
        { memberUserIds: ['u1'], filedByAgentId: 'a1', offeringAgentId: 'a1' },
        ['user:u1'],
      ],
      [
        'no one on the client side yet',
        { memberUserIds: [], filedByAgentId: null, offeringAgentId: 'a1' },
        [],
      ],
    ];
    for (const [what, request, expected] of cases)
      expect(offerNewsRecipients(request), what).toEqual(expected);
  });

  it('an offer accepted: its agent is chosen; agents with open offers are not, once each', () => {
    const offers = [
      { id: 'o1', agentId: 'a1', status: 'PENDING' },
      { id: 'o2', agentId: 'a2', status: 'PENDING' },
      { id: 'o3', agentId: 'a3', status: 'WITHDRAWN' },
      { id: 'o4', agentId: 'a4', status: 'REJECTED' },
      { id: 'o5', agentId: 'a2', status: 'PENDING' },
    ];
    expect(offerChoiceRecipients(offers, 'o1')).toEqual({
      chosen: 'agent:a1',
      notChosen: ['agent:a2'],
    });
    expect(offerChoiceRecipients(offers, 'missing')).toEqual({
      chosen: null,
      notChosen: ['agent:a1', 'agent:a2'],
    });
  });

  it('an edit of the request: the agents whose open offer it just made outdated, once each', () => {
    const terms = (amount: string, currency = 'USD') => ({
      amount,
      currency,
      direction: 'OUTGOING' as const,
      totalCurrency: 'RUB',
    });
    const before = terms('12500.50');
    const offers = [
      { agentId: 'a1', status: 'PENDING', priced: terms('12500.5') },
      { agentId: 'a2', status: 'PENDING', priced: terms('12500.50') },
      // Already outdated by an earlier edit: told then, not again.
      { agentId: 'a3', status: 'PENDING', priced: terms('9000.00') },
      { agentId: 'a4', status: 'WITHDRAWN', priced: terms('12500.50') },
      // From before offers kept their terms: not judged.
      { agentId: 'a5', status: 'PENDING', priced: null },
    ];
    expect(outdatedOfferRecipients(offers, before, terms('25000.00'))).toEqual([
      'agent:a1',
      'agent:a2',
    ]);
    expect(outdatedOfferRecipients(offers, before, terms('12500.50', 'EUR'))).toEqual([
      'agent:a1',
      'agent:a2',
    ]);
    // The same amount written otherwise, or another field changed: nobody.
    expect(outdatedOfferRecipients(offers, before, terms('12500.500'))).toEqual([]);
  });
});
