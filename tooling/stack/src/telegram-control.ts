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

  createUser(user: {
    id: number;
    first_name: string;
    last_name?: string;
    username?: string;
    language_code?: string;
  }) {
    return this.call('POST', '/users', user);
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

  async botMessages(chatId: number, waitMs: number, count = 1) {
    const { messages } = await this.call<{ messages: { text?: string; replyMarkup?: unknown }[] }>(
      'GET',
      `/chats/${chatId}/bot-messages?waitMs=${waitMs}&count=${count}`,
    );
    return messages;
  }

  async launchUrl(input: {
    user: number;
    bot: string;
    url: string;
    startParam?: string;
    chat?: number;
  }): Promise<string> {
    const { url } = await this.call<{ url: string }>('POST', '/webapp/launch-url', input);
    return url;
  }

  async hasPolled(bot: string): Promise<boolean> {
    const { calls } = await this.call<{ calls: unknown[] }>(
      'GET',
      `/calls?method=getUpdates&bot=${encodeURIComponent(bot)}`,
    );
    return calls.length > 0;
  }
}

/** The `startapp` value of the first url button that carries one. */
export function startParamOf(replyMarkup: unknown): string | null {
  const found = JSON.stringify(replyMarkup ?? {}).match(/startapp=([A-Za-z0-9_-]+)/);
  return found?.[1] ?? null;
}
