import type { Locale } from '@payreq/contracts';
import { formatMoney } from '@payreq/contracts';

/** Numbers, money and dates as people of a locale read them, in a time zone. */
export interface Formatter {
  locale: Locale;
  timeZone: string;
  /** `1 250 000,00 CNY` (ru) / `1,250,000.00 CNY` (en); a number alone without a currency. */
  money(amount: string | number, currency: string | null): string;
  /** A rate or a percentage: up to `maxDigits` decimals, grouped. */
  number(value: string | number, maxDigits?: number): string;
  /** A calendar date (`2026-12-15` → `15.12.2026`), or the date of an instant in the zone. */
  date(value: string): string;
  /** An instant in the zone, named as `FormatterOptions.nameZone` says: `15.12.2026, 23:59 МСК`. */
  dateTime(iso: string): string;
}

/** The bank's zone: a group chat has none of its own. */
export const bankTimeZone = 'Europe/Moscow';

/** How people name the bank's zone: the bot's «МСК» is what a reader reconciles with. */
const bankZoneName: Record<Locale, string> = { ru: 'МСК', en: 'Moscow time' };

export interface FormatterOptions {
  /**
   * When `dateTime` names its zone. `always` (the default): the reader's zone is unknown (a
   * group chat, a notification, an export), so the time says whose it is. `unlessMoscowTime`:
   * a screen in the reader's own zone names it only when its clock differs from Moscow's at
   * that instant, so a Moscow reader sees no noise and anyone else can match the bot's «МСК».
   */
  nameZone?: 'always' | 'unlessMoscowTime';
}

export function createFormatter(
  locale: Locale,
  timeZone = bankTimeZone,
  options: FormatterOptions = {},
): Formatter {
  const nameZone = options.nameZone ?? 'always';
  const tag = locale === 'ru' ? 'ru-RU' : 'en-GB';
  const dateFormat = new Intl.DateTimeFormat(tag, {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
  const dateTimeOptions: Intl.DateTimeFormatOptions = {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  };
  const dateTimeFormat = new Intl.DateTimeFormat(tag, { ...dateTimeOptions, timeZone });
  const moscowFormat =
    timeZone === bankTimeZone
      ? dateTimeFormat
      : new Intl.DateTimeFormat(tag, { ...dateTimeOptions, timeZone: bankTimeZone });
  const zoneNameFormat = new Intl.DateTimeFormat(tag, { timeZone, timeZoneName: 'short' });
  // «UTC», «GMT+7», «CET»: the zone's short name at the instant (summer time included).
  const zoneName = (at: Date) =>
    timeZone === bankTimeZone
      ? bankZoneName[locale]
      : (zoneNameFormat.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ??
        timeZone);
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let format = numberFormats.get(digits);
    if (!format) {
      format = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', {
        maximumFractionDigits: digits,
      });
      numberFormats.set(digits, format);
    }
    return format;
  };
  // An amount whose currency is not known here: two decimals, as money is written.
  const plainMoney = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return {
    locale,
    timeZone,
    money: (amount, currency) =>
      currency ? formatMoney(amount, currency, locale) : plainMoney.format(Number(amount)),
    number: (value, maxDigits = 6) => numberFormat(maxDigits).format(Number(value)),
    date: (value) => {
      // A bare calendar date has no time zone: shown as it is.
      const bare = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      if (bare)
        return locale === 'ru'
          ? `${bare[3]}.${bare[2]}.${bare[1]}`
          : `${bare[3]}/${bare[2]}/${bare[1]}`;
      return dateFormat.format(new Date(value));
    },
    dateTime: (iso) => {
      const at = new Date(iso);
      const text = dateTimeFormat.format(at);
      // The same wall clock as Moscow's (Moscow itself, Minsk, Istanbul): nothing to reconcile.
      if (nameZone === 'unlessMoscowTime' && text === moscowFormat.format(at)) return text;
      return `${text} ${zoneName(at)}`;
    },
  };
}
