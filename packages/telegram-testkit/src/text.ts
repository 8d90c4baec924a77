import type { MessageEntity } from './bot-api-types';
import { badRequest } from './errors';

/**
 * Text formatting the way the Bot API applies it: `parse_mode` (HTML, MarkdownV2, legacy
 * Markdown) is turned into plain text + entities, parse errors are answered with
 * "Bad Request: can't parse entities: ...", and urls/mentions/commands/hashtags/emails are
 * detected automatically. Offsets and lengths are in UTF-16 code units, like Telegram's.
 */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

export function formatText(
  raw: string,
  parseMode: string | undefined,
  explicitEntities?: MessageEntity[],
): FormattedText {
  let parsed: FormattedText;
  if (explicitEntities && explicitEntities.length > 0) {
    parsed = { text: raw, entities: explicitEntities.map((e) => ({ ...e })) };
  } else {
    const mode = (parseMode ?? '').trim().toLowerCase();
    if (mode === '') parsed = { text: raw, entities: [] };
    else if (mode === 'html') parsed = parseHtml(raw);
    else if (mode === 'markdownv2') parsed = parseMarkdownV2(raw);
    else if (mode === 'markdown') parsed = parseLegacyMarkdown(raw);
    else throw badRequest(`unsupported parse_mode`);
  }
  const entities = [...parsed.entities, ...detectEntities(parsed.text, parsed.entities)];
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: parsed.text, entities };
}

function parseError(message: string): Error {
  return badRequest(`can't parse entities: ${message}`);
}

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), 'utf8');
}

// ---------------------------------------------------------------- HTML

interface OpenTag {
  tag: string;
  type: string | undefined;
  start: number;
  url?: string;
  language?: string;
  customEmojiId?: string;
}

const HTML_TAGS: Record<string, string | undefined> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const re = /([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  for (const m of source.matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    attributes.set(name, decodeHtmlEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attributes;
}

function decodeHtmlEntities(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, name: string) =>
    decodeEntity(name),
  );
}

function decodeEntity(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    default:
      return String.fromCodePoint(
        name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10),
      );
  }
}

export function parseHtml(source: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '<') {
      const end = source.indexOf('>', i);
      if (end < 0) throw parseError(`Unclosed start tag at byte offset ${byteOffset(source, i)}`);
      const inner = source.slice(i + 1, end);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const top = stack.pop();
        if (!top) throw parseError(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
        if (name !== '' && name !== top.tag) {
          throw parseError(
            `Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${top.tag}>", found "</${name}>"`,
          );
        }
        closeHtmlTag(top, out.length, entities, stack);
      } else {
        const nameMatch = /^[a-zA-Z0-9-]*/.exec(inner);
        const name = (nameMatch?.[0] ?? '').toLowerCase();
        if (!(name in HTML_TAGS)) {
          throw parseError(
            `Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`,
          );
        }
        const attributes = parseAttributes(inner.slice(name.length));
        const open: OpenTag = { tag: name, type: HTML_TAGS[name], start: out.length };
        if (name === 'span' && attributes.get('class') !== 'tg-spoiler') {
          throw parseError(
            `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(source, i)}`,
          );
        }
        if (name === 'a') {
          const href = attributes.get('href');
          if (href === undefined || href === '') open.type = undefined;
          else open.url = normalizeLinkUrl(href);
        }
        if (name === 'blockquote' && attributes.has('expandable'))
          open.type = 'expandable_blockquote';
        if (name === 'tg-emoji') {
          const id = attributes.get('emoji-id');
          if (!id)
            throw parseError(`Custom emoji entity must contain a valid custom emoji identifier`);
          open.customEmojiId = id;
        }
        if (name === 'code') {
          const language = /^language-(.+)$/.exec(attributes.get('class') ?? '')?.[1];
          if (language !== undefined) open.language = language;
        }
        stack.push(open);
      }
      i = end + 1;
      continue;
    }
    if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(source.slice(i, i + 12));
      if (m) {
        out += decodeEntity(m[1] ?? '');
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  const unclosed = stack.pop();
  if (unclosed) throw parseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities };
}

