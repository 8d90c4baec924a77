import type { PaymentRequestFieldName, PaymentRequestFields } from '@payreq/contracts';
import { paymentRequestFieldNames, requiredFieldNames } from '@payreq/contracts';

/**
 * A request's form as people edit it (the Mini App's and the portal's): one string per field.
 * Its checks are in `form-validation.ts`, apart, because they bring zod: the Mini App loads them
 * beside its first screen instead of before it.
 */
export type FieldName = PaymentRequestFieldName;
export type FormValues = Record<FieldName, string>;
export type FieldErrors = Partial<Record<FieldName, string>>;

export const fieldNames: readonly FieldName[] = paymentRequestFieldNames;
export const requiredFields: readonly FieldName[] = requiredFieldNames;

export function valuesOf(fields: PaymentRequestFields | null): FormValues {
  const values = {} as FormValues;
  for (const name of fieldNames) values[name] = fields?.[name] ?? '';
  return values;
}

/** Fields whose value differs from the saved one. */
export function changedFields(values: FormValues, base: FormValues): FieldName[] {
  return fieldNames.filter((name) => values[name] !== base[name]);
}

/** Required fields still empty in the saved request: submit needs them. */
export function missingRequired(saved: FormValues): FieldName[] {
  return requiredFields.filter((name) => saved[name].trim() === '');
}

/** Field issues of an api answer (`fields.beneficiaryAccount` → beneficiaryAccount). */
export function fieldErrorsOf(issues: { path: string; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const name = issue.path.replace(/^fields\./, '').split('.')[0] as FieldName;
    if (fieldNames.includes(name)) errors[name] ??= issue.message;
  }
  return errors;
}
