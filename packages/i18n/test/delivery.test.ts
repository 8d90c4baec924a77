import { DeliveryFailureReason, locales } from '@payreq/contracts';
import { describe, expect, it } from 'vitest';

import { deliveryFailureText } from '../src';

const failure = (reason: DeliveryFailureReason | null, status: number | null = null) => ({
  reason,
  status,
  detail: '1C answered POST /hs/payreq/v1/requests with 503 Service Unavailable',
});

describe('why a message is not delivered, in the operator’s words', () => {
  it('says each reason for each receiver in each language, with no code left in the text', () => {
    for (const locale of locales)
      for (const receiver of ['ONEC', 'TELEGRAM'] as const)
        for (const reason of DeliveryFailureReason.options) {
          const { summary } = deliveryFailureText(failure(reason, 502), receiver, locale);
          expect(summary).not.toMatch(/[{}]|[a-z][A-Z]/);
          if (locale === 'ru') expect(summary).toMatch(/[а-яё]{3}/);
        }
  });

  it('names the receiver’s answer only when there was one', () => {
    expect(deliveryFailureText(failure('unavailable', 503), 'ONEC', 'ru').summary).toBe(
      '1С ответил ошибкой сервера (ответ 503)',
    );
    expect(deliveryFailureText(failure('unreachable'), 'ONEC', 'ru').summary).toBe(
      '1С недоступен: соединиться не удалось',
    );
    expect(deliveryFailureText(failure('refused', 400), 'TELEGRAM', 'en').summary).toBe(
      'Telegram refused the message (answer 400)',
    );
  });

  it('tells a wrong 1C login from a refused message', () => {
    expect(deliveryFailureText(failure('refused', 401), 'ONEC', 'ru').summary).toBe(
      '1С не принял учётные данные платформы (ответ 401)',
    );
    expect(deliveryFailureText(failure('refused', 409), 'ONEC', 'ru').summary).toBe(
      '1С отказался принять сообщение (ответ 409)',
    );
    expect(deliveryFailureText(failure('forbidden', 403), 'TELEGRAM', 'ru').summary).toBe(
      'Бот не может писать в этот чат: его удалили из группы или заблокировали',
    );
  });

  it('keeps the logged line for the engineers, and says little of a row that names no reason', () => {
    expect(deliveryFailureText(failure(null), 'ONEC', 'ru')).toEqual({
      summary: 'Сообщение не доставлено',
      detail: 'Для инженеров: 1C answered POST /hs/payreq/v1/requests with 503 Service Unavailable',
    });
    expect(deliveryFailureText(failure('timeout'), 'TELEGRAM', 'en').detail).toMatch(
      /^For the engineers: 1C answered/,
    );
  });
});
