import { StringDecoder } from 'node:string_decoder';

/** What a Telegram Desktop export yields as it streams in: the chat's type and id, then each message. */
export type ExportItem =
  | { kind: 'chatType'; value: unknown }
  | { kind: 'chatId'; value: unknown }
  | { kind: 'message'; value: unknown };

/** The file is not one JSON object of the expected shape; `message` says where it went wrong. */
export class ExportSyntaxError extends Error {
  override readonly name = 'ExportSyntaxError';
}

const enum State {
  Start,
  KeyOrClose,
  Key,
  KeyString,
  Colon,
  Value,
  MessagesOpen,
  ElementOrClose,
  Element,
  AfterValue,
  End,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Splits a Telegram Desktop export (`result.json`, one object with `messages: [...]`) as it
 * streams in, yielding the top-level `type` and `id` and each element of `messages`, each parsed by
 * `JSON.parse`. Only the skeleton is scanned here (the top-level object, its keys, colons and
 * commas, and the array's commas), tracking strings and nesting to find where each value ends;
 * every other top-level value is parsed too and dropped, so a file a JSON parser would refuse
 * is refused. Nothing is held but the value being read: at most `maxValueChars` characters.
 *
 * Why by hand: a token-by-token streaming parser spent most of the import's time (see
 * bench/RESULTS.md); scanning for value boundaries and leaving the parsing to `JSON.parse`
 * does the same work several times faster.
 */
export async function* splitTelegramExport(
  source: AsyncIterable<Buffer | string>,
  options: { maxValueChars: number },
): AsyncGenerator<ExportItem> {
  const decoder = new StringDecoder('utf8');
  let state: State = State.Start;
  let key = '';
  let keyParts: string[] = [];
  let keyStart = 0;
  // The value being captured: its earlier pieces, where it starts in this chunk, its size.
  let parts: string[] = [];
  let partsLength = 0;
  let valueStart = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elements = 0;
  let offset = 0;

  const fail = (why: string, at: number): never => {
    throw new ExportSyntaxError(`${why} (at character ${offset + at})`);
  };
  const take = (text: string, end: number): string => {
    const piece = text.slice(valueStart, end);
    const whole = parts.length ? parts.join('') + piece : piece;
    parts = [];
    partsLength = 0;
    return whole;
  };
  const parse = (raw: string, what: string, at: number): unknown => {
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      return fail(`${what}: ${(error as Error).message}`, at);
    }
  };

  // A plain function (not a generator): the per-character loop stays fast.
  const scan = (text: string, out: ExportItem[]): void => {
    valueStart = 0;
    keyStart = 0;
    let backslashAt = -2;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      switch (state) {
        case State.Value:
        case State.Element: {
          if (inString) {
            if (escaped) {
              escaped = false;
              continue;
            }
            // Jump to the next quote or backslash: most of an export is text inside strings.
            let j = i;
            for (;;) {
              const q = text.indexOf('"', j);
              // The next backslash is looked up again only once it is behind us (-1: none left).
              if (backslashAt !== -1 && backslashAt < j) backslashAt = text.indexOf('\\', j);
              const b = backslashAt;
              if (b !== -1 && (q === -1 || b < q)) {
                // A backslash escapes the next character, which may be in the next chunk.
                if (b + 1 >= text.length) {
                  escaped = true;
                  i = b;
                  break;
                }
                j = b + 2;
                continue;
              }
              if (q === -1) {
                i = text.length - 1;
                break;
              }
              inString = false;
              i = q;
              break;
            }
            continue;
          }
          if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
          else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) depth -= 1;
          else if (depth === 0) {
            if (state === State.Value && (c === COMMA || c === CLOSE_BRACE)) {
              const value = parse(take(text, i), `the value of "${key}"`, i);
              if (key === 'id') out.push({ kind: 'chatId', value });
              else if (key === 'type') out.push({ kind: 'chatType', value });
              state = c === COMMA ? State.Key : State.End;
            } else if (state === State.Element && (c === COMMA || c === CLOSE_BRACKET)) {
              elements += 1;
              out.push({ kind: 'message', value: parse(take(text, i), `message ${elements}`, i) });
              state = c === COMMA ? State.Element : State.AfterValue;
              if (c === COMMA) {
                // The next element starts after the comma (whitespace is fine for JSON.parse).
                valueStart = i + 1;
              }
            }
          }
          continue;
        }
        case State.KeyString: {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            const raw = keyParts.join('') + text.slice(keyStart, i + 1);
            keyParts = [];
            key = parse(raw, 'a key of the export', i) as string;
            state = State.Colon;
          }
          continue;
        }
        default:
          break;
      }
      if (isSpace(c)) continue;
      switch (state) {
        case State.Start:
          if (c === 0xfeff) break; // a byte-order mark some editors write
          if (c !== OPEN_BRACE) fail('the export is not a JSON object', i);
          state = State.KeyOrClose;
          break;
        case State.KeyOrClose:
        case State.Key:
          if (c === CLOSE_BRACE && state === State.KeyOrClose) state = State.End;
          else if (c === QUOTE) {
            state = State.KeyString;
            keyStart = i;
          } else fail('a key was expected', i);
          break;
        case State.Colon:
          if (c !== COLON) fail(`a colon was expected after "${key}"`, i);
          if (key === 'messages') state = State.MessagesOpen;
          else {
            state = State.Value;
            valueStart = i + 1;
            depth = 0;
          }
          break;
        case State.MessagesOpen:
          if (c !== OPEN_BRACKET) fail('"messages" is not a list', i);
          state = State.ElementOrClose;
          break;
        case State.ElementOrClose:
          if (c === CLOSE_BRACKET) state = State.AfterValue;
          else {
            // The first element starts here; scan this character as part of it.
            state = State.Element;
            valueStart = i;
            depth = 0;
            i -= 1;
          }
          break;
        case State.AfterValue:
          if (c === COMMA) state = State.Key;
          else if (c === CLOSE_BRACE) state = State.End;
          else fail('a comma or the end of the export was expected', i);
          break;
        case State.End:
          fail('the export goes on after its end', i);
          break;
        default:
          break;
      }
    }
    // Keep the unfinished value or key for the next chunk.
    if (state === State.Value || state === State.Element) {
      const piece = text.slice(valueStart);
      parts.push(piece);
      partsLength += piece.length;
      if (partsLength > options.maxValueChars)
        fail(
          state === State.Element
            ? `message ${elements + 1} is larger than ${options.maxValueChars} characters`
            : `the value of "${key}" is larger than ${options.maxValueChars} characters`,
          text.length,
        );
    } else if (state === State.KeyString) {
      keyParts.push(text.slice(keyStart));
      if (keyParts.reduce((n, p) => n + p.length, 0) > 1_000)
        fail('a key of the export is too long', text.length);
    }
  };

  const out: ExportItem[] = [];
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    scan(text, out);
    offset += text.length;
    yield* out;
    out.length = 0;
  }
  scan(decoder.end(), out);
  yield* out;
  if ((state as State) !== State.End) fail('the export ends before it is complete', 0);
}
