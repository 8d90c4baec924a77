import type {
  DeadlineReminderKind,
  HistoryActor,
  RequestCard,
  TelegramOutboxMessage,
} from '@payreq/contracts';

import type { Formatter } from './format';
import { actorLabel } from './history';
import { documentKindLabel, paymentStatusLabel, requestTitle, statusLabel } from './labels';

/**
 * What the bot posts in a deal room for each message of the api's outbox, in the chat's
 * language: the same words as the Mini App's history, never an id or a code.
 */

/** A change of a status or of the payment status, by whom and why. */
interface Change<T> {
  from: T;
  to: T;
  by: HistoryActor;
  comment?: string | null;
}

const byWords = {
  changed: { ru: 'Изменил(а)', en: 'Changed by' },
  set: { ru: 'Отметил(а)', en: 'Set by' },
  added: { ru: 'Добавил(а)', en: 'Added by' },
} as const;

function byLine(by: HistoryActor, ru: boolean, verb: keyof typeof byWords): string {
  const locale = ru ? 'ru' : 'en';
  return `${byWords[verb][locale]}: ${actorLabel(by, locale)}`;
}

function commentLine(comment: string | null | undefined, ru: boolean): string[] {
  return comment ? [`${ru ? 'Комментарий' : 'Comment'}: ${comment}`] : [];
}

/** The chat's request was saved for the first time: where it is filled in and checked. */
export function requestCreatedText(card: RequestCard, format: Formatter): string {
  const title = requestTitle(card.displayNumber, format.locale);
  return format.locale === 'ru'
    ? `${title} создана. Её заполняют и проверяют в приложении: кнопка «Открыть заявку» выше.`
    : `${title} has been created. It is filled in and checked in the app: the “Open the request” button above.`;
}

/** The client filled every required field: the request is the agent's to check and submit. */
export function requestFilledText(card: RequestCard, by: HistoryActor, format: Formatter): string {
  const title = requestTitle(card.displayNumber, format.locale);
  const who = actorLabel(by, format.locale);
  return format.locale === 'ru'
    ? `${title}: ${who} заполнил(а) все обязательные поля. Агент может проверить заявку и отправить её в 1С: кнопка «Открыть заявку» выше.`
    : `${title}: ${who} filled in every required field. The agent can check the request and send it to 1C: the “Open the request” button above.`;
}

export function statusChangedText(
  card: RequestCard,
  change: Change<RequestCard['status']>,
  format: Formatter,
): string {
  const { locale } = format;
  const ru = locale === 'ru';
  const to = statusLabel(change.to, locale, card.inHouse);
  const from = statusLabel(change.from, locale, card.inHouse);
  const title = requestTitle(card.displayNumber, locale);
  const lines = ru
    ? [`${title}: статус «${to}»`, `Было: «${from}»`]
    : [`${title}: status “${to}”`, `Was: “${from}”`];
  lines.push(byLine(change.by, ru, 'changed'), ...commentLine(change.comment, ru));
  if (change.to === 'COLLECTING_OFFERS' && card.inHouse && card.amount && card.currency) {
    lines.push(`${ru ? 'Сумма' : 'Amount'}: ${format.money(card.amount, card.currency)}`);
  }
  return lines.join('\n');
}

export function paymentStatusChangedText(
  card: RequestCard,
  change: Change<RequestCard['paymentStatus']>,
  format: Formatter,
): string {
  const { locale } = format;
  const ru = locale === 'ru';
  const title = requestTitle(card.displayNumber, locale);
  const from = paymentStatusLabel(change.from, locale);
  return [
    `${title}: ${paymentStatusLabel(change.to, locale)}`,
    ru ? `Статус оплаты был: «${from}»` : `Payment status was: “${from}”`,
    byLine(change.by, ru, 'set'),
    ...commentLine(change.comment, ru),
  ].join('\n');
}

export function offerAcceptedText(card: RequestCard, format: Formatter): string {
  const { locale } = format;
  const ru = locale === 'ru';
  const payIn = card.clientCurrency ?? card.currency;
  const lines = [
    `${requestTitle(card.displayNumber, locale)}: ${ru ? 'предложение принято' : 'offer accepted'}`,
  ];
  if (card.amount && card.currency)
    lines.push(
      `${ru ? 'Сумма платежа' : 'Payment amount'}: ${format.money(card.amount, card.currency)}`,
    );
  const offer = card.offer;
  if (offer) {
    const rate = format.number(offer.rate, 6);
    lines.push(
      card.currency && card.clientCurrency && card.currency !== card.clientCurrency
        ? `${ru ? 'Курс' : 'Rate'}: ${rate} ${card.clientCurrency}/${card.currency}`
        : `${ru ? 'Курс' : 'Rate'}: ${rate}`,
      `${ru ? 'Комиссия' : 'Fee'}: ${format.number(offer.feePercent, 4)} %`,
      `${ru ? 'Фикс. комиссия' : 'Fixed fee'}: ${format.money(offer.fixedFee, payIn)}`,
      `${ru ? 'Итого к оплате' : 'Total to pay'}: ${format.money(offer.totalToPay, payIn)}`,
      `${ru ? 'Срок (дней)' : 'Settlement days'}: ${offer.settlementDays}`,
    );
    if (offer.validUntil)
      lines.push(`${ru ? 'Действует до' : 'Valid until'}: ${format.dateTime(offer.validUntil)}`);
    if (offer.comment) lines.push(`${ru ? 'Комментарий' : 'Comment'}: ${offer.comment}`);
  }
  return lines.join('\n');
}

