import { z } from 'zod';

import { ChatMessageButtons } from './chat';
import { DocumentKind, PaymentStatus, PipelineKind, RequestStatus } from './enums';
import { telegramId } from './fields';
import { DeliveryFailure } from './outbox';

/** How the portal's sign-in page signs people in (Telegram's website login). */
export const PortalSignInOptions = z.object({
  /** `test-server`: the project's Telegram test server's login page; `telegram`: the Login Widget. */
  provider: z.enum(['test-server', 'telegram']),
  /** The login page to send the browser to (test server), with `origin` and `return_to` to add. */
  testServerAuthUrl: z.string().nullable(),
  /** The bot the login is for: its numeric id (test server) and username (widget). */
  botId: z.string(),
  botUsername: z.string().nullable(),
});
export type PortalSignInOptions = z.infer<typeof PortalSignInOptions>;

/**
 * Who is signed in, as the portal shows them: an agent (of the bank or another tenant), or a
 * person of a client company (`tenantName` null until they register or join one).
 */
export const PortalMe = z.object({
  kind: z.enum(['agent', 'person']),
  name: z.string(),
  tenantName: z.string().nullable(),
  tenantIsMaster: z.boolean(),
  isAdmin: z.boolean(),
});
export type PortalMe = z.infer<typeof PortalMe>;

/** A Telegram user id as typed by an administrator: digits, a safe integer. */
export const TelegramUserIdInput = z
  .string()
  .trim()
  .min(1, { error: 'required' })
  .regex(/^\d{1,16}$/, { error: 'telegram_user_id' })
  .refine((value) => Number.isSafeInteger(Number(value)) && Number(value) > 0, {
    error: 'telegram_user_id',
  });

export const AddAgentInput = z.strictObject({
  telegramId: TelegramUserIdInput,
  name: z.string().trim().min(1, { error: 'required' }).max(120),
});

export const SetAgentActiveInput = z.strictObject({
  agentId: z.uuid(),
  active: z.boolean(),
});

/** One change of the whitelist, as the audit shows it. */
export const AgentAuditEntry = z.object({
  action: z.enum(['ADDED', 'DEACTIVATED', 'REACTIVATED']),
  byName: z.string(),
  at: z.string(),
});

export const WhitelistAgent = z.object({
  agentId: z.uuid(),
  name: z.string(),
  telegramId: z.string().nullable(),
  active: z.boolean(),
  isAdmin: z.boolean(),
  /** "seed" (from SEED_AGENTS) or "portal" (added here). */
  managedBy: z.enum(['seed', 'portal']),
  /** The administrator reading the list: they may not switch themselves off. */
  isYou: z.boolean(),
  audit: z.array(AgentAuditEntry),
});
export type WhitelistAgent = z.infer<typeof WhitelistAgent>;

export const HistoryExportInput = z.strictObject({
  requestId: z.uuid(),
  format: z.enum(['csv', 'json']),
});

export const HistoryExport = z.object({
  fileName: z.string(),
  mime: z.string(),
  content: z.string(),
});

// ---------------------------------------------------------------- requests and deal rooms

/** The portal's list: the board's filters and a search, paged by the server (at most 100 a page). */
export const PortalListInput = z.strictObject({
  /** A request number (`123`, `№ 000123`), a client's name, an INN or an amount. */
  search: z.string().trim().max(100).optional(),
  status: z.array(RequestStatus).optional(),
  paymentStatus: z.array(PaymentStatus).optional(),
  agentId: z.uuid().optional(),
  /** Only requests created within this many days. */
  createdWithinDays: z.number().int().min(1).max(3650).optional(),
  limit: z.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).nullish(),
  direction: z.enum(['forward', 'backward']).optional(),
});
export type PortalListInput = z.input<typeof PortalListInput>;

// ---------------------------------------------------------------- the chat archive

/** The caller's deal rooms that have no request yet: the newest first, paged. */
export const RoomsBeforeRequestInput = z.strictObject({
  limit: z.number().int().min(1).max(50).default(20),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).nullish(),
  /** Sent by react-query's infinite queries; the list pages forward only. */
  direction: z.enum(['forward', 'backward']).optional(),
});

export const RoomBeforeRequest = z.object({
  chatId: z.number().int(),
  title: z.string().nullable(),
  /** When the bot joined the room. */
  addedAt: z.string(),
  /** The newest message the platform keeps from the room. */
  lastMessageAt: z.string().nullable(),
});
export type RoomBeforeRequest = z.infer<typeof RoomBeforeRequest>;

export const RoomsBeforeRequestPage = z.object({
  items: z.array(RoomBeforeRequest),
  nextCursor: z.string().nullable(),
});

/**
 * Whose archive: a request's deal room (`requestId`), or a room by its chat (`chatId`), which
 * also reads a room before its request exists. Exactly one of the two.
 */
const archiveRoom = {
  requestId: z.uuid().optional(),
  chatId: telegramId.optional(),
};
const namesOneRoom = (input: { requestId?: string | undefined; chatId?: number | undefined }) =>
  (input.requestId === undefined) !== (input.chatId === undefined);
const oneRoom = { error: 'one_room', path: ['requestId'] };

