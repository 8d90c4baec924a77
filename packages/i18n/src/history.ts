import type {
  HistoryActor,
  HistoryChange,
  HistoryOffer,
  Locale,
  PaymentDirection,
  PaymentRequestFieldName,
} from '@payreq/contracts';

import type { Formatter } from './format';
import {
  countryName,
  currencyName,
  directionLabel,
  documentKindLabel,
  fieldLabel,
  paymentStatusLabel,
  statusLabel,
} from './labels';

/** Who did it, as people name them: a person by name, 1C as "1С", the platform itself. */
export function actorLabel(actor: HistoryActor, locale: Locale): string {
  switch (actor.kind) {
    case 'onec':
      return locale === 'ru' ? '1С' : '1C';
    case 'system':
      return locale === 'ru' ? 'Платформа' : 'The platform';
    default:
      return actor.name ?? (locale === 'ru' ? 'Участник' : 'A participant');
  }
}

const none = '—';

/** A form value in words: a direction and a country by name, an amount grouped, a date in the locale's order. */
export function fieldValueText(
  field: PaymentRequestFieldName,
  value: string | null,
  format: Formatter,
): string {
  if (value === null || value.trim() === '') return none;
  switch (field) {
    case 'direction':
      return value === 'OUTGOING' || value === 'INCOMING'
        ? directionLabel(value as PaymentDirection, format.locale)
        : value;
    case 'amount':
      return format.money(value, null);
    case 'contractDate':
    case 'desiredDate':
      return format.date(value);
    case 'beneficiaryCountry':
      return countryText(value, format.locale);
    case 'currency':
    case 'clientCurrency':
      return currencyText(value, format.locale);
    default:
      return value;
  }
}

/** An ISO country code as people read it, "Китай (CN)"; the code alone where it names no country. */
export function countryText(code: string, locale: Locale): string {
  const name = countryName(code, locale);
  return name ? `${name} (${code})` : code;
}

/** An ISO currency code as people read it, "Китайский юань (CNY)"; the code alone where it names none. */
export function currencyText(code: string, locale: Locale): string {
  const name = currencyName(code, locale);
  return name ? `${name.charAt(0).toUpperCase()}${name.slice(1)} (${code})` : code;
}

/** An offer placed (`accepted`: chosen by the client) and its terms, in words. */
function offerText(offer: HistoryOffer | null, accepted: boolean, format: Formatter): string {
  const ru = format.locale === 'ru';
  if (!offer) {
    if (accepted) return ru ? 'Принято предложение' : 'An offer was accepted';
    return ru ? 'Сделано предложение' : 'An offer was made';
  }
  const amount =
    offer.amount !== null && offer.currency ? format.money(offer.amount, offer.currency) : null;
  const total = format.money(offer.totalToPay, offer.totalCurrency);
  const terms = [amount, ru ? `итого ${total}` : `total ${total}`].filter(Boolean).join(', ');
  if (accepted && offer.source === 'ONEC')
    return ru ? `Принято предложение 1С: ${terms}` : `1C’s offer accepted: ${terms}`;
  if (accepted)
    return ru
      ? `Принято предложение: агент ${offer.agentName}, ${terms}`
      : `Offer by ${offer.agentName} accepted: ${terms}`;
  if (offer.source === 'ONEC')
    return ru ? `1С рассчитал предложение: ${terms}` : `1C computed the offer: ${terms}`;
  return ru
    ? `Предложение: агент ${offer.agentName}, ${terms}`
    : `Offer by ${offer.agentName}: ${terms}`;
}

/** One history entry's change in words, e.g. «Документ «Счёт на оплату СЧ-000001» из 1С». */
export function historyText(change: HistoryChange, format: Formatter): string {
  const { locale } = format;
  const ru = locale === 'ru';
  switch (change.type) {
    case 'created':
      return ru ? 'Заявка создана' : 'Request created';
    case 'field':
      return `${fieldLabel(change.field, locale)}: ${fieldValueText(change.field, change.from, format)} → ${fieldValueText(change.field, change.to, format)}`;
    case 'status': {
      const to = statusLabel(change.to, locale, change.inHouse);
      const text = change.from
        ? ru
          ? `Статус: «${statusLabel(change.from, locale, change.inHouse)}» → «${to}»`
          : `Status: “${statusLabel(change.from, locale, change.inHouse)}” → “${to}”`
        : ru
          ? `Статус: «${to}»`
          : `Status: “${to}”`;
      return change.comment
        ? `${text}. ${ru ? 'Комментарий' : 'Comment'}: ${change.comment}`
        : text;
    }
    case 'paymentStatus': {
      const text = ru
        ? `Оплата: «${paymentStatusLabel(change.to, locale)}»`
        : `Payment: “${paymentStatusLabel(change.to, locale)}”`;
      return change.comment
        ? `${text}. ${ru ? 'Комментарий' : 'Comment'}: ${change.comment}`
        : text;
    }
    case 'offer':
      return offerText(change.offer, false, format);
    case 'offerAccepted':
      return offerText(change.offer, true, format);
    case 'offerWithdrawn':
      if (!change.agentName) return ru ? 'Предложение отозвано' : 'An offer was withdrawn';
      return ru
        ? `Агент ${change.agentName} отозвал(а) предложение`
        : `${change.agentName} withdrew their offer`;
    case 'document': {
      const kind = documentKindLabel(change.kind, locale);
      if (change.source === 'ONEC') {
        const name = change.number ? `${kind} ${change.number}` : kind;
        return ru ? `Документ «${name}» из 1С` : `Document “${name}” from 1C`;
      }
      if (change.source === 'CHAT')
        return ru
          ? `Файл из чата «${change.fileName}» добавлен как «${kind}»`
          : `File “${change.fileName}” from the chat added as “${kind}”`;
      return ru
        ? `Прикреплён файл «${change.fileName}» (${kind})`
        : `File “${change.fileName}” attached (${kind})`;
    }
    case 'documentRequested': {
      const kind = documentKindLabel(change.kind, locale);
      return ru ? `Запрошен документ в 1С: ${kind}` : `Document requested from 1C: ${kind}`;
    }
    case 'sentToOnec':
      return ru ? 'Заявка принята в 1С' : 'The request was taken into 1C';
    case 'onecStaleRefused':
      // 1C will hear of the changes through the exchange and compute again: said so, no codes.
      return change.what === 'offer'
        ? ru
          ? '1С прислал расчёт по прежним данным заявки — он не принят. 1С получит изменения и пришлёт новый расчёт'
          : '1C sent terms computed on the request’s earlier data: they were not accepted. 1C will get the changes and send new terms'
        : ru
          ? '1С прислал статус по прежним данным заявки — он не принят. 1С получит изменения и пришлёт статус заново'
          : '1C sent a status based on the request’s earlier data: it was not accepted. 1C will get the changes and send it again';
  }
}
