import type {
  DocumentKind,
  DocumentRequestState,
  DocumentSource,
  Locale,
  OfferSource,
  OfferStatus,
  PaymentDirection,
  PaymentRequestFieldName,
  PaymentStatus,
  Permission,
  RequestStatus,
} from '@payreq/contracts';

/**
 * The words of the domain, Russian first (the words a bank's client and manager use), English
 * by choice. Every front end (the Mini App, the portal) and the bot's messages take them from
 * here, so a status reads the same everywhere.
 */

/** Each locale's word for each value of a domain enum. */
type Words<K extends string> = Record<Locale, Record<K, string>>;

/** The label function of one enum: its value's word in the locale. */
function labelsFrom<K extends string>(words: Words<K>): (value: K, locale: Locale) => string {
  return (value, locale) => words[locale][value];
}

const statusWords: Words<RequestStatus> = {
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

/** How the bank calls a Telegram request it has just taken in (COLLECTING_OFFERS, in-house). */
const inHouseNew: Record<Locale, string> = {
  ru: 'Новая in-house заявка',
  en: 'New in-house request',
};

const paymentWords: Words<PaymentStatus> = {
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

const documentWords: Words<DocumentKind> = {
  ru: {
    INVOICE: 'Счёт на оплату',
    CONTRACT: 'Договор',
    ACT: 'Акт',
    AGENT_REPORT: 'Отчёт агента',
    SWIFT_CONFIRMATION: 'Подтверждение SWIFT (MT103)',
    RECEIPT: 'Квитанция',
    OTHER: 'Другой документ',
  },
  en: {
    INVOICE: 'Invoice',
    CONTRACT: 'Contract',
    ACT: 'Act',
    AGENT_REPORT: 'Agent’s report',
    SWIFT_CONFIRMATION: 'SWIFT confirmation (MT103)',
    RECEIPT: 'Receipt',
    OTHER: 'Other document',
  },
};

const documentSourceWords: Words<DocumentSource> = {
  ru: { ONEC: 'из 1С', CHAT: 'из чата', UPLOAD: 'вложение' },
  en: { ONEC: 'from 1C', CHAT: 'from the chat', UPLOAD: 'attachment' },
};

const documentRequestWords: Words<DocumentRequestState> = {
  ru: { QUEUED: 'в очереди', SENT: 'отправлен в 1С', FULFILLED: 'готов', FAILED: 'ошибка' },
  en: { QUEUED: 'queued', SENT: 'sent to 1C', FULFILLED: 'ready', FAILED: 'failed' },
};

const directionWords: Words<PaymentDirection> = {
  ru: { OUTGOING: 'Исходящий платёж', INCOMING: 'Входящий платёж' },
  en: { OUTGOING: 'Outgoing payment', INCOMING: 'Incoming payment' },
};

const offerSourceWords: Words<OfferSource> = {
  ru: { ONEC: 'рассчитано в 1С', AGENT: 'от агента' },
  en: { ONEC: 'computed in 1C', AGENT: 'by the agent' },
};

/** An offer's state as its agent and the client read it (the standard pipeline's market). */
const offerStatusWords: Words<OfferStatus> = {
  ru: {
    PENDING: 'Ждёт решения',
    ACCEPTED: 'Принято',
    REJECTED: 'Отклонено',
    WITHDRAWN: 'Отозвано',
  },
  en: {
    PENDING: 'Awaiting decision',
    ACCEPTED: 'Accepted',
    REJECTED: 'Rejected',
    WITHDRAWN: 'Withdrawn',
  },
};

const fieldWords: Words<PaymentRequestFieldName> = {
  ru: {
    payerName: 'Плательщик (название)',
    payerTaxId: 'ИНН',
    direction: 'Направление',
    amount: 'Сумма',
    currency: 'Валюта платежа',
    clientCurrency: 'Валюта оплаты',
    beneficiaryName: 'Получатель (название)',
    beneficiaryCountry: 'Страна получателя',
    beneficiaryAddress: 'Адрес получателя',
    beneficiaryBankName: 'Банк получателя',
    beneficiarySwift: 'SWIFT/BIC',
    beneficiaryAccount: 'Счёт / IBAN',
    purpose: 'Назначение платежа',
    contractNumber: 'Контракт №',
    contractDate: 'Дата контракта',
    invoiceNumber: 'Инвойс №',
    desiredDate: 'Желаемая дата платежа',
    comment: 'Комментарий',
  },
  en: {
    payerName: 'Payer (company name)',
    payerTaxId: 'Tax ID',
    direction: 'Direction',
    amount: 'Amount',
    currency: 'Payment currency',
    clientCurrency: 'Client pays in',
    beneficiaryName: 'Beneficiary (name)',
    beneficiaryCountry: 'Beneficiary country',
    beneficiaryAddress: 'Beneficiary address',
    beneficiaryBankName: 'Beneficiary bank',
    beneficiarySwift: 'SWIFT/BIC',
    beneficiaryAccount: 'Account / IBAN',
    purpose: 'Payment purpose',
    contractNumber: 'Contract no.',
    contractDate: 'Contract date',
    invoiceNumber: 'Invoice no.',
    desiredDate: 'Desired payment date',
    comment: 'Comment',
  },
};

/** What a permission lets one do, worded to finish "You may not …" in an error. */
const permissionWords: Words<Permission> = {
  ru: {
    'application.view': 'смотреть заявку',
    'application.viewDetails': 'смотреть реквизиты заявки',
    'application.create': 'создавать заявки',
    'application.edit': 'менять поля заявки',
    'application.submit': 'отправлять заявку',
    'application.setStatus': 'менять статус заявки',
    'application.cancel': 'отменять заявку',
    'payment.markSent': 'отмечать оплату',
    'payment.setStatus': 'менять статус оплаты',
    'offer.view': 'смотреть предложения',
    'offer.create': 'делать предложения по этой заявке',
    'offer.accept': 'принимать предложения',
    'documents.view': 'смотреть документы',
    'documents.generate': 'запрашивать документы',
    'history.view': 'смотреть историю',
    'chat.import': 'загружать историю чата',
  },
  en: {
    'application.view': 'view the request',
    'application.viewDetails': 'view the request’s details',
    'application.create': 'create requests',
    'application.edit': 'change the request’s fields',
    'application.submit': 'submit the request',
    'application.setStatus': 'change the request’s status',
    'application.cancel': 'cancel the request',
    'payment.markSent': 'mark the payment',
    'payment.setStatus': 'change the payment status',
    'offer.view': 'view the offers',
    'offer.create': 'make offers on this request',
    'offer.accept': 'accept offers',
    'documents.view': 'view the documents',
    'documents.generate': 'request documents',
    'history.view': 'view the history',
    'chat.import': 'import the chat’s history',
  },
};

export const permissionLabel = labelsFrom(permissionWords);

export function statusLabel(status: RequestStatus, locale: Locale, inHouse = false): string {
  if (status === 'COLLECTING_OFFERS' && inHouse) return inHouseNew[locale];
  return statusWords[locale][status];
}

export const paymentStatusLabel = labelsFrom(paymentWords);
export const documentKindLabel = labelsFrom(documentWords);
export const documentSourceLabel = labelsFrom(documentSourceWords);
export const documentRequestStateLabel = labelsFrom(documentRequestWords);
export const directionLabel = labelsFrom(directionWords);
export const offerSourceLabel = labelsFrom(offerSourceWords);
export const offerStatusLabel = labelsFrom(offerStatusWords);
export const fieldLabel = labelsFrom(fieldWords);

/** "Заявка № 000123" / "Payment request № 000123": how the bank names a request to people. */
export function requestTitle(displayNumber: string, locale: Locale): string {
  return `${locale === 'ru' ? 'Заявка' : 'Payment request'} ${displayNumber}`;
}

/**
 * The names of codes the form takes (a country, a currency) from the runtime's own data
 * (`Intl.DisplayNames`): nothing shipped, and one instance per locale and kind.
 */
const displayNames = new Map<string, Intl.DisplayNames | null>();
function namesOf(type: 'region' | 'currency', locale: Locale): Intl.DisplayNames | null {
  const key = `${type}:${locale}`;
  let names = displayNames.get(key);
  if (names === undefined) {
    names =
      typeof Intl.DisplayNames === 'function'
        ? new Intl.DisplayNames([locale], { type, fallback: 'none' })
        : null;
    displayNames.set(key, names);
  }
  return names;
}

/** "CN" → "Китай" / "China"; null where the text is not a code the runtime names. */
export function countryName(code: string, locale: Locale): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  return namesOf('region', locale)?.of(code) ?? null;
}

/** "CNY" → "китайский юань" / "Chinese Yuan"; null where the text is not a code the runtime names. */
export function currencyName(code: string, locale: Locale): string | null {
  if (!/^[A-Z]{3}$/.test(code)) return null;
  return namesOf('currency', locale)?.of(code) ?? null;
}