function closeHtmlTag(
  tag: OpenTag,
  end: number,
  entities: MessageEntity[],
  stack: OpenTag[],
): void {
  const length = end - tag.start;
  if (tag.type === undefined || length <= 0) return;
  if (tag.type === 'code' && stack.some((t) => t.tag === 'pre')) {
    // <pre><code class="language-x">: the language goes to the enclosing pre entity.
    const pre = stack.findLast((t) => t.tag === 'pre');
    if (pre && tag.language !== undefined) pre.language = tag.language;
    return;
  }
  const entity: MessageEntity = { type: tag.type, offset: tag.start, length };
  if (tag.url !== undefined) entity.url = tag.url;
  if (tag.type === 'pre' && tag.language !== undefined) entity.language = tag.language;
  if (tag.customEmojiId !== undefined) entity.custom_emoji_id = tag.customEmojiId;
  entities.push(entity);
}

function normalizeLinkUrl(href: string): string {
  try {
    return new URL(href).toString();
  } catch {
    return href;
  }
}

// ---------------------------------------------------------------- MarkdownV2

const MDV2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

interface MdOpen {
  type: string;
  name: string;
  start: number;
  sourceIndex: number;
}

/**
 * MarkdownV2 text from `from` up to `closer` (code, pre, a link's URL): the text with its
 * escapes undone, the index past the closer, and whether the closer was found.
 */
function readEscapedUntil(
  source: string,
  from: number,
  closer: string,
): { text: string; end: number; closed: boolean } {
  let text = '';
  let j = from;
  while (j < source.length) {
    if (source[j] === '\\' && j + 1 < source.length) {
      text += source[j + 1];
      j += 2;
      continue;
    }
    if (source.startsWith(closer, j)) return { text, end: j + closer.length, closed: true };
    text += source[j];
    j += 1;
  }
  return { text, end: j, closed: false };
}

