import type {
  BotDocumentRefusal,
  DocumentKind,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
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
  documentCommand(lang: Lang): string {
    return lang === 'ru' ? 'Запросить документ из 1С' : 'Ask 1C for a document';
  },
  documentChoose(lang: Lang, displayNumber: string): string {
    return lang === 'ru'
      ? `Какой документ запросить из 1С по заявке ${displayNumber}?`
      : `Which document should 1C prepare for payment request ${displayNumber}?`;
  },
  documentQueued(lang: Lang, kind: DocumentKind, displayNumber: string, by: string): string {
    return lang === 'ru'
      ? `Запрос в 1С отправлен: «${documentKindLabel(kind, lang)}» по заявке ${displayNumber} (запросил(а): ${by}). Документ придёт в этот чат, когда 1С его подготовит.`
      : `Asked 1C for “${documentKindLabel(kind, lang)}” for payment request ${displayNumber} (by ${by}). It will be posted here when 1C has prepared it.`;
  },
  documentQueuedShort(lang: Lang, kind: DocumentKind): string {
    return lang === 'ru'
      ? `Запрошено в 1С: ${documentKindLabel(kind, lang)}`
      : `Asked of 1C: ${documentKindLabel(kind, lang)}`;
  },
  documentRefused(lang: Lang, reason: BotDocumentRefusal): string {
    if (lang === 'en') {
      return {
        NOT_REGISTERED:
          'Sorry, documents can be asked for only in a deal room opened by a bank manager.',
        NO_REQUEST:
          'There is no payment request in this chat yet: fill it in in the app first (the “Open the request” button).',
        NOT_LINKED_AGENT:
          'Sorry, only the bank manager who runs this deal can ask 1C for documents. Please ask them.',
        NOT_ALLOWED_NOW:
          'Documents can be asked of 1C once the request has been sent to the bank and until it is closed.',
      }[reason];
    }
    return {
      NOT_REGISTERED:
        'Извините, документы можно запросить только в чате сделки, который открыл менеджер банка.',
      NO_REQUEST:
        'В этом чате пока нет заявки: сначала заполните её в приложении (кнопка «Открыть заявку»).',
      NOT_LINKED_AGENT:
        'Извините, запросить документы из 1С может только менеджер банка, который ведёт эту сделку. Пожалуйста, обратитесь к нему.',
      NOT_ALLOWED_NOW:
        'Документы можно запросить из 1С после отправки заявки в банк и до её завершения.',
    }[reason];
  },
};
