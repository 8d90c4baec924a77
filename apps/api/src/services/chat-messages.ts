import type { ChatMessageInput, SaveMessagesResult } from '@payreq/contracts';
import { Prisma } from '@payreq/db';

import type { Db, Tx } from '../db';
import { notFound } from '../errors';

/** Keeps a statement's rows only when the `chat` of its WITH exists. */
const ifChatExists = Prisma.sql` WHERE EXISTS (SELECT 1 FROM chat)`;

/** Which road a message came by: the bot's live mirror, or a Telegram Desktop export. */
export type MessageSource = 'bot' | 'export';

/**
 * Saves a chat's messages (the bot's live mirror) in one statement per batch: a new Telegram
 * message id inserts a row, a known one is merged (`upsertSql`), so a batch sent twice leaves
 * the same rows.
 */
export async function saveChatMessages(
  db: Db,
  chatId: number,
  messages: readonly ChatMessageInput[],
  options: { markAuthorsMembers: boolean },
): Promise<SaveMessagesResult> {
  if (messages.length === 0) return { received: 0, inserted: 0, updated: 0, unchanged: 0 };
  const id = BigInt(chatId);
  // The last report of a message wins within one batch, as Telegram's own order says.
  const byId = new Map<number, ChatMessageInput>();
  for (const message of messages) byId.set(message.messageId, message);
  const rows = [...byId.values()];
  const authors = options.markAuthorsMembers ? authorsOf(rows) : new Map<number, string | null>();
  // One statement, so one atomic change and one round trip: the chat's existence, the
  // messages' upsert and the authors' membership (data-modifying WITH queries all run to
  // completion). An unknown chat writes nothing and is reported as not found.
  const [result] = await db.$queryRaw<{ chats: number; inserted: number; updated: number }[]>`
    WITH chat AS (SELECT id FROM "TelegramChat" WHERE id = ${id}),
    saved AS (${upsertSql(id, rows, 'bot', ifChatExists)}),
    authors AS (${markAuthorsSql(id, authors, ifChatExists)})
    SELECT (SELECT count(*) FROM chat)::int AS chats,
      (SELECT count(*) FROM saved WHERE inserted)::int AS inserted,
      (SELECT count(*) FROM saved WHERE NOT inserted)::int AS updated`;
  if (!result || result.chats === 0) throw notFound('chat');
  return {
    received: messages.length,
    inserted: result.inserted,
    updated: result.updated,
    unchanged: rows.length - result.inserted - result.updated,
  };
}

/** The one statement behind every way messages arrive (bot, batch, export). */
export async function upsertChatMessageRows(
  tx: Tx,
  chatId: bigint,
  rows: ChatMessageInput[],
  source: MessageSource,
): Promise<{ inserted: number; updated: number }> {
  // Counted in the database: one row back per batch instead of one per message.
  const [counts] = await tx.$queryRaw<{ inserted: number; updated: number }[]>`
    WITH saved AS (${upsertSql(chatId, rows, source)})
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted,
      (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM saved`;
  return { inserted: counts?.inserted ?? 0, updated: counts?.updated ?? 0 };
}

/** The existing row and the incoming one, in ON CONFLICT's terms. */
const old = (column: string) => Prisma.raw(`"ChatMessage"."${column}"`);
const incoming = (column: string) => Prisma.raw(`EXCLUDED."${column}"`);

/**
 * Whether the incoming report of a message replaces the stored one's content: the newer edit
 * wins (no edit date is the oldest); on the same edit date the live mirror wins over an
 * export (the bot saw the message as Telegram sent it; an export flattens its text), and
 * otherwise the later report wins.
 */
const incomingWins = Prisma.sql`(
  ${incoming('editDate')} > ${old('editDate')}
  OR (${incoming('editDate')} IS NOT NULL AND ${old('editDate')} IS NULL)
  OR (${incoming('editDate')} IS NOT DISTINCT FROM ${old('editDate')}
      AND (${incoming('source')} = 'bot' OR ${old('source')} = 'export')))`;

/** Whether the incoming report is the live mirror's, or the stored row is known only from an export. */
const incomingPreferred = Prisma.sql`(${incoming('source')} = 'bot' OR ${old('source')} = 'export')`;

/**
 * Each column of a known message after a merge. The content (text, edit date) follows
 * `incomingWins`; what a report may lack (a file, a reply, an album, the forward origin) is
 * never emptied by one that lacks it; the author's name and the forward origin prefer the
 * live mirror's (an export writes names as the exporting account sees them). Nothing the
 * bot saw is lost to an import.
 */
