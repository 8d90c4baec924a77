import { completeFields, emptyFields } from '@payreq/testing';
import { describe, expect, it } from 'vitest';

import type { DomainError } from '../src';
import { assertComplete, diffFields, filledByClient, missingRequiredFields } from '../src';

describe('field rules', () => {
  it('records only real changes, and treats 100 and 100.00 as the same amount', () => {
    const current = { ...emptyFields, amount: '100.00', payerName: 'A' };
    expect(diffFields(current, { amount: '100', payerName: 'B', comment: undefined })).toEqual([
      { field: 'payerName', from: 'A', to: 'B' },
    ]);
    expect(diffFields(current, { payerName: null })).toEqual([
      { field: 'payerName', from: 'A', to: null },
    ]);
  });

  it('names the missing fields that submit needs', () => {
    expect(() => assertComplete(completeFields)).not.toThrow();
    try {
      assertComplete({ ...completeFields, beneficiarySwift: null, purpose: null });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).code).toBe('INCOMPLETE_REQUEST');
      // People read the form's labels, never the fields' code names.
      expect((error as DomainError).describe('ru')).toBe(
        'Заполните обязательные поля: SWIFT/BIC, Назначение платежа',
      );
      expect((error as DomainError).describe('en')).toMatch(/^Fill in the required fields: SWIFT/);
    }
  });

  it('tells the deal room when the client, not the agent, fills the last required field of a draft', () => {
    const client = { kind: 'user' };
    const agent = { kind: 'agent' };
    const partial = { ...completeFields, purpose: null };
    expect(missingRequiredFields(partial)).toEqual(['purpose']);
    const cases: Array<[string, Parameters<typeof filledByClient>[0], boolean]> = [
      [
        'the client fills the last field',
        { actor: client, status: 'DRAFT', before: partial, after: completeFields },
        true,
      ],
      [
        'the client creates it filled',
        { actor: client, status: 'DRAFT', before: null, after: completeFields },
        true,
      ],
      [
        'the client edits a filled draft',
        {
          actor: client,
          status: 'DRAFT',
          before: completeFields,
          after: { ...completeFields, comment: 'x' },
        },
        false,
      ],
      [
        'the client leaves a field empty',
        { actor: client, status: 'DRAFT', before: emptyFields, after: partial },
        false,
      ],
      [
        'the client empties a field',
        { actor: client, status: 'DRAFT', before: completeFields, after: partial },
        false,
      ],
      [
        'the agent fills the last field',
        { actor: agent, status: 'DRAFT', before: partial, after: completeFields },
        false,
      ],
      [
        'after the submit',
        { actor: client, status: 'COLLECTING_OFFERS', before: partial, after: completeFields },
        false,
      ],
    ];
    for (const [what, save, told] of cases) expect(filledByClient(save), what).toBe(told);
  });
});
