import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';

import type { ChatMessageInput, ChatMessageKind } from '@payreq/contracts';
import { ChatMessageInput as ChatMessageSchema, summarizeIssues } from '@payreq/contracts';

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
 * mirrored) leaves one row per message.
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
  // Moderate batches: Prisma keeps the arguments of recent calls, so big ones stay in memory.
  const batchSize = options.batchSize ?? 1000;
  const knownIds = new Set((await chatIdHistory(db, chatId)).map(String));
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
      let exportChatChecked = false;
      let batch: ChatMessageInput[] = [];
      // One batch is written while the next is parsed: the database and the parser overlap.
      let writing: Promise<void> | null = null;
      const write = async (rows: ChatMessageInput[]) => {
        const unique = new Map(rows.map((message) => [message.messageId, message]));
        const counts = await upsertChatMessageRows(tx, chatId, [...unique.values()]);
        totals.inserted += counts.inserted;
        totals.updated += counts.updated;
        totals.unchanged += unique.size - counts.inserted - counts.updated;
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
          if (item.kind === 'chatId') {
            if (typeof value !== 'number') throw malformed('the chat id is not a number');
            if (!knownIds.has(String(exportChatId(value)))) throw wrongChat();
            exportChatChecked = true;
            continue;
          }
          if (!exportChatChecked) throw malformed('the export names no chat before its messages');
          totals.received += 1;
          const message = fromExport(value, totals.received);
          if (!message) {
            totals.skipped += 1;
            continue;
          }
          batch.push(message);
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
      if (!exportChatChecked) throw malformed('this is not a Telegram chat export');
      return totals;
    },
    { timeout: 30 * 60 * 1000, maxWait: 30_000 },
  );
}

/** Exports carry supergroup ids without Bot API's -100 prefix, and basic groups without the minus. */
function exportChatId(id: number): string {
  return id > 0 ? `-100${id}` : String(id);
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

/** One export message in the shape of the bot's messages; null for what a chat does not keep (e.g. a poll). */
function fromExport(raw: unknown, position: number): ChatMessageInput | null {
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
  const candidate = {
    messageId: m.id,
    authorTelegramId: userId(isService ? m.actor_id : m.from_id),
    authorName:
      typeof (isService ? m.actor : m.from) === 'string' ? (isService ? m.actor : m.from) : null,
    text: isService ? (typeof m.action === 'string' ? `[${m.action}]` : null) : flattenText(m.text),
    date: unix(m.date_unixtime) ?? m.date,
    editDate: unix(m.edited_unixtime),
    replyToMessageId: typeof m.reply_to_message_id === 'number' ? m.reply_to_message_id : null,
    kind,
    fileName: typeof m.file_name === 'string' ? m.file_name.slice(0, 255) : null,
  };
  const parsed = ChatMessageSchema.safeParse(candidate);
  if (!parsed.success)
    throw malformed(
      `message ${String(m.id ?? position)}: ${summarizeIssues(parsed.error.issues, 'en')}`,
    );
  return parsed.data;
}