/** The caption under a document the bot posts: «Счёт на оплату СЧ-000001 — заявка № 000123». */
export function documentCaption(card: RequestCard, format: Formatter): string {
  const { locale } = format;
  const kind = documentKindLabel(card.document?.kind ?? 'OTHER', locale);
  const name = card.document?.number ? `${kind} ${card.document.number}` : kind;
  return `${name} — ${locale === 'ru' ? 'заявка' : 'payment request'} ${card.displayNumber}`;
}

/**
 * A file sent in the group became one of the request's documents (from the portal), said in
 * answer to the file: «Файл «Счёт 42.pdf» добавлен к заявке № 000123 как «Счёт на оплату»».
 */
export function chatFileAddedText(card: RequestCard, by: HistoryActor, format: Formatter): string {
  const { locale } = format;
  const ru = locale === 'ru';
  const kind = documentKindLabel(card.document?.kind ?? 'OTHER', locale);
  const file = card.document?.fileName ?? (ru ? 'файл' : 'file');
  return [
    ru
      ? `Файл «${file}» добавлен к заявке ${card.displayNumber} как «${kind}»`
      : `The file “${file}” was added to payment request ${card.displayNumber} as “${kind}”`,
    byLine(by, ru, 'added'),
  ].join('\n');
}

/**
 * A reminder that a standard request's offers deadline is near, to the client or to an agent
 * who offered: in the bot's private chat and in the portal's notifications alike.
 */
export function deadlineReminderText(
  reminder: { displayNumber: string; reminder: DeadlineReminderKind; deadline: string },
  format: Formatter,
): string {
  const ru = format.locale === 'ru';
  const title = requestTitle(reminder.displayNumber, format.locale);
  const left =
    reminder.reminder === 'deadline:24h' ? (ru ? 'сутки' : 'a day') : ru ? 'час' : 'an hour';
  const at = format.dateTime(reminder.deadline);
  return ru
    ? `${title}: приём предложений закрывается через ${left} (${at}).`
    : `${title}: offers close in ${left} (${at}).`;
}

/** The text of any TELEGRAM outbox message but a document (which is a file with a caption). */
export function announcementText(
  message: Exclude<TelegramOutboxMessage, { kind: 'telegram.document' }>,
  card: RequestCard,
  format: Formatter,
): string {
  switch (message.kind) {
    case 'telegram.requestCreated':
      return requestCreatedText(card, format);
    case 'telegram.requestFilled':
      return requestFilledText(card, message.payload.by, format);
    case 'telegram.statusChanged':
      return statusChangedText(card, message.payload, format);
    case 'telegram.paymentStatusChanged':
      return paymentStatusChangedText(card, message.payload, format);
    case 'telegram.offerAccepted':
      return offerAcceptedText(card, format);
    case 'telegram.chatFileAdded':
      return chatFileAddedText(card, message.payload.by, format);
    case 'telegram.deadlineReminder':
      return deadlineReminderText(
        { displayNumber: card.displayNumber, ...message.payload },
        format,
      );
  }
}

/** What the portal's notifications say of a standard request's offers (`@payreq/domain` notices). */
export type OfferNotice =
  | { kind: 'offerReceived'; displayNumber: string; agentName: string; changed: boolean }
  | { kind: 'offerChosen'; displayNumber: string }
  | { kind: 'offerNotChosen'; displayNumber: string }
  | { kind: 'offerOutdated'; displayNumber: string };

export function offerNoticeText(notice: OfferNotice, format: Formatter): string {
  const ru = format.locale === 'ru';
  const title = requestTitle(notice.displayNumber, format.locale);
  switch (notice.kind) {
    case 'offerReceived':
      if (notice.changed)
        return ru
          ? `${title}: ${notice.agentName} изменил(а) своё предложение.`
          : `${title}: ${notice.agentName} changed their offer.`;
      return ru
        ? `${title}: новое предложение от агента ${notice.agentName}.`
        : `${title}: a new offer from ${notice.agentName}.`;
    case 'offerChosen':
      return ru
        ? `${title}: клиент принял ваше предложение.`
        : `${title}: the client accepted your offer.`;
    case 'offerOutdated':
      return ru
        ? `${title}: клиент изменил сумму или валюту заявки. Ваше предложение рассчитано на прежние, его нельзя принять: отправьте его заново.`
        : `${title}: the client changed the request’s amount or currency. Your offer was priced on the old ones and cannot be accepted: send it again.`;
    case 'offerNotChosen':
      return ru
        ? `${title}: клиент выбрал другое предложение; ваше отклонено.`
        : `${title}: the client chose another offer; yours was declined.`;
  }
}
