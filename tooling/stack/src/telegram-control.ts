/** A file a bot sent, as the test server keeps it (bytes as base64). */
export interface SentFile {
  fileId: string;
  kind: string;
  fileName?: string;
  mimeType?: string;
  size: number;
  base64?: string;
}

/** What a bot sent into a chat, read back from the test server. */
export interface BotMessage {
  chatId: number;
  messageId: number;
  method: string;
  sentAt: string;
  text?: string;
  caption?: string;
  replyMarkup?: unknown;
  files: SentFile[];
  deleted: boolean;
}

/** A chat of a person's list (the fields the demo reads). */
export interface UserChat {
  id: number;
  type: 'group' | 'supergroup' | 'private';
  title: string;
  lastMessage?: { message_id: number; from?: { id: number; is_bot?: boolean } };
}

/** A message as Telegram delivers it (the fields the demo reads). */
export interface TelegramMessage {
  message_id: number;
  from?: { id: number; first_name: string; is_bot?: boolean };
  text?: string;
  caption?: string;
  photo?: { file_id: string; file_unique_id: string; file_size?: number }[];
}

/** A small client of the Telegram test server's control API (packages/telegram-testkit). */
export class TelegramControl {
  constructor(private readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { ok?: boolean; error?: unknown };
    if (!response.ok || json.ok === false)
      throw new Error(`control ${method} ${path}: ${JSON.stringify(json.error ?? json)}`);
    return json;
  }

  /** The users the test server knows (it keeps them across restarts with a data file). */
  async users(): Promise<{ id: number }[]> {
    return (await this.call<{ users: { id: number }[] }>('GET', '/users')).users;
  }

  createUser(user: {
    id: number;
    first_name: string;
    last_name?: string;
    username?: string;
    language_code?: string;
  }) {
    return this.call('POST', '/users', user);
  }

  /** A person's chat list, as their client shows it (newest activity first). */
  async userChats(userId: number): Promise<UserChat[]> {
    return (await this.call<{ chats: UserChat[] }>('GET', `/users/${userId}/chats`)).chats;
  }

  async createGroup(by: number, title: string, members: number[]): Promise<number> {
    const { chat } = await this.call<{ chat: { id: number } }>('POST', '/groups', {
      by,
      title,
      members,
    });
    return chat.id;
  }

  addBot(chatId: number, bot: string, by: number, asAdmin: boolean) {
    return this.call('POST', `/chats/${chatId}/bots`, { bot, by, asAdmin });
  }

  /** What bots sent into the chat; with `waitMs`, first waits until there are `count` of them. */
  async botMessages(chatId: number, waitMs = 0, count = 1): Promise<BotMessage[]> {
    const { messages } = await this.call<{ messages: BotMessage[] }>(
      'GET',
      `/chats/${chatId}/bot-messages?waitMs=${waitMs}&count=${count}`,
    );
    return messages;
  }

  /** A user writes into the chat. */
  async sendText(chatId: number, from: number, text: string): Promise<TelegramMessage> {
    const { message } = await this.call<{ message: TelegramMessage }>(
      'POST',
      `/chats/${chatId}/messages`,
      { from, text },
    );
    return message;
  }

  /** A user sends a photo into the chat. */
  async sendPhoto(
    chatId: number,
    from: number,
    photo: { bytes: Buffer; width: number; height: number; caption?: string },
  ): Promise<TelegramMessage> {
    const { message } = await this.call<{ message: TelegramMessage }>(
      'POST',
      `/chats/${chatId}/photos`,
      {
        from,
        base64: photo.bytes.toString('base64'),
        width: photo.width,
        height: photo.height,
        ...(photo.caption ? { caption: photo.caption } : {}),
      },
    );
    return message;
  }

  /** Updates Telegram holds for the bot that it has not confirmed (handled) yet. */
  async pendingUpdates(bot: string): Promise<unknown[]> {
    const { updates } = await this.call<{ updates: unknown[] }>(
      'GET',
      `/bots/${encodeURIComponent(bot)}/updates`,
    );
    return updates;
  }

  /** The Bot API calls the test server answered, e.g. `getFile`. */
  async calls(method: string, bot: string): Promise<unknown[]> {
    const { calls } = await this.call<{ calls: unknown[] }>(
      'GET',
      `/calls?method=${encodeURIComponent(method)}&bot=${encodeURIComponent(bot)}`,
    );
    return calls;
  }

  /** A signed Mini App launch, as Telegram makes it for this user. */
  async launch(input: {
    user: number;
    bot: string;
    url: string;
    startParam?: string;
    chat?: number;
  }): Promise<{ url: string; initData: string }> {
    return this.call<{ url: string; initData: string }>('POST', '/webapp/launch-url', input);
  }

  async launchUrl(input: {
    user: number;
    bot: string;
    url: string;
    startParam?: string;
    chat?: number;
  }): Promise<string> {
    return (await this.launch(input)).url;
  }
}

/** The `startapp` value of the first url button that carries one. */
export function startParamOf(replyMarkup: unknown): string | null {
  const found = JSON.stringify(replyMarkup ?? {}).match(/startapp=([A-Za-z0-9_-]+)/);
  return found?.[1] ?? null;
}

/**
 * An address of the test server's web stand-in: it opens as `as` (a Telegram user id), in
 * `chat` (a group id, or the bot's id for the private chat), and opens `open` there (a t.me
 * link, e.g. the bot's Mini App button) as Telegram would: the Mini App beside the chat.
 */
export function standinLink(
  standinUrl: string,
  options: {
    as: number;
    chat?: number;
    open?: string;
    lang?: 'ru' | 'en';
    theme?: 'light' | 'dark';
  },
): string {
  const url = new URL(standinUrl);
  url.searchParams.set('as', String(options.as));
  if (options.chat !== undefined) url.searchParams.set('chat', String(options.chat));
  if (options.open !== undefined) url.searchParams.set('open', options.open);
  if (options.lang) url.searchParams.set('lang', options.lang);
  if (options.theme) url.searchParams.set('theme', options.theme);
  return url.toString();
}

/** The first url button's link that carries a `startapp` (the bot's Mini App button). */
export function launchLinkOf(replyMarkup: unknown): string | null {
  const found = JSON.stringify(replyMarkup ?? {}).match(/"url":"([^"]+startapp=[^"]*)"/);
  return found?.[1] ?? null;
}
