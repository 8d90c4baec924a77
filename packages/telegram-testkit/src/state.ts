import { EventEmitter } from 'node:events';
import type {
  AdminRights,
  BotCommand,
  CallbackQuery,
  Chat,
  ChatMember,
  ChatMemberUpdated,
  ChatType,
  Message,
  PhotoSize,
  Update,
  UpdateType,
  User,
} from './bot-api-types';
import { badRequest, forbidden, WorldError } from './errors';
import { IdFactory, makeChatInstance, makeFileId, makeFileUniqueId, type FileKind } from './ids';
import { commandsIn } from './text';

/** Internal in-memory state of the simulated Telegram. Not exported from the package. */

export const DEFAULT_UPDATE_TYPES_EXCLUDED = [
  'chat_member',
  'message_reaction',
  'message_reaction_count',
];
export const MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024;

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked';

export interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections: number;
  ipAddress?: string;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

export interface BotState {
  token: string;
  user: User;
  privacyMode: boolean;
  canJoinGroups: boolean;
  /** key: `${scopeKey}|${language_code}` */
  commands: Map<string, BotCommand[]>;
  /** Updates not yet confirmed (getUpdates offset / webhook 2xx). */
  queue: Update[];
  /** When each queued update was queued (update_id → ms): older than the retention, it is dropped. */
  queuedAt: Map<number, number>;
  /** Updates dropped unconfirmed after the retention (the most recent 1 000). */
  expired: Update[];
  expiredCount: number;
  /** The allowed_updates setting; empty = Telegram's default set. */
  allowedUpdates: string[];
  webhook?: WebhookState;
  mainMiniAppUrl?: string;
  miniApps: Map<string, string>;
}

export interface MemberState {
  user: User;
  status: MemberStatus;
  rights?: AdminRights;
  untilDate?: number;
  customTitle?: string;
  /** An administrator who posts as the group ("Remain anonymous"). */
  isAnonymous?: boolean;
  /** Bots: privacy mode as it was when the bot joined (BotFather's /setprivacy applies to later joins only). */
  privacyAtJoin?: boolean;
}

export interface ChatState {
  key: string;
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  description?: string;
  /** Private chats: the user and the bot. */
  privateUserId?: number;
  privateBotId?: number;
  blockedByUser?: boolean;
  members: Map<number, MemberState>;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  migratedToChatId?: number;
  migratedFromChatId?: number;
  /** A channel's discussion group (supergroup), where its posts are forwarded automatically. */
  linkedChatId?: number;
  lastBotSenderId?: number;
  /** Bot ids that left or were removed, with the time. */
  botDepartures: Array<{ botId: number; at: Date; status: 'left' | 'kicked'; by: number }>;
}

export interface SentFile {
  fileId: string;
  kind: FileKind;
  fileName?: string;
  mimeType?: string;
  size: number;
  bytes?: Buffer;
}

export interface BotEdit {
  at: Date;
  method: string;
  text?: string;
  caption?: string;
  replyMarkup?: unknown;
}

/** What a bot did with one message: sent it, edited it, deleted it. */
export interface BotMessageRecord {
  bot: { id: number; username: string };
  chatId: number;
  messageId: number;
  method: string;
  sentAt: Date;
  /** Text as the user sees it (after parse_mode). */
  text?: string;
  caption?: string;
  /** Text/caption exactly as the bot sent it, with its parse_mode. */
  rawText?: string;
  parseMode?: string;
  /** reply_markup exactly as sent (inline or reply keyboards, remove, force reply). */
  replyMarkup?: unknown;
  files: SentFile[];
  edits: BotEdit[];
  deleted: boolean;
  /** The current Message object (after edits). */
  message: Message;
}

export interface StoredMessage {
  message: Message;
  deleted: boolean;
  deliveredTo: Set<number>;
  sentByBotId?: number;
  record?: BotMessageRecord;
}

