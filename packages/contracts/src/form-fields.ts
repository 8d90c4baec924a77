// No zod here: a browser bundle that only names the form's fields does not carry a schema library.

/**
 * The payment-request form's fields, in the form's order, and whether a request can be submitted
 * without each. Their schemas are in payment-request.ts.
 */
const formFields = {
  payerName: 'required',
  payerTaxId: 'required',
  direction: 'required',
  amount: 'required',
  currency: 'required',
  clientCurrency: 'required',
  beneficiaryName: 'required',
  beneficiaryCountry: 'required',
  beneficiaryAddress: 'optional',
  beneficiaryBankName: 'required',
  beneficiarySwift: 'required',
  beneficiaryAccount: 'required',
  purpose: 'required',
  contractNumber: 'optional',
  contractDate: 'optional',
  invoiceNumber: 'optional',
  desiredDate: 'optional',
  comment: 'optional',
} as const satisfies Record<string, 'required' | 'optional'>;

export type PaymentRequestFieldName = keyof typeof formFields;

export const paymentRequestFieldNames = Object.keys(formFields) as [
  PaymentRequestFieldName,
  ...PaymentRequestFieldName[],
];

/** Fields a request cannot be submitted without. */
export const requiredFieldNames: readonly PaymentRequestFieldName[] =
  paymentRequestFieldNames.filter((name) => formFields[name] === 'required');
