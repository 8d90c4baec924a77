import type { RequestStatus } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import { createI18n, formatSize, readOnlyText } from '../src';

const ru = createI18n('ru', 'Europe/Moscow');
const en = createI18n('en', 'Europe/Moscow');

describe('the request parts both apps show', () => {
  it('says why the fields are read-only: a finished request says it is finished', () => {
    const offer = {} as NonNullable<Parameters<typeof readOnlyText>[1]['acceptedOffer']>;
    const cases: Array<[RequestStatus, boolean, string]> = [
      ['COLLECTING_OFFERS', false, 'Заявка открыта только для просмотра.'],
      ['OFFER_ACCEPTED', true, 'Условия приняты: поля заявки больше не меняются.'],
      ['IN_PROGRESS', true, 'Условия приняты: поля заявки больше не меняются.'],
      ['COMPLETED', true, 'Заявка исполнена: поля заявки больше не меняются.'],
      ['CANCELLED', true, 'Заявка отменена: поля заявки больше не меняются.'],
      ['CANCELLED', false, 'Заявка отменена: поля заявки больше не меняются.'],
      ['EXPIRED', false, 'Срок приёма предложений истёк: поля заявки больше не меняются.'],
    ];
    for (const [status, accepted, text] of cases) {
      const request = { status, acceptedOffer: accepted ? offer : null };
      expect([status, accepted, readOnlyText(ru, request)]).toEqual([status, accepted, text]);
    }
    expect(readOnlyText(en, { status: 'COMPLETED', acceptedOffer: offer })).toBe(
      'The request is completed: its fields no longer change.',
    );
  });

  it('writes a file size with the locale’s decimal mark', () => {
    expect(formatSize(900, ru)).toBe('900 Б');
    expect(formatSize(26_931, ru)).toBe('26,3 КБ');
    expect(formatSize(26_931, en)).toBe('26.3 KB');
    expect(formatSize(5 * 1024 * 1024, ru)).toBe('5,0 МБ');
    expect(formatSize(1_500_000, en)).toBe('1.4 MB');
  });
});
