import type {
  DocumentKind,
  DocumentRequestState,
  DocumentSource,
  HistoryActor,
  HistoryChange,
  Locale,
  PaymentDirection,
  PaymentRequestFieldName,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
import {
  actorLabel,
  createFormatter,
  directionLabel,
  documentKindLabel,
  documentRequestStateLabel,
  documentSourceLabel,
  fieldLabel,
  historyText,
  paymentStatusLabel,
  statusLabel,
} from '@payreq/i18n';

/**
 * The Mini App's words, Russian first (apps/webapp/README.md). Validation messages come from the
 * contracts.
 */
const ru = {
  appTitle: 'Заявка на платёж',
  newRequest: 'Новая заявка',
  loading: 'Загрузка…',
  openInOnec: 'Открыть в 1С',
  inOnecWaiting: 'Заявка отправлена в 1С, ждём ответ',
  save: 'Сохранить',
  saving: 'Сохраняем…',
  saved: 'Сохранено',
  submit: 'Подтвердить заявку',
  submitConfirmTitle: 'Подтвердить заявку?',
  submitConfirm:
    'Заявка станет новой in-house заявкой и уйдёт в 1С. Поля можно будет менять до принятия предложения.',
  submitted: 'Заявка подтверждена. Платформа отправляет её в 1С',
  submitNeedsFields: 'Чтобы подтвердить заявку, заполните обязательные поля:',
  agentNeedsFields: 'Чтобы агент мог подтвердить заявку, заполните обязательные поля:',
  readOnlyAccepted: 'Условия приняты: поля заявки больше не меняются.',
  readOnlyCompleted: 'Заявка исполнена: поля заявки больше не меняются.',
  readOnlyCancelled: 'Заявка отменена: поля заявки больше не меняются.',
  readOnlyExpired: 'Срок приёма предложений истёк: поля заявки больше не меняются.',
  readOnly: 'Заявка открыта только для просмотра.',
  required: 'обязательно',
  sectionPayer: 'Плательщик',
  sectionPayment: 'Платёж',
  sectionBeneficiary: 'Получатель',
  sectionPurpose: 'Назначение и документы-основания',
  sectionAttachments: 'Вложения',
  sectionComment: 'Комментарий',
  sectionOffer: 'Предложение',
  sectionPayment2: 'Оплата',
  sectionDocuments: 'Документы',
  sectionHistory: 'История',
  sectionStatus: 'Статус заявки',
  choose: 'Выберите…',
  amountPreview: 'Будет: {value}',
  swiftCountry: 'Банк в стране: {bank}',
  swiftOtherCountry: 'Банк в стране «{bank}», а получатель — «{beneficiary}»: проверьте SWIFT',
  countryPlaceholder: 'Название или код: Китай, CN',
  countryNotFound: 'Нет такой страны: напишите название полностью или код, например CN',
  currencyPlaceholder: 'Название или код: юань, CNY',
  currencyNotFound: 'Нет такой валюты: напишите название полностью или код, например CNY',
  draftRestored: 'Восстановлены несохранённые изменения от {time}.',
  discardChanges: 'Отменить изменения',
  changedElsewhere: 'Заявку только что изменил другой участник. При сохранении покажем обе версии.',
  conflictTitle: 'Заявку уже изменили',
  conflictText:
    'Пока вы редактировали, {who} сохранил(а) другую версию. Сравните и выберите, что оставить.',
  conflictSomeone: 'другой участник',
  conflictTheirs: 'Сейчас в заявке',
  conflictMine: 'Ваш вариант',
  conflictAlsoChanged: 'Также изменено другим участником: {fields}.',
  keepTheirs: 'Оставить их версию',
  applyMine: 'Применить мои изменения',
  empty: '—',
  fixErrors: 'Исправьте ошибки в полях, отмеченных красным: ничего не сохранено.',
  networkError: 'Нет связи с сервером. Проверьте интернет и попробуйте ещё раз.',
  unknownError: 'Что-то пошло не так. Попробуйте ещё раз.',
  retry: 'Повторить',
  notInTelegram: 'Откройте приложение в Telegram',
  notInTelegramHow:
    'Эта страница работает внутри Telegram. Откройте чат сделки и нажмите кнопку «Открыть заявку» под сообщением бота; менеджеры банка — «Доска заявок» в чате с ботом.',
  offerAccepted: 'Принятое предложение',
  offerFrom: '{source}, {date}',
  offerSourceOnec: 'рассчитано в 1С',
  offerSourceAgent: 'агент {name}',
  offerReadOnlyNote: 'Форма предложения пока только для просмотра.',
  offerWaitingOnec:
    'Условия рассчитает 1С после подтверждения заявки. Форма предложения пока только для просмотра.',
  offerPendingOnec:
    '1С рассчитывает условия: они появятся здесь. Форма предложения пока только для просмотра.',
  offerNone: 'Условия появятся, когда банк их рассчитает.',
  rate: 'Курс',
  feePercent: 'Комиссия, %',
  fixedFee: 'Фикс. комиссия',
  totalToPay: 'Итого к оплате',
  settlementDays: 'Срок (дней)',
  validUntil: 'Действует до',
  offerComment: 'Комментарий',
  testPaymentSent: 'Я отправил тестовый платёж',
  paymentSent: 'Я отправил платёж',
  confirmTestPayment: 'Подтвердите: тестовый платёж отправлен?',
  confirmPayment: 'Подтвердите: платёж отправлен?',
  confirmYes: 'Да, отправил',
  stepDone: 'Отмечено: {who}, {when}',
  stepLater: 'Станет доступно на следующем шаге',
  paymentNext: 'Следующий шаг: {label}',
  confirmStep: 'Подтвердить шаг «{label}»?',
  confirm: 'Подтвердить',
  cancelRequest: 'Отменить заявку',
  cancelConfirm: 'Отменить заявку? Это действие нельзя отменить.',
  moveTo: 'Перевести в «{label}»',
  documentsNone: 'Документов пока нет.',
  attachmentsNone: 'Вложений пока нет.',
  open: 'Открыть',
  download: 'Скачать',
  requestDocument: 'Запросить документ',
  requestDocumentKind: 'Какой документ запросить в 1С',
  requestQueued: 'Запрос отправлен в 1С',
  requestsQueue: 'Запросы в 1С',
  attach: 'Прикрепить файл',
  attachKind: 'Тип документа',
  attachSaveFirst: 'Сохраните заявку, чтобы прикреплять файлы.',
  attached: 'Файл прикреплён',
  importChat: 'Загрузить историю чата (result.json)',
  importChatHint: 'Экспорт из Telegram Desktop: «Экспорт истории чата», формат JSON.',
  imported:
    'История загружена: новых сообщений {inserted}, обновлено {updated}, без изменений {unchanged}.',
  historyNone: 'Изменений пока нет.',
  historyMore: 'Показать более ранние',
  boardTitle: 'Заявки',
  boardMine: 'Мои',
  boardEmpty: 'Заявок нет.',
  boardMore: 'Показать ещё',
  boardUpdated: 'Обновляется автоматически',
  boardReadOnly: 'только просмотр',
  boardNoClient: 'Клиент не указан',
  boardClientHidden: 'Клиент не раскрывается',
  boardNoAmount: 'сумма не указана',
  back: 'Назад',
  agent: 'Агент',
  chat: 'Чат',
  age: 'Возраст',
  fileTooLarge: 'Файл слишком большой',
} as const;

/** A catalogue's other language: each key of the Russian one, in words of its own. */
export type Translation<Ru> = { [K in keyof Ru]: string };

const en: Translation<typeof ru> = {
  appTitle: 'Payment request',
  newRequest: 'New request',
  loading: 'Loading…',
  openInOnec: 'Open in 1C',
  inOnecWaiting: 'Sent to 1C, waiting for its answer',
  save: 'Save',
  saving: 'Saving…',
  saved: 'Saved',
  submit: 'Confirm request',
  submitConfirmTitle: 'Confirm the request?',
  submitConfirm:
    'The request becomes a new in-house request and goes to 1C. Fields stay editable until an offer is accepted.',
  submitted: 'The request is confirmed. The platform is sending it to 1C',
  submitNeedsFields: 'To confirm the request, fill in the required fields:',
  agentNeedsFields: 'For the agent to confirm the request, fill in the required fields:',
  readOnlyAccepted: 'The terms are accepted: the request’s fields no longer change.',
  readOnlyCompleted: 'The request is completed: its fields no longer change.',
  readOnlyCancelled: 'The request is cancelled: its fields no longer change.',
  readOnlyExpired: 'The offers deadline has passed: the request’s fields no longer change.',
  readOnly: 'This request is open for viewing only.',
  required: 'required',
  sectionPayer: 'Payer',
  sectionPayment: 'Payment',
  sectionBeneficiary: 'Beneficiary',
  sectionPurpose: 'Purpose and references',
  sectionAttachments: 'Attachments',
  sectionComment: 'Comment',
  sectionOffer: 'Offer',
  sectionPayment2: 'Payment steps',
  sectionDocuments: 'Documents',
  sectionHistory: 'History',
  sectionStatus: 'Request status',
  choose: 'Choose…',
  amountPreview: 'Will be: {value}',
  swiftCountry: 'The bank is in {bank}',
  swiftOtherCountry: 'The bank is in {bank}, the beneficiary in {beneficiary}: check the SWIFT',
  countryPlaceholder: 'A name or a code: China, CN',
  countryNotFound: 'No such country: type its full name or its code, e.g. CN',
  currencyPlaceholder: 'A name or a code: yuan, CNY',
  currencyNotFound: 'No such currency: type its full name or its code, e.g. CNY',
  draftRestored: 'Unsaved changes from {time} were restored.',
  discardChanges: 'Discard changes',
  changedElsewhere:
    'Someone else has just changed the request. When you save, you will see both versions.',
  conflictTitle: 'The request was changed',
  conflictText:
    'While you were editing, {who} saved another version. Compare them and choose what to keep.',
  conflictSomeone: 'another participant',
  conflictTheirs: 'Now in the request',
  conflictMine: 'Your version',
  conflictAlsoChanged: 'Also changed by the other participant: {fields}.',
  keepTheirs: 'Keep their version',
  applyMine: 'Apply my changes',
  empty: '—',
  fixErrors: 'Fix the fields marked in red: nothing was saved.',
  networkError: 'No connection to the server. Check the internet and try again.',
  unknownError: 'Something went wrong. Please try again.',
  retry: 'Retry',
  notInTelegram: 'Open the app in Telegram',
  notInTelegramHow:
    'This page works inside Telegram. Open the deal-room chat and press “Open the request” under the bot’s message; bank managers: “Requests board” in the chat with the bot.',
  offerAccepted: 'Accepted offer',
  offerFrom: '{source}, {date}',
  offerSourceOnec: 'calculated in 1C',
  offerSourceAgent: 'by agent {name}',
  offerReadOnlyNote: 'The offer form is view-only for now.',
  offerWaitingOnec:
    '1C calculates the terms once the request is confirmed. The offer form is view-only for now.',
  offerPendingOnec:
    '1C is calculating the terms: they will appear here. The offer form is view-only for now.',
  offerNone: 'The terms appear once the bank has calculated them.',
  rate: 'Rate',
  feePercent: 'Fee, %',
  fixedFee: 'Fixed fee',
  totalToPay: 'Total to pay',
  settlementDays: 'Settlement days',
  validUntil: 'Valid until',
  offerComment: 'Comment',
  testPaymentSent: 'I have sent the test payment',
  paymentSent: 'I have sent the payment',
  confirmTestPayment: 'Confirm: the test payment has been sent?',
  confirmPayment: 'Confirm: the payment has been sent?',
  confirmYes: 'Yes, sent',
  stepDone: 'Marked by {who}, {when}',
  stepLater: 'Available at a later step',
  paymentNext: 'Next step: {label}',
  confirmStep: 'Confirm the step “{label}”?',
  confirm: 'Confirm',
  cancelRequest: 'Cancel the request',
  cancelConfirm: 'Cancel the request? This cannot be undone.',
  moveTo: 'Move to “{label}”',
  documentsNone: 'No documents yet.',
  attachmentsNone: 'No attachments yet.',
  open: 'Open',
  download: 'Download',
  requestDocument: 'Request a document',
  requestDocumentKind: 'Which document to request from 1C',
  requestQueued: 'The request was sent to 1C',
  requestsQueue: 'Requests to 1C',
  attach: 'Attach a file',
  attachKind: 'Document type',
  attachSaveFirst: 'Save the request to attach files.',
  attached: 'File attached',
  importChat: 'Import chat history (result.json)',
  importChatHint: 'Telegram Desktop: “Export chat history”, JSON format.',
  imported: 'History imported: {inserted} new, {updated} updated, {unchanged} unchanged messages.',
  historyNone: 'No changes yet.',
  historyMore: 'Show earlier changes',
  boardTitle: 'Requests',
  boardMine: 'Mine',
  boardEmpty: 'No requests.',
  boardMore: 'Show more',
  boardUpdated: 'Refreshes automatically',
  boardReadOnly: 'view only',
  boardNoClient: 'No client yet',
  boardClientHidden: 'Client not disclosed',
  boardNoAmount: 'no amount yet',
  back: 'Back',
  agent: 'Agent',
  chat: 'Chat',
  age: 'Age',
  fileTooLarge: 'The file is too large',
};

export type WordKey = keyof typeof ru;

const dictionaries: Record<Locale, Translation<typeof ru>> = { ru, en };

export function localeFromLanguageCode(code: string | undefined | null): Locale {
  return code?.toLowerCase().startsWith('en') ? 'en' : 'ru';
}

export interface I18n {
  locale: Locale;
  timeZone: string;
  t(key: WordKey, params?: Record<string, string | number>): string;
  field(name: PaymentRequestFieldName): string;
  status(status: RequestStatus, inHouse: boolean): string;
  paymentStatus(status: PaymentStatus): string;
  documentKind(kind: DocumentKind): string;
  documentSource(source: DocumentSource): string;
  documentRequestState(state: DocumentRequestState): string;
  direction(direction: PaymentDirection): string;
  /** A history entry's change in words (the shared phrase catalogue). */
  history(change: HistoryChange): string;
  /** Who did it, as people name them (1С, the platform, a person by name). */
  actor(actor: HistoryActor): string;
  money(amount: string | null, currency: string | null): string;
  number(value: string): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  age(iso: string, now?: number): string;
}

function fill(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** A catalogue's words in one language, with `{name}` parameters filled in. */
export function wordsIn<Key extends string>(
  dictionaries: Record<Locale, Record<Key, string>>,
  locale: Locale,
): (key: Key, params?: Record<string, string | number>) => string {
  const words = dictionaries[locale];
  return (key, params) => fill(words[key], params);
}

/** The device's time zone: dates are shown where the user is. */
export function deviceTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Moscow';
  } catch {
    return 'Europe/Moscow';
  }
}

