import type { HistoryChange, RequestCard } from '@payreq/contracts';
import {
  countryCodes,
  currencyCodes,
  DocumentKind,
  DocumentSource,
  paymentRequestFieldNames,
  paymentStatuses,
  requestStatuses,
} from '@payreq/contracts';
import { internalsIn } from '@payreq/testing';
import { describe, expect, it } from 'vitest';

import {
  actorLabel,
  announcementText,
  countryName,
  createFormatter,
  currencyName,
  documentCaption,
  fieldValueText,
  historyText,
  offerAcceptedText,
  statusChangedText,
} from '../src';
import { countryCodeOf, currencyCodeOf } from '../src/code-names';

/** Intl groups Russian digits with a narrow no-break space: compared as a plain one. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const ru = createFormatter('ru');
const en = createFormatter('en');

const card: RequestCard = {
  requestId: '4b0c3a2e-1f5d-4e6a-9c1b-2d3e4f5a6b7c',
  displayNumber: '№ 000123',
  chatId: -1001987654321,
  locale: 'ru',
  status: 'IN_PROGRESS',
  paymentStatus: 'NOT_PAID',
  inHouse: true,
  amount: '1250000.00',
  currency: 'CNY',
  clientCurrency: 'RUB',
  agentName: 'Анна Смирнова',
  offer: {
    status: 'ACCEPTED',
    rate: '12.8456',
    feePercent: '1.5',
    fixedFee: '50.00',
    totalToPay: '16107050.00',
    settlementDays: 3,
    validUntil: '2026-12-10T12:00:00.000Z',
    comment: null,
  },
  document: {
    id: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
    kind: 'INVOICE',
    fileName: 'СЧ-000001.pdf',
    number: 'СЧ-000001',
  },
};

/** Every change the history can carry, with values of every kind. */
const everyChange: HistoryChange[] = [
  { type: 'created' },
  ...paymentRequestFieldNames.map((field): HistoryChange => ({
    type: 'field',
    field,
    from: null,
    to: '2026-12-15',
  })),
  { type: 'field', field: 'amount', from: '1000', to: '1250000.00' },
  { type: 'field', field: 'direction', from: null, to: 'OUTGOING' },
  ...requestStatuses.map((to): HistoryChange => ({
    type: 'status',
    from: 'DRAFT',
    to,
    inHouse: true,
    comment: null,
  })),
  {
    type: 'status',
    from: 'OFFER_ACCEPTED',
    to: 'IN_PROGRESS',
    inHouse: true,
    comment: 'Данные проверены',
  },
  ...paymentStatuses.map((to): HistoryChange => ({
    type: 'paymentStatus',
    from: 'NOT_PAID',
    to,
    comment: null,
  })),
  {
    type: 'offer',
    offer: {
      source: 'ONEC',
      agentName: 'Анна',
      amount: '1250000.00',
      currency: 'CNY',
      totalToPay: '157965.69',
      totalCurrency: 'RUB',
    },
  },
  { type: 'offer', offer: null },
  {
    type: 'offerAccepted',
    offer: {
      source: 'AGENT',
      agentName: 'Борис Орлов',
      amount: '48000.00',
      currency: 'USD',
      totalToPay: '4673972.00',
      totalCurrency: 'RUB',
    },
  },
  { type: 'offerAccepted', offer: null },
  ...DocumentSource.options.flatMap((source) =>
    DocumentKind.options.map((kind): HistoryChange => ({
      type: 'document',
      kind,
      fileName: 'file.pdf',
      number: null,
      source,
    })),
  ),
  ...DocumentKind.options.map((kind): HistoryChange => ({ type: 'documentRequested', kind })),
  { type: 'sentToOnec' },
  { type: 'onecStaleRefused', what: 'offer' },
  { type: 'onecStaleRefused', what: 'status' },
];