const merged: Array<[string, Prisma.Sql]> = [
  ['text', Prisma.sql`CASE WHEN ${incomingWins} THEN ${incoming('text')} ELSE ${old('text')} END`],
  [
    'editDate',
    Prisma.sql`CASE WHEN ${incomingWins} THEN ${incoming('editDate')} ELSE ${old('editDate')} END`,
  ],
  ['assetId', Prisma.sql`COALESCE(${incoming('assetId')}, ${old('assetId')})`],
  ['fileName', Prisma.sql`COALESCE(${incoming('fileName')}, ${old('fileName')})`],
  [
    'fileTooBig',
    Prisma.sql`CASE WHEN ${incoming('source')} = 'bot' THEN ${incoming('fileTooBig')}
      ELSE ${old('fileTooBig')} OR ${incoming('fileTooBig')} END`,
  ],
  [
    'authorName',
    Prisma.sql`CASE WHEN ${incomingPreferred} THEN COALESCE(${incoming('authorName')}, ${old('authorName')})
      ELSE COALESCE(${old('authorName')}, ${incoming('authorName')}) END`,
  ],
  [
    'authorTelegramId',
    Prisma.sql`COALESCE(${old('authorTelegramId')}, ${incoming('authorTelegramId')})`,
  ],
  [
    'replyToMessageId',
    Prisma.sql`COALESCE(${old('replyToMessageId')}, ${incoming('replyToMessageId')})`,
  ],
  ['mediaGroupId', Prisma.sql`COALESCE(${old('mediaGroupId')}, ${incoming('mediaGroupId')})`],
  [
    'forwardedFrom',
    Prisma.sql`CASE WHEN ${incomingPreferred} THEN COALESCE(${incoming('forwardedFrom')}, ${old('forwardedFrom')})
      ELSE COALESCE(${old('forwardedFrom')}, ${incoming('forwardedFrom')}) END`,
  ],
  // The buttons are content: the report that wins brings them. The live mirror's says what is
  // there now (none: the keyboard was taken away); an export may not carry them.
  [
    'buttons',
    Prisma.sql`CASE WHEN NOT ${incomingWins} THEN ${old('buttons')}
      WHEN ${incoming('source')} = 'bot' THEN ${incoming('buttons')}
      ELSE COALESCE(${incoming('buttons')}, ${old('buttons')}) END`,
  ],
  [
    'source',
    Prisma.sql`CASE WHEN ${old('source')} = 'bot' OR ${incoming('source')} = 'bot' THEN 'bot' ELSE 'export' END`,
  ],
];

/**
 * A new Telegram message id inserts a row; a known one is merged with it (`merged`) and
 * written only when the merge changes something. `guard` filters the rows (e.g. on the
 * chat's existence).
 */
function upsertSql(
  chatId: bigint,
  rows: ChatMessageInput[],
  source: MessageSource,
  guard = Prisma.empty,
): Prisma.Sql {
  // The batch goes as one JSON parameter (PostgreSQL splits it into rows): one value for the
  // driver to pass instead of eleven arrays of a value per message each.
  const batch = batchJson(
    rows.map((r) => ({
      message_id: r.messageId,
      author_id: r.authorTelegramId ?? null,
      author_name: r.authorName ?? null,
      text: r.text ?? r.fileName ?? null,
      date: r.date,
      edit_date: r.editDate ?? null,
      reply_to: r.replyToMessageId ?? null,
      media_group: r.mediaGroupId ?? null,
      kind: r.kind,
      asset_id: r.assetId ?? null,
      file_name: r.fileName ?? null,
      too_big: r.fileTooBig,
      forwarded_from: r.forwardedFrom ?? null,
      buttons: r.buttons ?? null,
    })),
  );
  const columns = Prisma.join(
    merged.map(([column]) => Prisma.raw(`"${column}"`)),
    ', ',
  );
  const before = Prisma.join(
    merged.map(([column]) => old(column)),
    ', ',
  );
  const after = Prisma.join(
    merged.map(([, value]) => value),
    ', ',
  );
  return Prisma.sql`
    INSERT INTO "ChatMessage" (id, "chatId", "messageId", "authorTelegramId", "authorName", text, date, "editDate",
      "replyToMessageId", "mediaGroupId", kind, "assetId", "fileName", "fileTooBig", "forwardedFrom", buttons, source, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), ${chatId}, m.message_id, m.author_id, m.author_name, m.text, m.date, m.edit_date,
      m.reply_to, m.media_group, m.kind, m.asset_id, m.file_name, m.too_big, m.forwarded_from, m.buttons, ${source}, now(), now()
    FROM json_to_recordset(${batch}::json) AS m(message_id int, author_id bigint, author_name text,
      text text, date timestamptz, edit_date timestamptz, reply_to int, media_group text, kind text,
      asset_id uuid, file_name text, too_big boolean, forwarded_from jsonb, buttons jsonb)${guard}
    ON CONFLICT ("chatId", "messageId") DO UPDATE SET (${columns}, "updatedAt") = (${after}, now())
    WHERE (${before}) IS DISTINCT FROM (${after})
    RETURNING (xmax = 0) AS inserted`;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * JSON for PostgreSQL. JSON.stringify writes a lone UTF-16 surrogate (half an emoji cut off by
 * a client) as a `\udXXX` escape, which PostgreSQL's json refuses; sent as text it became U+FFFD,
 * so it becomes U+FFFD here too. The escape is looked for first: the usual batch has none.
 */
function batchJson(rows: object[]): string {
  const json = JSON.stringify(rows);
  if (!/\\ud[89a-f]/.test(json)) return json;
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === 'string' ? value.replace(loneSurrogate, '\ufffd') : value,
  );
}

/** People who write in the chat are its members: the chat binding learns of them this way too. */
function authorsOf(rows: ChatMessageInput[]): Map<number, string | null> {
  const authors = new Map<number, string | null>();
  for (const row of rows) {
    if (row.authorTelegramId != null && row.kind !== 'service')
      authors.set(row.authorTelegramId, row.authorName ?? null);
  }
  return authors;
}

function markAuthorsSql(
  chatId: bigint,
  authors: Map<number, string | null>,
  guard = Prisma.empty,
): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "ChatMember" ("chatId", "telegramUserId", name, status, "updatedAt")
    SELECT ${chatId}, a.id, a.name, 'MEMBER', now()
    FROM unnest(${[...authors.keys()].map((author) => BigInt(author))}::bigint[], ${[...authors.values()]}::text[]) AS a(id, name)${guard}
    ON CONFLICT ("chatId", "telegramUserId") DO UPDATE SET
      status = CASE WHEN "ChatMember".status = 'LEFT' THEN 'MEMBER'::"ChatMemberStatus" ELSE "ChatMember".status END,
      name = COALESCE(EXCLUDED.name, "ChatMember".name),
      "updatedAt" = now()`;
}