export interface FileState {
  fileId: string;
  uniqueId: string;
  kind: FileKind;
  size: number;
  bytes?: Buffer;
  fileName?: string;
  mimeType?: string;
  filePath?: string;
  extension: string;
  /** Photos: all sizes of the photo this file belongs to. */
  photoSizes?: PhotoSize[];
}

export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  answeredAt: Date;
}

export interface CallbackState {
  id: string;
  botId: number;
  from: User;
  chatKey: string;
  messageId: number;
  data?: string;
  createdAt: number;
  answer?: CallbackAnswer;
}

export interface StateOptions {
  firstUpdateId?: number;
  /** How long a callback query can be answered (Telegram: seconds). Default 60 000 ms. */
  callbackQueryTtlMs?: number;
  /** Accept http:// (not only https://) Mini App URLs in web_app buttons. Default false. */
  allowHttpWebAppUrls?: boolean;
  /**
   * How long an update waits for the bot to confirm it before it is dropped (Telegram keeps
   * pending updates at most 24 hours). Default 24 h; tests shorten it.
   */
  pendingUpdateRetentionMs?: number;
}

/**
 * Telegram's own senders. A message sent on behalf of a chat has one of them as `from` (for
 * backward compatibility) and the chat as `sender_chat`.
 */
export const GROUP_ANONYMOUS_BOT: User = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};
export const CHANNEL_BOT: User = {
  id: 136817688,
  is_bot: true,
  first_name: 'Channel',
  username: 'Channel_Bot',
};
/** The sender of a linked channel's posts forwarded automatically into its discussion group. */
export const TELEGRAM_SERVICE_USER: User = { id: 777000, is_bot: false, first_name: 'Telegram' };

const SYSTEM_SENDER_IDS = new Set([GROUP_ANONYMOUS_BOT.id, CHANNEL_BOT.id]);

/** A message of a real bot (bots never see other bots' messages); Telegram's own senders are not. */
export function isFromBot(message: Message): boolean {
  return message.from?.is_bot === true && !SYSTEM_SENDER_IDS.has(message.from.id);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const SERVICE_FIELDS: Array<keyof Message> = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'group_chat_created',
  'supergroup_chat_created',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
];

export function isServiceMessage(message: Message): boolean {
  return SERVICE_FIELDS.some((field) => message[field] !== undefined);
}

export const FULL_ADMIN_RIGHTS: AdminRights = {
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: true,
  can_restrict_members: true,
  can_promote_members: false,
  can_change_info: true,
  can_invite_users: true,
  can_post_stories: true,
  can_edit_stories: true,
  can_delete_stories: true,
  can_pin_messages: true,
};

export class WorldState {
  readonly ids = new IdFactory();
  readonly events = new EventEmitter();
  readonly users = new Map<number, User>();
  readonly bots = new Map<string, BotState>();
  readonly botsById = new Map<number, BotState>();
  readonly chats = new Map<string, ChatState>();
  readonly groupsById = new Map<number, ChatState>();
  readonly files = new Map<string, FileState>();
  readonly filesByPath = new Map<string, FileState>();
  readonly callbacks = new Map<string, CallbackState>();
  nextUpdateId: number;
  readonly callbackQueryTtlMs: number;
  readonly allowHttpWebAppUrls: boolean;
  /**
   * Grows with every change people or bots make (a message, an edit, a member, an update): a
   * client such as the web stand-in waits for it to change (`revision` event) and reads again.
   */
  revision = 0;
  pendingUpdateRetentionMs: number;

  constructor(options: StateOptions = {}) {
    this.nextUpdateId = options.firstUpdateId ?? 845_120_001;
    this.callbackQueryTtlMs = options.callbackQueryTtlMs ?? 60_000;
    this.allowHttpWebAppUrls = options.allowHttpWebAppUrls ?? false;
    this.pendingUpdateRetentionMs = options.pendingUpdateRetentionMs ?? 24 * 3600_000;
    this.events.setMaxListeners(0);
    for (const event of ['message', 'bot-message', 'member', 'update']) {
      this.events.on(event, () => {
        this.revision += 1;
        this.events.emit('revision');
      });
    }
  }

