import { createHmac } from 'node:crypto';

import { sign } from '@tma.js/init-data-node';

/** Test credentials: the bot token Mini App init data is signed with in every suite. */
export const TEST_BOT_TOKEN = '1234567890:AAHtest-bot-token-for-signing-init-data';
export const TEST_BOT_SERVICE_TOKEN = 'test-bot-service-token-0123456789abcdef';
export const TEST_TOKEN_SECRET = 'test-platform-token-secret-0123456789';

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  language_code?: string;
}

/** The world's people as Telegram knows them (the ids of `createWorld`'s agents and client). */
export const telegramPeople = {
  /** The bank's agent who opens deal rooms. */
  anna: { id: 7000000001, first_name: 'Анна', last_name: 'Смирнова', language_code: 'ru' },
  /** Another agent of the bank. */
  boris: { id: 7000000002, first_name: 'Борис', last_name: 'Агентов', language_code: 'ru' },
  /** The client. */
  ivan: { id: 5000000001, first_name: 'Иван', last_name: 'Петров', language_code: 'ru' },
} satisfies Record<string, TelegramUser>;

/** Signs Mini App launch data exactly as Telegram does (HMAC-SHA256 under HMAC("WebAppData", token)). */
export function signLaunch(
  user: TelegramUser,
  startParam: string | null,
  options: { authDate?: Date; botToken?: string; chatType?: string } = {},
): string {
  return sign(
    {
      user: { ...user, allows_write_to_pm: true },
      chat_instance: '-4512345678901234567',
      chat_type: options.chatType ?? 'supergroup',
      ...(startParam ? { start_param: startParam } : {}),
    },
    options.botToken ?? TEST_BOT_TOKEN,
    options.authDate ?? new Date(),
  );
}

/**
 * Init data as Telegram clients older than Bot API 8.0 sign it: the HMAC alone, with no
 * `signature` field (which signLaunch's library always adds).
 */
export function signLaunchHmacOnly(
  user: TelegramUser,
  startParam: string,
  options: { botToken?: string; chatInstance?: string } = {},
): string {
  const params = new URLSearchParams({
    auth_date: String(Math.floor(Date.now() / 1000)),
    ...(options.chatInstance !== undefined ? { chat_instance: options.chatInstance } : {}),
    chat_type: 'supergroup',
    start_param: startParam,
    user: JSON.stringify(user),
  });
  const check = [...params.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData')
    .update(options.botToken ?? TEST_BOT_TOKEN)
    .digest();
  params.set('hash', createHmac('sha256', secret).update(check).digest('hex'));
  return params.toString();
}

/** The `Authorization` header of a Mini App call. */
export const tma = (initData: string) => `tma ${initData}`;
