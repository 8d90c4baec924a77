import { z } from 'zod';

import { DocumentKind, PaymentStatus, RequestStatus } from './enums';
import { cutText, safeString, telegramId, telegramMessageId } from './fields';
import { PaymentRequestPatch, PaymentRequestView } from './payment-request';
import { UserInfo } from './user';

/** Telegram chat ids: negative for groups; at most 52 significant bits. */
export const ChatId = telegramId;

export const ChatMessageKind = z.enum([
  'text',
  'photo',
  'document',
  'voice',
  'video',
  'video_note',
  'audio',
  'sticker',
  'animation',
  'service',
  'other',
]);
export type ChatMessageKind = z.infer<typeof ChatMessageKind>;

// At most the last second of year 9999: a larger number is no date a chat can carry.
const unixOrIso = z
  .union([z.number().int().positive().max(253_402_300_799), z.iso.datetime({ offset: true })])
  .transform((value) => (typeof value === 'number' ? new Date(value * 1000) : new Date(value)));

/**
 * Where a forwarded message came from: the Bot API's `forward_origin` (a person, a hidden
 * account, a chat such as a group's anonymous admin, a channel post), or Telegram Desktop's
 * `forwarded_from` (a name only: kind `unknown`).
 */
export const ChatForwardOrigin = z.strictObject({
  kind: z.enum(['user', 'hidden_user', 'chat', 'channel', 'unknown']),
  /** The original author's or chat's name as Telegram shows it; null for a deleted account. */
  name: safeString().max(256).nullable(),
  telegramId: telegramId.nullish(),
  date: unixOrIso.nullish(),
  /** The channel post's id in its channel. */
  messageId: telegramMessageId.nullish(),
  /** The post author's signature (channels) or the anonymous admin's custom title. */
  signature: safeString().max(256).nullish(),
});
export type ChatForwardOrigin = z.output<typeof ChatForwardOrigin>;

/**
 * The inline keyboard under a message, row by row: its buttons' words, what people saw there
 * (where a button leads is left out: a Mini App button's link carries the room's launch token).
 * Telegram allows 100 buttons a message.
 */
export const ChatMessageButtons = z
  .array(z.array(safeString().min(1).max(256)).min(1).max(100))
  .min(1)
  .max(100);
export type ChatMessageButtons = z.output<typeof ChatMessageButtons>;

/**
 * A keyboard as Telegram writes it (the Bot API's `inline_keyboard`, Telegram Desktop's
 * `inline_bot_buttons`: rows of objects with a `text`) → its words within `ChatMessageButtons`;
 * null without any. Never refuses: a message is kept whatever its keyboard looks like.
 */
export function keyboardWords(keyboard: unknown): ChatMessageButtons | null {
  if (!Array.isArray(keyboard)) return null;
  const rows = keyboard
    .filter((row): row is unknown[] => Array.isArray(row))
    .map((row) =>
      row
        .map((button: unknown) => {
          const text = (button as { text?: unknown } | null)?.text;
          return typeof text === 'string' ? cutText(text.replaceAll('\u0000', ''), 256) : '';
        })
        .filter((text) => text.trim() !== '')
        .slice(0, 100),
    )
    .filter((row) => row.length > 0)
    .slice(0, 100);
  return rows.length > 0 ? rows : null;
}

