/**
 * A generated Telegram Desktop chat export (`result.json`, "Export chat history" → JSON), in
 * the real format (see apps/api/test/samples/telegram-desktop-export.json): service and normal
 * messages, text as a string or an array of entities with `text_entities`, edits, replies,
 * forwards, photos, files, voice and video messages, stickers, polls, locations, contacts.
 * Deterministic (seeded), streamed to disk, never held whole in memory.
 *
 * Alongside, optionally, a CSV of the rows the api's importer makes of it (the same mapping
 * as apps/api/src/services/chat-export.ts `fromExport`), for the COPY floor.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';

interface Person {
  id: number;
  name: string;
}

export interface ExportOptions {
  /** The chat's id in Bot API form (e.g. -1002200000001); the export writes it without -100. */
  chatId: number;
  title: string;
  messages: number;
  people: Person[];
  /** Also write the importer's rows as CSV (for `COPY "ChatMessage" (...) FROM STDIN CSV`). */
  csvFile?: string;
  seed?: number;
}

/** The columns of the CSV, in order (the `ChatMessage` table). */
export const csvColumns = [
  'id',
  'chatId',
  'messageId',
  'authorTelegramId',
  'authorName',
  'text',
  'date',
  'editDate',
  'replyToMessageId',
  'mediaGroupId',
  'kind',
  'assetId',
  'fileName',
  'fileTooBig',
  'createdAt',
  'updatedAt',
];

/** A small, fast, seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const phrases = [
  'Добрый день! Нужно оплатить инвойс поставщику в Шэньчжэне.',
  'Пришлите, пожалуйста, инвойс и контракт, заполним заявку.',
  'Курс на сегодня зафиксируем до 15:00 по Москве.',
  'Платёж ушёл, SWIFT-подтверждение пришлю, как только банк его выдаст.',
  'Проверьте реквизиты бенефициара: счёт и SWIFT-код.',
  'Контракт 15/2026 от 1 октября, спецификация №3.',
  'Сумма 1 250 000 юаней, комиссия банка по тарифу.',
  'Назначение платежа: оплата по контракту за оборудование.',
  'Тестовый платёж отправили, ждём зачисления.',
  'Спасибо, всё получили. Закрываем сделку.',
  'Можно созвониться завтра в 11?',
  'Валютный контроль запросил дополнительные документы.',
  'Поставщик подтвердил получение средств.',
  'Hello! Please find the proforma invoice attached.',
  'Ок 👍',
];

const entityTypes = ['bold', 'italic', 'link', 'mention', 'phone', 'code', 'text_link', 'hashtag'];
const serviceActions = [
  'pin_message',
  'invite_members',
  'remove_members',
  'edit_group_title',
  'join_group_by_link',
];
/**
 * Desktop's media files: `media_type`, the kind of message the platform makes of it, the folder
 * Desktop puts it in, its extension and type, and how often it comes up.
 */
const mediaFiles = (
  [
    ['voice_message', 'voice', 'voice_messages', 'ogg', 'audio/ogg', 5],
    ['video_file', 'video', 'video_files', 'mp4', 'video/mp4', 2],
    ['video_message', 'video_note', 'round_video_messages', 'mp4', 'video/mp4', 1],
    ['audio_file', 'audio', 'files', 'mp3', 'audio/mpeg', 1],
    ['sticker', 'sticker', 'stickers', 'webp', 'image/webp', 1],
    ['animation', 'animation', 'video_files', 'mp4', 'video/mp4', 1],
  ] as const
).map(([media_type, kind, dir, ext, mime, weight]) => ({
  media_type,
  kind,
  dir,
  ext,
  mime,
  weight,
}));