describe('the history in words', () => {
  it('tells an offer placed from the same offer chosen by the client', () => {
    const accepted = everyChange.find((change) => change.type === 'offerAccepted')!;
    const placed = { ...accepted, type: 'offer' } as HistoryChange;
    expect(spaced(historyText(placed, ru))).toBe(
      'Предложение: агент Борис Орлов, 48 000,00 USD, итого 4 673 972,00 RUB',
    );
    expect(spaced(historyText(accepted, ru))).toBe(
      'Принято предложение: агент Борис Орлов, 48 000,00 USD, итого 4 673 972,00 RUB',
    );
    expect(historyText(accepted, en)).toBe(
      'Offer by Борис Орлов accepted: 48,000.00 USD, total 4,673,972.00 RUB',
    );
  });

  it('says what 1C computed, with the amounts as people read them', () => {
    const offer = everyChange.find((change) => change.type === 'offer')!;
    expect(spaced(historyText(offer, ru))).toBe(
      '1С рассчитал предложение: 1 250 000,00 CNY, итого 157 965,69 RUB',
    );
    expect(historyText(offer, en)).toBe(
      '1C computed the offer: 1,250,000.00 CNY, total 157,965.69 RUB',
    );
  });

  it('tells why 1C’s terms were not taken, in words, with 1C’s status comment kept', () => {
    expect(historyText({ type: 'onecStaleRefused', what: 'offer' }, ru)).toBe(
      '1С прислал расчёт по прежним данным заявки — он не принят. 1С получит изменения и пришлёт новый расчёт',
    );
    expect(historyText({ type: 'onecStaleRefused', what: 'offer' }, en)).toMatch(/earlier data/);
    expect(
      historyText(
        {
          type: 'status',
          from: 'OFFER_ACCEPTED',
          to: 'IN_PROGRESS',
          inHouse: true,
          comment: 'Данные проверены',
        },
        ru,
      ),
    ).toMatch(/Комментарий: Данные проверены$/);
  });

  it('names a document from 1C by its kind and number', () => {
    expect(
      historyText(
        {
          type: 'document',
          kind: 'INVOICE',
          fileName: 'x.pdf',
          number: 'СЧ-000001',
          source: 'ONEC',
        },
        ru,
      ),
    ).toBe('Документ «Счёт на оплату СЧ-000001» из 1С');
  });

  it('names fields, directions and statuses in words', () => {
    expect(historyText({ type: 'field', field: 'direction', from: null, to: 'OUTGOING' }, ru)).toBe(
      'Направление: — → Исходящий платёж',
    );
    expect(historyText({ type: 'field', field: 'amount', from: '1000', to: '1250000.5' }, en)).toBe(
      'Amount: 1,000.00 → 1,250,000.50',
    );
    expect(
      historyText({ type: 'field', field: 'beneficiaryCountry', from: 'DE', to: 'CN' }, ru),
    ).toBe('Страна получателя: Германия (DE) → Китай (CN)');
    expect(
      historyText({ type: 'field', field: 'beneficiaryCountry', from: null, to: 'CN' }, en),
    ).toBe('Beneficiary country: — → China (CN)');
    // A code that names no country stays as it was typed.
    expect(
      historyText({ type: 'field', field: 'beneficiaryCountry', from: null, to: 'XQ' }, en),
    ).toMatch(/: — → XQ$/);
    expect(
      historyText(
        { type: 'status', from: 'DRAFT', to: 'COLLECTING_OFFERS', inHouse: true, comment: null },
        ru,
      ),
    ).toBe('Статус: «Черновик» → «Новая in-house заявка»');
  });

  it('names people by name and 1C as “1С”, never by an integration’s code', () => {
    expect(actorLabel({ kind: 'onec', name: null }, 'ru')).toBe('1С');
    expect(actorLabel({ kind: 'onec', name: null }, 'en')).toBe('1C');
    expect(actorLabel({ kind: 'agent', name: 'Анна' }, 'ru')).toBe('Анна');
    expect(actorLabel({ kind: 'system', name: null }, 'ru')).toBe('Платформа');
  });

  it('never shows an id, a JSON body or a code name, in either language', () => {
    const leaks = everyChange.flatMap((change) =>
      [ru, en].flatMap((format) => {
        const text = historyText(change, format);
        return internalsIn(text).map((what) => `${what} in “${text}”`);
      }),
    );
    expect(leaks).toEqual([]);
  });
});

