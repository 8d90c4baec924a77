import { restoreState, snapshotState } from './snapshot';
import type {
  AdminRights,
  Chat,
  ChatMember,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  MessageOrigin,
  PhotoSize,
  Update,
  User,
} from './bot-api-types';
import { WorldError } from './errors';
import { makeBotToken } from './ids';
import { blankJpeg, extensionFor, isJpeg, mimeTypeFor, photoSizeLadder, sniffImage } from './media';
import {
  GROUP_ANONYMOUS_BOT,
  isActiveStatus,
  MAX_DOWNLOAD_SIZE,
  TELEGRAM_SERVICE_USER,
  nowSeconds,
  WorldState,
  type BotMessageRecord,
  type BotState,
  type CallbackAnswer,
  type ChatState,
  type FileState,
  type StateOptions,
  type StoredMessage,
} from './state';
import { formatText } from './text';
import type { UserChat } from './world-types';
import {
  buildLaunchUrl,
  parseTelegramLink,
  signInitData,
  toInitDataUser,
  type InitDataParams,
} from './webapp';

/** A user: id, @username / username, or a User object. */
export type UserRef = number | string | { id: number };
/** A bot: token, id, @username / username, a bot User or BotInfo. */
export type BotRef = number | string | { id: number } | { token: string };
/**
 * A chat. Negative number: a group/supergroup id. Positive number: a private chat — either the
 * bot's id (seen from the user, who is `from`) or the user's id (seen from the bot; pass `bot`
 * when several bots talk to that user). Or explicitly `{ user, bot }`.
 */
export type ChatRef = number | string | { user: UserRef; bot: BotRef };

export interface CreateUserInput {
  id?: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
}

export interface CreateBotInput {
  /** `<bot id>:<secret>`; generated when omitted. The bot id is the numeric prefix. */
  token?: string;
  username?: string;
  first_name?: string;
  /** Privacy mode (BotFather /setprivacy). Default true, like Telegram. */
  privacyMode?: boolean;
  canJoinGroups?: boolean;
  /** The bot's main Mini App URL (`t.me/<bot>?startapp=`). */
  mainMiniAppUrl?: string;
}

export interface BotInfo {
  token: string;
  id: number;
  username: string;
  user: User;
  privacyMode: boolean;
}

export interface MediaInput {
  /** File contents. Omit to describe a file by `size` only (e.g. a >20 MB upload). */
  bytes?: Uint8Array;
  size?: number;
}

export interface UserMessageBase {
  from: UserRef;
  chat: ChatRef;
  replyTo?: number;
  /** Shared by the messages of an album. */
  mediaGroupId?: string;
}

export interface PhotoInput extends MediaInput {
  width?: number;
  height?: number;
  caption?: string;
}

export interface DocumentInput extends MediaInput {
  fileName: string;
  mimeType?: string;
  caption?: string;
}

export interface VoiceInput extends MediaInput {
  duration?: number;
  mimeType?: string;
  caption?: string;
}

export interface VideoInput extends MediaInput {
  width?: number;
  height?: number;
  duration?: number;
  fileName?: string;
  mimeType?: string;
  caption?: string;
}

export type AlbumItem =
  | ({ type: 'photo' } & PhotoInput)
  | ({ type: 'video' } & VideoInput)
  | ({ type: 'document' } & DocumentInput);

export interface LaunchResult {
  /** The URL to open in a browser (hash carries tgWebAppData etc.). */
  url: string;
  /** The signed init data string (what `Telegram.WebApp.initData` holds). */
  initData: string;
  /** The parameters that were signed. */
  params: InitDataParams;
}

export interface LaunchMiniAppInput {
  user: UserRef;
  bot?: BotRef;
  /** Mini App URL; defaults to the app registered under `shortName`, else the main Mini App. */
  url?: string;
  shortName?: string;
  startParam?: string;
  /** The chat the app is opened from (sets chat_type / chat_instance). */
  chat?: ChatRef;
  chatType?: string;
  queryId?: string;
  platform?: string;
  version?: string;
  themeParams?: Record<string, string>;
  authDate?: Date | number;
}

export type OpenLinkResult =
  { kind: 'miniapp'; launch: LaunchResult } | { kind: 'start'; message: Message };

export interface ChatInfo {
  chat: Chat;
  members: ChatMember[];
  migratedToChatId?: number;
  migratedFromChatId?: number;
  botDepartures: Array<{ botId: number; at: Date; status: 'left' | 'kicked'; by: number }>;
}

export interface WaitOptions {
  /** How long to wait at most; DEFAULT_WAIT_MS when not given. */
  timeoutMs?: number;
}

/** Waiting for what a bot did (`bot`, or any bot) that matches `predicate`. */
export interface BotWaitOptions<T> extends WaitOptions {
  bot?: BotRef;
  predicate?: (found: T) => boolean;
}

/**
 * A wait ends as soon as what it waits for is there, so its limit only decides how long a broken
 * run takes to fail: generous, for a CI machine busy with other suites.
 */
export const DEFAULT_WAIT_MS = 15_000;

/**
 * The simulated Telegram world: users, bots, chats and what happens in them. Every operation a
 * user can do produces the messages and updates Telegram would produce; bots see them through
 * the Bot API (long polling or webhook).
 */
export class TelegramWorld {
  protected state: WorldState;

  constructor(options: StateOptions = {}) {
    this.state = new WorldState(options);
  }

  // ------------------------------------------------------------ users and bots

  createUser(input: CreateUserInput): User {
    const id = input.id ?? this.state.ids.nextUserId();
    if (this.state.users.has(id)) throw new WorldError(`user ${id} already exists`);
    const user: User = { id, is_bot: false, first_name: input.first_name };
    if (input.last_name !== undefined) user.last_name = input.last_name;
    if (input.username !== undefined) user.username = input.username;
    if (input.language_code !== undefined) user.language_code = input.language_code;
    if (input.is_premium) user.is_premium = true;
    this.state.users.set(id, user);
    return { ...user };
  }

  /** The whole world as bytes (see snapshot.ts): a server given them back goes on from there. */
  saveWorld(): Buffer {
    return snapshotState(this.state);
  }

  /** Replaces the world with one {@link saveWorld} wrote (before the server starts). */
  restoreWorld(bytes: Uint8Array): void {
    restoreState(this.state, bytes);
  }