/** One message of a deal-room chat, as the bot (or an export) reports it. */
export const ChatMessageInput = z.strictObject({
  messageId: telegramMessageId,
  authorTelegramId: telegramId.nullish(),
  authorName: safeString().max(256).nullish(),
  text: safeString().max(10_000).nullish(),
  /** Unix seconds (as Telegram sends) or an ISO date-time. */
  date: unixOrIso,
  editDate: unixOrIso.nullish(),
  replyToMessageId: telegramMessageId.nullish(),
  mediaGroupId: safeString().max(64).nullish(),
  kind: ChatMessageKind.default('text'),
  /** An asset saved before through the upload route. */
  assetId: z.uuid().nullish(),
  /** A file over the bot's download limit: recorded as such, not lost. */
  fileTooBig: z.boolean().default(false),
  fileName: safeString().max(255).nullish(),
  /** A forwarded message: where it came from. */
  forwardedFrom: ChatForwardOrigin.nullish(),
  /** The buttons under the message (the bot's own "open the form", say). */
  buttons: ChatMessageButtons.nullish(),
});
export type ChatMessageInput = z.output<typeof ChatMessageInput>;
export type ChatMessageInputRaw = z.input<typeof ChatMessageInput>;

export const SaveMessageInput = z.strictObject({ chatId: ChatId, message: ChatMessageInput });

/** A batch of messages: idempotent on the Telegram message id; edits update the same row. */
export const SaveMessagesInput = z.strictObject({
  chatId: ChatId,
  messages: z.array(ChatMessageInput).min(1).max(10_000),
});

export const SaveMessagesResult = z.object({
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type SaveMessagesResult = z.infer<typeof SaveMessagesResult>;

export const ChatUser = z.strictObject({
  telegramId,
  name: safeString().min(1).max(256),
});

export const RegisterChatInput = z.strictObject({
  chat: z.strictObject({
    id: ChatId,
    type: z.enum(['group', 'supergroup', 'private', 'channel']),
    title: safeString().max(256).nullish(),
  }),
  /** Who added the bot: only a whitelisted agent may register a deal room. */
  addedBy: ChatUser,
  botIsAdmin: z.boolean().default(false),
  /** The bot's privacy mode was off when it joined (getMe's can_read_all_group_messages). */
  botReadsAll: z.boolean().default(false),
});

export const RegisterChatResult = z.discriminatedUnion('registered', [
  z.object({
    registered: z.literal(true),
    chatId: z.number(),
    agent: z.object({ id: safeString(), name: safeString() }),
    launchToken: safeString(),
    locale: safeString(),
  }),
  z.object({ registered: z.literal(false), reason: z.enum(['NOT_WHITELISTED']) }),
]);
export type RegisterChatResult = z.infer<typeof RegisterChatResult>;

/**
 * The bot asks 1C for a document on behalf of whoever sent `/document` in a deal room (or pressed
 * one of its kind buttons). `kind: null` only asks whether that person may (for the keyboard),
 * and writes nothing. `commandId` makes a redelivered update harmless: one command, one request.
 */
export const BotRequestDocumentInput = z.strictObject({
  chatId: ChatId,
  telegramUserId: telegramId,
  kind: DocumentKind.nullable(),
  /** `message:<message id>` or `callback:<callback query id>`. */
  commandId: z.string().regex(/^(message|callback):[A-Za-z0-9_-]{1,64}$/),
});
export type BotRequestDocumentInput = z.infer<typeof BotRequestDocumentInput>;

/** Why a person may not ask 1C for a document here. */
export const BotDocumentRefusal = z.enum([
  /** The chat is not a registered deal room. */
  'NOT_REGISTERED',
  /** The deal room has no request yet. */
  'NO_REQUEST',
  /** Not a whitelisted, active agent, or not the request's linked agent. */
  'NOT_LINKED_AGENT',
  /** The request is not at a stage that takes documents (draft, final, not in-house). */
  'NOT_ALLOWED_NOW',
]);
export type BotDocumentRefusal = z.infer<typeof BotDocumentRefusal>;

export const BotRequestDocumentResult = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('queued'),
    kind: DocumentKind,
    displayNumber: safeString(),
    locale: safeString(),
    /** True when this command had been taken already (a redelivered update): nothing new was queued. */
    repeated: z.boolean(),
  }),
  z.object({ outcome: z.literal('allowed'), displayNumber: safeString(), locale: safeString() }),
  z.object({ outcome: z.literal('refused'), reason: BotDocumentRefusal, locale: safeString() }),
]);
export type BotRequestDocumentResult = z.infer<typeof BotRequestDocumentResult>;