describe('the bot’s messages in the group', () => {
  it('remind of an offers deadline a day and an hour before, in the person’s language', () => {
    const reminder = (kind: 'deadline:24h' | 'deadline:1h') =>
      ({
        target: 'TELEGRAM',
        kind: 'telegram.deadlineReminder',
        payload: {
          requestId: card.requestId,
          chatId: 5000000001,
          reminder: kind,
          deadline: '2026-12-04T09:00:00.000Z',
          locale: 'ru',
        },
      }) as const;
    expect(announcementText(reminder('deadline:24h'), card, ru)).toBe(
      'Заявка № 000123: приём предложений закрывается через сутки (04.12.2026, 12:00 МСК).',
    );
    expect(announcementText(reminder('deadline:1h'), card, en)).toBe(
      'Payment request № 000123: offers close in an hour (04/12/2026, 12:00 Moscow time).',
    );
  });

  it('speak the chat’s language with the same words and amounts', () => {
    const by = { kind: 'onec' as const, name: null };
    expect(
      statusChangedText(
        { ...card, locale: 'en' },
        { from: 'OFFER_ACCEPTED', to: 'IN_PROGRESS', by },
        en,
      ),
    ).toBe('Payment request № 000123: status “In progress”\nWas: “Offer accepted”\nChanged by: 1C');
    expect(spaced(offerAcceptedText(card, ru))).toContain('Итого к оплате: 16 107 050,00 RUB');
    // The group's reader may be anywhere: the deadline says it is Moscow's.
    expect(offerAcceptedText(card, ru)).toContain('Действует до: 10.12.2026, 15:00 МСК');
    expect(offerAcceptedText({ ...card, locale: 'en' }, en)).toContain(
      'Valid until: 10/12/2026, 15:00 Moscow time',
    );
    expect(documentCaption(card, ru)).toBe('Счёт на оплату СЧ-000001 — заявка № 000123');
    // The first save, and the client filling the last required field.
    const inChat = { requestId: card.requestId, chatId: -1 };
    const saves = [
      [
        {
          target: 'TELEGRAM',
          kind: 'telegram.requestCreated',
          payload: { ...inChat, by: { kind: 'client', name: 'Иван' } },
        },
        'Заявка № 000123 создана. Её заполняют и проверяют в приложении: кнопка «Открыть заявку» выше.',
        'Payment request № 000123 has been created. It is filled in and checked in the app: the “Open the request” button above.',
      ],
      [
        {
          target: 'TELEGRAM',
          kind: 'telegram.requestFilled',
          payload: { ...inChat, by: { kind: 'client', name: 'Иван Петров' } },
        },
        'Заявка № 000123: Иван Петров заполнил(а) все обязательные поля. Агент может проверить заявку и отправить её в 1С: кнопка «Открыть заявку» выше.',
        'Payment request № 000123: Иван Петров filled in every required field. The agent can check the request and send it to 1C: the “Open the request” button above.',
      ],
    ] as const;
    for (const [message, inRussian, inEnglish] of saves) {
      expect(announcementText(message, card, ru)).toBe(inRussian);
      expect(announcementText(message, card, en)).toBe(inEnglish);
    }
    const added = {
      target: 'TELEGRAM',
      kind: 'telegram.chatFileAdded',
      payload: {
        requestId: card.requestId,
        chatId: -1,
        documentId: card.requestId,
        by: { kind: 'agent', name: 'Анна Смирнова' },
        replyTo: 7,
      },
    } as const;
    expect(
      announcementText(
        added,
        { ...card, document: { ...card.document!, fileName: 'Счёт 42.pdf' } },
        ru,
      ),
    ).toBe(
      'Файл «Счёт 42.pdf» добавлен к заявке № 000123 как «Счёт на оплату»\nДобавил(а): Анна Смирнова',
    );
    expect(
      announcementText(
        added,
        { ...card, document: { ...card.document!, fileName: 'Invoice 42.pdf' } },
        en,
      ),
    ).toBe(
      'The file “Invoice 42.pdf” was added to payment request № 000123 as “Invoice”\nAdded by: Анна Смирнова',
    );
  });

  it('say who changed it as people name them (1С, not an integration code), with 1C’s comment', () => {
    const text = statusChangedText(
      card,
      {
        from: 'OFFER_ACCEPTED',
        to: 'IN_PROGRESS',
        by: { kind: 'onec', name: null },
        comment: 'Данные проверены',
      },
      ru,
    );
    expect(text).toContain('Изменил(а): 1С');
    expect(text).toContain('Комментарий: Данные проверены');
  });

  it('never show an id, a JSON body or a code name', () => {
    type Announcement = Parameters<typeof announcementText>[0];
    const about = {
      requestId: card.requestId,
      chatId: -1,
      by: { kind: 'agent' as const, name: 'Анна' },
    };
    const announcements: Announcement[] = [
      { target: 'TELEGRAM', kind: 'telegram.requestCreated', payload: about },
      ...requestStatuses.map((to): Announcement => ({
        target: 'TELEGRAM',
        kind: 'telegram.statusChanged',
        payload: { ...about, from: 'DRAFT', to },
      })),
      ...paymentStatuses.map((to): Announcement => ({
        target: 'TELEGRAM',
        kind: 'telegram.paymentStatusChanged',
        payload: { ...about, from: 'NOT_PAID', to },
      })),
    ];
    const texts = [ru, en].flatMap((format) => [
      ...announcements.map((announcement) => announcementText(announcement, card, format)),
      offerAcceptedText(card, format),
      documentCaption(card, format),
    ]);
    const leaks = texts.flatMap((text) => internalsIn(text).map((what) => `${what} in “${text}”`));
    expect(leaks).toEqual([]);
  });
});

