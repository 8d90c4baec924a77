import type { PaymentRequestPatchInput } from '@payreq/contracts';

/** A request form that passes every check (the agent can submit it). */
export const completeFormForTests = {
  payerName: 'ООО «Ромашка»',
  payerTaxId: '7707083893',
  direction: 'OUTGOING',
  amount: '1250000.00',
  currency: 'CNY',
  clientCurrency: 'RUB',
  beneficiaryName: 'Shenzhen Flower Trading Co., Ltd.',
  beneficiaryCountry: 'CN',
  beneficiaryAddress: 'No. 1 Flower Road, Shenzhen',
  beneficiaryBankName: 'Bank of China Shenzhen Branch',
  beneficiarySwift: 'BKCHCNBJ45A',
  beneficiaryAccount: '6217000010012345678',
  purpose: 'Оплата по контракту 15/2026 за оборудование',
  contractNumber: '15/2026',
  contractDate: '2026-10-01',
  invoiceNumber: 'INV-2026-0042',
} satisfies PaymentRequestPatchInput;
