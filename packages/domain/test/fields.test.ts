import { completeFields, emptyFields } from '@payreq/testing';
import { describe, expect, it } from 'vitest';

import type { DomainError } from '../src';
import { assertComplete, diffFields } from '../src';

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
});
