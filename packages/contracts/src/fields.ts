import { z } from 'zod';

import { isCountryCode, isCurrencyCode } from './reference-data';
import {
  compactCode,
  isValidInn,
  isValidIban,
  isValidLocalAccount,
  isValidSwift,
  looksLikeIban,
} from './validators';

/**
 * Field schemas whose issues carry message keys (see messages.ts), so every boundary
 * reports the same readable words in Russian or English.
 */
// A schema-level error map also sees its checks' issues: answer only the type check.
const typeError = (iss: { code?: string; input?: unknown }) =>
  iss.code !== 'invalid_type' ? undefined : iss.input === undefined ? 'required' : 'invalid_type';

/**
 * A string without U+0000. PostgreSQL stores no NUL in text or JSON, so one that got through
 * would fail in the database (a 500); it is refused here, with a message, instead.
 */
export const safeString = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).refine((value) => !value.includes('\u0000'), { error: 'nul_character' });

/** A lone UTF-16 surrogate: half of a character, which no database stores as text. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is whole Unicode text (no half of a surrogate pair). */
export const isWellFormedText = (value: string) => !loneSurrogate.test(value);

/**
 * `value` cut to at most `max` UTF-16 units, never between the two halves of a character (an
 * emoji at the edge is left out whole rather than stored half, which shows as "�"). For what
 * people wrote elsewhere (Telegram names, texts, buttons) that our columns bound.
 */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * What people type into the form: trimmed, required, bounded, and whole Unicode text. A lone
 * surrogate (a broken emoji pasted from somewhere) is refused with a message, not stored.
 */
export const text = (max: number) =>
  safeString({ error: typeError })
    .refine(isWellFormedText, { error: 'broken_character' })
    .trim()
    .min(1, { error: 'required' })
    .max(max);

/** A 64-bit Telegram id; Telegram promises at most 52 significant bits, so a JS number holds it. */
export const telegramId = z
  .union([z.number(), z.string().regex(/^-?\d{1,16}$/)], { error: 'telegram_id' })
  .transform((value) => Number(value))
  .pipe(z.number().int().refine(Number.isSafeInteger, { error: 'telegram_id' }));

/**
 * A message id inside one Telegram chat: positive and, as Telegram stores it, a signed 32-bit
 * integer (the column is `Int`; a larger number is refused here, not by the database).
 */
export const telegramMessageId = z.number().int().positive().max(2_147_483_647);

/** A Mini App launch token: what Telegram allows in `startapp` (at most 64 of [A-Za-z0-9_-]). */
export const launchToken = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'launch_token' });

export const currencyCode = z
  .string({ error: typeError })
  .trim()
  .toUpperCase()
  .refine(isCurrencyCode, { error: 'currency' });

export const countryCode = z
  .string({ error: typeError })
  .trim()
  .toUpperCase()
  .refine(isCountryCode, { error: 'country' });

export const swiftCode = z
  .string({ error: typeError })
  .transform(compactCode)
  .refine(isValidSwift, { error: 'swift' });

/** IBAN when it looks like one (then the check digits must match), else a local account number. */
export const accountNumber = z
  .string({ error: typeError })
  .transform(compactCode)
  .superRefine((value, ctx) => {
    if (looksLikeIban(value)) {
      if (!isValidIban(value)) ctx.addIssue({ code: 'custom', message: 'iban' });
    } else if (!isValidLocalAccount(value)) {
      ctx.addIssue({ code: 'custom', message: 'account' });
    }
  });

/** Spaces people type in a code to read it («7736 01 001») are not part of it. */
const withoutSpaces = (value: string) => value.replace(/[\s\u00a0]/g, '');

export const innCode = z
  .string({ error: typeError })
  .transform(withoutSpaces)
  .pipe(z.string().refine(isValidInn, { error: 'inn' }));

/** КПП of a Russian organisation: 4 digits, 2 digits or capital letters, 3 digits. */
export const kppCode = z
  .string({ error: typeError })
  .transform((value) => withoutSpaces(value).toUpperCase())
  .pipe(z.string().regex(/^\d{4}[\dA-Z]{2}\d{3}$/, { error: 'kpp' }));

export const isoDate = z.iso.date({ error: 'date' });

const decimalInput = (key: string) =>
  z
    .union([z.string(), z.number()], { error: typeError })
    .transform((value) =>
      typeof value === 'number'
        ? String(value)
        : value.replace(/[\s\u00a0]/g, '').replace(',', '.'),
    )
    .pipe(z.string().regex(/^\d{1,15}(\.\d+)?$/, { error: key }));

/** A money amount as a decimal string ("1250000.00"); never a float in storage. */
export const moneyAmount = decimalInput('money').refine((v) => !/\.\d{3,}$/.test(v), {
  error: 'money',
});

/** The request's amount: positive, at most two decimals. */
export const positiveAmount = decimalInput('amount_format')
  .refine((v) => !/\.\d{3,}$/.test(v), { error: 'amount_format' })
  .refine((v) => Number(v) > 0, { error: 'amount_positive' });

/**
 * A fee that may be none: "" reads as 0 (a form's field left empty; 1C's `Формат(0, "ЧДЦ=2")`,
 * which prints zero as nothing).
 */
export const emptyAsZero = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? '0' : value), schema);

export const exchangeRate = decimalInput('rate')
  .refine((v) => !/\.\d{7,}$/.test(v), { error: 'rate' })
  .refine((v) => Number(v) > 0, { error: 'rate' });

export const percent = decimalInput('percent').refine(
  (v) => !/\.\d{5,}$/.test(v) && Number(v) <= 100,
  { error: 'percent' },
);

/** 1C object reference (`Ref_Key`). */
export const onecGuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: 'guid',
  });