  createBot(input: CreateBotInput = {}): BotInfo {
    let token = input.token;
    let id: number;
    if (token !== undefined) {
      const prefix = /^(\d+):[A-Za-z0-9_-]+$/.exec(token)?.[1];
      id = prefix !== undefined ? Number(prefix) : this.state.ids.nextBotId();
      if (this.state.bots.has(token)) throw new WorldError(`bot token already registered`);
    } else {
      id = this.state.ids.nextBotId();
      token = makeBotToken(id);
    }
    if (this.state.users.has(id)) throw new WorldError(`id ${id} is already used`);
    const username = input.username ?? `test_${id}_bot`;
    const user: User = { id, is_bot: true, first_name: input.first_name ?? username, username };
    const bot: BotState = {
      token,
      user,
      privacyMode: input.privacyMode ?? true,
      canJoinGroups: input.canJoinGroups ?? true,
      commands: new Map(),
      queue: [],
      queuedAt: new Map(),
      expired: [],
      expiredCount: 0,
      allowedUpdates: [],
      miniApps: new Map(),
    };
    if (input.mainMiniAppUrl !== undefined) bot.mainMiniAppUrl = input.mainMiniAppUrl;
    this.state.users.set(id, user);
    this.state.bots.set(token, bot);
    this.state.botsById.set(id, bot);
    return this.botInfo(bot);
  }

  getBot(ref: BotRef): BotInfo {
    return this.botInfo(this.state.findBot(ref));
  }

  listBots(): BotInfo[] {
    return [...this.state.bots.values()].map((b) => this.botInfo(b));
  }

  getUser(ref: UserRef): User {
    return { ...this.state.findUser(ref) };
  }

  listUsers(): User[] {
    return [...this.state.users.values()].filter((u) => !u.is_bot).map((u) => ({ ...u }));
  }

  /** BotFather /setname: the name people see in chats (its username stays). */
  setBotName(bot: BotRef, name: string): void {
    this.state.findBot(bot).user.first_name = name;
  }

  /** BotFather /setprivacy. */
  setPrivacyMode(bot: BotRef, enabled: boolean): void {
    this.state.findBot(bot).privacyMode = enabled;
  }

  /** Registers a Mini App (`shortName` for `t.me/<bot>/<shortName>`, none for the main app). */
  setMiniApp(bot: BotRef, app: { url: string; shortName?: string }): void {
    const state = this.state.findBot(bot);
    if (app.shortName === undefined) state.mainMiniAppUrl = app.url;
    else state.miniApps.set(app.shortName, app.url);
  }

  // ------------------------------------------------------------ private chats

  /** The user presses START (or opens `t.me/<bot>?start=<payload>`): sends `/start [payload]`. */
  startBot(user: UserRef, bot: BotRef, payload?: string): Message {
    const u = this.state.findUser(user);
    const b = this.state.findBot(bot);
    const chat = this.state.getOrCreatePrivateChat(b, u);
    chat.blockedByUser = false;
    const text = payload !== undefined && payload !== '' ? `/start ${payload}` : '/start';
    const entities: MessageEntity[] = [{ type: 'bot_command', offset: 0, length: 6 }];
    return this.snapshot(this.state.postMessage(chat, u, { text, entities }));
  }

  /** The user blocks the bot: my_chat_member (member → kicked); sends then fail with 403. */
  blockBot(user: UserRef, bot: BotRef): void {
    this.setBlocked(user, bot, true);
  }

  /** The user unblocks the bot: my_chat_member (kicked → member). */
  unblockBot(user: UserRef, bot: BotRef): void {
    this.setBlocked(user, bot, false);
  }

  private setBlocked(user: UserRef, bot: BotRef, blocked: boolean): void {
    const u = this.state.findUser(user);
    const b = this.state.findBot(bot);
    const chat = this.state.getOrCreatePrivateChat(b, u);
    chat.blockedByUser = blocked;
    this.state.setMemberStatus(chat, b.user, blocked ? 'kicked' : 'member', u);
  }

  // ------------------------------------------------------------ groups

  /** A user creates a basic group (negative id); the first message is `group_chat_created`. */
  createGroup(input: { by: UserRef; title: string; members?: UserRef[] }): Chat {
    const creator = this.state.findUser(input.by);
    if (creator.is_bot) throw new WorldError('bots cannot create groups');
    const chat = this.addGroupChat(this.state.ids.nextGroupId(), 'group', onlyCreator(creator), {
      title: input.title,
    });
    const initial = (input.members ?? []).map((ref) => this.state.findUser(ref));
    for (const user of initial) {
      if (user.is_bot) {
        const bot = this.state.findBot(user.id);
        if (!bot.canJoinGroups)
          throw new WorldError(`bot @${user.username} can't be added to groups`);
        this.state.setMemberStatus(chat, user, 'member', creator);
      } else {
        chat.members.set(user.id, { user, status: 'member' });
      }
    }
    this.state.postMessage(chat, creator, { group_chat_created: true });
    return this.state.renderChat(chat);
  }

  /** Adds a user (or a bot) to a group: `new_chat_members` service message + chat_member updates. */
  addMember(chat: ChatRef, user: UserRef, options: { by?: UserRef } = {}): Message {
    const target = this.state.findUser(user);
    if (target.is_bot) {
      return this.addBot(chat, target.id, {
        by: options.by ?? this.ownerOf(this.resolveGroup(chat)),
      });
    }
    const group = this.resolveGroup(chat);
    const by = options.by !== undefined ? this.state.findUser(options.by) : target;
    if (isActiveStatus(group.members.get(target.id)?.status)) {
      throw new WorldError(`user ${target.id} is already a member of ${group.id}`);
    }
    this.state.setMemberStatus(group, target, 'member', by);
    return this.snapshot(this.state.postMessage(group, by, { new_chat_members: [{ ...target }] }));
  }

  /** Removes a user/bot (kicked by `by`) or lets them leave (no `by`, or `by` = themselves). */
  removeMember(chat: ChatRef, user: UserRef, options: { by?: UserRef } = {}): Message {
    const group = this.resolveGroup(chat);
    const target = this.state.findUser(user);
    const by = options.by !== undefined ? this.state.findUser(options.by) : target;
    const member = group.members.get(target.id);
    if (!isActiveStatus(member?.status))
      throw new WorldError(`user ${target.id} is not a member of ${group.id}`);
    if (member?.status === 'creator') throw new WorldError('the creator cannot be removed');
    this.state.setMemberStatus(group, target, by.id === target.id ? 'left' : 'kicked', by);
    return this.snapshot(this.state.postMessage(group, by, { left_chat_member: { ...target } }));
  }

