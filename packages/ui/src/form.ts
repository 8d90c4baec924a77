import type { Locale, PaymentRequestFieldName, PaymentRequestFields } from '@payreq/contracts';
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

/** A request's saved fields as the form shows them for editing (the amount as the locale writes it). */
export function valuesOf(fields: PaymentRequestFields | null, locale: Locale): FormValues {
  const values = {} as FormValues;
  for (const name of fieldNames) values[name] = fields?.[name] ?? '';
  values.amount = editableAmount(values.amount, locale);
  return values;
}

/** An amount as typed (`1 250 000,00`) or stored (`1250000.00`), in the stored form. */
export function plainAmount(amount: string): string {
  return amount.replace(/[\s\u00a0]/g, '').replace(',', '.');
}

/**
 * A stored amount (`48750.00`) as people type it: digits grouped by threes, and in Russian the
 * decimal comma (`48 750,00`). The contracts read both forms back; anything else stays as it is.
 */
export function editableAmount(stored: string, locale: Locale): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(stored);
  if (!match) return stored;
  const grouped = match[1]!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  if (match[2] === undefined) return grouped;
  return `${grouped}${locale === 'ru' ? ',' : '.'}${match[2]}`;
}

/** Fields whose value differs between two snapshots (an amount by its digits, not its spacing). */
export function changedFields(values: FormValues, base: FormValues): FieldName[] {
  return fieldNames.filter((name) =>
    name === 'amount'
      ? plainAmount(values.amount) !== plainAmount(base.amount)
      : values[name] !== base[name],
  );
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
