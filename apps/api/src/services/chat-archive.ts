import type {
  ChatArchiveMessage,
  ChatArchivePage,
  DocumentKind,
  RoomBeforeRequest,
} from '@payreq/contracts';
import {
  ChatMessageButtons,
  ChatMessageKind,
  chatIdFromWire,
  chatIdToWire,
  cutText,
  telegramKinds,
} from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { chatFileRefusal, mayReadRoomBeforeRequest } from '@payreq/domain';
import type { Prisma } from '@payreq/db';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import { AppError, notFound } from '../errors';
import { loadAccess, requirePermission } from './access';
import { chatIdHistory } from './chats';
import { historyActorOf, recordHistory } from './history';
import { tellOnecOfDocument } from './onec-updates';
import { enqueueOutbox } from './outbox';
import { invalidCursor, pastCursor } from './keyset';
import { containsAnySpelling } from './portal-list';
import { toDocumentView } from './views';

/** Kinds of message that carry a file: all but text, service messages and the unknown rest. */
const fileKinds = new Set<string>(ChatMessageKind.exclude(['text', 'service', 'other']).options);

/** A room named as the contracts name it (`ChatArchiveInput`): by its request or by its chat. */
type RoomKey = { requestId?: string | undefined; chatId?: number | undefined };

const roomSelect = {
  id: true,
  title: true,
  type: true,
  agentId: true,
  migratedToChatId: true,
  request: { select: { id: true } },
} satisfies Prisma.TelegramChatSelect;

/** A room's facts for `mayReadRoomBeforeRequest`, while it has no request. */
const factsBeforeRequest = (chat: { agentId: string | null; type: string }) => ({
  agentId: chat.agentId,
  isGroup: chat.type === 'group' || chat.type === 'supergroup',
  hasRequest: false,
});

/** The chat a room is now: its own, or the supergroup its group became. */
async function currentChat(db: Db, chatId: bigint) {
  let chat = await db.telegramChat.findUnique({ where: { id: chatId }, select: roomSelect });
  for (let hops = 0; chat?.migratedToChatId != null && hops < 5; hops += 1)
    chat = await db.telegramChat.findUnique({
      where: { id: chat.migratedToChatId },
      select: roomSelect,
    });
  return chat;
}

/** A request's deal room as the caller may read it: every id the chat had, and the caller's access. */
async function archiveOfRequest(db: Db, actor: Actor, requestId: string) {
  const access = await loadAccess(db as unknown as Tx, actor, requestId);
  // The chat is among the details: the parties and the request's own tenant see it.
  requirePermission(access, 'application.viewDetails');
  const chatId = access.request.telegramChatId;
  if (chatId === null)
    throw new AppError('NOT_FOUND', {
      ru: 'У этой заявки нет чата сделки',
      en: 'This request has no deal room',
    });
  const chatIds = await chatIdHistory(db, chatId);
  const chat = await db.telegramChat.findUnique({ where: { id: chatId }, select: { title: true } });
  return { access, requestId, chatIds, chatTitle: chat?.title ?? null };
}

/**
 * A deal room as the caller may read it, named by its request or by its chat: a room with a
 * request is read under the request's rules; one before its request, under
 * `mayReadRoomBeforeRequest` (no access to a request then, so nothing to attach to).
 */
async function archiveOf(db: Db, actor: Actor, room: RoomKey) {
  if (room.requestId !== undefined) return archiveOfRequest(db, actor, room.requestId);
  // The contracts let exactly one key through; without either there is no room to read.
  const chat =
    room.chatId === undefined ? null : await currentChat(db, chatIdFromWire(room.chatId));
  if (chat?.request) return archiveOfRequest(db, actor, chat.request.id);
  // Someone else's room is answered as a missing one: its existence is not the caller's to know.
  if (!chat || !mayReadRoomBeforeRequest(actor, factsBeforeRequest(chat))) throw notFound('chat');
  return {
    access: null,
    requestId: null,
    chatIds: await chatIdHistory(db, chat.id),
    chatTitle: chat.title,
  };
}

/**
 * `<ISO date>|<message id>|<row id>`: a position in the room's order (date, then Telegram's
 * message id, which orders an album's items sent in the same second, then the row).
 */
