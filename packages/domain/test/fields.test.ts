import type { PaymentRequestFields } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import type { DomainError } from '../src';
import { assertComplete, diffFields } from '../src';

const empty: PaymentRequestFields = {
  payerName: null,
  payerTaxId: null,
  direction: null,
  amount: null,
  currency: null,
  clientCurrency: null,
  beneficiaryName: null,
  beneficiaryCountry: null,
  beneficiaryAddress: null,
  beneficiaryBankName: null,
  beneficiarySwift: null,
  beneficiaryAccount: null,
  purpose: null,
  contractNumber: null,
  contractDate: null,
  invoiceNumber: null,
  desiredDate: null,
  comment: null,
};

const complete: PaymentRequestFields = {
  ...empty,
  payerName: 'ООО «Ромашка»',
  payerTaxId: '7707083893',
  direction: 'OUTGOING',
  amount: '1250000.00',
  currency: 'CNY',
  clientCurrency: 'RUB',
  beneficiaryName: 'Shenzhen Flower Trading Co., Ltd.',
  beneficiaryCountry: 'CN',
  beneficiaryBankName: 'Bank of China',
  beneficiarySwift: 'BKCHCNBJ',
  beneficiaryAccount: '6217000010012345678',
  purpose: 'Оплата по контракту 15/2026 за оборудование',
};

describe('field rules', () => {
  it('records only real changes, and treats 100 and 100.00 as the same amount', () => {
    const current = { ...empty, amount: '100.00', payerName: 'A' };
    expect(diffFields(current, { amount: '100', payerName: 'B', comment: undefined })).toEqual([
      { field: 'payerName', from: 'A', to: 'B' },
    ]);
    expect(diffFields(current, { payerName: null })).toEqual([
      { field: 'payerName', from: 'A', to: null },
    ]);
  });

  it('names the missing fields that submit needs', () => {
    expect(() => assertComplete(complete)).not.toThrow();
    try {
      assertComplete({ ...complete, beneficiarySwift: null, purpose: null });
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
