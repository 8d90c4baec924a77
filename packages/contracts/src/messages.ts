import type { z } from 'zod';

import type { Locale } from './enums';

/**
 * Validation messages are stored in issues as keys (see `fields.ts`) and turned into
 * words here, so the api answers in the caller's language and the Mini App shows the
 * same text as the user types.
 */
const dictionary = {
  ru: {
    required: 'Заполните это поле',
    nul_character: 'Текст содержит недопустимый символ U+0000',
    broken_character:
      'Текст содержит повреждённый символ (половину эмодзи): удалите его и введите заново',
    invalid_type: 'Неверное значение',
    invalid_value: 'Выберите значение из списка',
    one_of: 'Одно из значений: {values}',
    expected: 'Ожидается {expected}',
    greater_than: 'Должно быть больше {minimum}',
    less_than: 'Должно быть меньше {maximum}',
    too_short: 'Слишком коротко: минимум {minimum} симв.',
    too_long: 'Слишком длинно: максимум {maximum} симв.',
    too_small: 'Должно быть не меньше {minimum}',
    too_big: 'Должно быть не больше {maximum}',
    amount_format: 'Сумма: положительное число, не более двух знаков после запятой',
    amount_positive: 'Сумма должна быть больше нуля',
    currency: 'Укажите код валюты ISO 4217, например USD, EUR, CNY',
    country: 'Укажите код страны ISO 3166, например CN, AE, DE',
    swift: 'SWIFT/BIC: 8 или 11 символов, например BKCHCNBJ или DEUTDEFF500',
    iban: 'IBAN указан с ошибкой: проверьте страну, длину и контрольные цифры',
    account: 'Номер счёта: от 5 до 34 латинских букв и цифр',
    inn: 'ИНН: 10 цифр для организации или 12 для ИП, с верными контрольными цифрами',
    kpp: 'КПП: 9 знаков, например 770701001',
    kpp_required: 'Для организации (ИНН из 10 цифр) укажите КПП',
    kpp_forbidden: 'У ИП (ИНН из 12 цифр) нет КПП: оставьте поле пустым',
    date: 'Дата в формате ГГГГ-ММ-ДД',
    unrecognized_keys: 'Лишние поля: {keys}',
    telegram_id: 'Неверный идентификатор Telegram',
    telegram_user_id: 'Telegram ID — это число, например 7000000001, а не @имя пользователя',
    launch_token: 'Неверный токен запуска',
    rate: 'Курс: положительное число, не более 6 знаков после запятой',
    percent: 'Процент: от 0 до 100, не более 4 знаков после запятой',
    money: 'Число не меньше нуля, не более двух знаков после запятой',
    days: 'Срок — целое число дней от 0 до 365, например 2',
    base64: 'Файл должен быть в base64',
    guid: 'Ожидается GUID 1С (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    one_room: 'Укажите что-то одно: заявку (requestId) или чат сделки (chatId)',
  },
  en: {
    required: 'This field is required',
    nul_character: 'The text contains a character that is not allowed (U+0000)',
    broken_character:
      'The text contains a broken character (half an emoji): delete it and type it again',
    invalid_type: 'Invalid value',
    invalid_value: 'Choose a value from the list',
    one_of: 'One of: {values}',
    expected: 'Expected {expected}',
    greater_than: 'Must be greater than {minimum}',
    less_than: 'Must be less than {maximum}',
    too_short: 'Too short: at least {minimum} characters',
    too_long: 'Too long: at most {maximum} characters',
    too_small: 'Must be at least {minimum}',
    too_big: 'Must be at most {maximum}',
    amount_format: 'Amount: a positive number with at most two decimals',
    amount_positive: 'The amount must be greater than zero',
    currency: 'Enter an ISO 4217 currency code, e.g. USD, EUR, CNY',
    country: 'Enter an ISO 3166 country code, e.g. CN, AE, DE',
    swift: 'SWIFT/BIC: 8 or 11 characters, e.g. BKCHCNBJ or DEUTDEFF500',
    iban: 'The IBAN is wrong: check the country, the length and the check digits',
    account: 'Account number: 5 to 34 Latin letters and digits',
    inn: 'Tax ID (INN): 10 digits for a company or 12 for an individual, with valid check digits',
    kpp: 'KPP: 9 characters, e.g. 770701001',
    kpp_required: 'An organisation (a 10-digit INN) needs its KPP',
    kpp_forbidden: 'A sole trader (a 12-digit INN) has no KPP: leave it empty',
    date: 'A date as YYYY-MM-DD',
    unrecognized_keys: 'Unknown fields: {keys}',
    telegram_id: 'Invalid Telegram id',
    telegram_user_id: 'A Telegram ID is a number, e.g. 7000000001, not an @username',
    launch_token: 'Invalid launch token',
    rate: 'Rate: a positive number with at most 6 decimals',
    percent: 'Percent: 0 to 100 with at most 4 decimals',
    money: 'A number, zero or more, with at most two decimals',
    days: 'Settlement: a whole number of days from 0 to 365, e.g. 2',
    base64: 'The file must be base64-encoded',
    guid: 'A 1C GUID is expected (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    one_room: 'Name one of the two: the request (requestId) or the deal room (chatId)',
  },
} as const satisfies Record<Locale, Record<string, string>>;

