import type {
  BotCommand,
  ChatFullInfo,
  Document,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  TelegramFile,
  Update,
  User,
  WebhookInfo,
} from './bot-api-types';
import { BotApiError, badRequest, conflict, notFound } from './errors';
import { extensionFor, isJpeg, mimeTypeFor, photoSizeLadder, sniffImage } from './media';
import type { ApiParams, InputFileRef, UploadedFile } from './params';
import {
  FULL_ADMIN_RIGHTS,
  isActiveStatus,
  MAX_DOWNLOAD_SIZE,
  nowSeconds,
  type BotMessageRecord,
  type BotState,
  type ChatState,
  type FileState,
  type SentFile,
  type StoredMessage,
  type WorldState,
} from './state';
import { formatText } from './text';

/** A successful result that Telegram answers with an extra `description` (setWebhook etc.). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export interface CallContext {
  bot: BotState;
  params: ApiParams;
  /** Aborted when the HTTP client goes away (long polling). */
  signal: AbortSignal;
}

type Handler = (ctx: CallContext) => unknown;

/** At most `max` messages in any `windowMs` (a sliding window). */
export interface SendLimit {
  max: number;
  windowMs: number;
}

/**
 * Telegram's sending limits, enforced with 429 + retry_after when set: `perGroup` for one group
 * or supergroup (Telegram: about 20 messages a minute), `overall` for all of a bot's chats
 * (about 30 a second). Unset: no limit (the default; tests and demos opt in).
 */
export interface RateLimits {
  perGroup?: SendLimit;
  overall?: SendLimit;
}

/** Telegram's published limits for bots. */
export const TELEGRAM_RATE_LIMITS: RateLimits = {
  perGroup: { max: 20, windowMs: 60_000 },
  overall: { max: 30, windowMs: 1_000 },
};

/** The methods that post a message (what Telegram's limits count). */
const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);

/** Sliding windows of a bot's sends: overall and per group. */
class SendRateLimiter {
  private readonly sends = new Map<string, number[]>();

  constructor(public limits: RateLimits = {}) {}

  /** Takes a slot for a send, or answers how long until one frees (ms). */
  take(botId: number, chatKey: string | null, now = Date.now()): number {
    const windows: Array<[string, SendLimit]> = [];
    if (this.limits.overall) windows.push([`${botId}`, this.limits.overall]);
    if (chatKey !== null && this.limits.perGroup)
      windows.push([`${botId}|${chatKey}`, this.limits.perGroup]);
    let wait = 0;
    for (const [key, limit] of windows) {
      const times = (this.sends.get(key) ?? []).filter((t) => now - t < limit.windowMs);
      this.sends.set(key, times);
      if (times.length >= limit.max)
        wait = Math.max(wait, times[times.length - limit.max]! + limit.windowMs - now);
    }
    if (wait > 0) return wait;
    for (const [key] of windows) this.sends.get(key)!.push(now);
    return 0;
  }
}

export interface BotApiOptions {
  /** Telegram's sending limits, answered with 429 + retry_after when exceeded. Default: none. */
  rateLimits?: RateLimits;
  /** Accept http:// webhook URLs (Telegram requires https). Default true: local tests need it. */
  allowHttpWebhooks?: boolean;
  /** Let the server fetch http(s) URLs given as files (sendDocument/sendPhoto by URL). Default true. */
  fetchUrlFiles?: boolean;
}

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

const UPDATE_TYPES = new Set([
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'message_reaction',
  'message_reaction_count',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
]);

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

/** The Bot API methods, operating on the simulated world. Method names are case-insensitive. */
export class BotApi {
  private readonly handlers = new Map<string, { name: string; handler: Handler }>();
  private readonly pollers = new Map<string, (error: BotApiError) => void>();
  private readonly rateLimiter: SendRateLimiter;

  constructor(
    private readonly state: WorldState,
    private readonly options: BotApiOptions = {},
  ) {
    this.rateLimiter = new SendRateLimiter(options.rateLimits);
    const methods: Record<string, Handler> = {
      getMe: (c) => this.getMe(c),
      logOut: () => true,
      close: () => true,
      getUpdates: (c) => this.getUpdates(c),
      setWebhook: (c) => this.setWebhook(c),
      deleteWebhook: (c) => this.deleteWebhook(c),
      getWebhookInfo: (c) => this.getWebhookInfo(c),
      sendMessage: (c) => this.sendMessage(c),
      sendPhoto: (c) => this.sendPhoto(c),
      sendDocument: (c) => this.sendDocument(c),
      sendChatAction: (c) => this.sendChatAction(c),
      editMessageText: (c) => this.editMessage(c, 'text'),
      editMessageCaption: (c) => this.editMessage(c, 'caption'),
      editMessageReplyMarkup: (c) => this.editMessage(c, 'markup'),
      deleteMessage: (c) => this.deleteMessage(c),
      answerCallbackQuery: (c) => this.answerCallbackQuery(c),
      getChat: (c) => this.getChat(c),
      getChatMember: (c) => this.getChatMember(c),
      getChatAdministrators: (c) => this.getChatAdministrators(c),
      getChatMemberCount: (c) => this.getChatMemberCount(c),
      getChatMembersCount: (c) => this.getChatMemberCount(c),
      leaveChat: (c) => this.leaveChat(c),
      getFile: (c) => this.getFile(c),
      setMyCommands: (c) => this.setMyCommands(c),
      getMyCommands: (c) => this.getMyCommands(c),
      deleteMyCommands: (c) => this.deleteMyCommands(c),
    };
    for (const [name, handler] of Object.entries(methods))
      this.handlers.set(name.toLowerCase(), { name, handler });
  }

