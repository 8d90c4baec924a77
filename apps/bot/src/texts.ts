import type { DocumentKind, PaymentStatus, RequestStatus } from '@payreq/contracts';
import { formatMoney } from '@payreq/contracts';

/** The bot speaks the deal room's language: Russian by default, English when the chat (or user) is. */
export type Lang = 'ru' | 'en';

export function langOf(code: string | null | undefined, fallback: Lang = 'ru'): Lang {
  if (!code) return fallback;
  return code.toLowerCase().startsWith('en')
    ? 'en'
    : code.toLowerCase().startsWith('ru')
      ? 'ru'
      : fallback;
}

/** Words of UX.md. */
const statusWords: Record<Lang, Record<RequestStatus, string>> = {
  ru: {
    DRAFT: 'Черновик',
    COLLECTING_OFFERS: 'Сбор предложений',
    OFFER_ACCEPTED: 'Предложение принято',
    IN_PROGRESS: 'В работе',
    COMPLETED: 'Исполнена',
    CANCELLED: 'Отменена',
    EXPIRED: 'Истёк срок',
  },
  en: {
    DRAFT: 'Draft',
    COLLECTING_OFFERS: 'Collecting offers',
    OFFER_ACCEPTED: 'Offer accepted',
    IN_PROGRESS: 'In progress',
    COMPLETED: 'Completed',
    CANCELLED: 'Cancelled',
    EXPIRED: 'Expired',
  },
};

const inHouseNew: Record<Lang, string> = {
  ru: 'Новая in-house заявка',
  en: 'New in-house request',
};

const paymentWords: Record<Lang, Record<PaymentStatus, string>> = {
  ru: {
    NOT_PAID: 'Не оплачена',
    TEST_PAYMENT_SENT: 'Тестовый платёж отправлен',
    TEST_PAYMENT_CONFIRMED: 'Тестовый платёж получен',
    PAYMENT_SENT: 'Платёж отправлен',
    PAYMENT_RECEIVED: 'Платёж получен',
    PAYOUT_DONE: 'Выплата произведена',
  },
  en: {
    NOT_PAID: 'Not paid',
    TEST_PAYMENT_SENT: 'Test payment sent',
    TEST_PAYMENT_CONFIRMED: 'Test payment received',
    PAYMENT_SENT: 'Payment sent',
    PAYMENT_RECEIVED: 'Payment received',
    PAYOUT_DONE: 'Payout done',
  },
};

const documentWords: Record<Lang, Record<DocumentKind, string>> = {
  ru: {
    INVOICE: 'Счёт на оплату',
    CONTRACT: 'Договор',
    ACT: 'Акт',
    AGENT_REPORT: 'Отчёт агента',
    SWIFT_CONFIRMATION: 'Подтверждение SWIFT (MT103)',
    RECEIPT: 'Квитанция',
    OTHER: 'Документ',
  },
  en: {
    INVOICE: 'Invoice',
    CONTRACT: 'Contract',
    ACT: 'Act',
    AGENT_REPORT: 'Agent’s report',
    SWIFT_CONFIRMATION: 'SWIFT confirmation (MT103)',
    RECEIPT: 'Receipt',
    OTHER: 'Document',
  },
};

export function statusLabel(status: string, lang: Lang, inHouse: boolean): string {
  if (status === 'COLLECTING_OFFERS' && inHouse) return inHouseNew[lang];
  return statusWords[lang][status as RequestStatus] ?? status;
}

export function paymentStatusLabel(status: string, lang: Lang): string {
  return paymentWords[lang][status as PaymentStatus] ?? status;
}

export function documentKindLabel(kind: string | null, lang: Lang): string {
  return documentWords[lang][(kind ?? 'OTHER') as DocumentKind] ?? documentWords[lang].OTHER;
}

const requestWord: Record<Lang, string> = { ru: 'Заявка', en: 'Payment request' };

export function requestTitle(displayNumber: string, lang: Lang): string {
  return `${requestWord[lang]} ${displayNumber}`;
}

// ---------------------------------------------------------------- outbox messages

export interface CardForText {
  displayNumber: string;
  locale: Lang;
  inHouse: boolean;
  amount: string | null;
  currency: string | null;
  clientCurrency: string | null;
  offer: {
    rate: string;
    feePercent: string;
    fixedFee: string;
    totalToPay: string;
    settlementDays: number;
    validUntil: string | null;
    comment: string | null;
  } | null;
}