export function createI18n(locale: Locale, timeZone = deviceTimeZone()): I18n {
  const words = dictionaries[locale];
  // The reader's own clock: its zone named only where it differs from the bot's «МСК».
  const format = createFormatter(locale, timeZone, { nameZone: 'unlessMoscowTime' });
  const units = locale === 'ru' ? { m: 'мин', h: 'ч', d: 'дн' } : { m: 'min', h: 'h', d: 'd' };
  return {
    locale,
    timeZone,
    t: wordsIn(dictionaries, locale),
    field: (name) => fieldLabel(name, locale),
    status: (status, inHouse) => statusLabel(status, locale, inHouse),
    paymentStatus: (status) => paymentStatusLabel(status, locale),
    documentKind: (kind) => documentKindLabel(kind, locale),
    documentSource: (source) => documentSourceLabel(source, locale),
    documentRequestState: (state) => documentRequestStateLabel(state, locale),
    direction: (direction) => directionLabel(direction, locale),
    history: (change) => historyText(change, format),
    actor: (actor) => actorLabel(actor, locale),
    money: (amount, currency) =>
      amount === null || amount === '' ? words.empty : format.money(amount, currency),
    number: (value) => (value === '' ? words.empty : format.number(value)),
    date: (iso) => format.date(iso),
    dateTime: (iso) => format.dateTime(iso),
    age: (iso, now = Date.now()) => {
      const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
      if (minutes < 60) return `${minutes} ${units.m}`;
      const hours = Math.round(minutes / 60);
      if (hours < 48) return `${hours} ${units.h}`;
      return `${Math.round(hours / 24)} ${units.d}`;
    },
  };
}
