import type { ErrorCode, Locale } from '@payreq/contracts';

/** A value in the words: the same in both languages, or worded per language (field labels). */
type Params = Record<string, string | number | Record<Locale, string>>;

const texts: Record<string, { ru: string; en: string }> = {
  TRANSITION_NOT_ALLOWED: {
    ru: 'Нельзя перевести заявку из статуса «{from}» в «{to}»',
    en: 'A request cannot move from {from} to {to}',
  },
  TRANSITION_ROLE: {
    ru: 'Перевод «{from}» → «{to}» может сделать только: {roles}',
    en: 'Only {roles} may move a request from {from} to {to}',
  },
  PAYMENT_TRANSITION_NOT_ALLOWED: {
    ru: 'Нельзя сменить статус оплаты с «{from}» на «{to}»',
    en: 'The payment status cannot change from {from} to {to}',
  },
  PAYMENT_TRANSITION_ROLE: {
    ru: 'Статус оплаты «{to}» может поставить только: {roles}',
    en: 'Only {roles} may set the payment status {to}',
  },
  PAYMENT_NOT_OPEN: {
    ru: 'Статус оплаты меняется только после принятия предложения (сейчас «{status}»)',
    en: 'The payment status changes only after an offer is accepted (now {status})',
  },
  PAYOUT_NOT_DONE: {
    ru: 'Заявку можно завершить только после выплаты',
    en: 'A request can be completed only after the payout is done',
  },
  READ_ONLY: {
    ru: 'Поля заявки нельзя менять в статусе «{status}»',
    en: 'The request fields are read-only in status {status}',
  },
  INCOMPLETE_REQUEST: {
    ru: 'Заполните обязательные поля: {fields}',
    en: 'Fill in the required fields: {fields}',
  },
  FORBIDDEN: {
    ru: 'Недостаточно прав: {action}',
    en: 'Not allowed: {action}',
  },
  OFFER_NOT_OPEN: {
    ru: 'Предложения принимаются только в статусе «Сбор предложений»',
    en: 'Offers are taken only while the request is collecting offers',
  },
  OFFER_DEADLINE_PASSED: {
    ru: 'Срок приёма предложений истёк',
    en: 'The offers deadline has passed',
  },
  OFFER_NOT_LINKED_AGENT: {
    ru: 'Предложение по этой заявке может дать только закреплённый агент',
    en: 'Only the linked agent may make an offer on this request',
  },
  OFFER_NOT_FROM_ONEC: {
    ru: 'По заявкам платформы предложения делают агенты, а не 1С',
    en: 'Offers on the platform’s requests come from agents, not from 1C',
  },
  OFFER_NOT_OWN: {
    ru: 'Отозвать можно только своё предложение',
    en: 'You can withdraw only your own offer',
  },
  OFFER_NOT_PENDING: {
    ru: 'Это предложение уже не действует',
    en: 'This offer is no longer open',
  },
  OFFER_VALID_UNTIL_PAST: {
    ru: 'Срок «Действует до» уже прошёл: укажите время в будущем или оставьте поле пустым',
    en: '“Valid until” has already passed: give a time in the future or leave it empty',
  },
  OFFER_EXPIRED: {
    ru: 'Срок действия этого предложения истёк: попросите агента прислать новое',
    en: 'This offer has expired: ask the agent for a new one',
  },
  OFFER_PRICED_FOR_OTHER_AMOUNT: {
    ru: 'Предложение рассчитано на {priced}, а в заявке теперь {current}: агенту нужно обновить предложение',
    en: 'The offer was priced for {priced}, but the request is now for {current}: the agent needs to update the offer',
  },
  OFFER_PRICED_FOR_OTHER_TERMS: {
    ru: 'Предложение рассчитано до изменения заявки (изменены поля: {fields}): агенту нужно обновить предложение',
    en: 'The offer was priced before the request changed (fields changed since: {fields}): the agent needs to update the offer',
  },
  DEADLINE_TOO_SOON: {
    ru: 'Срок приёма предложений должен быть не раньше чем через час',
    en: 'The offers deadline must be at least an hour ahead',
  },
  DEADLINE_MISSING: {
    ru: 'Укажите срок приёма предложений',
    en: 'Set the offers deadline',
  },
  ONEC_VERSION_STALE: {
    ru: 'Расчёт сделан по версии заявки {version}, а её данные изменились (сейчас версия {current}): получите изменения и пересчитайте',
    en: 'Computed on version {version} of the request, but its fields have changed since (now version {current}): take the updates and compute again',
  },
  ONEC_VERSION_UNKNOWN: {
    ru: 'У заявки не было версии {version} (сейчас {current})',
    en: 'The request never had version {version} (now {current})',
  },
  PIPELINE_INVALID: {
    ru: 'Заявка из Telegram должна быть привязана к чату',
    en: 'A Telegram request must be bound to a chat',
  },
};

/**
 * A broken business rule. Carries a stable code for machines and words for people in
 * both languages; every entry point maps it to its own error answer.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: keyof typeof texts | string,
    readonly params: Params = {},
    /** The input field the rule is about (`offersDeadline`), so a form can show it there. */
    readonly field?: string,
  ) {
    super(describe(reason, params, 'en'));
    this.name = 'DomainError';
  }

  describe(locale: Locale): string {
    return describe(this.reason, this.params, locale);
  }
}

function describe(reason: string, params: Params, locale: Locale): string {
  const template = texts[reason]?.[locale] ?? reason;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name] ?? '';
    return typeof value === 'object' ? value[locale] : String(value);
  });
}