export function statusChangedText(
  card: CardForText,
  change: { from: string; to: string; by: string | null },
): string {
  const lang = card.locale;
  const to = statusLabel(change.to, lang, card.inHouse);
  const from = statusLabel(change.from, lang, card.inHouse);
  const lines =
    lang === 'ru'
      ? [`${requestTitle(card.displayNumber, lang)}: статус «${to}»`, `Было: «${from}»`]
      : [`${requestTitle(card.displayNumber, lang)}: status “${to}”`, `Was: “${from}”`];
  if (change.by)
    lines.push(lang === 'ru' ? `Изменил(а): ${change.by}` : `Changed by: ${change.by}`);
  if (change.to === 'COLLECTING_OFFERS' && card.inHouse && card.amount && card.currency) {
    lines.push(
      lang === 'ru'
        ? `Сумма: ${formatMoney(card.amount, card.currency, lang)}`
        : `Amount: ${formatMoney(card.amount, card.currency, lang)}`,
    );
  }
  return lines.join('\n');
}

export function paymentStatusChangedText(
  card: CardForText,
  change: { from: string; to: string; by: string | null },
): string {
  const lang = card.locale;
  const to = paymentStatusLabel(change.to, lang);
  const from = paymentStatusLabel(change.from, lang);
  const lines =
    lang === 'ru'
      ? [`${requestTitle(card.displayNumber, lang)}: ${to}`, `Статус оплаты был: «${from}»`]
      : [`${requestTitle(card.displayNumber, lang)}: ${to}`, `Payment status was: “${from}”`];
  if (change.by) lines.push(lang === 'ru' ? `Отметил(а): ${change.by}` : `Set by: ${change.by}`);
  return lines.join('\n');
}

function formatNumber(value: string, lang: Lang, maxDigits: number): string {
  return new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US', {
    maximumFractionDigits: maxDigits,
  }).format(Number(value));
}

/** Dates in the chat's language, in Moscow time (the bank's zone; a group has no zone of its own). */
export function formatDateTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Moscow',
  }).format(new Date(iso));
}

export function offerAcceptedText(card: CardForText): string {
  const lang = card.locale;
  const offer = card.offer;
  const payIn = card.clientCurrency ?? card.currency;
  const money = (value: string) =>
    payIn ? formatMoney(value, payIn, lang) : formatNumber(value, lang, 2);
  const ru = lang === 'ru';
  const lines = [
    ru
      ? `${requestTitle(card.displayNumber, lang)}: предложение принято`
      : `${requestTitle(card.displayNumber, lang)}: offer accepted`,
  ];
  if (card.amount && card.currency)
    lines.push(
      `${ru ? 'Сумма платежа' : 'Payment amount'}: ${formatMoney(card.amount, card.currency, lang)}`,
    );
  if (offer) {
    const rate = formatNumber(offer.rate, lang, 6);
    lines.push(
      card.currency && card.clientCurrency && card.currency !== card.clientCurrency
        ? `${ru ? 'Курс' : 'Rate'}: ${rate} ${card.clientCurrency}/${card.currency}`
        : `${ru ? 'Курс' : 'Rate'}: ${rate}`,
      `${ru ? 'Комиссия' : 'Fee'}: ${formatNumber(offer.feePercent, lang, 4)} %`,
      `${ru ? 'Фикс. комиссия' : 'Fixed fee'}: ${money(offer.fixedFee)}`,
      `${ru ? 'Итого к оплате' : 'Total to pay'}: ${money(offer.totalToPay)}`,
      `${ru ? 'Срок (дней)' : 'Settlement days'}: ${offer.settlementDays}`,
    );
    if (offer.validUntil)
      lines.push(
        `${ru ? 'Действует до' : 'Valid until'}: ${formatDateTime(offer.validUntil, lang)}`,
      );
    if (offer.comment) lines.push(`${ru ? 'Комментарий' : 'Comment'}: ${offer.comment}`);
  }
  return lines.join('\n');
}

export function documentCaption(kind: string | null, displayNumber: string, lang: Lang): string {
  return `${documentKindLabel(kind, lang)} — ${lang === 'ru' ? 'заявка' : 'payment request'} ${displayNumber}`;
}

// ---------------------------------------------------------------- chat messages

