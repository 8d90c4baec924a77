import type { ChatMember, Message, User } from '../../src/bot-api-types';
import type { UserChat } from '../../src/world-types';

/**
 * The test server's control API (same origin, /__control), the stand-in's only way into the
 * world: what a person does here is what the world API does, so the bot sees real updates.
 */

export interface BotSummary {
  id: number;
  username: string;
  user: User;
}

export interface Launch {
  url: string;
}

export class ControlError extends Error {
  override readonly name = 'ControlError';
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/__control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as T & {
    ok?: boolean;
    error?: string;
    issues?: { message: string }[];
  };
  if (!response.ok || json.ok === false) {
    const issues = json.issues?.map((issue) => issue.message).join('; ');
    throw new ControlError(
      [json.error ?? `HTTP ${response.status}`, issues].filter(Boolean).join(': '),
    );
  }
  return json;
}

const post = <T>(path: string, body: unknown) => call<T>('POST', path, body);

export interface NewPerson {
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export const control = {
  state: () => call<{ bots: BotSummary[]; users: User[] }>('GET', '/state'),
  createUser: (person: NewPerson) => post<{ user: User }>('/users', person),
  chats: async (user: number) =>
    (await call<{ chats: UserChat[] }>('GET', `/users/${user}/chats`)).chats,
  messages: async (user: number, chat: number) =>
    (await call<{ messages: Message[] }>('GET', `/users/${user}/chats/${chat}/messages`)).messages,
  members: async (chat: number) =>
    (await call<{ members: ChatMember[] }>('GET', `/chats/${chat}`)).members,
  /** Waits until the world changes; answers its revision. */
  changes: async (after: number, signal: AbortSignal) => {
    const response = await fetch(`/__control/changes?after=${after}&waitMs=25000`, { signal });
    if (!response.ok) throw new ControlError(`HTTP ${response.status}`);
    return ((await response.json()) as { revision: number }).revision;
  },

  sendText: (chat: number, from: number, text: string) =>
    post(`/chats/${chat}/messages`, { from, text }),
  sendPhoto: (chat: number, from: number, base64: string, caption?: string) =>
    post(`/chats/${chat}/photos`, { from, base64, ...(caption ? { caption } : {}) }),
  sendDocument: (
    chat: number,
    from: number,
    file: { fileName: string; mimeType?: string; base64: string; caption?: string },
  ) => post(`/chats/${chat}/documents`, { from, ...file }),
  start: (user: number, bot: number) => post(`/users/${user}/start`, { bot }),

  createGroup: async (by: number, title: string, members: number[]) =>
    (await post<{ chat: { id: number } }>('/groups', { by, title, members })).chat.id,
  addMember: (chat: number, user: number, by: number) =>
    post(`/chats/${chat}/members`, { user, by }),
  removeMember: (chat: number, user: number, by: number) =>
    post(`/chats/${chat}/members/${user}/remove`, user === by ? {} : { by }),
  addBot: (chat: number, bot: number, by: number, asAdmin: boolean) =>
    post(`/chats/${chat}/bots`, { bot, by, asAdmin }),
  promote: (chat: number, user: number, by: number) =>
    post(`/chats/${chat}/members/${user}/promote`, { by }),

  press: async (chat: number, messageId: number, from: number, data: string) =>
    (
      await post<{ callbackQueryId: string }>(`/chats/${chat}/messages/${messageId}/press`, {
        from,
        data,
      })
    ).callbackQueryId,
  callbackAnswer: async (id: string) => {
    const response = await fetch(
      `/__control/callback-answers/${encodeURIComponent(id)}?waitMs=5000`,
    );
    if (!response.ok) return null;
    return ((await response.json()) as { answer: { text?: string; url?: string } }).answer;
  },
  /** A t.me link as the person opens it: a Mini App launch, or /start sent to the bot. */
  openLink: (
    user: number,
    link: string,
    options: { chat?: number; themeParams: Record<string, string>; platform: string },
  ) =>
    post<{ kind: 'miniapp'; launch: Launch } | { kind: 'start' }>(`/users/${user}/open-link`, {
      link,
      ...options,
    }),
  /** The person presses a bot message's `web_app` button. */
  openWebApp: (
    chat: number,
    messageId: number,
    from: number,
    options: { text: string; themeParams: Record<string, string>; platform: string },
  ) => post<Launch>(`/chats/${chat}/messages/${messageId}/open-web-app`, { from, ...options }),
};

/** A file's bytes as the server serves them (images inline, the rest as a download). */
export const fileUrl = (fileId: string, download = false) =>
  `/__control/files/${encodeURIComponent(fileId)}/content${download ? '?download=1' : ''}`;

/** A file as base64 (the control API takes JSON bodies). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}
