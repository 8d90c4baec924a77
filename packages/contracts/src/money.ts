import { currencyDecimals } from './reference-data';

/** Formats an amount with the currency's own decimals and grouped digits, as the locale writes it. */
export function formatMoney(
  amount: string | number,
  currency: string,
  locale: 'ru' | 'en',
): string {
  const digits = currencyDecimals(currency);
  const formatted = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(amount));
  return `${formatted} ${currency}`;
}