  /**
   * A user adds the bot to a group: `my_chat_member` (from = that user), then the
   * `new_chat_members` service message. `asAdmin` adds it as an administrator directly.
   */
  addBot(
    chat: ChatRef,
    bot: BotRef,
    options: { by: UserRef; asAdmin?: boolean; rights?: Partial<AdminRights> },
  ): Message {
    const group = this.resolveGroup(chat);
    const b = this.state.findBot(bot);
    const by = this.state.findUser(options.by);
    if (!b.canJoinGroups) throw new WorldError(`bot @${b.user.username} can't be added to groups`);
    if (!isActiveStatus(group.members.get(by.id)?.status))
      throw new WorldError(`user ${by.id} is not in ${group.id}`);
    if (isActiveStatus(group.members.get(b.user.id)?.status))
      throw new WorldError('the bot is already a member');
    this.state.setMemberStatus(group, b.user, options.asAdmin ? 'administrator' : 'member', by, {
      ...(options.rights ? { rights: { ...options.rights } as AdminRights } : {}),
    });
    return this.snapshot(this.state.postMessage(group, by, { new_chat_members: [{ ...b.user }] }));
  }

  /** Makes a member (user or bot) an administrator; bots get `my_chat_member`. */
  promote(
    chat: ChatRef,
    user: UserRef,
    options: { by?: UserRef; rights?: Partial<AdminRights>; customTitle?: string } = {},
  ): void {
    const group = this.resolveGroup(chat);
    const target = this.state.findUser(user);
    const by = options.by !== undefined ? this.state.findUser(options.by) : this.ownerOf(group);
    const status = group.members.get(target.id)?.status;
    if (!isActiveStatus(status))
      throw new WorldError(`user ${target.id} is not a member of ${group.id}`);
    if (status === 'creator') throw new WorldError('the creator is already the owner');
    this.state.setMemberStatus(group, target, 'administrator', by, {
      ...(options.rights ? { rights: { ...options.rights } as AdminRights } : {}),
    });
    const member = group.members.get(target.id);
    if (member && options.customTitle !== undefined) member.customTitle = options.customTitle;
  }

  /** Turns an administrator back into a plain member. */
  demote(chat: ChatRef, user: UserRef, options: { by?: UserRef } = {}): void {
    const group = this.resolveGroup(chat);
    const target = this.state.findUser(user);
    const by = options.by !== undefined ? this.state.findUser(options.by) : this.ownerOf(group);
    if (group.members.get(target.id)?.status !== 'administrator')
      throw new WorldError('not an administrator');
    this.state.setMemberStatus(group, target, 'member', by);
  }

  promoteBot(
    chat: ChatRef,
    bot: BotRef,
    options: { by?: UserRef; rights?: Partial<AdminRights> } = {},
  ): void {
    this.promote(chat, this.state.findBot(bot).user.id, options);
  }

  /**
   * Upgrades a basic group to a supergroup (new id -100…): `migrate_to_chat_id` in the old chat,
   * `migrate_from_chat_id` in the new one; the old id then answers 400 with migrate_to_chat_id.
   */
  upgradeToSupergroup(chat: ChatRef, options: { by?: UserRef; username?: string } = {}): Chat {
    const old = this.resolveGroup(chat);
    if (old.type !== 'group') throw new WorldError('only basic groups can be upgraded');
    const by = options.by !== undefined ? this.state.findUser(options.by) : this.ownerOf(old);
    const id = this.state.ids.nextSupergroupId();
    const members = new Map([...old.members].map(([k, v]) => [k, { ...v }]));
    const next = this.addGroupChat(id, 'supergroup', members, {
      title: old.title,
      username: options.username,
      migratedFromChatId: old.id,
    });
    this.state.postMessage(old, by, { migrate_to_chat_id: id });
    old.migratedToChatId = id;
    this.state.postMessage(next, by, { migrate_from_chat_id: old.id });
    return this.state.renderChat(next);
  }

  // ------------------------------------------------------------ anonymous admins, channels, forwards

  /**
   * An administrator of a supergroup turns "Remain anonymous" on (or off): their messages then
   * come from `GroupAnonymousBot` with the group as `sender_chat` (and their custom title as
   * `author_signature`), as Telegram sends them.
   */
  setAnonymousAdmin(chat: ChatRef, user: UserRef, anonymous = true): void {
    const group = this.resolveGroup(chat);
    if (group.type !== 'supergroup')
      throw new WorldError('anonymous administrators exist only in supergroups');
    const target = this.state.findUser(user);
    const member = group.members.get(target.id);
    if (member?.status !== 'administrator' && member?.status !== 'creator')
      throw new WorldError(`user ${target.id} is not an administrator of ${group.id}`);
    member.isAnonymous = anonymous;
  }

  /** A user creates a channel (id -100…). Bots are not told of its posts (no channel_post here). */
  createChannel(input: { by: UserRef; title: string; username?: string }): Chat {
    const creator = this.state.findUser(input.by);
    const channel = this.addGroupChat(
      this.state.ids.nextSupergroupId(),
      'channel',
      onlyCreator(creator),
      { title: input.title, username: input.username },
    );
    return this.state.renderChat(channel);
  }

  /** Makes a supergroup the channel's discussion group: the channel's posts are forwarded into it. */
  linkDiscussionGroup(channel: ChatRef, group: ChatRef): void {
    const from = this.resolveChannel(channel);
    const to = this.resolveGroup(group);
    if (to.type !== 'supergroup') throw new WorldError('a discussion group must be a supergroup');
    from.linkedChatId = to.id;
  }

