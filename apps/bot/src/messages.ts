import type { ChatMessageInputRaw, ChatMessageKind } from '@payreq/contracts';
import { cutText, keyboardWords } from '@payreq/contracts';

/**
 * Bot API `MessageOrigin`: where a forwarded message came from. (Typegram 7.1's origin types
 * lack the `date` every origin carries, so the mirror declares its own.)
 */
export type TgMessageOrigin =
  | { type: 'user'; date: number; sender_user: TgUser }
  | { type: 'hidden_user'; date: number; sender_user_name: string }
  | { type: 'chat'; date: number; sender_chat: TgChat; author_signature?: string }
  | { type: 'channel'; date: number; chat: TgChat; message_id: number; author_signature?: string };

/**
 * The parts of Telegram's Message the mirror reads. (Typegram's Message is a union that makes
 * every optional field a type guard; the mirror treats an update as the loose record it is.)
 */
export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  width?: number;
  height?: number;
  is_animated?: boolean;
  is_video?: boolean;
}

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: string;
  title?: string;
}

export interface TgMessage {
  message_id: number;
  date: number;
  edit_date?: number;
  chat: TgChat;
  from?: TgUser;
  sender_chat?: TgChat;
  forward_origin?: TgMessageOrigin;
  is_automatic_forward?: boolean;
  author_signature?: string;
  text?: string;
  caption?: string;
  reply_to_message?: { message_id: number; forum_topic_created?: unknown };
  message_thread_id?: number;
  is_topic_message?: boolean;
  media_group_id?: string;
  photo?: TgFile[];
  document?: TgFile;
  voice?: TgFile;
  video?: TgFile;
  video_note?: TgFile;
  audio?: TgFile;
  sticker?: TgFile & { emoji?: string };
  animation?: TgFile;
  new_chat_members?: TgUser[];
  left_chat_member?: TgUser;
  new_chat_title?: string;
  new_chat_photo?: unknown;
  delete_chat_photo?: boolean;
  group_chat_created?: boolean;
  supergroup_chat_created?: boolean;
  migrate_to_chat_id?: number;
  migrate_from_chat_id?: number;
  pinned_message?: { message_id: number };
  contact?: { phone_number?: string; first_name?: string; last_name?: string };
  location?: { latitude: number; longitude: number };
  venue?: { title?: string; address?: string };
  poll?: { question?: string };
  dice?: { emoji?: string; value?: number };
  reply_markup?: { inline_keyboard?: unknown };
  [key: string]: unknown;
}

/**
 * PostgreSQL's text cannot hold U+0000 (the api would fail on it, and the mirroring would retry
 * for ever): it is dropped from every string the bot reports.
 */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

export function userName(
  user: Pick<TgUser, 'first_name' | 'last_name'> | undefined,
): string | null {
  if (!user) return null;
  const name = withoutNul([user.first_name, user.last_name].filter(Boolean).join(' ')).trim();
  return name ? cutText(name, 256) : null;
}

/** A file of a message, with what the platform keeps of it. */
export interface Attachment {
  kind: ChatMessageKind;
  file: TgFile;
  /** The original name (documents, audio, video) or one made from the kind. */
  fileName: string;
  /** What Telegram says the file is (photos are always JPEG). */
  mime: string | null;
}

/** The largest of a photo's sizes (Telegram lists them smallest first). */
function largest(sizes: TgFile[]): TgFile | undefined {
  let best: TgFile | undefined;
  let bestArea = -1;
  for (const size of sizes) {
    const area = (size.width ?? 0) * (size.height ?? 0) || size.file_size || 0;
    if (area >= bestArea) {
      best = size;
      bestArea = area;
    }
  }
  return best;
}

/**
 * The single-file kinds, in the order they are looked for (an animation message also carries
 * `document`: the animation is what it is): the name a file without one gets, and its type when
 * Telegram names none.
 */
