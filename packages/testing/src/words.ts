import { paymentRequestFieldNames, paymentStatuses, requestStatuses } from '@payreq/contracts';

/**
 * What people must never read in a history entry or a bot's message: an id, a JSON body, a code
 * name of a field or a status, or an internal actor. Returns what it found (empty: clean).
 * Code names people could mistake for words (a field called `currency`) are not looked for.
 */
export function internalsIn(text: string): string[] {
  const found: string[] = [];
  if (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(text))
    found.push('uuid');
  if (/[{}[\]"]/.test(text)) found.push('json');
  const codes = [...paymentRequestFieldNames, ...requestStatuses, ...paymentStatuses].filter(
    (code) => /[A-Z_]/.test(code),
  );
  for (const code of codes) if (new RegExp(`\\b${code}\\b`).test(text)) found.push(code);
  if (/\bonec\b|1C exchange|\bnull\b|\bundefined\b/.test(text)) found.push('internal word');
  return found;
}
