import { createHash, createHmac } from 'node:crypto';

import type { User } from './bot-api-types';

/**
 * Telegram's website login (the Login Widget, oauth.telegram.org) as the test server plays it:
 * the person picks who they are on `/auth?bot_id=…&origin=…&return_to=…`, confirms, and the
 * browser is sent to `return_to` with the fields the widget's `data-auth-url` redirect carries
 * (`id`, `first_name`, `last_name`, `username`, `photo_url`, `auth_date`, `hash`), signed as
 * Telegram signs them: `hash` = hex HMAC-SHA-256 of the sorted `key=value` lines, keyed by
 * SHA-256(bot token).
 */
export interface LoginData {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  photo_url?: string;
  auth_date: number;
  hash: string;
}

/** Signs a person's login for a bot exactly as Telegram does (also for tests of other parties). */
export function signLoginData(
  user: Pick<User, 'id' | 'first_name' | 'last_name' | 'username'>,
  botToken: string,
  authDate: Date = new Date(),
): LoginData {
  const fields: Record<string, string> = {
    id: String(user.id),
    first_name: user.first_name,
    auth_date: String(Math.floor(authDate.getTime() / 1000)),
  };
  if (user.last_name) fields.last_name = user.last_name;
  if (user.username) fields.username = user.username;
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('\n');
  const secret = createHash('sha256').update(botToken).digest();
  const hash = createHmac('sha256', secret).update(dataCheckString).digest('hex');
  return {
    ...(fields as unknown as Omit<LoginData, 'hash' | 'id' | 'auth_date'>),
    id: user.id,
    auth_date: Number(fields.auth_date),
    hash,
  };
}

/** `return_to` with the signed fields as its query (the widget's auth-url redirect). */
export function loginRedirectUrl(returnTo: string, data: LoginData): string {
  const url = new URL(returnTo);
  for (const [key, value] of Object.entries(data)) url.searchParams.set(key, String(value));
  return url.toString();
}

/** Why a login request is refused, in Telegram's words, or null when it is sound. */
export function loginRequestProblem(params: URLSearchParams, knownBot: boolean): string | null {
  const origin = params.get('origin');
  const returnTo = params.get('return_to');
  if (!knownBot) return 'Bot invalid';
  if (!origin || !returnTo) return 'Origin required';
  try {
    // Telegram only returns to the origin that asked (the bot's domain, set with /setdomain).
    if (new URL(returnTo).origin !== new URL(origin).origin) return 'Bot domain invalid';
  } catch {
    return 'Origin required';
  }
  return null;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The login page: who is signing in to which bot's site, one button per person of the world. */
export function loginPage(input: {
  botName: string;
  origin: string;
  people: User[];
  query: string;
}): string {
  const buttons = input.people
    .map(
      (person) =>
        `<form method="post" action="/auth?${escapeHtml(input.query)}"><input type="hidden" name="user_id" value="${person.id}"><button type="submit">${escapeHtml(
          [person.first_name, person.last_name].filter(Boolean).join(' '),
        )}${person.username ? ` <small>@${escapeHtml(person.username)}</small>` : ''}</button></form>`,
    )
    .join('\n');
  return `<!doctype html><html lang="ru"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Telegram: вход на сайт</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.25rem}button{display:block;width:100%;margin:.4rem 0;padding:.7rem;border:1px solid #2aabee;border-radius:.5rem;background:#fff;font-size:1rem;text-align:left;cursor:pointer}
button:hover{background:#e8f6fd}small{color:#777}p{color:#555}
@media (prefers-color-scheme: dark){body{background:#17212b;color:#eee}button{background:#232e3c;color:#eee}p,small{color:#aaa}}
</style>
<h1>Вход на сайт <b>${escapeHtml(new URL(input.origin).host)}</b> через Telegram</h1>
<p>Сайт бота ${escapeHtml(input.botName)} получит ваше имя, имя пользователя и Telegram ID. Кто вы? (Telegram test server)</p>
${buttons || '<p>В этом мире Telegram пока нет людей.</p>'}
</html>`;
}
