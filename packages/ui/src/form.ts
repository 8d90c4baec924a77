import type {
  Locale,
  PaymentRequestFieldName,
  PaymentRequestFields,
  PaymentRequestPatchInput,
} from '@payreq/contracts';
import {
  PaymentRequestPatch,
  localizeIssues,
  paymentRequestFieldNames,
  paymentRequestFieldSchemas,
  requiredFieldNames,
} from '@payreq/contracts';

/**
 * The form as the user edits it: one string per field. Validation uses the shared contracts
 * (the same schemas and words the api uses), so what the app accepts the api accepts.
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

/** What is wrong with one value as the user types; blank is fine in a draft (it clears the field). */
export function validateField(name: FieldName, value: string, locale: Locale): string | null {
  if (value.trim() === '') return null;
  const result = paymentRequestFieldSchemas[name].safeParse(value);
  if (result.success) return null;
  return localizeIssues(result.error.issues, locale)[0]?.message ?? null;
}

export function validateAll(
  values: FormValues,
  names: readonly FieldName[],
  locale: Locale,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of names) {
    const message = validateField(name, values[name], locale);
    if (message) errors[name] = message;
  }
  return errors;
}

/** The patch of the changed fields (blank clears), checked with the api's own schema. */
export function buildPatch(
  values: FormValues,
  names: readonly FieldName[],
  locale: Locale,
): { patch: PaymentRequestPatchInput; errors: FieldErrors } {
  const patch: Record<string, string | null> = {};
  for (const name of names) patch[name] = values[name].trim() === '' ? null : values[name];
  const result = PaymentRequestPatch.safeParse(patch);
  const errors: FieldErrors = {};
  if (!result.success) {
    for (const issue of localizeIssues(result.error.issues, locale)) {
      const field = issue.path.split('.')[0] as FieldName;
      errors[field] ??= issue.message;
    }
  }
  return { patch: patch as PaymentRequestPatchInput, errors };
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
