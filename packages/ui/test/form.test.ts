import { describe, expect, it } from 'vitest';

import { changedFields, editableAmount, plainAmount, valuesOf } from '../src';

const nbsp = '\u00a0';

describe('the form shows a saved amount as people type it', () => {
  it('groups the digits and, in Russian, writes the decimal comma', () => {
    const cases: Array<[string, 'ru' | 'en', string]> = [
      ['48750.00', 'ru', `48${nbsp}750,00`],
      ['48750.00', 'en', `48${nbsp}750.00`],
      ['1250000', 'ru', `1${nbsp}250${nbsp}000`],
      ['999.5', 'ru', '999,5'],
      ['', 'ru', ''],
      // Not a stored amount (a draft's text): left as it is.
      ['12 500,5', 'ru', '12 500,5'],
    ];
    for (const [stored, locale, shown] of cases) expect(editableAmount(stored, locale)).toBe(shown);
  });

  it('reads what it shows back as the stored amount', () => {
    for (const stored of ['48750.00', '1250000', '0.5', '123456789012345.99'])
      expect(plainAmount(editableAmount(stored, 'ru'))).toBe(stored);
  });

  it('takes the amount in the form only from the saved fields', () => {
    const values = valuesOf({ amount: '48750.00', currency: 'USD' } as never, 'ru');
    expect(values.amount).toBe(`48${nbsp}750,00`);
    expect(values.currency).toBe('USD');
    expect(values.payerName).toBe('');
  });

  it('counts an amount as changed by its digits, not by how it is spaced', () => {
    const saved = valuesOf({ amount: '48750.00' } as never, 'ru');
    expect(changedFields({ ...saved, amount: '48750,00' }, saved)).toEqual([]);
    expect(changedFields({ ...saved, amount: '48 750.00' }, saved)).toEqual([]);
    expect(changedFields({ ...saved, amount: '48 751,00' }, saved)).toEqual(['amount']);
    expect(changedFields({ ...saved, payerName: 'ООО «Ромашка»' }, saved)).toEqual(['payerName']);
  });
});