/** Telegram Desktop writes local time without a zone; the fixed offset keeps it reproducible. */
function localIso(unix: number): string {
  return new Date((unix + 3 * 3600) * 1000).toISOString().slice(0, 19);
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return `"${text.replace(/"/g, '""')}"`;
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

export async function writeTelegramExport(
  file: string,
  options: ExportOptions,
): Promise<{ messages: number; kinds: Record<string, number> }> {
  const random = prng(options.seed ?? 20261120);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const exportId = Number(String(options.chatId).replace(/^-100/, ''));
  const json = createWriteStream(file);
  const csv = options.csvFile ? createWriteStream(options.csvFile) : null;
  const kinds: Record<string, number> = {};
  const now = new Date().toISOString();
  const creator = options.people[0]!;

  await write(
    json,
    `{\n "name": ${JSON.stringify(options.title)},\n "type": "private_supergroup",\n "id": ${exportId},\n "messages": [\n`,
  );
  let unix = 1_767_225_600; // 2026-01-01
  let jsonBuffer = '';
  let csvBuffer = '';
  for (let id = 1; id <= options.messages; id += 1) {
    unix += 5 + Math.floor(random() * 300);
    const message: Record<string, unknown> = { id };
    const roll = random();
    let row: {
      kind: string;
      authorId: number | null;
      authorName: string | null;
      text: string | null;
    };

    if (id <= 2 || roll < 0.01) {
      const actor = id <= 2 ? creator : pick(options.people);
      const action = id === 1 ? 'create_group' : id === 2 ? 'invite_members' : pick(serviceActions);
      Object.assign(message, {
        type: 'service',
        date: localIso(unix),
        date_unixtime: String(unix),
        actor: actor.name,
        actor_id: `user${actor.id}`,
        action,
        ...(action === 'create_group' ? { title: options.title } : {}),
        ...(action === 'invite_members' || action === 'create_group'
          ? { members: options.people.map((p) => p.name) }
          : {}),
        ...(action === 'pin_message'
          ? { message_id: Math.max(1, id - 1 - Math.floor(random() * 50)) }
          : {}),
        text: '',
        text_entities: [],
      });
      row = { kind: 'service', authorId: actor.id, authorName: actor.name, text: `[${action}]` };
    } else {
      const author = pick(options.people);
      Object.assign(message, {
        type: 'message',
        date: localIso(unix),
        date_unixtime: String(unix),
      });
      if (random() < 0.15) {
        const edited = unix + 10 + Math.floor(random() * 600);
        Object.assign(message, { edited: localIso(edited), edited_unixtime: String(edited) });
      }
      Object.assign(message, { from: author.name, from_id: `user${author.id}` });
      if (random() < 0.03) message.forwarded_from = 'Shenzhen Flower Trading Co.';
      if (id > 3 && random() < 0.2)
        message.reply_to_message_id = id - 1 - Math.floor(random() * Math.min(id - 2, 40));

      let kind = 'text';
      let fileName: string | null = null;
      let caption = true;
      const media = random();
      if (media < 0.1) {
        kind = 'photo';
        Object.assign(message, {
          photo: `photos/photo_${id}@${localIso(unix).slice(0, 10)}.jpg`,
          photo_file_size: 40_000 + Math.floor(random() * 400_000),
          width: 1280,
          height: 960,
        });
        caption = random() < 0.3;
      } else if (media < 0.18) {
        kind = 'document';
        fileName = pick([
          'INV-2026-0042.pdf',
          'Контракт 15-2026.pdf',
          'Спецификация №3.xlsx',
          'SWIFT MT103.pdf',
          'паспорт сделки.docx',
        ]);
        Object.assign(message, {
          file: `files/${fileName}`,
          file_name: fileName,
          file_size: 20_000 + Math.floor(random() * 2_000_000),
          mime_type: fileName.endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream',
        });
        caption = random() < 0.5;
      } else if (media < 0.29) {
        let weight = random() * mediaFiles.reduce((total, f) => total + f.weight, 0);
        const chosen = mediaFiles.find((f) => (weight -= f.weight) < 0) ?? mediaFiles[0]!;
        kind = chosen.kind;
        Object.assign(message, {
          file: `${chosen.dir}/file_${id}@${localIso(unix).slice(0, 10)}.${chosen.ext}`,
          file_size: 5_000 + Math.floor(random() * 900_000),
          media_type: chosen.media_type,
          mime_type: chosen.mime,
          ...(chosen.media_type === 'sticker'
            ? { sticker_emoji: '👍', width: 512, height: 512 }
            : { duration_seconds: 1 + Math.floor(random() * 90) }),
        });
        caption = false;
      } else if (media < 0.295) {
        kind = 'other';
        message.poll = {
          question: 'Когда удобно созвониться?',
          closed: false,
          total_voters: 0,
          answers: [
            { text: 'Сегодня', voters: 0, chosen: false },
            { text: 'Завтра', voters: 0, chosen: false },
          ],
        };
        caption = false;
      } else if (media < 0.298) {
        kind = 'other';
        message.location_information = { latitude: 22.5431, longitude: 114.0579 };
        caption = false;
      } else if (media < 0.3) {
        kind = 'other';
        message.contact_information = {
          first_name: 'Li',
          last_name: 'Wei',
          phone_number: '+86 755 0000 0000',
        };
        caption = false;
      }

      let flat: string | null = null;
      if (!caption) {
        Object.assign(message, { text: '', text_entities: [] });
      } else if (random() < 0.6) {
        const text = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(phrases)).join(
          ' ',
        );
        Object.assign(message, { text, text_entities: [{ type: 'plain', text }] });
        flat = text;
      } else {
        const parts: (string | { type: string; text: string; href?: string })[] = [];
        for (let n = 0; n < 2 + Math.floor(random() * 3); n += 1) {
          parts.push(`${pick(phrases)} `);
          const type = pick(entityTypes);
          const text =
            type === 'link'
              ? 'https://t.me/payreq_bot/app?startapp=abc'
              : type === 'mention'
                ? '@payreq_bot'
                : type === 'phone'
                  ? '+7 495 000-00-00'
                  : 'инвойс и контракт';
          parts.push(
            type === 'text_link'
              ? { type, text, href: 'https://example.com/contract' }
              : { type, text },
          );
        }
        message.text = parts;
        message.text_entities = parts.map((part) =>
          typeof part === 'string' ? { type: 'plain', text: part } : part,
        );
        flat = parts.map((part) => (typeof part === 'string' ? part : part.text)).join('');
      }
      row = { kind, authorId: author.id, authorName: author.name, text: flat ?? fileName };
    }

    kinds[row.kind] = (kinds[row.kind] ?? 0) + 1;
    const text = JSON.stringify(message, null, 1).replace(/^/gm, '  ');
    jsonBuffer += id === options.messages ? `${text}\n` : `${text},\n`;
    if (csv) {
      const edited = message.edited_unixtime
        ? new Date(Number(message.edited_unixtime) * 1000).toISOString()
        : null;
      csvBuffer +=
        [
          randomUUID(),
          options.chatId,
          id,
          row.authorId,
          row.authorName,
          row.text,
          new Date(unix * 1000).toISOString(),
          edited,
          message.reply_to_message_id ?? null,
          null,
          row.kind,
          null,
          // The importer keeps an export's `file_name` as the message's own.
          typeof message.file_name === 'string' ? message.file_name : null,
          'false',
          now,
          now,
        ]
          .map(csvValue)
          .join(',') + '\n';
    }
    if (id % 1000 === 0 || id === options.messages) {
      await write(json, jsonBuffer);
      jsonBuffer = '';
      if (csv) {
        await write(csv, csvBuffer);
        csvBuffer = '';
      }
    }
  }
  await write(json, ' ]\n}\n');
  await close(json);
  if (csv) await close(csv);
  return { messages: options.messages, kinds };
}