function encodeCursor(date: Date, messageId: number, id: string): string {
  return Buffer.from(`${date.toISOString()}|${messageId}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { date: Date; messageId: number; id: string } {
  const [iso, messageId, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(iso ?? '');
  if (
    Number.isNaN(date.getTime()) ||
    !/^\d{1,10}$/.test(messageId ?? '') ||
    !/^[0-9a-f-]{36}$/.test(id ?? '')
  )
    throw invalidCursor();
  return { date, messageId: Number(messageId), id: id! };
}

/**
 * A chat file's name: the message's own first. Its asset is stored once per content and keeps
 * the name of the first message that brought those bytes (a client's «Платёжное поручение.pdf»
 * of the same bytes as the bank's invoice is not the invoice).
 */
function fileNameOf(
  message: { fileName: string | null; kind: string; asset: { fileName: string | null } | null },
  /** A file message's text, which the mirror sets to the file's name when it has no caption. */
  textAsName: string | null = null,
): string {
  return (
    message.fileName ??
    message.asset?.fileName ??
    textAsName ??
    defaultFileName[message.kind] ??
    'file'
  );
}

const messageInclude = {
  asset: { select: { id: true, fileName: true, mime: true, size: true } },
  edits: { orderBy: { id: 'asc' }, select: { text: true, editedFrom: true } },
} satisfies Prisma.ChatMessageInclude;
type MessageRow = Prisma.ChatMessageGetPayload<{ include: typeof messageInclude }>;

/** Service messages are stored as Telegram Desktop's export names them: `[action] details`. */
function serviceOf(row: MessageRow): ChatArchiveMessage['service'] {
  if (row.kind !== 'service') return null;
  const match = /^\[(\w+)\]\s*(.*)$/s.exec(row.text ?? '');
  const action = match?.[1] ?? '';
  const rest = match?.[2]?.trim() || null;
  switch (action) {
    case 'invite_members':
    case 'join_group_by_link':
      return { type: 'joined', names: rest ?? row.authorName };
    case 'remove_members':
      return { type: 'left', names: rest ?? row.authorName };
    case 'migrate_to_supergroup':
    case 'migrate_from_group':
      // The ids after it are Telegram's, not for people.
      return { type: 'migrated', names: null };
    case 'create_group':
      return { type: 'created', names: row.authorName };
    case 'edit_group_title':
      return { type: 'title', names: rest };
    case 'pin_message':
      return { type: 'pinned', names: row.authorName };
    default:
      return { type: 'other', names: null };
  }
}

const defaultFileName: Record<string, string> = {
  photo: 'photo.jpg',
  voice: 'voice.ogg',
  video: 'video.mp4',
  video_note: 'video.mp4',
  audio: 'audio.mp3',
  animation: 'animation.mp4',
  sticker: 'sticker.webp',
  document: 'file',
};

function toArchiveMessage(
  row: MessageRow,
  replies: Map<string, MessageRow>,
  attached: Map<string, DocumentKind[]>,
  botTelegramId: bigint | null,
): ChatArchiveMessage {
  const forwarded = row.forwardedFrom as { name?: string | null; kind?: string } | null;
  const reply =
    row.replyToMessageId === null
      ? undefined
      : replies.get(`${row.chatId}:${row.replyToMessageId}`);
  // A file message is one even when its file was not kept (too big, or refused): the archive
  // says so rather than show the file's name as if it were the message.
  const hasFile = fileKinds.has(row.kind);
  // A file not kept has only its text for a name.
  const fileName = fileNameOf(row, hasFile ? row.text : null);
  const captionIsName = hasFile && row.text === fileName;
  return {
    key: row.id,
    messageId: row.messageId,
    authorName: row.authorName,
    date: row.date.toISOString(),
    editDate: row.editDate?.toISOString() ?? null,
    text: row.kind === 'service' || captionIsName ? null : row.text,
    kind: row.kind,
    earlierTexts: row.edits.map((edit) => ({
      text: edit.text,
      writtenAt: edit.editedFrom.toISOString(),
    })),
    replyTo:
      row.replyToMessageId === null
        ? null
        : {
            messageId: row.replyToMessageId,
            authorName: reply?.authorName ?? null,
            text: reply && reply.text !== null ? cutText(reply.text, 200) : null,
          },
    forwardedFrom: forwarded
      ? { name: forwarded.name ?? null, kind: forwarded.kind ?? 'unknown' }
      : null,
    mediaGroupId: row.mediaGroupId,
    // Checked on the way in; read again as the outside content it is.
    buttons: ChatMessageButtons.safeParse(row.buttons).data ?? null,
    file: hasFile
      ? {
          fileName,
          mime: row.asset?.mime ?? 'application/octet-stream',
          size: row.asset?.size ?? 0,
          available: row.asset !== null,
          tooBig: row.asset === null && row.fileTooBig,
          attachedAs: row.asset ? (attached.get(row.asset.id) ?? []) : [],
        }
      : null,
    service: serviceOf(row),
    imported: row.source === 'export',
    byBot: botTelegramId !== null && row.authorTelegramId === botTelegramId,
  };
}

/** The platform's bot, whose messages in a room the archive marks as its own. */
export interface ArchiveBot {
  telegramId: bigint | null;
}

/**
 * The replied-to messages and the request's documents made from these files (none before the
 * room has its request): two reads a page.
 */
async function decorate(
  db: Db,
  requestId: string | null,
  rows: MessageRow[],
  botTelegramId: bigint | null,
) {
  const replyKeys = rows.flatMap((row) =>
    row.replyToMessageId === null ? [] : [{ chatId: row.chatId, messageId: row.replyToMessageId }],
  );
  const replied =
    replyKeys.length === 0
      ? []
      : await db.chatMessage.findMany({ where: { OR: replyKeys }, include: messageInclude });
  const assetIds = rows.flatMap((row) => (row.assetId ? [row.assetId] : []));
  const documents =
    assetIds.length === 0 || requestId === null
      ? []
      : await db.document.findMany({
          where: { requestId, assetId: { in: assetIds } },
          select: { assetId: true, kind: true },
        });
  const attached = new Map<string, DocumentKind[]>();
  for (const document of documents)
    attached.set(document.assetId, [...(attached.get(document.assetId) ?? []), document.kind]);
  const replies = new Map(replied.map((row) => [`${row.chatId}:${row.messageId}`, row]));
  return rows.map((row) => toArchiveMessage(row, replies, attached, botTelegramId));
}

/** How far back a poll looks again, for writes that committed after a later one was read. */
const pollOverlapMs = 5_000;

/** The database's clock (the one `updatedAt` is written by), as a poll cursor. */
async function pollCursorNow(db: Db): Promise<{ at: Date; cursor: string }> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  const at = row!.now;
  return { at, cursor: Buffer.from(at.toISOString()).toString('base64url') };
}

/**
 * One page of a deal room's archive, newest messages (or newest matches of a search) last, as a
 * chat reads; `before` pages back. Keyset paging on (date, row) over the chat's index, so the
 * hundred-thousandth message opens as fast as the tenth.
 */
export async function chatArchivePage(
  db: Db,
  actor: Actor,
  input: RoomKey & { before?: string | null; search?: string; limit: number },
  bot: ArchiveBot,
): Promise<ChatArchivePage> {
  const { access, requestId, chatIds, chatTitle } = await archiveOf(db, actor, input);
  const where: Prisma.ChatMessageWhereInput[] = [{ chatId: { in: chatIds } }];
  if (input.before) {
    const cursor = decodeCursor(input.before);
    where.push(pastCursor(cursor, ['date', 'messageId', 'id']));
  }
  if (input.search) where.push({ OR: containsAnySpelling('text', input.search) });
  const rows = await db.chatMessage.findMany({
    where: { AND: where },
    include: messageInclude,
    orderBy: [{ date: 'desc' }, { messageId: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit).reverse();
  const oldest = page[0];
  const poll = await pollCursorNow(db);
  return {
    chatTitle,
    requestId,
    messages: await decorate(db, requestId, page, bot.telegramId),
    olderCursor:
      rows.length > input.limit && oldest
        ? encodeCursor(oldest.date, oldest.messageId, oldest.id)
        : null,
    pollCursor: poll.cursor,
    canAttach:
      access !== null &&
      chatFileRefusal({
        relation: access.relation,
        messageInRequestChat: true,
        byPlatformBot: false,
        fileStored: true,
      }) === null,
  };
}

/**
 * Short polling: the messages written or edited since the last answer, and a few seconds more
 * (a write that committed late); the client merges them by key. The portal asks every few
 * seconds while the room is open.
 */
export async function chatArchivePoll(
  db: Db,
  actor: Actor,
  input: RoomKey & { since: string },
  bot: ArchiveBot,
): Promise<{ messages: ChatArchiveMessage[]; pollCursor: string }> {
  const { requestId, chatIds } = await archiveOf(db, actor, input);
  const since = new Date(Buffer.from(input.since, 'base64url').toString('utf8'));
  if (Number.isNaN(since.getTime())) throw invalidCursor();
  const poll = await pollCursorNow(db);
  const rows = await db.chatMessage.findMany({
    where: {
      chatId: { in: chatIds },
      updatedAt: { gt: new Date(since.getTime() - pollOverlapMs) },
    },
    include: messageInclude,
    orderBy: [{ updatedAt: 'asc' }],
    take: 500,
  });
  const ordered = [...rows].sort(
    (a, b) =>
      a.date.getTime() - b.date.getTime() || a.messageId - b.messageId || a.id.localeCompare(b.id),
  );
  return {
    messages: await decorate(db, requestId, ordered, bot.telegramId),
    // A full answer (500) goes on from its last row, the rest comes with the next poll.
    pollCursor:
      rows.length === 500
        ? Buffer.from(rows.at(-1)!.updatedAt.toISOString()).toString('base64url')
        : poll.cursor,
  };
}

const refusalWords = {
  not_the_agent: {
    ru: 'Добавить файл из чата к заявке может только её агент',
    en: 'Only the request’s agent may add a chat file to it',
  },
  other_chat: {
    ru: 'Этот файл не из чата этой заявки',
    en: 'This file is not from this request’s chat',
  },
  by_bot: {
    ru: 'Этот файл прислал бот платформы: документы из 1С уже в документах заявки',
    en: 'The platform’s bot posted this file: documents from 1C are among the request’s documents already',
  },
  no_file: {
    ru: 'Файл не сохранён на платформе (он больше лимита Telegram для ботов)',
    en: 'The file is not kept on the platform (it is over Telegram’s limit for bots)',
  },
} as const;

/**
 * A file of the deal room becomes one of its request's documents, of the kind the agent chose;
 * recorded in the history and, if asked (`announce`), said in the group in answer to the file.
 * Asking twice for the same file and kind makes one document and one announcement.
 */
export async function attachChatFile(
  db: Db,
  actor: Actor,
  input: { requestId: string; messageKey: string; kind: DocumentKind; announce?: boolean },
  bot: ArchiveBot,
  now: Date,
) {
  return transaction(db, async (tx) => {
    const access = await loadAccess(tx, actor, input.requestId, { lock: true });
    const message = await tx.chatMessage.findUnique({
      where: { id: input.messageKey },
      include: { asset: true },
    });
    if (!message) throw notFound('message');
    const chatIds =
      access.request.telegramChatId === null
        ? []
        : await chatIdHistory(tx, access.request.telegramChatId);
    const refusal = chatFileRefusal({
      relation: access.relation,
      messageInRequestChat: chatIds.includes(message.chatId),
      byPlatformBot: bot.telegramId !== null && message.authorTelegramId === bot.telegramId,
      fileStored: message.asset !== null,
    });
    if (refusal === 'other_chat') throw notFound('message');
    if (refusal)
      throw new AppError(
        refusal === 'not_the_agent' ? 'FORBIDDEN' : 'VALIDATION_FAILED',
        refusalWords[refusal],
      );
    const asset = message.asset!;
    const existing = await tx.document.findFirst({
      where: { requestId: input.requestId, assetId: asset.id, kind: input.kind, source: 'CHAT' },
    });
    if (existing) return toDocumentView(existing);
    const fileName = fileNameOf(message);
    const document = await tx.document.create({
      data: {
        requestId: input.requestId,
        kind: input.kind,
        fileName,
        mime: asset.mime,
        size: asset.size,
        sha256: asset.sha256,
        assetId: asset.id,
        source: 'CHAT',
        telegramMessageId: message.messageId,
      },
    });
    await recordHistory(
      tx,
      input.requestId,
      actor,
      [{ field: 'document', from: null, to: { id: document.id, kind: document.kind, fileName } }],
      now,
    );
    // A document added on the platform after the submit reaches 1C, as a Mini App attachment does.
    await tellOnecOfDocument(tx, actor, access.pipeline, document, now);
    const chatId = access.request.telegramChatId;
    if (input.announce && chatId !== null) {
      await enqueueOutbox(tx, [
        {
          target: 'TELEGRAM',
          kind: telegramKinds.chatFileAdded,
          payload: {
            requestId: input.requestId,
            chatId: chatIdToWire(chatId),
            documentId: document.id,
            by: historyActorOf(actor),
            // A message of the group the supergroup replaced cannot be answered in it.
            replyTo: message.chatId === chatId ? message.messageId : null,
          },
        },
      ]);
    }
    // The Mini App and the board read the request's version: a new document is a change of it.
    await tx.paymentRequest.update({
      where: { id: input.requestId },
      data: { updatedAt: now },
    });
    return toDocumentView(document);
  });
}

/** The stored file of a deal-room message, for a caller who may read the room. */
export async function chatFileFor(db: Db, actor: Actor, messageKey: string) {
  const message = await db.chatMessage.findUnique({
    where: { id: messageKey },
    include: { asset: true },
  });
  if (!message?.asset) throw notFound('message');
  // Readable by whoever may read the room the message is in now (a group that became a
  // supergroup is read as the supergroup).
  await archiveOf(db, actor, { chatId: chatIdToWire(message.chatId) });
  return {
    mime: message.asset.mime,
    fileName: fileNameOf(message),
    size: message.asset.size,
    storageKey: message.asset.storageKey,
  };
}

/**
 * The caller's deal rooms that have no request yet, newest first (`mayReadRoomBeforeRequest`):
 * keyset pages on (added, id). A room leaves the list when its request is made, and is then
 * listed as a request.
 */
export async function roomsBeforeRequest(
  db: Db,
  actor: Extract<Actor, { kind: 'agent' }>,
  input: { limit: number; cursor?: string | null },
): Promise<{ items: RoomBeforeRequest[]; nextCursor: string | null }> {
  const where: Prisma.TelegramChatWhereInput[] = [
    {
      agentId: actor.agentId,
      type: { in: ['group', 'supergroup'] },
      migratedToChatId: null,
      request: { is: null },
    },
  ];
  if (input.cursor) where.push(pastCursor(decodeRoomCursor(input.cursor), ['createdAt', 'id']));
  const rows = await db.telegramChat.findMany({
    where: { AND: where },
    select: { id: true, title: true, createdAt: true, type: true, agentId: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  // The query narrows by the rule's facts (few rows an agent); the rule itself decides.
  const page = rows
    .slice(0, input.limit)
    .filter((row) => mayReadRoomBeforeRequest(actor, factsBeforeRequest(row)));
  const latest =
    page.length === 0
      ? []
      : await db.chatMessage.groupBy({
          by: ['chatId'],
          where: { chatId: { in: page.map((row) => row.id) } },
          _max: { date: true },
        });
  const lastAt = new Map(latest.map((row) => [row.chatId, row._max.date]));
  const last = rows.length > input.limit ? rows[input.limit - 1] : undefined;
  return {
    items: page.map((row) => ({
      chatId: chatIdToWire(row.id),
      title: row.title,
      addedAt: row.createdAt.toISOString(),
      lastMessageAt: lastAt.get(row.id)?.toISOString() ?? null,
    })),
    nextCursor: last
      ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url')
      : null,
  };
}

function decodeRoomCursor(cursor: string): { createdAt: Date; id: bigint } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (Number.isNaN(createdAt.getTime()) || !/^-?\d{1,19}$/.test(id ?? '')) throw invalidCursor();
  return { createdAt, id: BigInt(id!) };
}
