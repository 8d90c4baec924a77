import { countryCodes } from '@payreq/contracts';

/**
 * Countries by the names people type, for the form (its lazily loaded checks import this, so
 * the index stays out of the Mini App's first screen). The names come from the runtime's own
 * data (`Intl.DisplayNames`), as the form's hints do (labels.ts).
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

/** Every country's Russian and English names → its code, built on the first name typed. */
let countriesByName: Map<string, string> | null = null;

function countryNameIndex(): Map<string, string> {
  const index = new Map<string, string>();
  // A name without its brackets counts only where it names one country ("Виргинские о-ва" two).
  const bare = new Map<string, string | null>();
  const add = (name: string | undefined, code: string) => {
    if (!name || name === code) return;
    if (!index.has(nameKey(name))) index.set(nameKey(name), code);
    const short = nameKey(withoutBrackets(name));
    if (short !== nameKey(name))
      bare.set(short, bare.has(short) && bare.get(short) !== code ? null : code);
  };
  if (typeof Intl.DisplayNames === 'function') {
    for (const locale of ['ru', 'en']) {
      for (const style of ['long', 'short'] as const) {
        const names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
        for (const code of countryCodes) add(names.of(code), code);
      }
    }
  }
  for (const [code, names] of Object.entries(countryAliases)) {
    for (const name of names) add(name, code);
  }
  for (const [name, code] of bare) if (code && !index.has(name)) index.set(name, code);
  return index;
}

/**
 * "Китай", "china", "США", "Гонконг" → "CN", "US", "HK": the code of a country typed by its
 * name, in either language, so nobody has to know ISO 3166 to fill the form; null for
 * anything else (a code included: the form keeps and checks those as typed).
 */
export function countryCodeOf(text: string): string | null {
  const key = nameKey(text);
  if (key.length < 3) return null;
  countriesByName ??= countryNameIndex();
  return countriesByName.get(key) ?? null;
}