  // ------------------------------------------------------------ lookups

  user(id: number): User {
    const user = this.users.get(id);
    if (!user) throw new WorldError(`unknown user ${id}`, 404);
    return user;
  }

  findUser(ref: number | string | { id: number }): User {
    if (typeof ref === 'object') return this.user(ref.id);
    if (typeof ref === 'number') return this.user(ref);
    if (/^-?\d+$/.test(ref)) return this.user(Number(ref));
    const username = ref.replace(/^@/, '').toLowerCase();
    for (const user of this.users.values()) {
      if (user.username?.toLowerCase() === username) return user;
    }
    throw new WorldError(`unknown user ${ref}`, 404);
  }

  findBot(ref: number | string | { id: number } | { token: string }): BotState {
    if (typeof ref === 'object') {
      if ('token' in ref) return this.findBot(ref.token);
      return this.findBot(ref.id);
    }
    if (typeof ref === 'number') {
      const bot = this.botsById.get(ref);
      if (!bot) throw new WorldError(`unknown bot ${ref}`, 404);
      return bot;
    }
    const byToken = this.bots.get(ref);
    if (byToken) return byToken;
    if (/^\d+$/.test(ref)) return this.findBot(Number(ref));
    const username = ref.replace(/^@/, '').toLowerCase();
    for (const bot of this.bots.values()) {
      if (bot.user.username?.toLowerCase() === username) return bot;
    }
    throw new WorldError(`unknown bot ${ref}`, 404);
  }

  privateChatKey(botId: number, userId: number): string {
    return `p:${botId}:${userId}`;
  }

  groupChatKey(id: number): string {
    return `g:${id}`;
  }

  getOrCreatePrivateChat(bot: BotState, user: User): ChatState {
    const key = this.privateChatKey(bot.user.id, user.id);
    let chat = this.chats.get(key);
    if (!chat) {
      chat = {
        key,
        id: user.id,
        type: 'private',
        privateUserId: user.id,
        privateBotId: bot.user.id,
        members: new Map([
          [user.id, { user, status: 'member' }],
          [bot.user.id, { user: bot.user, status: 'member' }],
        ]),
        nextMessageId: 1,
        messages: new Map(),
        botDepartures: [],
      };
      this.chats.set(key, chat);
    }
    return chat;
  }

  group(id: number): ChatState {
    const chat = this.groupsById.get(id);
    if (!chat) throw new WorldError(`unknown group ${id}`, 404);
    return chat;
  }

  botsInChat(chat: ChatState): BotState[] {
    const out: BotState[] = [];
    for (const member of chat.members.values()) {
      if (!member.user.is_bot || !isActiveStatus(member.status)) continue;
      const bot = this.botsById.get(member.user.id);
      if (bot) out.push(bot);
    }
    return out;
  }

  // ------------------------------------------------------------ rendering

  renderChat(chat: ChatState): Chat {
    if (chat.type === 'private') {
      const user = this.user(chat.privateUserId ?? 0);
      const out: Chat = { id: user.id, type: 'private', first_name: user.first_name };
      if (user.last_name !== undefined) out.last_name = user.last_name;
      if (user.username !== undefined) out.username = user.username;
      return out;
    }
    const out: Chat = { id: chat.id, type: chat.type, title: chat.title ?? '' };
    if (chat.username !== undefined) out.username = chat.username;
    return out;
  }

  renderMember(chat: ChatState, userId: number): ChatMember {
    const member = chat.members.get(userId);
    const user = member?.user ?? this.user(userId);
    switch (member?.status) {
      case 'creator': {
        const out: ChatMember = {
          status: 'creator',
          user: { ...user },
          is_anonymous: member.isAnonymous ?? false,
        };
        if (member.customTitle !== undefined) out.custom_title = member.customTitle;
        return out;
      }
      case 'administrator': {
        const rights = { ...FULL_ADMIN_RIGHTS, ...member.rights };
        if (chat.type !== 'supergroup') delete rights.can_manage_topics;
        else rights.can_manage_topics ??= false;
        const out: ChatMember = {
          status: 'administrator',
          user: { ...user },
          can_be_edited: false,
          is_anonymous: member.isAnonymous ?? false,
          ...rights,
        };
        if (member.customTitle !== undefined) out.custom_title = member.customTitle;
        return out;
      }
      case 'member':
        return { status: 'member', user: { ...user } };
      case 'kicked':
        return { status: 'kicked', user: { ...user }, until_date: member.untilDate ?? 0 };
      default:
        return { status: 'left', user: { ...user } };
    }
  }

