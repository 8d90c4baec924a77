import { z } from 'zod';
import { describe, expect, it } from 'vitest';

import {
  ChatMessageInput,
  OnecDocumentBody,
  OfferTerms,
  OnecStatusBody,
  PaymentRequestPatch,
  cutText,
  formatMoney,
  isWellFormedText,
  localizeIssues,
  summarizeIssues,
  telegramId,
} from '../src';

describe('the payment-request form', () => {
  it('normalizes what people type', () => {
    const parsed = PaymentRequestPatch.parse({
      amount: '1 250 000,5',
      currency: 'cny',
      beneficiarySwift: 'bkch cn bj',
      beneficiaryAccount: 'de89 3704 0044 0532 0130 00',
      comment: '   ',
    });
    expect(parsed).toEqual({
      amount: '1250000.5',
      currency: 'CNY',
      beneficiarySwift: 'BKCHCNBJ',
      beneficiaryAccount: 'DE89370400440532013000',
      comment: null,
    });
  });

  it('reports each wrong field in Russian and in English', () => {
    const result = PaymentRequestPatch.safeParse({
      amount: '12.345',
      currency: 'XYZ',
      beneficiaryAccount: 'DE00370400440532013000',
      payerTaxId: '1234567890',
      beneficiaryCountry: 'ZZ',
      desiredDate: '31.12.2026',
      unknownField: 1,
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues;
    expect(localizeIssues(issues, 'ru')).toEqual(
      expect.arrayContaining([
        {
          path: 'amount',
          message: 'Сумма: положительное число, не более двух знаков после запятой',
        },
        { path: 'currency', message: 'Укажите код валюты ISO 4217, например USD, EUR, CNY' },
        {
          path: 'beneficiaryAccount',
          message: 'IBAN указан с ошибкой: проверьте страну, длину и контрольные цифры',
        },
        {
          path: 'payerTaxId',
          message: 'ИНН: 10 цифр для организации или 12 для ИП, с верными контрольными цифрами',
        },
        { path: 'beneficiaryCountry', message: 'Укажите код страны ISO 3166, например CN, AE, DE' },
        { path: 'desiredDate', message: 'Дата в формате ГГГГ-ММ-ДД' },
        { path: '', message: 'Лишние поля: unknownField' },
      ]),
    );
    expect(summarizeIssues(issues, 'en')).toContain(
      'amount: Amount: a positive number with at most two decimals',
    );
  });

  it('refuses zero and negative amounts', () => {
    expect(
      localizeIssues(PaymentRequestPatch.safeParse({ amount: '0' }).error!.issues, 'en'),
    ).toEqual([{ path: 'amount', message: 'The amount must be greater than zero' }]);
    expect(PaymentRequestPatch.safeParse({ amount: -5 }).success).toBe(false);
  });

  it('says "required" for a missing required text and "too long" with the limit', () => {
    const result = PaymentRequestPatch.safeParse({ payerName: 'x'.repeat(301) });
    expect(localizeIssues(result.error!.issues, 'ru')).toEqual([
      { path: 'payerName', message: 'Слишком длинно: максимум 300 симв.' },
    ]);
  });
});

describe('1C bodies', () => {
  it('needs a status or a payment status, and the version it was decided on', () => {
    expect(OnecStatusBody.safeParse({ version: 3 }).success).toBe(false);
    expect(OnecStatusBody.safeParse({ version: 3, status: 'IN_PROGRESS' }).success).toBe(true);
    expect(OnecStatusBody.safeParse({ version: 3, status: 'OFFER_ACCEPTED' }).success).toBe(false);
    // Required: a post that names no version cannot be checked against the fields.
    expect(OnecStatusBody.safeParse({ status: 'IN_PROGRESS' }).success).toBe(false);
    expect(OnecStatusBody.safeParse({ version: 0, status: 'IN_PROGRESS' }).success).toBe(false);
  });

  it('takes documents as base64 with a known type and a plain file name', () => {
    const body = {
      Ref_Key: 'f8a4c7f1-a3b4-11e7-80c2-000c29f5fc0b',
      kind: 'INVOICE',
      fileName: 'invoice.pdf',
      mime: 'application/pdf',
      contentBase64: Buffer.from('%PDF-1.7').toString('base64'),
    };
    expect(OnecDocumentBody.safeParse(body).success).toBe(true);
    expect(OnecDocumentBody.safeParse({ ...body, fileName: '../../etc/passwd' }).success).toBe(
      false,
    );
    expect(OnecDocumentBody.safeParse({ ...body, mime: 'application/x-msdownload' }).success).toBe(
      false,
    );
    expect(OnecDocumentBody.safeParse({ ...body, contentBase64: 'not base64!' }).success).toBe(
      false,
    );
  });
});

describe('small helpers', () => {
  it('formats money with the currency decimals and the locale grouping', () => {
    expect(formatMoney('1250000', 'CNY', 'ru')).toBe('1\u00a0250\u00a0000,00 CNY');
    expect(formatMoney('1250000', 'CNY', 'en')).toBe('1,250,000.00 CNY');
    expect(formatMoney('1250000', 'JPY', 'en')).toBe('1,250,000 JPY');
  });

  it('takes Telegram ids as numbers or digit strings', () => {
    expect(telegramId.parse('-1001234567890')).toBe(-1001234567890);
    expect(telegramId.safeParse('12abc').success).toBe(false);
    expect(telegramId.safeParse(2 ** 60).success).toBe(false);
  });

  it('keeps chat message ids and dates within what Telegram and the database hold', () => {
    const message = { messageId: 2_147_483_647, date: 1_795_168_800, text: 'привет' };
    expect(ChatMessageInput.parse(message).date.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    // Found by the reliability suite: a larger id reached the Int column and answered 500.
    expect(ChatMessageInput.safeParse({ ...message, messageId: 2_147_483_648 }).success).toBe(
      false,
    );
    expect(ChatMessageInput.safeParse({ ...message, replyToMessageId: 2 ** 40 }).success).toBe(
      false,
    );
    expect(ChatMessageInput.safeParse({ ...message, date: 1e15 }).success).toBe(false);
  });

  it('refuses U+0000 in text, which PostgreSQL cannot store, with a readable message', () => {
    const message = { messageId: 1, date: 1_795_168_800 };
    expect(ChatMessageInput.safeParse({ ...message, text: 'a\u0000b' }).success).toBe(false);
    expect(ChatMessageInput.safeParse({ ...message, text: 'a\u0001b' }).success).toBe(true);
    const patch = PaymentRequestPatch.safeParse({ purpose: 'Оплата\u0000' });
    expect(patch.success).toBe(false);
    expect(localizeIssues(patch.error!.issues, 'en')[0]?.message).toBe(
      'The text contains a character that is not allowed (U+0000)',
    );
  });

  it('cuts text to a bound without splitting a character in two', () => {
    expect(cutText('привет', 6)).toBe('привет');
    expect(cutText('привет', 3)).toBe('при');
    // "😀" is two UTF-16 units: at the edge it is left out whole, not cut into a "�".
    expect(cutText('ab😀', 3)).toBe('ab');
    expect(cutText('ab😀', 4)).toBe('ab😀');
    expect(cutText('a😀b', 3)).toBe('a😀');
    const long = 'я'.repeat(255) + '😀😀';
    expect(cutText(long, 256)).toBe('я'.repeat(255));
    expect(isWellFormedText(cutText(long, 256))).toBe(true);
    expect(isWellFormedText(long.slice(0, 256))).toBe(false);
  });
});

describe('validation messages say what to fix', () => {
  const Body = z.strictObject({
    version: z.number().int().positive(),
    status: z.enum(['IN_PROGRESS', 'COMPLETED', 'CANCELLED']),
    days: z.number().int().max(365),
    share: z.number().lt(1),
    comment: z.string(),
  });
  const messages = (input: unknown, locale: 'ru' | 'en') =>
    localizeIssues(Body.safeParse(input).error!.issues, locale).map(
      ({ path, message }) => `${path}: ${message}`,
    );

  it('names the type expected, an absent field, the values of a short list and a strict bound', () => {
    expect(messages({ version: '3', status: 'in_progress', days: 400, share: 1 }, 'en')).toEqual([
      'version: Expected a number',
      'status: One of: IN_PROGRESS, COMPLETED, CANCELLED',
      'days: Must be at most 365',
      'share: Must be less than 1',
      'comment: This field is required',
    ]);
    expect(
      messages({ version: 0, status: 'COMPLETED', days: 1.5, share: 0, comment: 1 }, 'ru'),
    ).toEqual([
      'version: Должно быть больше 0',
      'days: Ожидается целое число',
      'comment: Ожидается текст',
    ]);
  });
});

describe('an offer’s settlement days', () => {
  it('are whole days from 0 to 365, refused in those words whatever else came', () => {
    const terms = { rate: '12.8', feePercent: '', fixedFee: '', totalToPay: '100.00' };
    for (const days of [2.5, null, -1, 366, '2'])
      expect(
        localizeIssues(
          OfferTerms.safeParse({ ...terms, settlementDays: days }).error!.issues,
          'ru',
        ),
      ).toEqual([
        { path: 'settlementDays', message: 'Срок — целое число дней от 0 до 365, например 2' },
      ]);
    expect(OfferTerms.parse({ ...terms, settlementDays: 0 }).settlementDays).toBe(0);
  });
});