  /**
   * A post in a channel. With a discussion group, Telegram forwards it there automatically:
   * `from` is the Telegram service user (777000), `sender_chat` the channel,
   * `is_automatic_forward`, and `forward_origin` of type channel.
   */
  postToChannel(input: { channel: ChatRef; text: string; signature?: string }): {
    post: Message;
    forwarded?: Message;
  } {
    const channel = this.resolveChannel(input.channel);
    const formatted = formatText(input.text, undefined);
    const text: Partial<Message> = { text: formatted.text };
    if (formatted.entities.length > 0) text.entities = formatted.entities;
    const rendered = this.state.renderChat(channel);
    const post = this.state.postMessage(
      channel,
      null,
      {
        ...text,
        sender_chat: rendered,
        ...(input.signature !== undefined ? { author_signature: input.signature } : {}),
      },
      { deliver: false },
    );
    if (channel.linkedChatId === undefined) return { post: this.snapshot(post) };
    const group = this.state.group(channel.linkedChatId);
    const origin: MessageOrigin = {
      type: 'channel',
      chat: rendered,
      message_id: post.message.message_id,
      date: post.message.date,
      ...(input.signature !== undefined ? { author_signature: input.signature } : {}),
    };
    const forwarded = this.state.postMessage(group, TELEGRAM_SERVICE_USER, {
      ...text,
      sender_chat: rendered,
      is_automatic_forward: true,
      forward_origin: origin,
    });
    return { post: this.snapshot(post), forwarded: this.snapshot(forwarded) };
  }