export const texts = {
  welcome(lang: Lang, agentName: string | null): string {
    return lang === 'ru'
      ? [
          'Здравствуйте! Я бот банка для сделок по платежам.',
          agentName ? `Сделку ведёт ${agentName}.` : null,
          'Заявку на платёж заполняют и отслеживают в приложении: нажмите кнопку «Открыть заявку» ниже.',
          'Сообщения и файлы этого чата сохраняются на платформе банка вместе с заявкой; здесь же я буду сообщать о статусах и присылать документы.',
        ]
          .filter(Boolean)
          .join('\n\n')
      : [
          'Hello! I am the bank’s deal-room bot for payments.',
          agentName ? `Your manager: ${agentName}.` : null,
          'Fill in and follow the payment request in the app: press “Open the request” below.',
          'Messages and files of this chat are kept on the bank’s platform with the request; I will post status changes and documents here.',
        ]
          .filter(Boolean)
          .join('\n\n');
  },
  askAdmin(lang: Lang): string {
    return lang === 'ru'
      ? 'Пожалуйста, сделайте меня администратором группы (Управление группой → Администраторы): иначе Telegram не показывает мне сообщения участников, и переписка не сохранится.'
      : 'Please make me an administrator of this group (Manage group → Administrators): otherwise Telegram does not show me members’ messages and the conversation will not be kept.';
  },
  /** To the agent, privately: the room is not being kept, and the one step that fixes it. */
  blindToAgent(lang: Lang, title: string | null, botUsername: string): string {
    return lang === 'ru'
      ? `В группе ${title ? `«${title}»` : 'сделки'} я не вижу сообщений участников: у бота в Telegram включён режим конфиденциальности, а администратором группы меня не сделали. Переписка этой сделки не сохраняется.\n\nЧтобы исправить: откройте группу → Управление группой → Администраторы → Добавить администратора → @${botUsername}.`
      : `In ${title ? `the group “${title}”` : 'the deal’s group'} I cannot see the members’ messages: the bot’s privacy mode is on in Telegram and I am not an administrator of the group. The deal’s conversation is not being kept.\n\nTo fix it: open the group → Manage group → Administrators → Add administrator → @${botUsername}.`;
  },
  /** In the group, when the bot lost its admin rights and cannot see the members' messages. */
  demotedBlind(lang: Lang): string {
    return lang === 'ru'
      ? 'Меня убрали из администраторов: теперь Telegram не показывает мне сообщения участников, и переписка больше не сохраняется. Пожалуйста, верните мне права администратора (Управление группой → Администраторы).'
      : 'I am no longer an administrator: Telegram no longer shows me the members’ messages and the conversation is not kept any more. Please make me an administrator again (Manage group → Administrators).';
  },
  thanksAdmin(lang: Lang): string {
    return lang === 'ru'
      ? 'Спасибо! Теперь я вижу все сообщения чата и сохраняю их вместе с заявкой.'
      : 'Thank you! I can now see every message of the chat and keep it with the request.';
  },
  openButton(lang: Lang): string {
    return lang === 'ru' ? 'Открыть заявку' : 'Open the request';
  },
  refused(lang: Lang): string {
    return lang === 'ru'
      ? 'Извините, открыть сделку с ботом может только менеджер банка, подключённый к платформе. Я выхожу из этой группы. Если это ошибка, попросите вашего менеджера добавить меня.'
      : 'Sorry, only a bank manager registered on the platform can open a deal room with me, so I am leaving this group. If this is a mistake, ask your bank manager to add me.';
  },
  privateIntro(lang: Lang, hasApp: boolean): string {
    const ru = [
      'Здравствуйте! Я бот банка для сделок по платежам.',
      'Менеджер банка создаёт группу в Telegram с клиентом и добавляет меня. В группе я публикую кнопку приложения, где заполняется заявка на платёж, сообщаю о её статусах, присылаю документы и сохраняю переписку и файлы сделки на платформе банка.',
      'Чтобы начать, попросите вашего менеджера создать такую группу.',
      hasApp ? 'Приложение можно открыть и здесь — кнопкой ниже.' : null,
    ];
    const en = [
      'Hello! I am the bank’s deal-room bot for payments.',
      'A bank manager creates a Telegram group with you and adds me. There I post the button of the app where the payment request is filled in, announce its status changes, post documents, and keep the conversation and files on the bank’s platform.',
      'To start, ask your bank manager to create such a group.',
      hasApp ? 'You can also open the app here with the button below.' : null,
    ];
    return (lang === 'ru' ? ru : en).filter(Boolean).join('\n\n');
  },
  privateAgent(lang: Lang): string {
    return lang === 'ru'
      ? 'Вы — менеджер банка: создайте группу с клиентом, добавьте меня и сделайте администратором. Доска заявок — кнопкой ниже.'
      : 'You are a bank manager: create a group with the client, add me and make me an administrator. The requests board is behind the button below.';
  },
  appButton(lang: Lang): string {
    return lang === 'ru' ? 'Открыть приложение' : 'Open the app';
  },
  boardButton(lang: Lang): string {
    return lang === 'ru' ? 'Доска заявок' : 'Requests board';
  },
  startCommand(lang: Lang): string {
    return lang === 'ru' ? 'О боте и приложение' : 'About the bot and the app';
  },
};