export const MembershipInput = z.strictObject({
  chatId: ChatId,
  joined: z
    .array(ChatUser.extend({ admin: z.boolean().default(false) }))
    .max(1000)
    .default([]),
  left: z.array(telegramId).max(1000).default([]),
  botIsAdmin: z.boolean().optional(),
});

export const MigrateChatInput = z.strictObject({ fromChatId: ChatId, toChatId: ChatId });

export const LaunchTokenResult = z.object({ chatId: z.number(), launchToken: safeString() });

/** The deal room as the bot needs it for its messages. */
export const ChatSummary = z.object({
  chatId: z.number(),
  registered: z.boolean(),
  locale: safeString(),
  agentName: safeString().nullable(),
  /** The agent's Telegram id: the bot writes to the agent privately about the room. */
  agentTelegramId: z.number().nullable(),
  botIsAdmin: z.boolean(),
  botReadsAll: z.boolean(),
  /** The bot sees every message of the room (an administrator, or joined with privacy mode off). */
  mirrored: z.boolean(),
  /** Messages mirrored from this chat over its life (before and after an upgrade to a supergroup). */
  messages: z.number().int(),
  request: z
    .object({
      id: safeString(),
      displayNumber: safeString(),
      status: RequestStatus,
      paymentStatus: PaymentStatus,
      onecUrl: safeString().nullable(),
    })
    .nullable(),
});
export type ChatSummary = z.infer<typeof ChatSummary>;

// Mini App procedures: the chat comes from the signed launch (start_param), never from the browser.

export const MiniAppSession = z.object({
  me: UserInfo,
  chat: z.object({ id: z.number(), title: safeString().nullable() }).nullable(),
  request: PaymentRequestView.nullable(),
});
export type MiniAppSession = z.infer<typeof MiniAppSession>;

export const SaveChatRequestInput = z.strictObject({
  /** The version the user edited; absent only when creating the chat's first request. */
  version: z.number().int().positive().optional(),
  fields: PaymentRequestPatch,
});
export type SaveChatRequestInput = z.input<typeof SaveChatRequestInput>;

export const SetChatStatusInput = z.strictObject({
  status: RequestStatus,
  version: z.number().int().positive().optional(),
});

export const SetChatPaymentStatusInput = z.strictObject({ paymentStatus: PaymentStatus });

export const RequestDocumentInput = z.strictObject({ kind: DocumentKind });

/** Files the deal room accepts: what the bot mirrors and what users attach. */
export const allowedUploadMimeTypes = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'video/mp4',
  'audio/ogg',
  'audio/mpeg',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/msword',
  'application/vnd.ms-excel',
  'text/plain',
  'text/csv',
  'application/json',
] as const;
export const UploadMimeType = z.enum(allowedUploadMimeTypes);

export const WhoIsInput = z.strictObject({ telegramId });

/** Someone opened (or reopened) their private chat with the bot: it may now write to them. */
export const PrivateChatStartedInput = z.strictObject({ telegramId });
/** The person blocked the bot in private (Telegram's `my_chat_member`, status `kicked`). */
export const PrivateChatBlockedInput = z.strictObject({ telegramId });
/** Whether a Telegram user is on the agents' whitelist (the bot's private-chat menu). */
export const WhoIsResult = z.object({
  isAgent: z.boolean(),
  name: z.string().nullable(),
  isMasterTenant: z.boolean(),
});

export type UploadMimeType = z.infer<typeof UploadMimeType>;

export const UploadResult = z.object({
  assetId: safeString(),
  sha256: safeString(),
  size: z.number().int(),
  mime: safeString(),
  deduplicated: z.boolean(),
});
export type UploadResult = z.infer<typeof UploadResult>;