  chatInstance(chat: Pick<ChatState, 'key'>, botId: number): string {
    return makeChatInstance(chat.key, botId);
  }

  // ------------------------------------------------------------ updates

  isAllowed(bot: BotState, type: UpdateType): boolean {
    if (bot.allowedUpdates.length > 0) return bot.allowedUpdates.includes(type);
    return !DEFAULT_UPDATE_TYPES_EXCLUDED.includes(type);
  }

  enqueue(bot: BotState, type: UpdateType, payload: unknown): Update | undefined {
    if (!this.isAllowed(bot, type)) return undefined;
    const update = { update_id: this.nextUpdateId, [type]: structuredClone(payload) } as Update;
    this.nextUpdateId += 1;
    this.expire(bot);
    bot.queue.push(update);
    bot.queuedAt.set(update.update_id, Date.now());
    this.events.emit('update', bot, update);
    return update;
  }

  /** Removes confirmed updates (update_id < offset); returns how many were removed. */
  confirm(bot: BotState, offset: number): void {
    const before = bot.queue.length;
    while (bot.queue.length > 0 && (bot.queue[0]?.update_id ?? Infinity) < offset)
      bot.queuedAt.delete(bot.queue.shift()?.update_id ?? 0);
    if (bot.queue.length !== before) this.events.emit('confirmed', bot);
  }

  /**
   * Drops the updates that waited longer than the retention, as Telegram does after 24 hours:
   * they are gone for the bot (kept in `bot.expired` for tests to see).
   */
  expire(bot: BotState, now = Date.now()): number {
    let dropped = 0;
    while (bot.queue.length > 0) {
      const first = bot.queue[0]!;
      const at = bot.queuedAt.get(first.update_id) ?? now;
      if (now - at < this.pendingUpdateRetentionMs) break;
      bot.queue.shift();
      bot.queuedAt.delete(first.update_id);
      bot.expired.push(first);
      if (bot.expired.length > 1_000) bot.expired.shift();
      bot.expiredCount += 1;
      dropped += 1;
    }
    // Entries of updates confirmed by other paths (webhook, negative offsets): keep the map small.
    if (bot.queuedAt.size > bot.queue.length + 1_000) {
      const live = new Set(bot.queue.map((u) => u.update_id));
      for (const id of bot.queuedAt.keys()) if (!live.has(id)) bot.queuedAt.delete(id);
    }
    if (dropped > 0) this.events.emit('confirmed', bot);
    return dropped;
  }

  // ------------------------------------------------------------ messages

  canBotSee(bot: BotState, chat: ChatState, message: Message): boolean {
    if (chat.type === 'private') return chat.privateBotId === bot.user.id;
    const member = chat.members.get(bot.user.id);
    if (!member || !isActiveStatus(member.status)) return false;
    if (isServiceMessage(message)) return true;
    if (isFromBot(message)) return false;
    // Privacy mode as it was when the bot joined: /setprivacy changes only later joins.
    const privacy = member.privacyAtJoin ?? bot.privacyMode;
    if (member.status === 'administrator' || !privacy) return true;
    if (message.reply_to_message?.from?.id === bot.user.id) return true;
    const commands = commandsIn(
      message.text ?? message.caption,
      message.entities ?? message.caption_entities,
    );
    const username = bot.user.username?.toLowerCase();
    for (const command of commands) {
      if (command.target !== undefined) {
        if (command.target.toLowerCase() === username) return true;
        continue;
      }
      if (this.botsInChat(chat).length === 1 || chat.lastBotSenderId === bot.user.id) return true;
    }
    return false;
  }