describe('the names of the codes the form takes', () => {
  it('names a country and a currency in each language, and nothing that is not a code', () => {
    expect(countryName('CN', 'ru')).toBe('Китай');
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(currencyName('CNY', 'ru')).toBe('китайский юань');
    expect(currencyName('USD', 'en')).toBe('US Dollar');
    // Not the form's shape (the form upper-cases before asking), or no such code.
    for (const text of ['cn', 'CHN', 'C', 'XQ']) expect(countryName(text, 'ru')).toBeNull();
    for (const text of ['cny', 'CN', 'XQQ']) expect(currencyName(text, 'en')).toBeNull();
  });

  it('shows a currency in a field or the history by its name and code, as a country', () => {
    expect(fieldValueText('currency', 'USD', ru)).toBe('Доллар США (USD)');
    expect(fieldValueText('clientCurrency', 'RUB', en)).toBe('Russian Ruble (RUB)');
    expect(fieldValueText('beneficiaryCountry', 'CN', ru)).toBe('Китай (CN)');
    expect(fieldValueText('currency', 'XQQ', ru)).toBe('XQQ');
  });

  it('finds a country typed by its name in either language, and nothing else', () => {
    const typed: Record<string, string> = {
      Китай: 'CN',
      '  китай ': 'CN',
      germany: 'DE',
      'Объединённые Арабские Эмираты': 'AE',
      'Объединенные   арабские эмираты': 'AE',
      // The runtime's name may carry a tail in brackets ("Гонконг (САР)"); people leave it out.
      Гонконг: 'HK',
      'Hong Kong': 'HK',
      // Short names and the few people write that the runtime has not.
      США: 'US',
      ОАЭ: 'AE',
      'Южная Корея': 'KR',
      Turkey: 'TR',
      turkiye: 'TR',
      'Bosnia and Herzegovina': 'BA',
    };
    for (const [text, code] of Object.entries(typed))
      expect([text, countryCodeOf(text)]).toEqual([text, code]);
    // A code is the form's to check as typed; a part of a name or no country is no answer.
    // Without its brackets, "Виргинские о-ва" is two countries: the name must say which.
    for (const text of ['CN', 'cn', 'Кит', 'Атлантида', 'Виргинские о-ва', '', '   ']) {
      expect(countryCodeOf(text)).toBeNull();
    }
    // Every code the contracts take is found again by its name.
    for (const code of countryCodes) {
      const name = countryName(code, 'ru');
      if (name) expect(countryName(countryCodeOf(name) ?? '', 'ru')).toBe(name);
    }
  });

  it('finds a currency typed by its name in either language, as counted or as people say it', () => {
    const typed: Record<string, string> = {
      юань: 'CNY',
      'Китайский юань': 'CNY',
      'китайских юаней': 'CNY',
      'Доллар США': 'USD',
      'долларов США': 'USD',
      'US dollars': 'USD',
      'Hong Kong dollar': 'HKD',
      'гонконгский доллар': 'HKD',
      евро: 'EUR',
      Euro: 'EUR',
      'дирхам ОАЭ': 'AED',
      тенге: 'KZT',
      'японская иена': 'JPY',
      // The name people say for the one they mean, though other countries have dollars too.
      доллар: 'USD',
      рублей: 'RUB',
      'фунт стерлингов': 'GBP',
      йена: 'JPY',
      RMB: 'CNY',
      '€': 'EUR',
      $: 'USD',
      '₽': 'RUB',
    };
    for (const [text, code] of Object.entries(typed))
      expect([text, currencyCodeOf(text)]).toEqual([text, code]);
    // A code is the form's to check as typed; a part of a name or no currency is no answer.
    for (const text of ['USD', 'usd', 'Eur', 'дол', 'Китай', 'Атлантида', '', '   ']) {
      expect([text, currencyCodeOf(text)]).toEqual([text, null]);
    }
    // Every code the contracts take is found again by its name.
    for (const code of currencyCodes) {
      const name = currencyName(code, 'ru');
      if (name) expect([name, currencyCodeOf(name)]).toEqual([name, code]);
    }
  });
});
