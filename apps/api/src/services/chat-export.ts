import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';

import type { ChatForwardOrigin, ChatMessageInput, ChatMessageKind } from '@payreq/contracts';
import {
  ChatMessageInput as ChatMessageSchema,
  cutText,
  keyboardWords,
  summarizeIssues,
} from '@payreq/contracts';
import { forgetRecentQueryArguments } from '@payreq/db';

import type { Db } from '../db';
import { transaction } from '../db';
import { AppError } from '../errors';
import { upsertChatMessageRows } from './chat-messages';
import { chatIdHistory } from './chats';
import { splitTelegramExport } from './export-splitter';

/**
 * Imports a Telegram Desktop chat export (`result.json`) into a chat, streaming: the file
 * is never held in memory whole. Messages are upserted in batches inside one transaction,
 * so a broken file changes nothing, and a re-import (or an overlap with what the bot has
 * mirrored) leaves one row per message; where the bot mirrored a message too, the newer edit
 * wins and nothing the bot saw is lost (`upsertChatMessageRows`).
 *
 * The export names its chat as Telegram Desktop does (`exportChatIds`); it must be one of the
 * ids the deal room had. A supergroup's export carries the history of the basic group it was
 * upgraded from too, under ids shifted by −1 000 000 000: those messages go to the basic
 * group's id with their own ids, as the bot mirrored them.
 */
export async function importTelegramExport(
  db: Db,
  chatId: bigint,
  source: Readable,
  options: { maxBytes: number; batchSize?: number },
): Promise<{
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
}> {
  // 2,000 rows a statement: each statement costs Prisma and PostgreSQL a fixed overhead that
  // 1,000 did not amortise (bench/RESULTS.md); the live heap stays under 0.4× the export.
  const batchSize = options.batchSize ?? 2000;
  const knownIds = new Set((await chatIdHistory(db, chatId)).map(String));
  // The deal room's ids: where each chat it ever was upgraded to (to find a basic group's id).
  const upgradedTo = new Map(
    (
      await db.telegramChat.findMany({
        where: { id: { in: [...knownIds].map(BigInt) }, migratedToChatId: { not: null } },
        select: { id: true, migratedToChatId: true },
      })
    ).map((chat) => [String(chat.migratedToChatId), chat.id]),
  );
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) callback(tooLarge(options.maxBytes));
      else callback(null, chunk);
    },
  });
  // The top-level `id` (the chat) and each element of `messages`, parsed one at a time.
  // The request stream stays out of the pipeline, so a refusal does not tear the connection down.
  source.pipe(limit);
  const items = splitTelegramExport(limit, { maxValueChars: 4 * 1024 * 1024 });

  return transaction(
    db,
    async (tx) => {
      const totals = { received: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0 };
      let exportType: unknown;
      /** The chat the export's messages belong to, and the basic group it was upgraded from. */
      let target: { chatId: bigint; upgradedFrom: bigint | null } | null = null;
      let batch: Array<{ chatId: bigint; message: ChatMessageInput }> = [];
      // One batch is written while the next is parsed: the database and the parser overlap.
      let writing: Promise<void> | null = null;
      const write = async (rows: Array<{ chatId: bigint; message: ChatMessageInput }>) => {
        const byChat = new Map<bigint, Map<number, ChatMessageInput>>();
        for (const row of rows) {
          const messages = byChat.get(row.chatId) ?? new Map<number, ChatMessageInput>();
          messages.set(row.message.messageId, row.message);
          byChat.set(row.chatId, messages);
        }
        for (const [id, unique] of byChat) {
          const counts = await upsertChatMessageRows(tx, id, [...unique.values()], 'export');
          totals.inserted += counts.inserted;
          totals.updated += counts.updated;
          totals.unchanged += unique.size - counts.inserted - counts.updated;
        }
        // Prisma would keep the last hundred batches' values: the import would not stream.
        forgetRecentQueryArguments();
      };
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        if (writing) await writing;
        writing = write(rows);
        // Awaited before the next batch or at the end; this only keeps it from being "unhandled".
        writing.catch(() => {});
      };
      try {
        for await (const item of items) {
          const { value } = item;
          if (item.kind === 'chatType') {
            exportType = value;
            continue;
          }
          if (item.kind === 'chatId') {
            if (typeof value !== 'number' || !Number.isSafeInteger(value))
              throw malformed('the chat id is not a number');
            const matched = exportChatIds(exportType, value).find((id) => knownIds.has(String(id)));
            if (matched === undefined) throw wrongChat();
            target = {
              chatId: BigInt(matched),
              upgradedFrom: upgradedTo.get(String(matched)) ?? null,
            };
            continue;
          }
          if (!target) throw malformed('the export names no chat before its messages');
          totals.received += 1;
          const parsed = fromExport(value, totals.received);
          const placed = parsed && place(parsed, target);
          if (!placed) {
            totals.skipped += 1;
            continue;
          }
          batch.push(placed);
          if (batch.length >= batchSize) await flush();
        }
        await flush();
        if (writing) await writing;
      } catch (error) {
        source.unpipe(limit);
        // Never leave a statement running when the transaction is rolled back.
        if (writing) await (writing as Promise<void>).catch(() => {});
        if (error instanceof AppError) throw error;
        throw malformed(error instanceof Error ? error.message : String(error));
      }
      if (!target) throw malformed('this is not a Telegram chat export');
      return totals;
    },
    { timeout: 30 * 60 * 1000, maxWait: 30_000 },
  );
}

