import { countryCodes, currencyCodes, isCurrencyCode } from '@payreq/contracts';

/**
 * Countries and currencies by the names people type, for the form (its lazily loaded checks
 * import this, so the indexes stay out of the Mini App's first screen). The names come from the
 * runtime's own data (`Intl.DisplayNames`, `Intl.NumberFormat`), as the form's hints do
 * (labels.ts), with the few people write that it has not.
 */

/** A name as people type it: case, accents, "ё", "&" and spaces aside. */
function nameKey(text: string): string {
  return text
    .toLocaleLowerCase('ru')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s*&\s*/g, ' and ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "Гонконг (САР)" → "Гонконг": how people write a name the runtime gives a tail in brackets. */
const withoutBrackets = (name: string) => name.replace(/\s*\(.*\)\s*$/, '');

/**
 * Names → codes. Every whole name counts (the first code to claim it keeps it); a shorter form
 * of one (`shorter`: without its brackets, one of its words) counts where it names one code only;
 * an alias decides over both.
 */
function indexOfNames(
  named: Iterable<readonly [name: string | undefined, code: string]>,
  shorter: (key: string) => readonly string[],
  aliases: Record<string, readonly string[]>,
): Map<string, string> {
  const index = new Map<string, string>();
  const shortForms = new Map<string, string | null>();
  for (const [name, code] of named) {
    if (!name || name === code) continue;
    const key = nameKey(name);
    if (!index.has(key)) index.set(key, code);
    for (const form of shorter(key)) {
      if (form === key) continue;
      shortForms.set(form, shortForms.has(form) && shortForms.get(form) !== code ? null : code);
    }
  }
  for (const [code, names] of Object.entries(aliases)) {
    for (const name of names) index.set(nameKey(name), code);
  }
  for (const [form, code] of shortForms) if (code && !index.has(form)) index.set(form, code);
  return index;
}

/** Names people write that the runtime's long and short names leave out. */
const countryAliases: Record<string, readonly string[]> = {
  AE: ['Объединённые Арабские Эмираты', 'UAE'],
  CN: ['КНР', 'PRC'],
  GB: ['Соединённое Королевство', 'Great Britain'],
  KP: ['Северная Корея'],
  KR: ['Южная Корея'],
  TR: ['Turkey'],
  US: ['Соединённые Штаты Америки', 'USA', 'United States of America'],
};

/** Every country's long and short names in Russian and English, from the runtime. */
function* countryNames(): Generator<readonly [string | undefined, string]> {
  if (typeof Intl.DisplayNames !== 'function') return;
  for (const locale of ['ru', 'en']) {
    for (const style of ['long', 'short'] as const) {
      const names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
      for (const code of countryCodes) yield [names.of(code), code];
    }
  }
}

/** The countries' index, built on the first name typed. */
let countriesByName: Map<string, string> | null = null;

/**
 * "Китай", "china", "США", "Гонконг" → "CN", "US", "HK": the code of a country typed by its
 * name, in either language, so nobody has to know ISO 3166 to fill the form; null for
 * anything else (a code included: the form keeps and checks those as typed). Without its
 * brackets a name counts only where it names one country ("Виргинские о-ва" is two).
 */
export function countryCodeOf(text: string): string | null {
  const key = nameKey(text);
  if (key.length < 3) return null;
  countriesByName ??= indexOfNames(
    countryNames(),
    (name) => [withoutBrackets(name)],
    countryAliases,
  );
  return countriesByName.get(key) ?? null;
}

/**
 * What people call a currency that the runtime's names leave out, or leave ambiguous: in a
 * Russian bank "доллар" is the US dollar and "фунт" the pound sterling, though other countries
 * have dollars and pounds too.
 */
const currencyAliases: Record<string, readonly string[]> = {
  USD: ['доллар', 'доллары', 'долларов', 'американский доллар', 'dollar', 'dollars', '$'],
  EUR: ['€'],
  RUB: ['рубль', 'рубли', 'рублей', 'ruble', 'rubles', 'rouble', 'roubles', '₽'],
  CNY: ['юань', 'юани', 'юаней', 'жэньминьби', 'yuan', 'renminbi', 'RMB'],
  GBP: ['фунт', 'фунты', 'фунтов', 'фунт стерлингов', 'pound', 'pounds', 'sterling', '£'],
  CHF: ['франк', 'франки', 'франков', 'franc', 'francs'],
  AED: ['дирхам', 'дирхамы', 'дирхамов', 'dirham', 'dirhams'],
  TRY: ['лира', 'лиры', 'лир', 'lira'],
  INR: ['рупия', 'рупии', 'рупий', 'rupee', 'rupees'],
  JPY: ['йена', 'йены', 'йен'],
  KRW: ['вона', 'воны', 'вон', 'won'],
};

/**
 * Every currency's names in Russian and English, from the runtime: as named ("доллар США") and
 * as counted ("2 доллара США", "5 китайских юаней", "US dollars").
 */
function* currencyNames(): Generator<readonly [string | undefined, string]> {
  if (typeof Intl.DisplayNames !== 'function') return;
  for (const locale of ['ru', 'en']) {
    const names = new Intl.DisplayNames([locale], { type: 'currency', fallback: 'none' });
    for (const code of currencyCodes) {
      yield [names.of(code), code];
      for (const count of [1, 2, 5]) {
        const parts = new Intl.NumberFormat(locale, {
          style: 'currency',
          currency: code,
          currencyDisplay: 'name',
          maximumFractionDigits: 0,
        }).formatToParts(count);
        yield [parts.find((part) => part.type === 'currency')?.value, code];
      }
    }
  }
}

/** The currencies' index, built on the first name typed. */
let currenciesByName: Map<string, string> | null = null;

/** A name's words that may name a currency alone ("юань", "тенге"; "доллар" names many). */
const wordsOf = (name: string) => name.split(' ').filter((word) => word.length >= 3);

/**
 * "юань", "доллар США", "евро", "€" → "CNY", "USD", "EUR": the code of a currency typed by its
 * name, in either language; null for anything else (a code included: the form keeps and checks
 * those as typed).
 */
export function currencyCodeOf(text: string): string | null {
  const key = nameKey(text);
  if (key === '' || isCurrencyCode(key.toUpperCase())) return null;
  currenciesByName ??= indexOfNames(currencyNames(), wordsOf, currencyAliases);
  return currenciesByName.get(key) ?? null;
}
