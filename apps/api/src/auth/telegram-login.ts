import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

import { AppError } from '../errors';

/**
 * What Telegram's website login (the Login Widget) hands the site after the person confirmed:
 * the fields below, signed by `hash`. Any other field Telegram adds is part of the signature too.
 */
const LoginFields = z.object({
  id: z.coerce.number().int().positive().refine(Number.isSafeInteger),
  first_name: z.string().min(1).max(256),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  photo_url: z.string().max(2048).optional(),
  auth_date: z.coerce.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export interface TelegramLogin {
  telegramId: number;
  firstName: string;
  lastName: string | null;
  username: string | null;
  authDate: Date;
}

const refusal = (ru: string, en: string) => new AppError('UNAUTHENTICATED', { ru, en });

/** Telegram's clock and ours may differ a little; an auth_date further ahead is forged. */
const allowedClockSkewMs = 60_000;

/**
 * Checks a website login as Telegram documents it: the data-check-string is every received
 * field but `hash`, sorted by name, as `key=value` lines joined by `\n`; `hash` must be its
 * hex HMAC-SHA-256 under the key SHA-256(bot token) (not the Mini App's "WebAppData" key), and
 * `auth_date` must be recent. Anything else is refused with words a person understands.
 */
export function verifyTelegramLogin(
  query: Record<string, unknown>,
  botToken: string,
  maxAgeSeconds: number,
  now: Date,
): TelegramLogin {
  const received = Object.fromEntries(
    Object.entries(query).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  const parsed = LoginFields.safeParse(received);
  if (!parsed.success)
    throw refusal(
      'Telegram не подтвердил вход: данные входа неполные. Войдите ещё раз',
      'Telegram did not confirm the sign-in: the sign-in data is incomplete. Sign in again',
    );
  const dataCheckString = Object.keys(received)
    .filter((key) => key !== 'hash')
    .sort()
    .map((key) => `${key}=${received[key]}`)
    .join('\n');
  const secret = createHash('sha256').update(botToken).digest();
  const expected = createHmac('sha256', secret).update(dataCheckString).digest();
  const given = Buffer.from(parsed.data.hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refusal(
      'Подпись Telegram не сходится: вход отклонён',
      'The Telegram signature does not match: the sign-in was refused',
    );
  const authDate = new Date(parsed.data.auth_date * 1000);
  const age = now.getTime() - authDate.getTime();
  if (age > maxAgeSeconds * 1000)
    throw refusal(
      'Подтверждение входа устарело: войдите через Telegram ещё раз',
      'The sign-in confirmation has expired: sign in with Telegram again',
    );
  if (-age > allowedClockSkewMs)
    throw refusal(
      'Подтверждение входа датировано будущим: вход отклонён',
      'The sign-in confirmation is dated in the future: the sign-in was refused',
    );
  return {
    telegramId: parsed.data.id,
    firstName: parsed.data.first_name,
    lastName: parsed.data.last_name ?? null,
    username: parsed.data.username ?? null,
    authDate,
  };
}