export type MessageKey = keyof (typeof dictionary)['en'];

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(dictionary.en, value);
}

function fill(template: string, issue: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = issue[name];
    return Array.isArray(value) ? value.join(', ') : String(value ?? '');
  });
}

/** What a field of the wrong type should have been, in words. */
const expectedWords: Record<Locale, Record<string, string>> = {
  ru: {
    number: 'число',
    int: 'целое число',
    string: 'текст',
    boolean: 'true или false',
    object: 'объект JSON',
    array: 'список',
  },
  en: {
    number: 'a number',
    int: 'a whole number',
    string: 'text',
    boolean: 'true or false',
    object: 'a JSON object',
    array: 'a list',
  },
};

/** An enum short enough to name its values in the message. */
const NAMED_VALUES_MAX = 12;

/** The words for one zod issue in the given language. */
export function localizeIssue(issue: z.core.$ZodIssue, locale: Locale): string {
  const words = dictionary[locale];
  const props = issue as unknown as Record<string, unknown>;
  if (isMessageKey(issue.message)) return fill(words[issue.message], props);
  switch (issue.code) {
    case 'invalid_type': {
      // Zod's own message is the one place that says the field was absent.
      if (/received undefined$/.test(issue.message)) return words.required;
      const expected = expectedWords[locale][issue.expected];
      return expected ? fill(words.expected, { expected }) : words.invalid_type;
    }
    case 'invalid_value':
      return issue.values.length <= NAMED_VALUES_MAX
        ? fill(words.one_of, { values: issue.values.map(String) })
        : words.invalid_value;
    case 'unrecognized_keys':
      return fill(words.unrecognized_keys, props);
    case 'too_small':
      if (issue.origin === 'string') return fill(words.too_short, props);
      return fill(issue.inclusive === false ? words.greater_than : words.too_small, props);
    case 'too_big':
      if (issue.origin === 'string') return fill(words.too_long, props);
      return fill(issue.inclusive === false ? words.less_than : words.too_big, props);
    default:
      return issue.message;
  }
}

export interface LocalizedIssue {
  /** Dotted path of the field, e.g. `beneficiaryAccount` or `messages.3.text`. */
  path: string;
  message: string;
}

export function localizeIssues(
  issues: readonly z.core.$ZodIssue[],
  locale: Locale,
): LocalizedIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: localizeIssue(issue, locale),
  }));
}

/** One line a person can read: "field: message; field: message". */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[], locale: Locale): string {
  return localizeIssues(issues, locale)
    .map(({ path, message }) => (path ? `${path}: ${message}` : message))
    .join('; ');
}
