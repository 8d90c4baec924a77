import type { DeliveryFailure, DeliveryFailureReason, Locale } from '@payreq/contracts';

/**
 * Why a message to 1C or to Telegram is not delivered, in the words of the bank's operators who
 * read the portal's list of undelivered messages. The technical line stays beside it, as logged,
 * for the engineers they take it to.
 */

type Receiver = 'ONEC' | 'TELEGRAM';

/** `{status}` is the receiver's HTTP status, said only when it answered one. */
type ReasonWords = Record<DeliveryFailureReason, string>;

const words: Record<Locale, Record<Receiver, ReasonWords>> = {
  ru: {
    ONEC: {
      unreachable: '1С недоступен: соединиться не удалось',
      timeout: '1С не ответил вовремя',
      unavailable: '1С ответил ошибкой сервера{status}',
      rateLimited: '1С попросил подождать: слишком много запросов',
      refused: '1С отказался принять сообщение{status}',
      forbidden: '1С не принял учётные данные платформы{status}',
      invalid: 'Ответ 1С или само сообщение не соответствует договору обмена',
      gone: 'Заявки, о которой это сообщение, больше нет',
      waitsForEarlier: 'Ждёт, пока 1С примет саму заявку: её создание ещё не доставлено',
      outcomeUnknown: 'Неизвестно, дошло ли сообщение: ответ 1С потерян',
      internal: 'Сбой на стороне платформы',
    },
    TELEGRAM: {
      unreachable: 'Telegram недоступен: соединиться не удалось',
      timeout: 'Telegram не ответил вовремя',
      unavailable: 'Telegram ответил ошибкой сервера{status}',
      rateLimited: 'Telegram попросил подождать: слишком много сообщений',
      refused: 'Telegram отказался принять сообщение{status}',
      forbidden: 'Бот не может писать в этот чат: его удалили из группы или заблокировали',
      invalid: 'Сообщение не соответствует договору обмена',
      gone: 'Заявки или документа, о которых это сообщение, больше нет',
      waitsForEarlier: 'Ждёт доставки предыдущего сообщения',
      outcomeUnknown:
        'Неизвестно, дошло ли сообщение: ответ Telegram потерян. Проверьте чат, прежде чем отправить снова',
      internal: 'Сбой на стороне платформы',
    },
  },
  en: {
    ONEC: {
      unreachable: '1C is unreachable: could not connect',
      timeout: '1C did not answer in time',
      unavailable: '1C answered with a server error{status}',
      rateLimited: '1C asked to wait: too many requests',
      refused: '1C refused the message{status}',
      forbidden: '1C did not accept the platform’s credentials{status}',
      invalid: '1C’s answer or the message itself does not match the exchange contract',
      gone: 'The request this message is about no longer exists',
      waitsForEarlier: 'Waits for 1C to take the request itself: its creation is not delivered yet',
      outcomeUnknown: 'Unknown whether the message arrived: 1C’s answer was lost',
      internal: 'A fault on the platform’s side',
    },
    TELEGRAM: {
      unreachable: 'Telegram is unreachable: could not connect',
      timeout: 'Telegram did not answer in time',
      unavailable: 'Telegram answered with a server error{status}',
      rateLimited: 'Telegram asked to wait: too many messages',
      refused: 'Telegram refused the message{status}',
      forbidden: 'The bot may not write in this chat: it was removed from the group or blocked',
      invalid: 'The message does not match the exchange contract',
      gone: 'The request or document this message is about no longer exists',
      waitsForEarlier: 'Waits for an earlier message to be delivered',
      outcomeUnknown:
        'Unknown whether the message arrived: Telegram’s answer was lost. Check the chat before sending it again',
      internal: 'A fault on the platform’s side',
    },
  },
};

const unsaid: Record<Locale, string> = {
  ru: 'Сообщение не доставлено',
  en: 'The message was not delivered',
};

const detailWord: Record<Locale, string> = {
  ru: 'Для инженеров',
  en: 'For the engineers',
};

const statusWord: Record<Locale, string> = { ru: 'ответ', en: 'answer' };

export interface DeliveryFailureText {
  /** Why, in the operator's words. */
  summary: string;
  /** The logged line, labelled as the engineers' (it is in English, as logged). */
  detail: string;
}

/** What the portal says about a message that 1C or Telegram has not taken. */
export function deliveryFailureText(
  failure: DeliveryFailure,
  receiver: Receiver,
  locale: Locale,
): DeliveryFailureText {
  // 1C answering 401 or 403 is a wrong login or password of the platform, not a refused message.
  const reason =
    receiver === 'ONEC' &&
    failure.reason === 'refused' &&
    (failure.status === 401 || failure.status === 403)
      ? 'forbidden'
      : failure.reason;
  const status = failure.status === null ? '' : ` (${statusWord[locale]} ${failure.status})`;
  return {
    summary:
      reason === null
        ? unsaid[locale]
        : words[locale][receiver][reason].replace('{status}', status),
    detail: `${detailWord[locale]}: ${failure.detail}`,
  };
}