/**
 * The Bot API ids a Telegram Desktop export's chat may have. Desktop writes the bare id
 * (`PeerToBareId`) with the chat's `type`: a basic group (`private_group`) N is −N in the Bot
 * API, a supergroup (`private_supergroup`, `public_supergroup`) N is −100N (−10¹² − N).
 * Without a type both are tried; a negative id is taken as a Bot API id already. Channels and
 * private chats are no deal room.
 */
export function exportChatIds(type: unknown, id: number): number[] {
  if (id < 0) return [id];
  const basicGroup = -id;
  const supergroup = -(1_000_000_000_000 + id);
  switch (type) {
    case 'private_group':
      return [basicGroup];
    case 'private_supergroup':
    case 'public_supergroup':
      return [supergroup];
    case undefined:
      return [supergroup, basicGroup];
    default:
      return [];
  }
}

/** Desktop shifts the ids of a supergroup's history from before its upgrade by this much. */
const MIGRATED_ID_SHIFT = 1_000_000_000;

/**
 * Where an export's message goes: its own id in the export's chat, or, for a message of the
 * basic group the supergroup was upgraded from (a shifted id), its id there. Null: such a
 * message of a basic group the deal room never was (the bot came after the upgrade).
 */
function place(
  message: ExportMessage,
  target: { chatId: bigint; upgradedFrom: bigint | null },
): { chatId: bigint; message: ChatMessageInput } | null {
  const { id, replyTo } = message;
  // Replies stay within their own part: the supergroup's, or the basic group's (shifted) one.
  if (id > 0)
    return {
      chatId: target.chatId,
      message: message.parsed(id, replyTo !== null && replyTo > 0 ? replyTo : null),
    };
  if (target.upgradedFrom === null) return null;
  return {
    chatId: target.upgradedFrom,
    message: message.parsed(
      id + MIGRATED_ID_SHIFT,
      replyTo !== null && replyTo < 0 ? replyTo + MIGRATED_ID_SHIFT : null,
    ),
  };
}

const tooLarge = (max: number) =>
  new AppError('PAYLOAD_TOO_LARGE', {
    ru: `Файл выгрузки больше ${Math.round(max / 1024 / 1024)} МБ`,
    en: `The export is larger than ${Math.round(max / 1024 / 1024)} MB`,
  });

const wrongChat = () =>
  new AppError('FORBIDDEN', {
    ru: 'Это выгрузка другого чата',
    en: 'This export belongs to another chat',
  });

const malformed = (why: string) =>
  new AppError('VALIDATION_FAILED', {
    ru: `Файл не похож на выгрузку чата Telegram Desktop (result.json): ${why}`,
    en: `The file is not a Telegram Desktop chat export (result.json): ${why}`,
  });

const mediaKinds: Record<string, ChatMessageKind> = {
  voice_message: 'voice',
  video_file: 'video',
  video_message: 'video_note',
  audio_file: 'audio',
  sticker: 'sticker',
  animation: 'animation',
};

type ExportText = string | (string | { text?: unknown })[];

function flattenText(text: unknown): string | null {
  if (typeof text === 'string') return text || null;
  if (!Array.isArray(text)) return null;
  const joined = (text as ExportText as (string | { text?: unknown })[])
    .map((part) =>
      typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '',
    )
    .join('');
  return joined || null;
}

