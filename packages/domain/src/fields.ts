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

/** The required fields still empty: what submit still needs. */
export function missingRequiredFields(fields: PaymentRequestFields): PaymentRequestFieldName[] {
  return requiredFieldNames.filter((name) => fields[name] === null || fields[name] === '');
}

/**
 * Whether a save hands the draft to its agent: the client's save that leaves every required
 * field filled where some were empty before (or that creates the request so). The deal room is
 * told, so the agent knows the request is theirs to check and submit without opening it to look.
 * The agent's own saves, and the client's later edits of a filled draft, tell nobody.
 */
export function filledByClient(save: {
  actor: { kind: string };
  status: string;
  before: PaymentRequestFields | null;
  after: PaymentRequestFields;
}): boolean {
  if (save.actor.kind !== 'user' || save.status !== 'DRAFT') return false;
  if (missingRequiredFields(save.after).length > 0) return false;
  return save.before === null || missingRequiredFields(save.before).length > 0;
}

/** Throws INCOMPLETE_REQUEST naming the fields that submit still needs. */
export function assertComplete(fields: PaymentRequestFields): void {
  const missing = missingRequiredFields(fields);
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