  /** Stores a message (message_id per chat) and delivers it to the bots that may see it. */
  postMessage(
    chat: ChatState,
    from: User | null,
    content: Partial<Message>,
    options: { deliver?: boolean; replyTo?: number } = {},
  ): StoredMessage {
    const message: Message = {
      message_id: chat.nextMessageId,
      ...(from ? { from: { ...from } } : {}),
      chat: this.renderChat(chat),
      date: nowSeconds(),
    };
    if (options.replyTo !== undefined) {
      const target = chat.messages.get(options.replyTo);
      if (!target || target.deleted)
        throw new WorldError(`message ${options.replyTo} not found in chat ${chat.id}`);
      const reply = structuredClone(target.message);
      delete reply.reply_to_message;
      message.reply_to_message = reply;
    }
    Object.assign(message, content);
    chat.nextMessageId += 1;
    const stored: StoredMessage = { message, deleted: false, deliveredTo: new Set() };
    chat.messages.set(message.message_id, stored);
    if (options.deliver !== false) this.deliver(chat, stored, 'message');
    this.events.emit('message', chat, stored);
    return stored;
  }

  deliver(chat: ChatState, stored: StoredMessage, type: 'message' | 'edited_message'): void {
    const candidates =
      chat.type === 'private'
        ? [this.botsById.get(chat.privateBotId ?? 0)].filter((b): b is BotState => b !== undefined)
        : this.botsInChat(chat);
    for (const bot of candidates) {
      if (stored.message.from?.id === bot.user.id) continue;
      const visible =
        this.canBotSee(bot, chat, stored.message) ||
        (type === 'edited_message' && stored.deliveredTo.has(bot.user.id));
      if (!visible) continue;
      stored.deliveredTo.add(bot.user.id);
      this.enqueue(bot, type, stored.message);
    }
  }

  // ------------------------------------------------------------ membership

  setMemberStatus(
    chat: ChatState,
    user: User,
    status: MemberStatus,
    by: User,
    extra: { rights?: AdminRights; untilDate?: number } = {},
  ): void {
    const oldMember = this.renderMember(chat, user.id);
    const previous = chat.members.get(user.id);
    const next: MemberState = { user, status };
    if (user.is_bot && isActiveStatus(status)) {
      const bot = this.botsById.get(user.id);
      next.privacyAtJoin =
        previous && isActiveStatus(previous.status)
          ? (previous.privacyAtJoin ?? bot?.privacyMode ?? true)
          : (bot?.privacyMode ?? true);
    }
    if (status === 'administrator')
      next.rights = { ...FULL_ADMIN_RIGHTS, ...previous?.rights, ...extra.rights };
    if (status === 'kicked') next.untilDate = extra.untilDate ?? 0;
    chat.members.set(user.id, next);
    const newMember = this.renderMember(chat, user.id);
    const changed: ChatMemberUpdated = {
      chat: this.renderChat(chat),
      from: { ...by },
      date: nowSeconds(),
      old_chat_member: oldMember,
      new_chat_member: newMember,
    };
    if (user.is_bot) {
      const bot = this.botsById.get(user.id);
      if (bot) this.enqueue(bot, 'my_chat_member', changed);
      if (bot && !isActiveStatus(status) && previous && isActiveStatus(previous.status)) {
        chat.botDepartures.push({
          botId: bot.user.id,
          at: new Date(),
          status: status === 'kicked' ? 'kicked' : 'left',
          by: by.id,
        });
      }
    }
    for (const other of this.botsInChat(chat)) {
      if (other.user.id === user.id) continue;
      if (chat.members.get(other.user.id)?.status !== 'administrator') continue;
      this.enqueue(other, 'chat_member', changed);
    }
    this.events.emit('member', chat, user, status);
  }

  // ------------------------------------------------------------ files