function userId(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^user(\d+)$/.exec(value);
  return match ? Number(match[1]) : null;
}

function unix(value: unknown): number | null {
  const number =
    typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isInteger(number) && number > 0 ? number : null;
}

/** Desktop's peer ids (`user123`, `chat123`, `channel123`) as a kind and a Bot API id. */
function peerOf(value: unknown): { kind: 'user' | 'chat' | 'channel'; telegramId: number } | null {
  if (typeof value !== 'string') return null;
  const match = /^(user|chat|channel)(\d{1,15})$/.exec(value);
  if (!match) return null;
  const bare = Number(match[2]);
  if (match[1] === 'user') return { kind: 'user', telegramId: bare };
  if (match[1] === 'chat') return { kind: 'chat', telegramId: -bare };
  return { kind: 'channel', telegramId: -(1_000_000_000_000 + bare) };
}

/** `forwarded_from` (a name, null for a deleted account) and, in newer exports, `forwarded_from_id`. */
function forwardOriginOf(m: Record<string, unknown>): ChatForwardOrigin | null {
  if (!('forwarded_from' in m)) return null;
  const name = typeof m.forwarded_from === 'string' ? cutText(m.forwarded_from, 256) : null;
  const peer = peerOf(m.forwarded_from_id);
  return {
    kind: peer?.kind ?? 'unknown',
    name,
    ...(peer ? { telegramId: peer.telegramId } : {}),
  };
}

/** An export message checked, with its id (shifted for a migrated history) still to place. */
interface ExportMessage {
  id: number;
  replyTo: number | null;
  parsed(messageId: number, replyTo: number | null): ChatMessageInput;
}

/** Desktop's own numbering of a supergroup's pre-upgrade history: id − 10⁹ (negative). */
function shifted(value: unknown): unknown {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value < 0 &&
    value > -MIGRATED_ID_SHIFT
    ? value + MIGRATED_ID_SHIFT
    : value;
}

/** One export message in the shape of the bot's messages; null for what a chat does not keep (e.g. a poll). */
function fromExport(raw: unknown, position: number): ExportMessage | null {
  if (typeof raw !== 'object' || raw === null)
    throw malformed(`message ${position} is not an object`);
  const m = raw as Record<string, unknown>;
  if (m.type !== 'message' && m.type !== 'service') return null;
  const isService = m.type === 'service';
  let kind: ChatMessageKind = isService ? 'service' : 'text';
  if (!isService && typeof m.photo === 'string') kind = 'photo';
  else if (!isService && typeof m.file === 'string')
    kind = mediaKinds[String(m.media_type)] ?? 'document';
  else if (!isService && (m.poll || m.location_information || m.contact_information))
    kind = 'other';
  // A reply to another chat's message (`reply_to_peer_id`) is no reply within this one.
  const replyTo =
    typeof m.reply_to_message_id === 'number' && m.reply_to_peer_id === undefined
      ? m.reply_to_message_id
      : null;
  const forwardedFrom = isService ? null : forwardOriginOf(m);
  // Telegram Desktop's `inline_bot_buttons`: rows of `{ type, text, data }`.
  const buttons = isService ? null : keyboardWords(m.inline_bot_buttons);
  const candidate = {
    messageId: shifted(m.id),
    authorTelegramId: userId(isService ? m.actor_id : m.from_id),
    authorName:
      typeof (isService ? m.actor : m.from) === 'string' ? (isService ? m.actor : m.from) : null,
    text: isService ? (typeof m.action === 'string' ? `[${m.action}]` : null) : flattenText(m.text),
    date: unix(m.date_unixtime) ?? m.date,
    editDate: unix(m.edited_unixtime),
    replyToMessageId: shifted(replyTo),
    kind,
    fileName: typeof m.file_name === 'string' ? cutText(m.file_name, 255) : null,
    ...(forwardedFrom ? { forwardedFrom } : {}),
    ...(buttons ? { buttons } : {}),
  };
  const parsed = ChatMessageSchema.safeParse(candidate);
  if (!parsed.success)
    throw malformed(
      `message ${String(m.id ?? position)}: ${summarizeIssues(parsed.error.issues, 'en')}`,
    );
  const data = parsed.data;
  return {
    id: m.id as number,
    replyTo,
    parsed: (messageId, reply) => ({ ...data, messageId, replyToMessageId: reply }),
  };
}