  /**
   * A user forwards a message (from a channel, a group, or a private chat) into a chat they
   * are in. The copy carries `forward_origin` as Telegram builds it: `channel` for a channel
   * post, `chat` for an anonymous administrator's message, `user` for a person's; a forward of
   * a forward keeps the first origin.
   */
  forwardMessage(input: {
    from: UserRef;
    fromChat: ChatRef;
    messageId: number;
    toChat: ChatRef;
  }): Message {
    const source = this.resolveChatForReading(input.fromChat);
    const stored = source.messages.get(input.messageId);
    if (!stored || stored.deleted)
      throw new WorldError(`message ${input.messageId} not found in chat ${source.id}`);
    const original = stored.message;
    const origin: MessageOrigin =
      original.forward_origin ??
      (original.sender_chat?.type === 'channel'
        ? {
            type: 'channel',
            chat: original.sender_chat,
            message_id: original.message_id,
            date: original.date,
            ...(original.author_signature !== undefined
              ? { author_signature: original.author_signature }
              : {}),
          }
        : original.sender_chat
          ? {
              type: 'chat',
              sender_chat: original.sender_chat,
              date: original.date,
              ...(original.author_signature !== undefined
                ? { author_signature: original.author_signature }
                : {}),
            }
          : { type: 'user', sender_user: { ...original.from! }, date: original.date });
    const content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'> = {
      forward_origin: structuredClone(origin),
    };
    for (const key of [
      'text',
      'entities',
      'caption',
      'caption_entities',
      'photo',
      'document',
      'video',
      'voice',
    ] as const) {
      if (original[key] !== undefined)
        Object.assign(content, { [key]: structuredClone(original[key]) });
    }
    const { chat, from } = this.resolveUserChat(input.from, input.toChat);
    return this.post(chat, from, content);
  }

  // ------------------------------------------------------------ user messages

  sendText(input: UserMessageBase & { text: string; entities?: MessageEntity[] }): Message {
    const { chat, from } = this.resolveUserChat(input.from, input.chat);
    const formatted = formatText(input.text, undefined, input.entities);
    const content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'> = {
      text: formatted.text,
    };
    if (formatted.entities.length > 0) content.entities = formatted.entities;
    return this.post(chat, from, content, input.replyTo);
  }

  /** The user edits their message: `edited_message` with `edit_date`. */
  editText(input: { from?: UserRef; chat: ChatRef; messageId: number; text: string }): Message {
    const chat =
      input.from !== undefined
        ? this.resolveUserChat(input.from, input.chat).chat
        : this.resolveChatForReading(input.chat);
    const stored = chat.messages.get(input.messageId);
    if (!stored || stored.deleted) throw new WorldError(`message ${input.messageId} not found`);
    if (stored.sentByBotId !== undefined) throw new WorldError('that message was sent by a bot');
    if (
      input.from !== undefined &&
      stored.message.from?.id !== this.state.findUser(input.from).id
    ) {
      throw new WorldError('users can edit only their own messages');
    }
    const formatted = formatText(input.text, undefined);
    if (stored.message.text !== undefined) {
      stored.message.text = formatted.text;
      if (formatted.entities.length > 0) stored.message.entities = formatted.entities;
      else delete stored.message.entities;
    } else {
      stored.message.caption = formatted.text;
      if (formatted.entities.length > 0) stored.message.caption_entities = formatted.entities;
      else delete stored.message.caption_entities;
    }
    stored.message.edit_date = Math.max(nowSeconds(), stored.message.date + 1);
    this.state.deliver(chat, stored, 'edited_message');
    return this.snapshot(stored);
  }

  sendPhoto(input: UserMessageBase & PhotoInput): Message {
    return this.postMedia(input, () => ({ photo: this.makePhoto(input) }));
  }

  /** Any bytes; a file above 20 MB is recorded by size (bytes are not kept). */
  sendDocument(input: UserMessageBase & DocumentInput): Message {
    return this.postMedia(input, () => ({ document: this.makeDocument(input) }));
  }

  sendVoice(input: UserMessageBase & VoiceInput): Message {
    // A voice message is never part of an album.
    return this.postMedia({ ...input, mediaGroupId: undefined }, () => {
      const file = this.state.createFile({
        kind: 'voice',
        ...this.bytesAndSize(input),
        mimeType: input.mimeType ?? 'audio/ogg',
        extension: 'oga',
      });
      const voice = {
        file_id: file.fileId,
        file_unique_id: file.uniqueId,
        duration: input.duration ?? 3,
        mime_type: file.mimeType ?? 'audio/ogg',
        file_size: file.size,
      };
      return { voice };
    });
  }

  sendVideo(input: UserMessageBase & VideoInput): Message {
    return this.postMedia(input, () => ({ video: this.makeVideo(input) }));
  }

  /**
   * A user's file message: `media` is made once the sender and the chat are known to be
   * there, then the caption and the album are added.
   */
  private postMedia(
    input: UserMessageBase & { caption?: string },
    media: () => Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
  ): Message {
    const { chat, from } = this.resolveUserChat(input.from, input.chat);
    const content = media();
    this.addCaption(content, input.caption);
    if (input.mediaGroupId !== undefined) content.media_group_id = input.mediaGroupId;
    return this.post(chat, from, content, input.replyTo);
  }

  /** An album: several messages sharing one media_group_id (caption on the first). */
  sendAlbum(input: {
    from: UserRef;
    chat: ChatRef;
    items: AlbumItem[];
    caption?: string;
    replyTo?: number;
  }): Message[] {
    if (input.items.length < 2 || input.items.length > 10)
      throw new WorldError('an album has 2-10 items');
    // Checked first: a refused photo must not leave half an album in the chat.
    for (const item of input.items) if (item.type === 'photo') assertJpegPhoto(item.bytes);
    const mediaGroupId = this.state.ids.nextMediaGroupId();
    return input.items.map((item, index) => {
      const caption = index === 0 ? (item.caption ?? input.caption) : item.caption;
      const base = {
        from: input.from,
        chat: input.chat,
        mediaGroupId,
        ...(index === 0 && input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
      };
      const withCaption = caption !== undefined ? { caption } : {};
      if (item.type === 'photo') return this.sendPhoto({ ...item, ...base, ...withCaption });
      if (item.type === 'video') return this.sendVideo({ ...item, ...base, ...withCaption });
      return this.sendDocument({ ...item, ...base, ...withCaption });
    });
  }

  // ------------------------------------------------------------ buttons and Mini Apps

  /**
   * The user presses an inline `callback_data` button of a bot message (by `data` or by button
   * `text`): the bot gets a `callback_query`. Returns the callback query id.
   */
  pressButton(input: {
    from: UserRef;
    chat: ChatRef;
    messageId: number;
    data?: string;
    text?: string;
  }): { callbackQueryId: string } {
    const { chat, from } = this.resolveUserChat(input.from, input.chat);
    const stored = chat.messages.get(input.messageId);
    if (!stored || stored.deleted) throw new WorldError(`message ${input.messageId} not found`);
    if (stored.sentByBotId === undefined)
      throw new WorldError('only bot messages have inline buttons');
    const button = this.findButton(
      stored.message.reply_markup,
      (b) =>
        b.callback_data !== undefined &&
        (input.data !== undefined ? b.callback_data === input.data : b.text === input.text),
    );
    if (!button) throw new WorldError('no such callback button in the message');
    const id = this.state.ids.nextCallbackQueryId();
    const callback = {
      id,
      botId: stored.sentByBotId,
      from,
      chatKey: chat.key,
      messageId: input.messageId,
      createdAt: Date.now(),
      ...(button.callback_data !== undefined ? { data: button.callback_data } : {}),
    };
    this.state.callbacks.set(id, callback);
    const bot = this.state.findBot(stored.sentByBotId);
    this.state.enqueue(bot, 'callback_query', this.state.callbackQueryPayload(callback, chat));
    return { callbackQueryId: id };
  }

  /** What the bot answered to a callback query (answerCallbackQuery), if it did. */
  callbackAnswer(callbackQueryId: string): CallbackAnswer | undefined {
    const answer = this.state.callbacks.get(callbackQueryId)?.answer;
    return answer ? { ...answer } : undefined;
  }

  async waitForCallbackAnswer(
    callbackQueryId: string,
    options: WaitOptions = {},
  ): Promise<CallbackAnswer> {
    return this.waitFor(
      () => this.callbackAnswer(callbackQueryId),
      ['callback-answer'],
      options.timeoutMs ?? DEFAULT_WAIT_MS,
      `answer to callback query ${callbackQueryId}`,
    );
  }

  /** The user presses an inline `web_app` button: returns the signed launch URL (with query_id). */
  openWebAppButton(input: {
    from: UserRef;
    chat: ChatRef;
    messageId: number;
    text?: string;
    platform?: string;
    themeParams?: Record<string, string>;
  }): LaunchResult {
    const { chat, from } = this.resolveUserChat(input.from, input.chat);
    const stored = chat.messages.get(input.messageId);
    if (!stored || stored.sentByBotId === undefined) throw new WorldError('not a bot message');
    const button = this.findButton(
      stored.message.reply_markup,
      (b) => b.web_app !== undefined && (input.text === undefined || b.text === input.text),
    );
    if (!button?.web_app) throw new WorldError('no web_app button in the message');
    const bot = this.state.findBot(stored.sentByBotId);
    const queryId = `AAH${Buffer.from(`${from.id}:${Date.now()}`).toString('base64url')}`;
    return this.launchMiniApp({
      user: from.id,
      bot: bot.user.id,
      url: button.web_app.url,
      queryId,
      ...(input.platform ? { platform: input.platform } : {}),
      ...(input.themeParams ? { themeParams: input.themeParams } : {}),
    });
  }

  /** Signed launch URL for a Mini App, as if `user` opened it (optionally from `chat`). */
  launchMiniApp(input: LaunchMiniAppInput): LaunchResult {
    const user = this.state.findUser(input.user);
    const bot = input.bot !== undefined ? this.state.findBot(input.bot) : this.onlyBot();
    const url =
      input.url ??
      (input.shortName !== undefined ? bot.miniApps.get(input.shortName) : bot.mainMiniAppUrl);
    if (url === undefined) {
      throw new WorldError(
        input.shortName !== undefined
          ? `bot @${bot.user.username} has no Mini App "${input.shortName}"`
          : `bot @${bot.user.username} has no main Mini App; pass url`,
      );
    }
    const params: InitDataParams = { user: toInitDataUser(user) };
    if (input.queryId !== undefined) params.query_id = input.queryId;
    if (input.chat !== undefined) {
      const { chat } = this.resolveUserChat(user.id, input.chat, true);
      params.chat_instance = this.state.chatInstance(chat, bot.user.id);
      params.chat_type =
        input.chatType ??
        (chat.type === 'private'
          ? chat.privateBotId === bot.user.id
            ? 'sender'
            : 'private'
          : chat.type);
    } else if (input.queryId === undefined) {
      params.chat_type = input.chatType ?? 'sender';
      params.chat_instance = this.state.chatInstance({ key: `sender:${user.id}` }, bot.user.id);
    }
    if (input.startParam !== undefined) params.start_param = input.startParam;
    if (input.authDate !== undefined) params.auth_date = input.authDate;
    const initData = signInitData(params, bot.token);
    const launchUrl = buildLaunchUrl(url, {
      initData,
      ...(input.startParam !== undefined ? { startParam: input.startParam } : {}),
      ...(input.themeParams ? { themeParams: input.themeParams } : {}),
      ...(input.platform ? { platform: input.platform } : {}),
      ...(input.version ? { version: input.version } : {}),
    });
    return { url: launchUrl, initData, params };
  }

  /**
   * The user opens a t.me link: `t.me/<bot>/<app>?startapp=x` or `t.me/<bot>?startapp=x`
   * launches the Mini App; `t.me/<bot>?start=x` sends `/start x` to the bot.
   */
  openLink(input: {
    user: UserRef;
    link: string;
    chat?: ChatRef;
    platform?: string;
    themeParams?: Record<string, string>;
  }): OpenLinkResult {
    const parsed = parseTelegramLink(input.link);
    if (!parsed) throw new WorldError(`not a t.me link: ${input.link}`);
    const bot = this.state.findBot(parsed.botUsername);
    if (parsed.appShortName !== undefined || parsed.startApp !== undefined) {
      const launch = this.launchMiniApp({
        user: input.user,
        bot: bot.user.id,
        ...(parsed.appShortName !== undefined ? { shortName: parsed.appShortName } : {}),
        ...(parsed.startApp !== undefined && parsed.startApp !== ''
          ? { startParam: parsed.startApp }
          : {}),
        ...(input.chat !== undefined ? { chat: input.chat } : {}),
        ...(input.platform ? { platform: input.platform } : {}),
        ...(input.themeParams ? { themeParams: input.themeParams } : {}),
      });
      return { kind: 'miniapp', launch };
    }
    return { kind: 'start', message: this.startBot(input.user, bot.user.id, parsed.start) };
  }

  // ------------------------------------------------------------ read back

  /** Every message bots sent in the chat (in order), with edits, reply_markup and file bytes. */
  botMessages(
    chat: ChatRef,
    options: { bot?: BotRef; includeDeleted?: boolean } = {},
  ): BotMessageRecord[] {
    const state = this.resolveChatForReading(chat, options.bot);
    const botId = options.bot !== undefined ? this.state.findBot(options.bot).user.id : undefined;
    const out: BotMessageRecord[] = [];
    for (const stored of state.messages.values()) {
      if (!stored.record) continue;
      if (botId !== undefined && stored.sentByBotId !== botId) continue;
      if (stored.deleted && !options.includeDeleted) continue;
      out.push(this.copyRecord(stored.record));
    }
    return out;
  }

  lastBotMessage(chat: ChatRef, options: { bot?: BotRef } = {}): BotMessageRecord | undefined {
    return this.botMessages(chat, options).at(-1);
  }

  /** Resolves when a bot message matching `predicate` exists in the chat (checked on every change). */
  async waitForBotMessage(
    chat: ChatRef,
    options: BotWaitOptions<BotMessageRecord> & { count?: number } = {},
  ): Promise<BotMessageRecord> {
    const predicate = options.predicate ?? (() => true);
    const count = options.count ?? 1;
    return this.waitFor(
      () => {
        const matches = this.botMessages(
          chat,
          options.bot !== undefined ? { bot: options.bot } : {},
        ).filter(predicate);
        return matches.length >= count ? matches[count - 1] : undefined;
      },
      ['bot-message', 'message'],
      options.timeoutMs ?? DEFAULT_WAIT_MS,
      `bot message in chat ${JSON.stringify(chat)}`,
    );
  }

  /** All messages in a chat (user, bot and service), as Message objects. */
  chatMessages(chat: ChatRef, options: { bot?: BotRef } = {}): Message[] {
    const state = this.resolveChatForReading(chat, options.bot);
    return [...state.messages.values()]
      .filter((m) => !m.deleted)
      .map((m) => structuredClone(m.message));
  }

  /**
   * A person's chat list, newest activity first: the groups they are in (a group upgraded to a
   * supergroup shows as the supergroup) and a private chat with every bot (empty until started).
   */
  userChats(user: UserRef): UserChat[] {
    const person = this.state.findUser(user);
    const out: UserChat[] = [];
    const lastOf = (chat: ChatState | undefined): Message | null => {
      const messages = [...(chat?.messages.values() ?? [])].filter((m) => !m.deleted);
      const last = messages.at(-1);
      return last ? structuredClone(last.message) : null;
    };
    for (const chat of this.state.groupsById.values()) {
      const status = chat.members.get(person.id)?.status;
      if (!isActiveStatus(status) || chat.migratedToChatId !== undefined) continue;
      out.push({
        id: chat.id,
        type: chat.type === 'supergroup' ? 'supergroup' : 'group',
        title: chat.title ?? '',
        status: this.state.renderMember(chat, person.id).status,
        memberCount: [...chat.members.values()].filter((m) => isActiveStatus(m.status)).length,
        lastMessage: lastOf(chat),
      });
    }
    for (const bot of this.state.bots.values()) {
      const chat = this.state.chats.get(this.state.privateChatKey(bot.user.id, person.id));
      out.push({
        id: bot.user.id,
        type: 'private',
        title: bot.user.first_name,
        ...(bot.user.username !== undefined ? { username: bot.user.username } : {}),
        memberCount: 2,
        lastMessage: lastOf(chat),
      });
    }
    return out.sort(
      (a, b) => (b.lastMessage?.date ?? 0) - (a.lastMessage?.date ?? 0) || a.id - b.id,
    );
  }

  /** The messages of one chat of the person's list (`UserChat.id`), as their client shows them. */
  userChatMessages(user: UserRef, chat: ChatRef): Message[] {
    const { chat: state } = this.resolveUserChat(user, chat);
    return [...state.messages.values()]
      .filter((m) => !m.deleted)
      .map((m) => structuredClone(m.message));
  }

  chatInfo(chat: ChatRef, options: { bot?: BotRef } = {}): ChatInfo {
    const state = this.resolveChatForReading(chat, options.bot);
    const info: ChatInfo = {
      chat: this.state.renderChat(state),
      members: [...state.members.keys()].map((id) => this.state.renderMember(state, id)),
      botDepartures: state.botDepartures.map((d) => ({ ...d })),
    };
    if (state.migratedToChatId !== undefined) info.migratedToChatId = state.migratedToChatId;
    if (state.migratedFromChatId !== undefined) info.migratedFromChatId = state.migratedFromChatId;
    return info;
  }

  /** True if the bot left (leaveChat) or was removed from the chat. */
  hasBotLeft(chat: ChatRef, bot: BotRef): boolean {
    const state = this.resolveChatForReading(chat, bot);
    const b = this.state.findBot(bot);
    const status = state.members.get(b.user.id)?.status;
    return state.botDepartures.some((d) => d.botId === b.user.id) && !isActiveStatus(status);
  }

  memberStatus(chat: ChatRef, user: UserRef): ChatMember['status'] {
    const state = this.resolveChatForReading(chat);
    return this.state.renderMember(state, this.state.findUser(user).id).status;
  }

  /** Updates the bot has not confirmed yet. */
  pendingUpdates(bot: BotRef): Update[] {
    const state = this.state.findBot(bot);
    this.state.expire(state);
    return structuredClone(state.queue);
  }

  /**
   * Updates dropped because the bot did not confirm them within the retention (Telegram: 24 h;
   * `pendingUpdateRetentionMs`): how many in all, and the most recent 1 000.
   */
  expiredUpdates(bot: BotRef): { count: number; updates: Update[] } {
    const state = this.state.findBot(bot);
    this.state.expire(state);
    return { count: state.expiredCount, updates: structuredClone(state.expired) };
  }

  /** Changes how long unconfirmed updates are kept (Telegram: 24 hours). */
  setPendingUpdateRetention(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new WorldError('the retention must be positive');
    this.state.pendingUpdateRetentionMs = ms;
  }

  /** A stored file (sent by a user or a bot). `bytes` is absent for files recorded by size. */
  getFile(fileId: string):
    | {
        fileId: string;
        kind: string;
        size: number;
        fileName?: string;
        mimeType?: string;
        bytes?: Buffer;
      }
    | undefined {
    const file = this.state.files.get(fileId);
    if (!file) return undefined;
    return {
      fileId: file.fileId,
      kind: file.kind,
      size: file.size,
      ...(file.fileName !== undefined ? { fileName: file.fileName } : {}),
      ...(file.mimeType !== undefined ? { mimeType: file.mimeType } : {}),
      ...(file.bytes ? { bytes: Buffer.from(file.bytes) } : {}),
    };
  }

  /** Bot commands set with setMyCommands (default scope unless given). */
  botCommands(
    bot: BotRef,
    scope = 'default',
    languageCode = '',
  ): Array<{ command: string; description: string }> {
    return [...(this.state.findBot(bot).commands.get(`${scope}|${languageCode}`) ?? [])];
  }

  // ------------------------------------------------------------ helpers

  protected botInfo(bot: BotState): BotInfo {
    return {
      token: bot.token,
      id: bot.user.id,
      username: bot.user.username ?? '',
      user: { ...bot.user },
      privacyMode: bot.privacyMode,
    };
  }

  protected snapshot(stored: StoredMessage): Message {
    return structuredClone(stored.message);
  }

  private copyRecord(record: BotMessageRecord): BotMessageRecord {
    return {
      ...record,
      files: record.files.map((f) => ({
        ...f,
        ...(f.bytes ? { bytes: Buffer.from(f.bytes) } : {}),
      })),
      edits: record.edits.map((e) => ({ ...e })),
      message: structuredClone(record.message),
      replyMarkup: structuredClone(record.replyMarkup),
    };
  }

  private post(
    chat: ChatState,
    from: User,
    content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
    replyTo?: number,
  ): Message {
    // An anonymous administrator posts as the group: Telegram's fake sender, the group as sender_chat.
    const member = chat.type === 'supergroup' ? chat.members.get(from.id) : undefined;
    const anonymous = member?.isAnonymous === true;
    const body: Partial<Message> = anonymous
      ? {
          ...content,
          sender_chat: this.state.renderChat(chat),
          ...(member.customTitle !== undefined ? { author_signature: member.customTitle } : {}),
        }
      : content;
    return this.snapshot(
      this.state.postMessage(
        chat,
        anonymous ? GROUP_ANONYMOUS_BOT : from,
        body,
        replyTo !== undefined ? { replyTo } : {},
      ),
    );
  }

  private resolveChannel(ref: ChatRef): ChatState {
    const id = typeof ref === 'string' && /^-?\d+$/.test(ref) ? Number(ref) : ref;
    if (typeof id !== 'number') throw new WorldError(`not a channel id: ${JSON.stringify(ref)}`);
    const chat = this.state.group(id);
    if (chat.type !== 'channel') throw new WorldError(`chat ${id} is not a channel`);
    return chat;
  }

  private addCaption(
    content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
    caption: string | undefined,
  ): void {
    if (caption === undefined || caption === '') return;
    const formatted = formatText(caption, undefined);
    content.caption = formatted.text;
    if (formatted.entities.length > 0) content.caption_entities = formatted.entities;
  }

  private bytesAndSize(input: MediaInput): { bytes?: Buffer; size: number } {
    const bytes = input.bytes ? Buffer.from(input.bytes) : undefined;
    const size = input.size ?? bytes?.length;
    if (size === undefined) throw new WorldError('give bytes or size');
    return bytes && bytes.length <= MAX_DOWNLOAD_SIZE ? { bytes, size } : { size };
  }

  private makePhoto(input: PhotoInput): PhotoSize[] {
    assertJpegPhoto(input.bytes);
    const described = photoSizeLadder(input.width ?? 1280, input.height ?? 960).at(-1)!;
    const { bytes, size } = this.bytesAndSize(
      input.bytes || input.size !== undefined
        ? input
        : { bytes: blankJpeg(described.width, described.height) },
    );
    const sniffed = bytes ? sniffImage(bytes) : undefined;
    const width = input.width ?? sniffed?.width ?? 1280;
    const height = input.height ?? sniffed?.height ?? 960;
    return photoSizeLadder(width, height).map((dims) => {
      const file = this.state.createFile({
        kind: 'photo',
        ...(bytes ? { bytes } : {}),
        size,
        mimeType: 'image/jpeg',
        extension: 'jpg',
      });
      return {
        file_id: file.fileId,
        file_unique_id: file.uniqueId,
        width: dims.width,
        height: dims.height,
        file_size: file.size,
      };
    });
  }

  private makeDocument(input: DocumentInput): NonNullable<Message['document']> {
    const mimeType = input.mimeType ?? mimeTypeFor(input.fileName) ?? 'application/octet-stream';
    const file = this.state.createFile({
      kind: 'document',
      ...this.bytesAndSize(input),
      fileName: input.fileName,
      mimeType,
      extension: extensionFor(input.fileName, mimeType, 'dat'),
    });
    return {
      file_name: input.fileName,
      mime_type: mimeType,
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.size,
    };
  }

  private makeVideo(input: VideoInput): NonNullable<Message['video']> {
    const mimeType = input.mimeType ?? 'video/mp4';
    const file: FileState = this.state.createFile({
      kind: 'video',
      ...this.bytesAndSize(input.bytes || input.size !== undefined ? input : { size: 1_048_576 }),
      mimeType,
      extension: extensionFor(input.fileName, mimeType, 'mp4'),
      ...(input.fileName !== undefined ? { fileName: input.fileName } : {}),
    });
    const video: NonNullable<Message['video']> = {
      duration: input.duration ?? 5,
      width: input.width ?? 1280,
      height: input.height ?? 720,
      mime_type: mimeType,
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.size,
    };
    if (input.fileName !== undefined) video.file_name = input.fileName;
    return video;
  }

  private findButton(
    markup: InlineKeyboardMarkup | undefined,
    match: (b: InlineKeyboardButton) => boolean,
  ): InlineKeyboardButton | undefined {
    for (const row of markup?.inline_keyboard ?? []) {
      for (const button of row) if (match(button)) return button;
    }
    return undefined;
  }

  private onlyBot(): BotState {
    const bots = [...this.state.bots.values()];
    if (bots.length !== 1 || !bots[0]) throw new WorldError('several bots exist; say which one');
    return bots[0];
  }

  private ownerOf(chat: ChatState): User {
    for (const member of chat.members.values()) if (member.status === 'creator') return member.user;
    throw new WorldError(`chat ${chat.id} has no owner`);
  }

  protected resolveGroup(ref: ChatRef): ChatState {
    const id = typeof ref === 'string' && /^-?\d+$/.test(ref) ? Number(ref) : ref;
    if (typeof id !== 'number' || id >= 0)
      throw new WorldError(`not a group id: ${JSON.stringify(ref)}`);
    const chat = this.state.group(id);
    if (chat.type === 'channel') throw new WorldError(`chat ${id} is a channel, not a group`);
    if (chat.migratedToChatId !== undefined) {
      throw new WorldError(`group ${id} was upgraded to supergroup ${chat.migratedToChatId}`);
    }
    return chat;
  }

  /** A chat as seen by a user `from`: groups by id, private chats by bot id / bot username. */
  protected resolveUserChat(
    fromRef: UserRef,
    ref: ChatRef,
    allowAnyUser = false,
  ): { chat: ChatState; from: User } {
    if (typeof ref === 'object') {
      const user = this.state.findUser(ref.user);
      const bot = this.state.findBot(ref.bot);
      return { chat: this.state.getOrCreatePrivateChat(bot, user), from: user };
    }
    const numeric = typeof ref === 'string' && /^-?\d+$/.test(ref) ? Number(ref) : ref;
    if (typeof numeric === 'number' && numeric < 0) {
      const chat = this.resolveGroup(numeric);
      if (allowAnyUser && fromRef === 0) return { chat, from: this.ownerOf(chat) };
      const from = this.state.findUser(fromRef);
      if (!isActiveStatus(chat.members.get(from.id)?.status))
        throw new WorldError(`user ${from.id} is not a member of ${chat.id}`);
      return { chat, from };
    }
    if (typeof numeric === 'number' && !this.state.botsById.has(numeric)) {
      // a user id: the private chat of that user with a bot (seen from the bot)
      const user = this.state.findUser(numeric);
      const chats = [...this.state.chats.values()].filter(
        (c) => c.type === 'private' && c.privateUserId === user.id,
      );
      if (chats.length !== 1 || !chats[0])
        throw new WorldError(`say which bot's private chat with user ${user.id} you mean`);
      return { chat: chats[0], from: user };
    }
    const bot = this.state.findBot(numeric);
    const from = this.state.findUser(fromRef);
    return { chat: this.state.getOrCreatePrivateChat(bot, from), from };
  }

  protected resolveChatForReading(ref: ChatRef, botRef?: BotRef): ChatState {
    if (typeof ref === 'object') return this.resolveUserChat(ref.user, ref).chat;
    const numeric = typeof ref === 'string' && /^-?\d+$/.test(ref) ? Number(ref) : ref;
    if (typeof numeric === 'number' && numeric < 0) return this.state.group(numeric);
    if (typeof numeric === 'number' && botRef !== undefined && !this.state.botsById.has(numeric)) {
      const bot = this.state.findBot(botRef);
      const chat = this.state.chats.get(this.state.privateChatKey(bot.user.id, numeric));
      if (!chat)
        throw new WorldError(`no private chat between bot ${bot.user.id} and user ${numeric}`, 404);
      return chat;
    }
    return this.resolveUserChat(0, ref).chat;
  }

  /** A new group, supergroup or channel with these members, empty and known to the world. */
  private addGroupChat(
    id: number,
    type: 'group' | 'supergroup' | 'channel',
    members: ChatState['members'],
    fields: {
      title?: string | undefined;
      username?: string | undefined;
      migratedFromChatId?: number;
    },
  ): ChatState {
    const chat: ChatState = {
      key: this.state.groupChatKey(id),
      id,
      type,
      members,
      nextMessageId: 1,
      messages: new Map(),
      botDepartures: [],
    };
    if (fields.title !== undefined) chat.title = fields.title;
    if (fields.username !== undefined) chat.username = fields.username;
    if (fields.migratedFromChatId !== undefined)
      chat.migratedFromChatId = fields.migratedFromChatId;
    this.state.chats.set(chat.key, chat);
    this.state.groupsById.set(id, chat);
    return chat;
  }

  protected async waitFor<T>(
    probe: () => T | undefined,
    events: string[],
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const first = probe();
    if (first !== undefined) return first;
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        let value: T | undefined;
        try {
          value = probe();
        } catch (error) {
          cleanup();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (value !== undefined) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WorldError(`timed out after ${timeoutMs} ms waiting for ${what}`, 408));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        for (const e of events) this.state.events.off(e, check);
      };
      for (const e of events) this.state.events.on(e, check);
    });
  }
}

/**
 * A person's photo must be a JPEG: a client compresses a picture sent as a photo to JPEG before
 * upload (the web stand-in does too), and Telegram keeps photos as JPEG. Other bytes would be
 * served as a `.jpg` they are not, so they are refused (a PNG kept as it is goes as a document).
 */
function assertJpegPhoto(bytes: Uint8Array | undefined): void {
  if (bytes === undefined || isJpeg(bytes)) return;
  const format = sniffImage(bytes)?.format;
  throw new WorldError(
    `a photo is sent as JPEG, as Telegram clients compress it; these bytes are ${format ? format.toUpperCase() : 'not an image'}: convert them, or send them as a document`,
  );
}

/** The members of a chat just created: its creator alone. */
function onlyCreator(creator: User): ChatState['members'] {
  return new Map([[creator.id, { user: creator, status: 'creator' }]]);
}
