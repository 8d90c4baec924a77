import type {
  Locale,
  PaymentRequestFieldName,
  PaymentRequestFields,
  PaymentRequestPatch,
} from '@payreq/contracts';
import {
  PaymentRequestForm,
  paymentRequestFieldNames,
  requiredFieldNames,
} from '@payreq/contracts';
import { fieldLabel } from '@payreq/i18n';

import { DomainError } from './errors';

export interface FieldChange {
  field: PaymentRequestFieldName;
  from: string | null;
  to: string | null;
}

/** The fields a patch really changes (history gets one row for each). */
export function diffFields(
  current: PaymentRequestFields,
  patch: PaymentRequestPatch,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const name of paymentRequestFieldNames) {
    if (!(name in patch) || patch[name] === undefined) continue;
    const next = patch[name] ?? null;
    const before = current[name] ?? null;
    if (normalize(before) !== normalize(next))
      changes.push({ field: name, from: before, to: next });
  }
  return changes;
}

function normalize(value: string | null): string | null {
  if (value === null) return null;
  // "100" and "100.00" are the same amount.
  return /^\d+(\.\d+)?$/.test(value) ? String(Number(value)) : value;
}

/** The fields' names as people read them, in both languages («Плательщик, ИНН плательщика»). */
function labelsOf(names: readonly string[]): Record<Locale, string> {
  const words = (locale: Locale) =>
    names
      .map((name) =>
        (paymentRequestFieldNames as readonly string[]).includes(name)
          ? fieldLabel(name as PaymentRequestFieldName, locale)
          : name,
      )
      .join(', ');
  return { ru: words('ru'), en: words('en') };
}

/** Throws INCOMPLETE_REQUEST naming the fields that submit still needs. */
export function assertComplete(fields: PaymentRequestFields): void {
  const missing = requiredFieldNames.filter((name) => fields[name] === null || fields[name] === '');
  if (missing.length > 0) {
    throw new DomainError('INCOMPLETE_REQUEST', 'INCOMPLETE_REQUEST', {
      fields: labelsOf(missing),
    });
  }
  const parsed = PaymentRequestForm.safeParse(fields);
  if (!parsed.success) {
    const invalid = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    throw new DomainError('INCOMPLETE_REQUEST', 'INCOMPLETE_REQUEST', {
      fields: labelsOf(invalid),
    });
  }
}