export function parseMarkdownV2(source: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: MdOpen[] = [];
  let i = 0;
  let blockquoteStart: number | undefined;

  const toggle = (type: string, name: string, tokenLength: number): void => {
    const top = stack[stack.length - 1];
    if (top && top.type === type) {
      stack.pop();
      if (out.length > top.start)
        entities.push({ type, offset: top.start, length: out.length - top.start });
    } else if (stack.some((s) => s.type === type)) {
      const inner = stack[stack.length - 1];
      throw parseError(
        `Can't find end of ${inner?.name ?? name} entity at byte offset ${byteOffset(source, inner?.sourceIndex ?? i)}`,
      );
    } else {
      stack.push({ type, name, start: out.length, sourceIndex: i });
    }
    i += tokenLength;
  };

  while (i < source.length) {
    const c = source[i] ?? '';
    const atLineStart = i === 0 || source[i - 1] === '\n';
    if (atLineStart && blockquoteStart !== undefined && c !== '>') {
      if (out.length > blockquoteStart) {
        const length = out.endsWith('\n')
          ? out.length - 1 - blockquoteStart
          : out.length - blockquoteStart;
        entities.push({ type: 'blockquote', offset: blockquoteStart, length });
      }
      blockquoteStart = undefined;
    }
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || next.charCodeAt(0) > 126) {
        throw parseError(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      }
      out += next;
      i += 2;
      continue;
    }
    if (c === '>' && atLineStart) {
      if (blockquoteStart === undefined) blockquoteStart = out.length;
      i += 1;
      continue;
    }
    if (c === '`') {
      if (source.startsWith('```', i)) {
        let j = i + 3;
        const lineEnd = source.indexOf('\n', j);
        let language: string | undefined;
        const firstLine = lineEnd >= 0 ? source.slice(j, lineEnd) : '';
        if (lineEnd >= 0 && firstLine !== '' && !/\s|`/.test(firstLine)) {
          language = firstLine;
          j = lineEnd + 1;
        } else if (lineEnd === j) {
          j = lineEnd + 1;
        }
        const start = out.length;
        const body = readEscapedUntil(source, j, '```');
        if (!body.closed)
          throw parseError(`Can't find end of Pre entity at byte offset ${byteOffset(source, i)}`);
        out += body.text;
        if (out.length > start) {
          const entity: MessageEntity = { type: 'pre', offset: start, length: out.length - start };
          if (language !== undefined) entity.language = language;
          entities.push(entity);
        }
        i = body.end;
        continue;
      }
      const start = out.length;
      const body = readEscapedUntil(source, i + 1, '`');
      if (!body.closed)
        throw parseError(`Can't find end of Code entity at byte offset ${byteOffset(source, i)}`);
      out += body.text;
      if (out.length > start)
        entities.push({ type: 'code', offset: start, length: out.length - start });
      i = body.end;
      continue;
    }
    if (c === '*') {
      toggle('bold', 'Bold', 1);
      continue;
    }
    if (c === '_') {
      if (source[i + 1] === '_') toggle('underline', 'Underline', 2);
      else toggle('italic', 'Italic', 1);
      continue;
    }
    if (c === '~') {
      toggle('strikethrough', 'Strikethrough', 1);
      continue;
    }
    if (c === '|' && source[i + 1] === '|') {
      toggle('spoiler', 'Spoiler', 2);
      continue;
    }
    if (c === '[' || (c === '!' && source[i + 1] === '[')) {
      const isEmoji = c === '!';
      stack.push({
        type: isEmoji ? 'custom_emoji' : 'text_link',
        name: isEmoji ? 'CustomEmoji' : 'TextUrl',
        start: out.length,
        sourceIndex: i,
      });
      i += isEmoji ? 2 : 1;
      continue;
    }
    if (c === ']') {
      const top = stack[stack.length - 1];
      if (!top || (top.type !== 'text_link' && top.type !== 'custom_emoji')) {
        throw parseError(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      }
      if (source[i + 1] !== '(') {
        throw parseError(
          `Can't find end of ${top.name} entity at byte offset ${byteOffset(source, top.sourceIndex)}`,
        );
      }
      const { text: url, end, closed } = readEscapedUntil(source, i + 2, ')');
      if (!closed) {
        throw parseError(
          `Can't find end of ${top.name} entity at byte offset ${byteOffset(source, top.sourceIndex)}`,
        );
      }
      stack.pop();
      if (out.length > top.start) {
        if (top.type === 'custom_emoji') {
          const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
          if (!id) throw parseError(`Custom emoji entity must contain a tg://emoji URL`);
          entities.push({
            type: 'custom_emoji',
            offset: top.start,
            length: out.length - top.start,
            custom_emoji_id: id,
          });
        } else {
          entities.push({
            type: 'text_link',
            offset: top.start,
            length: out.length - top.start,
            url: normalizeLinkUrl(url),
          });
        }
      }
      i = end;
      continue;
    }
    if (MDV2_RESERVED.has(c)) {
      throw parseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    out += c;
    i += 1;
  }
  if (blockquoteStart !== undefined && out.length > blockquoteStart) {
    entities.push({
      type: 'blockquote',
      offset: blockquoteStart,
      length: out.length - blockquoteStart,
    });
  }
  const unclosed = stack.pop();
  if (unclosed) {
    throw parseError(
      `Can't find end of ${unclosed.name} entity at byte offset ${byteOffset(source, unclosed.sourceIndex)}`,
    );
  }
  return { text: out, entities };
}

// ---------------------------------------------------------------- legacy Markdown

export function parseLegacyMarkdown(source: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  const fail = (at: number): Error =>
    parseError(`Can't find end of the entity starting at byte offset ${byteOffset(source, at)}`);
  while (i < source.length) {
    const c = source[i] ?? '';
    if (c === '\\' && '_*`['.includes(source[i + 1] ?? '#')) {
      out += source[i + 1];
      i += 2;
      continue;
    }
    if (c === '*' || c === '_') {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw fail(i);
      const start = out.length;
      out += source.slice(i + 1, end);
      if (end > i + 1)
        entities.push({ type: c === '*' ? 'bold' : 'italic', offset: start, length: end - i - 1 });
      i = end + 1;
      continue;
    }
    if (c === '`') {
      if (source.startsWith('```', i)) {
        const end = source.indexOf('```', i + 3);
        if (end < 0) throw fail(i);
        let body = source.slice(i + 3, end);
        let language: string | undefined;
        const nl = body.indexOf('\n');
        if (nl > 0 && !/\s/.test(body.slice(0, nl))) {
          language = body.slice(0, nl);
          body = body.slice(nl + 1);
        }
        const start = out.length;
        out += body;
        if (body.length > 0) {
          const entity: MessageEntity = { type: 'pre', offset: start, length: body.length };
          if (language !== undefined) entity.language = language;
          entities.push(entity);
        }
        i = end + 3;
        continue;
      }
      const end = source.indexOf('`', i + 1);
      if (end < 0) throw fail(i);
      const start = out.length;
      out += source.slice(i + 1, end);
      if (end > i + 1) entities.push({ type: 'code', offset: start, length: end - i - 1 });
      i = end + 1;
      continue;
    }
    if (c === '[') {
      const close = source.indexOf(']', i + 1);
      if (close < 0 || source[close + 1] !== '(') throw fail(i);
      const urlEnd = source.indexOf(')', close + 2);
      if (urlEnd < 0) throw fail(i);
      const label = source.slice(i + 1, close);
      const start = out.length;
      out += label;
      if (label.length > 0) {
        entities.push({
          type: 'text_link',
          offset: start,
          length: label.length,
          url: normalizeLinkUrl(source.slice(close + 2, urlEnd)),
        });
      }
      i = urlEnd + 1;
      continue;
    }
    out += c;
    i += 1;
  }
  return { text: out, entities };
}

// ---------------------------------------------------------------- automatic entities

const NO_AUTODETECT_INSIDE = new Set(['code', 'pre', 'text_link', 'text_mention', 'custom_emoji']);

const AUTO_PATTERNS: Array<{ type: string; re: RegExp; group: number }> = [
  { type: 'url', re: /(^|[^\w@/])((?:https?|tg):\/\/[^\s<>"]*[^\s<>".,;:!?)\]'])/giu, group: 2 },
  {
    type: 'email',
    re: /(^|[^\w.+-])([\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/giu,
    group: 2,
  },
  {
    type: 'bot_command',
    re: /(^|[\s([{,;])(\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?)(?![\w/])/gu,
    group: 2,
  },
  { type: 'mention', re: /(^|[^\w@])(@[a-zA-Z][a-zA-Z0-9_]{3,31})(?!\w)/gu, group: 2 },
  { type: 'hashtag', re: /(^|[^\w#])(#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu, group: 2 },
];

/** Entities Telegram detects automatically in the text (outside code, pre and links). */
export function detectEntities(text: string, existing: MessageEntity[] = []): MessageEntity[] {
  const taken: Array<[number, number]> = existing
    .filter((e) => NO_AUTODETECT_INSIDE.has(e.type))
    .map((e) => [e.offset, e.offset + e.length]);
  const found: MessageEntity[] = [];
  for (const { type, re, group } of AUTO_PATTERNS) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const value = m[group];
      if (value === undefined) continue;
      const offset = (m.index ?? 0) + (m[0].length - value.length);
      const end = offset + value.length;
      if (taken.some(([a, b]) => offset < b && end > a)) continue;
      taken.push([offset, end]);
      found.push({ type, offset, length: value.length });
    }
  }
  return found;
}

/** Bot commands (with optional @username) present in a message, in order. */
export function commandsIn(
  text: string | undefined,
  entities: MessageEntity[] | undefined,
): Array<{ command: string; target?: string }> {
  if (text === undefined || !entities) return [];
  return entities
    .filter((e) => e.type === 'bot_command')
    .map((e) => {
      const raw = text.slice(e.offset + 1, e.offset + e.length);
      const [command = '', target] = raw.split('@');
      return target === undefined ? { command } : { command, target };
    });
}