const fileKinds = [
  { kind: 'animation', extension: 'mp4', mime: 'video/mp4' },
  { kind: 'sticker', extension: 'webp', mime: 'image/webp' },
  { kind: 'video_note', extension: 'mp4', mime: 'video/mp4' },
  { kind: 'video', extension: 'mp4', mime: 'video/mp4' },
  { kind: 'voice', extension: 'ogg', mime: 'audio/ogg' },
  { kind: 'audio', extension: 'mp3', mime: 'audio/mpeg' },
  { kind: 'document', extension: 'bin', mime: null },
] as const satisfies ReadonlyArray<{
  kind: ChatMessageKind & keyof TgMessage;
  extension: string;
  mime: string | null;
}>;

/**
 * A sticker's format is in its flags, not in a MIME type (Telegram names none): a video or an
 * animated sticker, or null for a static one (`fileKinds`' WebP).
 */
function stickerFormat(sticker: NonNullable<TgMessage['sticker']>): [string, string] | null {
  if (sticker.is_video) return ['video/webm', 'webm'];
  if (sticker.is_animated) return ['application/x-tgsticker', 'tgs'];
  return null;
}

export function attachmentOf(message: TgMessage): Attachment | null {
  if (message.photo && message.photo.length > 0) {
    const file = largest(message.photo);
    if (!file) return null;
    return {
      kind: 'photo',
      file,
      fileName: `photo_${file.file_unique_id}.jpg`,
      mime: 'image/jpeg',
    };
  }
  for (const { kind, extension: usualExtension, mime: usualMime } of fileKinds) {
    const file = message[kind];
    if (!file) continue;
    // A video note's type is always MP4, whatever the message says; a sticker's is in its flags.
    const [mime, extension]: [string | null, string] =
      kind === 'sticker'
        ? (stickerFormat(message.sticker!) ?? [usualMime, usualExtension])
        : kind === 'video_note'
          ? [usualMime, usualExtension]
          : [file.mime_type ?? usualMime, usualExtension];
    const fileName = withoutNul(
      file.file_name?.trim() || `${kind}_${file.file_unique_id}.${extension}`,
    );
    return { kind, file, fileName, mime };
  }
  return null;
}

/** Service messages, named as Telegram Desktop's export names them (`[action]` rows, like the import). */
function serviceText(message: TgMessage): string | null {
  const names = (users: TgUser[]) =>
    users.map((user) => userName(user) ?? String(user.id)).join(', ');
  if (message.new_chat_members) return `[invite_members] ${names(message.new_chat_members)}`;
  if (message.left_chat_member) return `[remove_members] ${names([message.left_chat_member])}`;
  if (message.new_chat_title !== undefined) return `[edit_group_title] ${message.new_chat_title}`;
  if (message.new_chat_photo !== undefined) return '[edit_group_photo]';
  if (message.delete_chat_photo) return '[delete_group_photo]';
  if (message.group_chat_created) return '[create_group]';
  if (message.supergroup_chat_created) return '[create_group]';
  if (message.migrate_to_chat_id !== undefined)
    return `[migrate_to_supergroup] ${message.migrate_to_chat_id}`;
  if (message.migrate_from_chat_id !== undefined)
    return `[migrate_from_group] ${message.migrate_from_chat_id}`;
  if (message.pinned_message) return `[pin_message] ${message.pinned_message.message_id}`;
  for (const key of [
    'message_auto_delete_timer_changed',
    'forum_topic_created',
    'forum_topic_edited',
    'forum_topic_closed',
    'forum_topic_reopened',
    'video_chat_scheduled',
    'video_chat_started',
    'video_chat_ended',
    'video_chat_participants_invited',
    'boost_added',
    'chat_background_set',
    'users_shared',
    'chat_shared',
    'write_access_allowed',
  ]) {
    if (message[key] !== undefined) return `[${key}]`;
  }
  return null;
}

/** Things a chat holds that are neither text nor a file: kept as `other` with a line saying what. */
function otherText(message: TgMessage): string | null {
  if (message.contact)
    return `[contact] ${[message.contact.first_name, message.contact.last_name, message.contact.phone_number].filter(Boolean).join(' ')}`;
  if (message.venue)
    return `[venue] ${[message.venue.title, message.venue.address].filter(Boolean).join(', ')}`;
  if (message.location)
    return `[location] ${message.location.latitude}, ${message.location.longitude}`;
  if (message.poll) return `[poll] ${message.poll.question ?? ''}`.trim();
  if (message.dice) return `[dice] ${message.dice.emoji ?? ''} ${message.dice.value ?? ''}`.trim();
  for (const key of ['story', 'game', 'giveaway', 'invoice', 'paid_media']) {
    if (message[key] !== undefined) return `[${key}]`;
  }
  return null;
}

