import type { Locale, PaymentRequestPatchInput } from '@payreq/contracts';
import { PaymentRequestPatch, localizeIssues, paymentRequestFieldSchemas } from '@payreq/contracts';

import type { FieldErrors, FieldName, FormValues } from './form';

/**
 * A country or a currency typed by its name → its code ("Китай" → "CN", "юань" → "CNY"). Here,
 * not in the first screen's bundle: the indexes of names are needed only once someone types.
 */
export { countryCodeOf, currencyCodeOf } from '@payreq/i18n/code-names';

/**
 * The form's checks, with the shared contracts (the same schemas and words the api uses), so what
 * the apps accept the api accepts. A module of its own, `@payreq/ui/form-validation`: it is where
 * zod enters a browser bundle, and the Mini App imports it lazily (docs/architecture.md).
 */

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
