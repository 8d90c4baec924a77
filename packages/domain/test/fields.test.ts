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
    const partial = { ...completeFields, purpose: null };
    expect(missingRequiredFields(partial)).toEqual(['purpose']);
    type Fields = typeof completeFields;
    const save = (kind: string, before: Fields | null, after: Fields, status = 'DRAFT') => ({
      actor: { kind },
      status,
      before,
      after,
    });
    const edited = { ...completeFields, comment: 'x' };
    const cases: Array<[string, ReturnType<typeof save>, boolean]> = [
      ['the client fills the last field', save('user', partial, completeFields), true],
      ['the client creates it filled', save('user', null, completeFields), true],
      ['the client edits a filled draft', save('user', completeFields, edited), false],
      ['the client leaves a field empty', save('user', emptyFields, partial), false],
      ['the client empties a field', save('user', completeFields, partial), false],
      ['the agent fills the last field', save('agent', partial, completeFields), false],
      ['after the submit', save('user', partial, completeFields, 'COLLECTING_OFFERS'), false],
    ];
    for (const [what, save, told] of cases) expect(filledByClient(save), what).toBe(told);
  });
});