/** In a forum topic every message "replies" to the topic's first message: that is no reply. */
function replyTo(message: TgMessage): number | null {
  const target = message.reply_to_message;
  if (!target) return null;
  if (message.is_topic_message && target.forum_topic_created !== undefined) return null;
  return target.message_id;
}

const title = (chat: TgChat) => cutText(withoutNul(chat.title ?? ''), 256) || null;
const signature = (value: string | undefined) =>
  value ? { signature: cutText(withoutNul(value), 256) } : {};

/** `forward_origin` as the platform keeps it (kind, name, id, date; the channel post's id). */
export function forwardedFromOf(
  origin: TgMessageOrigin | undefined,
): ChatMessageInputRaw['forwardedFrom'] {
  if (!origin || typeof origin !== 'object') return null;
  try {
    return originOf(origin);
  } catch {
    return null; // not the shape Telegram sends: the message is kept without its origin
  }
}

function originOf(origin: TgMessageOrigin): ChatMessageInputRaw['forwardedFrom'] {
  switch (origin.type) {
    case 'user':
      return {
        kind: 'user',
        name: userName(origin.sender_user),
        telegramId: origin.sender_user.id,
        date: origin.date,
      };
    case 'hidden_user':
      return {
        kind: 'hidden_user',
        name: cutText(withoutNul(origin.sender_user_name ?? ''), 256) || null,
        date: origin.date,
      };
    case 'chat':
      return {
        kind: 'chat',
        name: title(origin.sender_chat),
        telegramId: origin.sender_chat.id,
        date: origin.date,
        ...signature(origin.author_signature),
      };
    case 'channel':
      return {
        kind: 'channel',
        name: title(origin.chat),
        telegramId: origin.chat.id,
        date: origin.date,
        messageId: origin.message_id,
        ...signature(origin.author_signature),
      };
    default:
      return null;
  }
}

/** One Telegram message as the api's ChatMessageInput (without its asset yet). */
export function toChatMessageInput(
  message: TgMessage,
  attachment: Attachment | null,
): ChatMessageInputRaw {
  const service = attachment ? null : serviceText(message);
  const other = attachment || service ? null : otherText(message);
  const text = message.text ?? message.caption ?? service ?? other ?? null;
  const kind: ChatMessageKind = attachment
    ? attachment.kind
    : service !== null
      ? 'service'
      : other !== null
        ? 'other'
        : 'text';
  // On behalf of a chat (an anonymous admin: the group; an automatic forward: the channel), the
  // chat is the author; `from` is then Telegram's stand-in (GroupAnonymousBot, 777000).
  const author = message.sender_chat
    ? { id: null, name: title(message.sender_chat) }
    : { id: message.from?.id ?? null, name: userName(message.from) };
  const forwardedFrom = forwardedFromOf(message.forward_origin);
  const buttons = keyboardWords(message.reply_markup?.inline_keyboard);
  return {
    messageId: message.message_id,
    authorTelegramId: author.id,
    authorName: author.name,
    text: text === null ? null : cutText(withoutNul(text), 10_000),
    date: message.date,
    editDate: message.edit_date ?? null,
    replyToMessageId: replyTo(message),
    mediaGroupId: message.media_group_id ? withoutNul(message.media_group_id).slice(0, 64) : null,
    kind,
    fileName: attachment ? cutText(attachment.fileName, 255) : null,
    ...(forwardedFrom ? { forwardedFrom } : {}),
    ...(buttons ? { buttons } : {}),
  };
}

/**
 * Whether a message is the bot's `/document` command (`/doc`, with or without @bot): such a
 * message is handled on its own, never saved in a run of plain messages.
 */
export function looksLikeDocumentCommand(text: string | undefined): boolean {
  return text !== undefined && /^\/(document|doc)(@[A-Za-z0-9_]+)?(\s|$)/i.test(text.trim());
}
