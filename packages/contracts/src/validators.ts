import { countryCodes, ibanLengths, isCountryCode } from './reference-data';

/** Removes the spaces people type into IBANs and account numbers, and upper-cases. */
export function compactCode(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase();
}

/** ISO 13616 check: country length and the mod-97 check digits. */
export function isValidIban(raw: string): boolean {
  const iban = compactCode(raw);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const expectedLength = ibanLengths[iban.slice(0, 2)];
  if (expectedLength === undefined || iban.length !== expectedLength) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Looks like an IBAN (country letters, then two check digits) rather than a local account number. */
export function looksLikeIban(raw: string): boolean {
  const value = compactCode(raw);
  return /^[A-Z]{2}\d{2}/.test(value) && ibanLengths[value.slice(0, 2)] !== undefined;
}

/** A local account number for countries without IBAN (China, USA, ...). */
export function isValidLocalAccount(raw: string): boolean {
  return /^[A-Z0-9]{5,34}$/.test(compactCode(raw));
}

/** ISO 9362 BIC: bank (4 letters), country (ISO 3166), location (2), optional branch (3). */
export function isValidSwift(raw: string): boolean {
  const bic = compactCode(raw);
  const match = /^([A-Z]{4})([A-Z]{2})([A-Z0-9]{2})([A-Z0-9]{3})?$/.exec(bic);
  return match !== null && isCountryCode(match[2]!);
}

function innChecksum(digits: number[], weights: number[]): number {
  const sum = weights.reduce((acc, weight, index) => acc + weight * digits[index]!, 0);
  return (sum % 11) % 10;
}

/** Russian taxpayer number (ИНН): 10 digits for companies, 12 for individuals, with check digits. */
export function isValidInn(raw: string): boolean {
  const value = raw.trim();
  if (!/^\d{10}$|^\d{12}$/.test(value)) return false;
  const digits = [...value].map(Number);
  if (digits.length === 10) {
    return innChecksum(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[9];
  }
  return (
    innChecksum(digits, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[10] &&
    innChecksum(digits, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === digits[11]
  );
}

export { countryCodes };
