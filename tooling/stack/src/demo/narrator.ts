/** A line in both languages; the demo prints Russian first (the bank's), English on request. */
export interface Words {
  ru: string;
  en: string;
}

export const t = (ru: string, en: string): Words => ({ ru, en });

/**
 * `ru` (Russian only), `en` (English only), or `both`: each step's headline in Russian with the
 * English under it in parentheses, its checked outcomes (mostly names and numbers) in Russian.
 */
export type Lang = 'ru' | 'en' | 'both';

/** Prints the demo's story: a short line per step, then each checked outcome. */
export class Narrator {
  readonly lines: string[] = [];
  private stepStarted = 0;

  constructor(
    readonly lang: Lang,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  private say(line: string): void {
    this.lines.push(line);
    this.write(line);
  }

  /** One line: Russian (English) in `both`. */
  words(words: Words): string {
    if (this.lang === 'ru') return words.ru;
    if (this.lang === 'en') return words.en;
    return words.ru === words.en ? words.ru : `${words.ru} (${words.en})`;
  }

  title(words: Words): void {
    this.say('');
    this.say(this.words(words));
    this.say('');
  }

  /** A plain line (indented), e.g. what was started where. */
  info(words: Words, indent = 2): void {
    this.say(`${' '.repeat(indent)}${this.words(words)}`);
  }

  /** A line of detail: in `both`, only its Russian. */
  detail(words: Words, indent = 2): void {
    this.say(`${' '.repeat(indent)}${this.lang === 'en' ? words.en : words.ru}`);
  }

  /** The step's headline: in `both`, Russian on its line and the English under it. */
  step(number: number, words: Words): void {
    this.stepStarted = Date.now();
    const head = `${String(number).padStart(2)}. `;
    if (this.lang === 'both') {
      this.say(`${head}${words.ru}`);
      this.say(`    (${words.en})`);
    } else {
      this.say(`${head}${this.words(words)}`);
    }
  }

  /** An outcome that was checked. */
  ok(words: Words): void {
    this.detail(t(`✓ ${words.ru}`, `✓ ${words.en}`), 4);
  }

  /** The step is done: how long it took. */
  done(): void {
    const seconds = ((Date.now() - this.stepStarted) / 1000).toFixed(1);
    this.say(this.lang === 'en' ? `    ${seconds} s` : `    ${seconds.replace('.', ',')} с`);
  }

  fail(words: Words): void {
    this.detail(t(`✗ ${words.ru}`, `✗ ${words.en}`), 4);
  }

  blank(): void {
    this.say('');
  }
}

/** A decimal string as each language writes it: `1 250 000,00` / `1,250,000.00`. */
export function num(value: string | number | null, digits?: number): Words {
  const format = (locale: string) =>
    value === null
      ? '—'
      : new Intl.NumberFormat(locale, {
          minimumFractionDigits: digits ?? 0,
          maximumFractionDigits: digits ?? 6,
        }).format(Number(value));
  // Intl writes Russian groups with a no-break space: a plain one reads the same in a terminal.
  return { ru: format('ru-RU').replace(/\u00a0/g, ' '), en: format('en-GB') };
}