  createFile(input: {
    kind: FileKind;
    bytes?: Buffer;
    size?: number;
    fileName?: string;
    mimeType?: string;
    extension: string;
    fileId?: string;
    uniqueId?: string;
    /** Keep the bytes even above the 20 MB download limit (files bots upload, up to 50 MB). */
    keepBytes?: boolean;
  }): FileState {
    const size = input.size ?? input.bytes?.length ?? 0;
    const file: FileState = {
      fileId: input.fileId ?? makeFileId(input.kind),
      uniqueId: input.uniqueId ?? makeFileUniqueId(input.kind),
      kind: input.kind,
      size,
      extension: input.extension,
    };
    // Files above the download limit are recorded by size only.
    if (input.bytes && (size <= MAX_DOWNLOAD_SIZE || input.keepBytes)) file.bytes = input.bytes;
    if (input.fileName !== undefined) file.fileName = input.fileName;
    if (input.mimeType !== undefined) file.mimeType = input.mimeType;
    this.files.set(file.fileId, file);
    return file;
  }

  assignFilePath(file: FileState): string {
    if (file.filePath) return file.filePath;
    const dir = { document: 'documents', photo: 'photos', voice: 'voice', video: 'videos' }[
      file.kind
    ];
    file.filePath = `${dir}/file_${this.ids.nextFileNumber()}.${file.extension}`;
    this.filesByPath.set(file.filePath, file);
    return file.filePath;
  }

  // ------------------------------------------------------------ bot-side chat access

  /** Resolves `chat_id` as a bot sees it; throws the Bot API error Telegram would answer. */
  resolveChatForBot(
    bot: BotState,
    chatId: number | string | undefined,
    access: 'write' | 'read' = 'write',
  ): ChatState {
    if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
    let id: number;
    if (typeof chatId === 'string') {
      if (chatId.startsWith('@')) {
        const username = chatId.slice(1).toLowerCase();
        const chat = [...this.groupsById.values()].find(
          (c) => c.username?.toLowerCase() === username && c.migratedToChatId === undefined,
        );
        if (!chat) throw badRequest('chat not found');
        id = chat.id;
      } else if (/^-?\d+$/.test(chatId)) {
        id = Number(chatId);
      } else {
        throw badRequest('chat not found');
      }
    } else {
      id = chatId;
    }
    if (id > 0) {
      if (id === bot.user.id) throw badRequest('chat not found');
      if (this.botsById.has(id)) throw forbidden("bot can't send messages to bots");
      const user = this.users.get(id);
      if (!user) throw badRequest('chat not found');
      const chat = this.chats.get(this.privateChatKey(bot.user.id, id));
      if (!chat) throw forbidden("bot can't initiate conversation with a user");
      if (access === 'write' && chat.blockedByUser) throw forbidden('bot was blocked by the user');
      return chat;
    }
    const chat = this.groupsById.get(id);
    if (!chat) throw badRequest('chat not found');
    if (chat.migratedToChatId !== undefined) {
      throw badRequest('group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: chat.migratedToChatId,
      });
    }
    const member = chat.members.get(bot.user.id);
    const kind = chat.type === 'supergroup' ? 'supergroup chat' : 'group chat';
    if (!member || member.status === 'left') throw forbidden(`bot is not a member of the ${kind}`);
    if (member.status === 'kicked') throw forbidden(`bot was kicked from the ${kind}`);
    return chat;
  }

  callbackQueryPayload(callback: CallbackState, chat: ChatState): CallbackQuery {
    const stored = chat.messages.get(callback.messageId);
    const out: CallbackQuery = {
      id: callback.id,
      from: { ...callback.from },
      chat_instance: this.chatInstance(chat, callback.botId),
    };
    if (stored && !stored.deleted) out.message = stored.message;
    else out.message = { chat: this.renderChat(chat), message_id: callback.messageId, date: 0 };
    if (callback.data !== undefined) out.data = callback.data;
    return out;
  }
}

export function isActiveStatus(status: MemberStatus | undefined): boolean {
  return status === 'creator' || status === 'administrator' || status === 'member';
}