/** A page of the archive: the newest first (`before` pages back), or what changed since a poll. */
export const ChatArchiveInput = z
  .strictObject({
    ...archiveRoom,
    /** Older messages than this cursor (from `olderCursor`); absent: the newest page. */
    before: z.string().max(200).nullish(),
    /** Text to find in the room's messages. */
    search: z.string().trim().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine(namesOneRoom, oneRoom);

/** New and edited messages since a poll (`pollCursor` of the last answer). */
export const ChatArchivePollInput = z
  .strictObject({ ...archiveRoom, since: z.string().max(200) })
  .refine(namesOneRoom, oneRoom);

/** Which archive the portal shows: a request's deal room, or a room before its request. */
export type ArchiveRoom = { requestId: string } | { chatId: number };

export const ChatArchiveFile = z.object({
  fileName: z.string(),
  mime: z.string(),
  size: z.number().int(),
  /** The file is kept on the platform: people may open it. */
  available: z.boolean(),
  /** Not kept because it was over Telegram's download limit for bots (else: not taken). */
  tooBig: z.boolean(),
  /** Documents of the request made from this file, by kind. */
  attachedAs: z.array(z.string()),
});

export const ChatArchiveMessage = z.object({
  /** The row's key (for the file link and for attaching); never shown. */
  key: z.string(),
  messageId: z.number().int(),
  authorName: z.string().nullable(),
  date: z.string(),
  editDate: z.string().nullable(),
  text: z.string().nullable(),
  kind: z.string(),
  /** Earlier texts of an edited message, oldest first. */
  earlierTexts: z.array(z.object({ text: z.string().nullable(), writtenAt: z.string() })),
  replyTo: z
    .object({
      messageId: z.number().int(),
      authorName: z.string().nullable(),
      text: z.string().nullable(),
    })
    .nullable(),
  forwardedFrom: z.object({ name: z.string().nullable(), kind: z.string() }).nullable(),
  mediaGroupId: z.string().nullable(),
  /** The buttons under the message, row by row (their words only: they do nothing here). */
  buttons: ChatMessageButtons.nullable(),
  file: ChatArchiveFile.nullable(),
  /** A member joined or left, the group became a supergroup, …: told in words by the portal. */
  service: z
    .object({
      type: z.enum(['joined', 'left', 'migrated', 'created', 'title', 'pinned', 'other']),
      names: z.string().nullable(),
    })
    .nullable(),
  /** Known only from a Telegram Desktop export an agent imported, not seen live by the bot. */
  imported: z.boolean(),
  /** Written by the platform's own bot (its welcome, announcements, documents from 1C). */
  byBot: z.boolean(),
});
export type ChatArchiveMessage = z.infer<typeof ChatArchiveMessage>;

export const ChatArchivePage = z.object({
  chatTitle: z.string().nullable(),
  /** The room's request; null while the room has none yet (the portal links to it once it has). */
  requestId: z.string().nullable(),
  /** Oldest first, as a chat reads. */
  messages: z.array(ChatArchiveMessage),
  olderCursor: z.string().nullable(),
  pollCursor: z.string(),
  /** May the caller turn files into the request's documents. */
  canAttach: z.boolean(),
});
export type ChatArchivePage = z.infer<typeof ChatArchivePage>;

export const AttachChatFileInput = z.strictObject({
  requestId: z.uuid(),
  messageKey: z.uuid(),
  kind: DocumentKind,
  /** Also tell the deal room (the bot answers the file's message). */
  announce: z.boolean().default(false),
});
export type AttachChatFileInput = z.input<typeof AttachChatFileInput>;

/** The agent asks 1C for a document of a request, from its page in the portal. */
export const PortalRequestDocumentInput = z.strictObject({
  requestId: z.uuid(),
  kind: DocumentKind,
});

/**
 * An outbox message that is not delivered, as an administrator reads it: given up (dead) or
 * still being tried after failures (delayed).
 */
export const PortalDeadMessage = z.object({
  /** For the requeue button; never shown. */
  key: z.string(),
  target: z.enum(['ONEC', 'TELEGRAM']),
  kind: z.string(),
  /** The request it is about (its number), or the deal room's title. */
  about: z.string().nullable(),
  /** That request, for a link to its page; never shown. */
  request: z.object({ id: z.uuid(), pipeline: PipelineKind }).nullable(),
  attempts: z.number().int(),
  failure: DeliveryFailure.nullable(),
  createdAt: z.string(),
  /** A delayed message's next attempt; null for a dead one. */
  nextAttemptAt: z.string().nullable(),
});
export type PortalDeadMessage = z.infer<typeof PortalDeadMessage>;

/** How a request's sending to 1C stands, on its portal page. */
export const PortalOnecSync = z.object({
  /** Messages still queued (the delayed one among them). */
  pending: z.number().int(),
  /** Messages that gave up. */
  dead: z.number().int(),
  /** Why the latest of the messages that gave up failed. */
  failure: DeliveryFailure.nullable(),
  /** The first queued message that has failed and is tried again: why, how often, when next. */
  delayed: z
    .object({
      attempts: z.number().int(),
      failure: DeliveryFailure.nullable(),
      nextAttemptAt: z.string(),
    })
    .nullable(),
});
export type PortalOnecSync = z.infer<typeof PortalOnecSync>;

/** Sends a request's dead messages to 1C again, from its page. */
export const RequeueRequestInput = z.strictObject({ requestId: z.uuid() });