  /** Canonical method name, or undefined for an unknown method. */
  methodName(method: string): string | undefined {
    return this.handlers.get(method.toLowerCase())?.name;
  }

  get methodNames(): string[] {
    return [...this.handlers.values()].map((h) => h.name);
  }

  async call(method: string, ctx: CallContext): Promise<unknown> {
    const entry = this.handlers.get(method.toLowerCase());
    if (!entry) throw notFound();
    if (SEND_METHODS.has(entry.name)) this.checkRate(ctx);
    return await entry.handler(ctx);
  }

  /** Replaces the sending limits (null: none). */
  setRateLimits(limits: RateLimits | null): void {
    this.rateLimiter.limits = limits ?? {};
  }

  /** 429 with retry_after when the send would go over Telegram's limits, as Telegram answers. */
  private checkRate({ bot, params }: CallContext): void {
    const chat = this.state.resolveChatForBot(bot, params.chatId());
    const group = chat.type === 'group' || chat.type === 'supergroup' ? chat.key : null;
    const waitMs = this.rateLimiter.take(bot.user.id, group);
    if (waitMs <= 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });
  }

  /** True while the bot has a getUpdates long poll waiting on the server. */
  isPolling(token: string): boolean {
    return this.pollers.has(token);
  }

  /** Ends a pending long poll of this bot (used when the server stops). */
  cancelPolls(): void {
    for (const cancel of this.pollers.values()) cancel(new BotApiError(502, 'Bad Gateway'));
    this.pollers.clear();
  }

  // ------------------------------------------------------------ bot, updates, webhook

  private getMe({ bot }: CallContext): User {
    return {
      ...bot.user,
      can_join_groups: bot.canJoinGroups,
      can_read_all_group_messages: !bot.privacyMode,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: bot.mainMiniAppUrl !== undefined,
    };
  }

  private async getUpdates({ bot, params, signal }: CallContext): Promise<Update[]> {
    if (bot.webhook) {
      throw conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = params.int('offset');
    const limit = Math.min(100, Math.max(1, params.int('limit') ?? 100));
    const timeout = Math.max(0, params.int('timeout') ?? 0);
    if (params.has('allowed_updates')) bot.allowedUpdates = this.parseAllowedUpdates(params);
    const previous = this.pollers.get(bot.token);
    if (previous) {
      this.pollers.delete(bot.token);
      previous(
        conflict(
          'terminated by other getUpdates request; make sure that only one bot instance is running',
        ),
      );
    }
    this.state.expire(bot);
    if (offset !== undefined && offset !== 0) {
      if (offset < 0) {
        const keep = -offset;
        if (bot.queue.length > keep) {
          bot.queue.splice(0, bot.queue.length - keep);
          this.state.events.emit('confirmed', bot);
        }
      } else {
        this.state.confirm(bot, offset);
      }
    }
    if (bot.queue.length > 0 || timeout === 0) return structuredClone(bot.queue.slice(0, limit));

    await new Promise<void>((resolve, reject) => {
      const onUpdate = (target: BotState): void => {
        if (target === bot) finish();
      };
      const onAbort = (): void => finish(new BotApiError(499, 'Client Closed Request'));
      const timer = setTimeout(() => finish(), timeout * 1000);
      const finish = (error?: BotApiError): void => {
        clearTimeout(timer);
        this.state.events.off('update', onUpdate);
        signal.removeEventListener('abort', onAbort);
        if (this.pollers.get(bot.token) === finish) this.pollers.delete(bot.token);
        if (error) reject(error);
        else resolve();
      };
      this.pollers.set(bot.token, finish);
      this.state.events.on('update', onUpdate);
      signal.addEventListener('abort', onAbort);
      this.state.events.emit('poll-start', bot);
    });
    // Telegram batches updates that arrive together; give same-tick updates a moment to join.
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.state.expire(bot);
    return structuredClone(bot.queue.slice(0, limit));
  }

  private parseAllowedUpdates(params: ApiParams): string[] {
    const value = params.json('allowed_updates');
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw badRequest("can't parse allowed_updates JSON array");
    return value.filter((v): v is string => typeof v === 'string' && UPDATE_TYPES.has(v));
  }

  private setWebhook({ bot, params }: CallContext): Described {
    const url = params.string('url') ?? '';
    if (url === '') {
      const had = bot.webhook !== undefined;
      delete bot.webhook;
      this.state.events.emit('webhook', bot);
      return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (
      parsed.protocol !== 'https:' &&
      !(parsed.protocol === 'http:' && this.options.allowHttpWebhooks !== false)
    ) {
      throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    }
    const secretToken = params.string('secret_token');
    if (
      secretToken !== undefined &&
      secretToken !== '' &&
      !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)
    ) {
      throw badRequest('secret token contains unallowed characters');
    }
    const maxConnections = params.int('max_connections') ?? 40;
    if (maxConnections < 1 || maxConnections > 100)
      throw badRequest('bad webhook: invalid max_connections specified');
    if (params.has('allowed_updates')) bot.allowedUpdates = this.parseAllowedUpdates(params);
    if (params.bool('drop_pending_updates')) bot.queue.length = 0;
    const same = bot.webhook?.url === url && bot.webhook.secretToken === (secretToken || undefined);
    bot.webhook = { url, maxConnections };
    if (secretToken) bot.webhook.secretToken = secretToken;
    const ip = params.string('ip_address');
    if (ip) bot.webhook.ipAddress = ip;
    this.state.events.emit('webhook', bot);
    return new Described(true, same ? 'Webhook is already set' : 'Webhook was set');
  }

  private deleteWebhook({ bot, params }: CallContext): Described {
    const had = bot.webhook !== undefined;
    delete bot.webhook;
    if (params.bool('drop_pending_updates')) bot.queue.length = 0;
    this.state.events.emit('webhook', bot);
    return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
  }

  private getWebhookInfo({ bot }: CallContext): WebhookInfo {
    this.state.expire(bot);
    const info: WebhookInfo = {
      url: bot.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: bot.queue.length,
    };
    const hook = bot.webhook;
    if (!hook) return info;
    info.ip_address = hook.ipAddress ?? '127.0.0.1';
    if (hook.lastErrorDate !== undefined) info.last_error_date = hook.lastErrorDate;
    if (hook.lastErrorMessage !== undefined) info.last_error_message = hook.lastErrorMessage;
    info.max_connections = hook.maxConnections;
    if (bot.allowedUpdates.length > 0) info.allowed_updates = [...bot.allowedUpdates];
    return info;
  }

  // ------------------------------------------------------------ sending

  private sendMessage({ bot, params }: CallContext): Message {
    const chat = this.state.resolveChatForBot(bot, params.chatId());
    const raw = params.string('text');
    if (raw === undefined || raw === '') throw badRequest('message text is empty');
    const parseMode = params.string('parse_mode');
    const formatted = formatText(raw, parseMode, this.entitiesParam(params, 'entities'));
    if (formatted.text.trim() === '') throw badRequest('message text is empty');
    if (formatted.text.length > 4096) throw badRequest('message is too long');
    const markup = this.replyMarkup(params, chat);
    const replyTo = this.replyTarget(params, chat);
    const content: Partial<Message> = { text: formatted.text };
    if (formatted.entities.length > 0) content.entities = formatted.entities;
    const preview = params.json('link_preview_options') as { is_disabled?: boolean } | undefined;
    if (preview?.is_disabled === true || params.bool('disable_web_page_preview'))
      content.link_preview_options = { is_disabled: true };
    return this.postBotMessage(bot, chat, content, params, {
      method: 'sendMessage',
      markup,
      replyTo,
      rawText: raw,
      parseMode,
      files: [],
    });
  }

  /** A bot sends one file (`field`, given by upload, URL or file_id) with a caption. */
  private async sendFile(
    { bot, params }: CallContext,
    method: 'sendDocument' | 'sendPhoto',
    field: 'document' | 'photo',
    store: (input: InputFileRef) => Promise<{ media: Partial<Message>; file: FileState }>,
  ): Promise<Message> {
    const chat = this.state.resolveChatForBot(bot, params.chatId());
    const input = params.inputFile(field);
    if (!input) throw badRequest(`there is no ${field} in the request`);
    const caption = this.caption(params);
    const markup = this.replyMarkup(params, chat);
    const replyTo = this.replyTarget(params, chat);
    const { media, file } = await store(input);
    return this.postBotMessage(bot, chat, { ...media, ...caption.content }, params, {
      method,
      markup,
      replyTo,
      rawText: caption.raw,
      parseMode: caption.parseMode,
      files: [this.sentFile(file)],
    });
  }

  private sendDocument(context: CallContext): Promise<Message> {
    return this.sendFile(context, 'sendDocument', 'document', async (input) => {
      const file = await this.resolveInputFile(input, 'document', (upload) => {
        const mimeType = mimeTypeFor(upload.fileName) ?? 'application/octet-stream';
        return this.state.createFile({
          kind: 'document',
          bytes: upload.bytes,
          keepBytes: true,
          fileName: upload.fileName,
          mimeType,
          extension: extensionFor(upload.fileName, mimeType, 'dat'),
        });
      });
      const document: Document = { file_id: file.fileId, file_unique_id: file.uniqueId };
      if (file.fileName !== undefined) document.file_name = file.fileName;
      if (file.mimeType !== undefined) document.mime_type = file.mimeType;
      document.file_size = file.size;
      return { media: { document }, file };
    });
  }

  private sendPhoto(context: CallContext): Promise<Message> {
    return this.sendFile(context, 'sendPhoto', 'photo', async (input) => {
      let sizes: PhotoSize[];
      let largest: FileState;
      const existing = input.kind === 'file_id' ? this.state.files.get(input.fileId) : undefined;
      if (existing?.kind === 'photo' && existing.photoSizes) {
        sizes = existing.photoSizes.map((s) => ({ ...s }));
        largest = this.state.files.get(sizes[sizes.length - 1]?.file_id ?? '') ?? existing;
      } else {
        const upload = await this.uploadFromInput(input, 'photo');
        const image = sniffImage(upload.bytes);
        if (!image) throw badRequest('IMAGE_PROCESS_FAILED');
        // Telegram keeps photos as JPEG (`photos/file_N.jpg`) and converts a PNG or WebP a bot
        // sends. This server has no image encoder, so it takes JPEG only and refuses the rest
        // as Telegram refuses an image it cannot process, rather than serve other bytes as a
        // `.jpg` (a picture kept as it is goes by sendDocument).
        if (!isJpeg(upload.bytes)) throw badRequest('IMAGE_PROCESS_FAILED');
        if (
          image.width + image.height > 10000 ||
          Math.max(image.width, image.height) / Math.max(1, Math.min(image.width, image.height)) >
            20
        ) {
          throw badRequest('PHOTO_INVALID_DIMENSIONS');
        }
        const files = photoSizeLadder(image.width, image.height).map((dims) => ({
          dims,
          file: this.state.createFile({
            kind: 'photo',
            bytes: upload.bytes,
            mimeType: 'image/jpeg',
            extension: 'jpg',
            keepBytes: true,
          }),
        }));
        sizes = files.map(({ dims, file }) => ({
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          file_size: file.size,
          width: dims.width,
          height: dims.height,
        }));
        for (const { file } of files) file.photoSizes = sizes;
        largest =
          files[files.length - 1]?.file ??
          this.state.createFile({ kind: 'photo', bytes: upload.bytes, extension: 'jpg' });
      }
      return { media: { photo: sizes }, file: largest };
    });
  }

  private sendChatAction({ bot, params }: CallContext): boolean {
    this.state.resolveChatForBot(bot, params.chatId());
    const action = params.string('action');
    if (action === undefined || !CHAT_ACTIONS.has(action))
      throw badRequest('wrong parameter action in request');
    return true;
  }

  // ------------------------------------------------------------ editing, deleting

  private editMessage({ bot, params }: CallContext, what: 'text' | 'caption' | 'markup'): Message {
    if (params.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    const messageId = params.int('message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest('message to edit not found');
    if (stored.sentByBotId !== bot.user.id || !stored.record)
      throw badRequest("message can't be edited");
    const message = stored.message;
    const markupParam = this.replyMarkup(params, chat);
    if (markupParam !== undefined && !('inline_keyboard' in (markupParam as object))) {
      throw badRequest('inline keyboard expected');
    }
    const newMarkup =
      markupParam === undefined
        ? undefined
        : sanitizeInlineKeyboard(markupParam as InlineKeyboardMarkup);
    const next = structuredClone(message);
    let raw: string | undefined;
    let parseMode: string | undefined;
    if (what === 'text') {
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      raw = params.string('text');
      if (raw === undefined || raw === '') throw badRequest('message text is empty');
      parseMode = params.string('parse_mode');
      const formatted = formatText(raw, parseMode, this.entitiesParam(params, 'entities'));
      if (formatted.text.trim() === '') throw badRequest('message text is empty');
      if (formatted.text.length > 4096) throw badRequest('message is too long');
      next.text = formatted.text;
      if (formatted.entities.length > 0) next.entities = formatted.entities;
      else delete next.entities;
    } else if (what === 'caption') {
      if (message.text !== undefined)
        throw badRequest('there is no caption in the message to edit');
      const caption = this.caption(params);
      raw = caption.raw;
      parseMode = caption.parseMode;
      delete next.caption;
      delete next.caption_entities;
      Object.assign(next, caption.content);
    }
    // Like Telegram: an edit without reply_markup removes the inline keyboard.
    if (newMarkup && newMarkup.inline_keyboard.length > 0) next.reply_markup = newMarkup;
    else delete next.reply_markup;
    const comparable = (m: Message): string =>
      JSON.stringify([
        m.text,
        m.entities ?? [],
        m.caption,
        m.caption_entities ?? [],
        m.reply_markup ?? null,
      ]);
    if (comparable(next) === comparable(message)) throw badRequest(NOT_MODIFIED);
    next.edit_date = Math.max(nowSeconds(), message.date);
    stored.message = next;
    const record = stored.record;
    record.message = next;
    if (next.text !== undefined) record.text = next.text;
    if (what === 'caption') {
      if (next.caption !== undefined) record.caption = next.caption;
      else delete record.caption;
    }
    if (raw !== undefined) record.rawText = raw;
    if (parseMode !== undefined) record.parseMode = parseMode;
    record.replyMarkup = markupParam;
    const edit: BotMessageRecord['edits'][number] = {
      at: new Date(),
      method:
        what === 'text'
          ? 'editMessageText'
          : what === 'caption'
            ? 'editMessageCaption'
            : 'editMessageReplyMarkup',
    };
    if (what === 'text' && next.text !== undefined) edit.text = next.text;
    if (what === 'caption' && next.caption !== undefined) edit.caption = next.caption;
    if (markupParam !== undefined) edit.replyMarkup = structuredClone(markupParam);
    record.edits.push(edit);
    this.state.events.emit('bot-message', chat, stored);
    return structuredClone(next);
  }

  private deleteMessage({ bot, params }: CallContext): boolean {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    const messageId = params.int('message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest('message to delete not found');
    const own = stored.sentByBotId === bot.user.id;
    const member = chat.members.get(bot.user.id);
    const canDeleteOthers =
      chat.type === 'private' ||
      (member?.status === 'administrator' &&
        (member.rights ?? FULL_ADMIN_RIGHTS).can_delete_messages);
    if (!own && !canDeleteOthers) throw badRequest("message can't be deleted");
    if (
      own &&
      chat.type !== 'private' &&
      !canDeleteOthers &&
      nowSeconds() - stored.message.date > 48 * 3600
    ) {
      throw badRequest("message can't be deleted for everyone");
    }
    stored.deleted = true;
    if (stored.record) stored.record.deleted = true;
    this.state.events.emit('bot-message', chat, stored);
    return true;
  }

  private answerCallbackQuery({ bot, params }: CallContext): boolean {
    const id = params.string('callback_query_id') ?? '';
    const callback = this.state.callbacks.get(id);
    const expired =
      callback !== undefined && Date.now() - callback.createdAt > this.state.callbackQueryTtlMs;
    if (!callback || callback.botId !== bot.user.id || callback.answer || expired) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    const url = params.string('url');
    if (url !== undefined && url !== '' && !/^https?:\/\/(t\.me|telegram\.me)\//i.test(url))
      throw badRequest('URL_INVALID');
    const text = params.string('text');
    if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
    callback.answer = { answeredAt: new Date() };
    if (text !== undefined) callback.answer.text = text;
    const showAlert = params.bool('show_alert');
    if (showAlert !== undefined) callback.answer.show_alert = showAlert;
    if (url) callback.answer.url = url;
    const cacheTime = params.int('cache_time');
    if (cacheTime !== undefined) callback.answer.cache_time = cacheTime;
    this.state.events.emit('callback-answer', callback);
    return true;
  }

  // ------------------------------------------------------------ chats

  private getChat({ bot, params }: CallContext): ChatFullInfo {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    const base = this.state.renderChat(chat);
    const info: ChatFullInfo = {
      ...base,
      accent_color_id: Math.abs(chat.id) % 7,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: chat.type === 'private',
        limited_gifts: chat.type === 'private',
        unique_gifts: chat.type === 'private',
        premium_subscription: chat.type === 'private',
        gifts_from_channels: chat.type === 'private',
      },
    };
    if (chat.type !== 'private') {
      info.permissions = {
        can_send_messages: true,
        can_send_audios: true,
        can_send_documents: true,
        can_send_photos: true,
        can_send_videos: true,
        can_send_video_notes: true,
        can_send_voice_notes: true,
        can_send_polls: true,
        can_send_other_messages: true,
        can_add_web_page_previews: true,
        can_change_info: true,
        can_invite_users: true,
        can_pin_messages: true,
        ...(chat.type === 'supergroup' ? { can_manage_topics: true } : {}),
      };
      if (chat.description !== undefined) info.description = chat.description;
    }
    if (chat.type === 'supergroup') info.has_visible_history = true;
    return info;
  }

  private getChatMember({ bot, params }: CallContext) {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    const userId = params.int('user_id', () => badRequest('invalid user_id specified'));
    if (userId === undefined) throw badRequest('invalid user_id specified');
    if (!this.state.users.has(userId)) throw badRequest('user not found');
    if (chat.type === 'private' && userId !== chat.privateUserId && userId !== bot.user.id)
      throw badRequest('user not found');
    return this.state.renderMember(chat, userId);
  }

  private getChatAdministrators({ bot, params }: CallContext) {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    if (chat.type === 'private')
      throw badRequest('there are no administrators in the private chat');
    return [...chat.members.values()]
      .filter((m) => m.status === 'creator' || m.status === 'administrator')
      .map((m) => this.state.renderMember(chat, m.user.id));
  }

  private getChatMemberCount({ bot, params }: CallContext): number {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    return [...chat.members.values()].filter((m) => isActiveStatus(m.status)).length;
  }

  private leaveChat({ bot, params }: CallContext): boolean {
    const chat = this.state.resolveChatForBot(bot, params.chatId(), 'read');
    if (chat.type === 'private')
      throw badRequest("chat member status can't be changed in private chats");
    this.state.setMemberStatus(chat, bot.user, 'left', bot.user);
    this.state.postMessage(chat, bot.user, { left_chat_member: { ...bot.user } });
    return true;
  }

  // ------------------------------------------------------------ files, commands

  private getFile({ params }: CallContext): TelegramFile {
    const fileId = params.string('file_id');
    if (!fileId) throw badRequest('invalid file_id');
    const file = this.state.files.get(fileId);
    if (!file) throw badRequest('invalid file_id');
    if (file.size > MAX_DOWNLOAD_SIZE || !file.bytes) throw badRequest('file is too big');
    const filePath = this.state.assignFilePath(file);
    return {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.size,
      file_path: filePath,
    };
  }

  private commandsKey(params: ApiParams): string {
    const scope = params.json('scope', () =>
      badRequest("can't parse BotCommandScope JSON object"),
    ) as { type?: string; chat_id?: number | string; user_id?: number } | undefined;
    const type = scope?.type ?? 'default';
    const valid = [
      'default',
      'all_private_chats',
      'all_group_chats',
      'all_chat_administrators',
      'chat',
      'chat_administrators',
      'chat_member',
    ];
    if (!valid.includes(type)) throw badRequest('wrong bot command scope type specified');
    if (
      (type === 'chat' || type === 'chat_administrators' || type === 'chat_member') &&
      scope?.chat_id === undefined
    ) {
      throw badRequest('chat_id is empty');
    }
    let key = type;
    if (scope?.chat_id !== undefined) key += `:${scope.chat_id}`;
    if (type === 'chat_member') {
      if (scope?.user_id === undefined) throw badRequest('invalid user_id specified');
      key += `:${scope.user_id}`;
    }
    const language = params.string('language_code') ?? '';
    if (language !== '' && !/^[a-z]{2}$/.test(language))
      throw badRequest('invalid language code specified');
    return `${key}|${language}`;
  }

  private setMyCommands({ bot, params }: CallContext): boolean {
    const commands = params.json('commands', () => badRequest("can't parse commands JSON array"));
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON array");
    if (commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
    const parsed: BotCommand[] = commands.map((c: unknown) => {
      const item = (c ?? {}) as { command?: unknown; description?: unknown };
      const command = typeof item.command === 'string' ? item.command.replace(/^\//, '') : '';
      const description = typeof item.description === 'string' ? item.description : '';
      if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
      if (description.trim().length === 0 || description.length > 256)
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      return { command, description };
    });
    const key = this.commandsKey(params);
    if (parsed.length === 0) bot.commands.delete(key);
    else bot.commands.set(key, parsed);
    return true;
  }

  private getMyCommands({ bot, params }: CallContext): BotCommand[] {
    return (bot.commands.get(this.commandsKey(params)) ?? []).map((c) => ({ ...c }));
  }

  private deleteMyCommands({ bot, params }: CallContext): boolean {
    bot.commands.delete(this.commandsKey(params));
    return true;
  }

  // ------------------------------------------------------------ helpers

  private entitiesParam(params: ApiParams, name: string): MessageEntity[] | undefined {
    const value = params.json(name, () => badRequest(`can't parse entities JSON object`));
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw badRequest(`can't parse entities JSON object`);
    return value as MessageEntity[];
  }

  private caption(params: ApiParams): {
    content: Partial<Message>;
    raw?: string;
    parseMode?: string;
  } {
    const raw = params.string('caption');
    const parseMode = params.string('parse_mode');
    if (raw === undefined || raw === '') return { content: {} };
    const formatted = formatText(raw, parseMode, this.entitiesParam(params, 'caption_entities'));
    if (formatted.text.length > 1024) throw badRequest('message caption is too long');
    const content: Partial<Message> = {};
    if (formatted.text !== '') content.caption = formatted.text;
    if (formatted.entities.length > 0) content.caption_entities = formatted.entities;
    return { content, raw, ...(parseMode !== undefined ? { parseMode } : {}) };
  }

  private replyTarget(params: ApiParams, chat: ChatState): number | undefined {
    const reply = params.json('reply_parameters', () =>
      badRequest("can't parse reply parameters JSON object"),
    ) as
      | { message_id?: number; chat_id?: number | string; allow_sending_without_reply?: boolean }
      | undefined;
    const messageId = reply?.message_id ?? params.int('reply_to_message_id');
    if (messageId === undefined) return undefined;
    const allowWithout =
      reply?.allow_sending_without_reply ?? params.bool('allow_sending_without_reply') ?? false;
    const target = chat.messages.get(Number(messageId));
    if (!target || target.deleted) {
      if (allowWithout) return undefined;
      throw badRequest('message to be replied not found');
    }
    return Number(messageId);
  }

  private replyMarkup(params: ApiParams, chat: ChatState): unknown {
    const markup = params.json('reply_markup', () =>
      badRequest("can't parse reply keyboard markup JSON object"),
    );
    if (markup === undefined) return undefined;
    if (markup === null || typeof markup !== 'object' || Array.isArray(markup)) {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
    const m = markup as Record<string, unknown>;
    if ('inline_keyboard' in m) {
      const rows = m.inline_keyboard;
      if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
        throw badRequest(
          'can\'t parse inline keyboard button: Field "inline_keyboard" must be of type Array',
        );
      }
      for (const row of rows as unknown[][])
        for (const button of row) this.checkInlineButton(button, chat);
      return markup;
    }
    if ('keyboard' in m) {
      const rows = m.keyboard;
      if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
        throw badRequest('can\'t parse keyboard button: Field "keyboard" must be of type Array');
      }
      for (const row of rows as unknown[][]) {
        for (const button of row) {
          if (typeof button === 'string') continue;
          const b = (button ?? {}) as { text?: unknown; web_app?: { url?: unknown } };
          if (typeof b.text !== 'string' || b.text === '')
            throw badRequest('can\'t parse keyboard button: Field "text" must be of type String');
          if (b.web_app !== undefined) {
            if (chat.type !== 'private') throw badRequest('BUTTON_TYPE_INVALID');
            this.checkWebAppUrl(b.web_app.url, 'keyboard button');
          }
        }
      }
      return markup;
    }
    if (m.remove_keyboard === true || m.force_reply === true) return markup;
    throw badRequest("can't parse reply keyboard markup JSON object");
  }

  private checkInlineButton(button: unknown, chat: ChatState): void {
    if (button === null || typeof button !== 'object')
      throw badRequest(
        "can't parse inline keyboard button: InlineKeyboardButton must be an Object",
      );
    const b = button as InlineKeyboardButton & Record<string, unknown>;
    if (typeof b.text !== 'string')
      throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
    const actions = INLINE_BUTTON_ACTIONS.filter((k) => b[k] !== undefined);
    if (actions.length === 0)
      throw badRequest(
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
      );
    if (b.text.trim() === '') throw badRequest('BUTTON_TEXT_INVALID');
    if (b.callback_data !== undefined) {
      const length = Buffer.byteLength(String(b.callback_data), 'utf8');
      if (typeof b.callback_data !== 'string' || length < 1 || length > 64)
        throw badRequest('BUTTON_DATA_INVALID');
    }
    if (b.url !== undefined) this.checkButtonUrl(String(b.url));
    if (b.web_app !== undefined) {
      if (chat.type !== 'private') throw badRequest('BUTTON_TYPE_INVALID');
      this.checkWebAppUrl(b.web_app.url, 'inline keyboard button');
    }
    if (b.login_url !== undefined && !/^https:\/\//i.test(String(b.login_url.url ?? '')))
      throw badRequest('BUTTON_URL_INVALID');
  }

  private checkButtonUrl(url: string): void {
    const invalid = (): BotApiError =>
      badRequest(`inline keyboard button URL '${url}' is invalid: Wrong HTTP URL`);
    if (/^tg:\/\//i.test(url)) return;
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
    } catch {
      throw invalid();
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw badRequest(`inline keyboard button URL '${url}' is invalid: Unsupported URL protocol`);
    const host = parsed.hostname;
    const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
    if (!isIp && (host === 'localhost' || !host.includes('.') || host.endsWith('.')))
      throw invalid();
  }

  private checkWebAppUrl(url: unknown, where: string): void {
    const value = typeof url === 'string' ? url : '';
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    const httpAllowed = this.state.allowHttpWebAppUrls && parsed?.protocol === 'http:';
    if (!parsed || (parsed.protocol !== 'https:' && !httpAllowed)) {
      throw badRequest(`${where} Web App URL '${value}' is invalid: Only HTTPS links are allowed`);
    }
  }

  private async uploadFromInput(
    input: InputFileRef,
    kind: 'photo' | 'document',
  ): Promise<UploadedFile> {
    if (input.kind === 'upload') {
      if (input.file.bytes.length === 0) throw badRequest('file must be non-empty');
      return input.file;
    }
    if (input.kind === 'url') {
      if (this.options.fetchUrlFiles === false) throw badRequest('failed to get HTTP URL content');
      let response: Response;
      try {
        response = await fetch(input.url, { signal: AbortSignal.timeout(10_000) });
      } catch {
        throw badRequest('failed to get HTTP URL content');
      }
      if (!response.ok) throw badRequest('failed to get HTTP URL content');
      const bytes = Buffer.from(await response.arrayBuffer());
      const name =
        decodeURIComponent(new URL(input.url).pathname.split('/').pop() ?? '') ||
        (kind === 'photo' ? 'photo.jpg' : 'file');
      return { fileName: name, bytes };
    }
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  private async resolveInputFile(
    input: InputFileRef,
    kind: 'document',
    create: (upload: UploadedFile) => FileState,
  ): Promise<FileState> {
    if (input.kind === 'file_id') {
      const existing = this.state.files.get(input.fileId);
      if (!existing) throw badRequest('wrong file identifier/HTTP URL specified');
      if (existing.kind !== kind) {
        const name = existing.kind[0]?.toUpperCase() + existing.kind.slice(1);
        throw badRequest(`can't use file of type ${name} as Document`);
      }
      return existing;
    }
    return create(await this.uploadFromInput(input, kind));
  }

  private sentFile(file: FileState): SentFile {
    const out: SentFile = { fileId: file.fileId, kind: file.kind, size: file.size };
    if (file.fileName !== undefined) out.fileName = file.fileName;
    if (file.mimeType !== undefined) out.mimeType = file.mimeType;
    if (file.bytes) out.bytes = file.bytes;
    return out;
  }

  private postBotMessage(
    bot: BotState,
    chat: ChatState,
    content: Partial<Message>,
    params: ApiParams,
    meta: {
      method: string;
      markup: unknown;
      replyTo: number | undefined;
      rawText: string | undefined;
      parseMode: string | undefined;
      files: SentFile[];
    },
  ): Message {
    const body: Partial<Message> = { ...content };
    if (params.bool('protect_content')) body.has_protected_content = true;
    const inline = meta.markup as InlineKeyboardMarkup | undefined;
    if (inline && 'inline_keyboard' in inline && inline.inline_keyboard.length > 0)
      body.reply_markup = sanitizeInlineKeyboard(inline);
    const stored: StoredMessage = this.state.postMessage(chat, bot.user, body, {
      deliver: false,
      ...(meta.replyTo !== undefined ? { replyTo: meta.replyTo } : {}),
    });
    stored.sentByBotId = bot.user.id;
    chat.lastBotSenderId = bot.user.id;
    const record: BotMessageRecord = {
      bot: { id: bot.user.id, username: bot.user.username ?? '' },
      chatId: chat.id,
      messageId: stored.message.message_id,
      method: meta.method,
      sentAt: new Date(),
      files: meta.files,
      edits: [],
      deleted: false,
      message: stored.message,
    };
    if (stored.message.text !== undefined) record.text = stored.message.text;
    if (stored.message.caption !== undefined) record.caption = stored.message.caption;
    if (meta.rawText !== undefined) record.rawText = meta.rawText;
    if (meta.parseMode !== undefined) record.parseMode = meta.parseMode;
    if (meta.markup !== undefined) record.replyMarkup = structuredClone(meta.markup);
    stored.record = record;
    this.state.events.emit('bot-message', chat, stored);
    return structuredClone(stored.message);
  }
}

/** What an inline button does: exactly one of these must be set. */
const INLINE_BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

const INLINE_BUTTON_FIELDS = ['text', 'icon_custom_emoji_id', 'style', ...INLINE_BUTTON_ACTIONS];

/** The keyboard as Telegram echoes it in Message.reply_markup: known fields only, empty rows dropped. */
function sanitizeInlineKeyboard(markup: InlineKeyboardMarkup): InlineKeyboardMarkup {
  return {
    inline_keyboard: markup.inline_keyboard
      .map((row) =>
        row.map((button) => {
          const source = button as unknown as Record<string, unknown>;
          const out: Record<string, unknown> = {};
          for (const field of INLINE_BUTTON_FIELDS)
            if (source[field] !== undefined) out[field] = structuredClone(source[field]);
          return out as unknown as InlineKeyboardButton;
        }),
      )
      .filter((row) => row.length > 0),
  };
}
