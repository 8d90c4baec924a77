import type { ReactNode } from 'react';

import type { Message, MessageEntity, User } from '../../src/bot-api-types';
import type { Lang, Translate } from './i18n';

/** Names, colours, times and formatted text as Telegram's clients show them. */

export const fullName = (user: Pick<User, 'first_name' | 'last_name'>) =>
  [user.first_name, user.last_name].filter(Boolean).join(' ');

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');

/** Telegram's seven peer colours, chosen by id. */
const PEER_COLORS = ['#e17076', '#eda86c', '#a695e7', '#7bc862', '#6ec9cb', '#65aadd', '#ee7aae'];
export const peerColor = (id: number) => PEER_COLORS[Math.abs(id) % PEER_COLORS.length]!;

export function Avatar(props: { id: number; name: string; size?: number }) {
  const size = props.size ?? 42;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: Math.round(size * 0.4),
        background: peerColor(props.id),
      }}
    >
      {initials(props.name) || '?'}
    </span>
  );
}

const locale = (lang: Lang) => (lang === 'ru' ? 'ru-RU' : 'en-GB');

export const timeOf = (seconds: number, lang: Lang) =>
  new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit' }).format(
    new Date(seconds * 1000),
  );

export function dayOf(seconds: number, lang: Lang, t: Translate): string {
  const date = new Date(seconds * 1000);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 24 * 3600 * 1000);
  const same = (a: Date, b: Date) => a.toDateString() === b.toDateString();
  if (same(date, today)) return t('today');
  if (same(date, yesterday)) return t('yesterday');
  return new Intl.DateTimeFormat(locale(lang), { day: 'numeric', month: 'long' }).format(date);
}

/** Short for the chat list: "Фото", "Файл: name.pdf", or the text. */
export function previewOf(message: Message, t: Translate): string {
  const text = message.text ?? message.caption;
  if (message.photo) return text ? `${t('photoMessage')}, ${text}` : t('photoMessage');
  if (message.document) return `${t('fileMessage')}: ${message.document.file_name ?? ''}`.trim();
  if (message.voice) return t('voiceMessage');
  if (message.video) return t('videoMessage');
  return text ?? serviceText(message, t) ?? '';
}

/** A service message in words, or undefined for an ordinary one. */
export function serviceText(message: Message, t: Translate): string | undefined {
  const by = message.from ? fullName(message.from) : '';
  if (message.group_chat_created)
    return t('groupCreated', { name: by, title: message.chat.title ?? '' });
  if (message.supergroup_chat_created || message.migrate_from_chat_id || message.migrate_to_chat_id)
    return t('upgraded');
  if (message.new_chat_members) {
    const joined = message.new_chat_members;
    if (joined.length === 1 && joined[0]?.id === message.from?.id) return t('joined', { name: by });
    return t('added', { by, names: joined.map(fullName).join(', ') });
  }
  if (message.left_chat_member) {
    const gone = message.left_chat_member;
    return gone.id === message.from?.id
      ? t('left', { name: by })
      : t('removed', { by, name: fullName(gone) });
  }
  if (message.new_chat_title) return t('renamed', { name: by, title: message.new_chat_title });
  return undefined;
}

/** Only web links leave the page (what people and bots send is untrusted). */
export const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? url : undefined);

/**
 * Text with its entities (bold, links, code…), as nested elements over the text's pieces:
 * entities may nest or overlap, so the text is cut at every entity boundary. Offsets are in
 * UTF-16 code units, as JavaScript strings are.
 */
export function formattedText(
  text: string,
  entities: MessageEntity[] | undefined,
  onLink: (url: string) => void,
): ReactNode[] {
  const cuts = new Set([0, text.length]);
  for (const entity of entities ?? []) {
    cuts.add(entity.offset);
    cuts.add(entity.offset + entity.length);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const out: ReactNode[] = [];
  for (let index = 0; index < points.length - 1; index += 1) {
    const from = points[index]!;
    const to = points[index + 1]!;
    const piece = text.slice(from, to);
    let node: ReactNode = piece;
    const active = (entities ?? []).filter(
      (entity) => entity.offset <= from && entity.offset + entity.length >= to,
    );
    for (const entity of active)
      node = wrap(entity, node, piece, onLink, `${index}-${entity.type}`);
    out.push(<span key={index}>{node}</span>);
  }
  return out;
}

function wrap(
  entity: MessageEntity,
  node: ReactNode,
  piece: string,
  onLink: (url: string) => void,
  key: string,
): ReactNode {
  const link = (url: string | undefined) => {
    const href = url ? safeHref(url) : undefined;
    if (!href) return node;
    return (
      <a
        key={key}
        href={href}
        target="_blank"
        rel="noopener noreferrer"
        onClick={(event) => {
          event.preventDefault();
          onLink(href);
        }}
      >
        {node}
      </a>
    );
  };
  switch (entity.type) {
    case 'bold':
      return <strong key={key}>{node}</strong>;
    case 'italic':
      return <em key={key}>{node}</em>;
    case 'underline':
      return <u key={key}>{node}</u>;
    case 'strikethrough':
      return <s key={key}>{node}</s>;
    case 'spoiler':
      return (
        <span key={key} className="spoiler">
          {node}
        </span>
      );
    case 'code':
      return <code key={key}>{node}</code>;
    case 'pre':
      return <pre key={key}>{node}</pre>;
    case 'blockquote':
    case 'expandable_blockquote':
      return <blockquote key={key}>{node}</blockquote>;
    case 'text_link':
      return link(entity.url);
    case 'url':
      return link(/^https?:\/\//i.test(piece) ? piece : `https://${piece}`);
    case 'mention':
    case 'hashtag':
    case 'bot_command':
      return (
        <span key={key} className="entity-link">
          {node}
        </span>
      );
    default:
      return node;
  }
}

export const sizeOf = (bytes: number | undefined, lang: Lang) => {
  if (bytes === undefined) return '';
  const units = lang === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
};
