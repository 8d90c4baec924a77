// No zod here: a browser bundle that only names the form's fields does not carry a schema library.

/**
 * The payment-request form's fields, in the form's order. Their schemas are in
 * payment-request.ts.
 */
export const paymentRequestFieldNames = [
  'payerName',
  'payerTaxId',
  'direction',
  'amount',
  'currency',
  'clientCurrency',
  'beneficiaryName',
  'beneficiaryCountry',
  'beneficiaryAddress',
  'beneficiaryBankName',
  'beneficiarySwift',
  'beneficiaryAccount',
  'purpose',
  'contractNumber',
  'contractDate',
  'invoiceNumber',
  'desiredDate',
  'comment',
] as const;
export type PaymentRequestFieldName = (typeof paymentRequestFieldNames)[number];

/** Fields a request cannot be submitted without. */
export const requiredFieldNames = [
  'payerName',
  'payerTaxId',
  'direction',
  'amount',
  'currency',
  'clientCurrency',
  'beneficiaryName',
  'beneficiaryCountry',
  'beneficiaryBankName',
  'beneficiarySwift',
  'beneficiaryAccount',
  'purpose',
] as const satisfies readonly PaymentRequestFieldName[];
