import {
  ExpiredError,
  SignatureInvalidError,
  SignatureMissingError,
  parse,
  validate,
} from '@tma.js/init-data-node';
import type { Locale } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';

import type { AppDeps } from '../context';
import { unauthenticated } from '../errors';

/** What Telegram told the Mini App, once its signature checked out. */
export interface TelegramLaunch {
  user: {
    id: number;
    firstName: string;
    lastName: string | null;
    username: string | null;
    languageCode: string | null;
  };
  /** The `startapp` value: our launch token for the chat, if opened from a group's button. */
  startParam: string | null;
  chatType: string | null;
  chatInstance: string | null;
  authDate: Date;
}

/** Telegram's clock and ours may differ a little; an auth_date further ahead is forged. */
const allowedClockSkewMs = 60_000;

/**
 * Checks Mini App init data (HMAC-SHA256 with the key HMAC("WebAppData", bot token)) and
 * its age. Anything that does not verify is refused: there is no anonymous fallback.
 */
export function verifyInitData(
  raw: string,
  botToken: string,
  maxAgeSeconds: number,
  now: Date,
): TelegramLaunch {
  try {
    validate(raw, botToken, { expiresIn: maxAgeSeconds });
  } catch (error) {
    if (error instanceof ExpiredError)
      throw unauthenticated('the Mini App session has expired, reopen it');
    if (error instanceof SignatureMissingError)
      throw unauthenticated('init data carries no signature');
    if (error instanceof SignatureInvalidError)
      throw unauthenticated('init data signature is invalid');
    throw unauthenticated('init data is malformed');
  }
  let data: ReturnType<typeof parse>;
  try {
    data = parse(raw);
  } catch {
    throw unauthenticated('init data is malformed');
  }
  if (data.auth_date.getTime() - now.getTime() > allowedClockSkewMs) {
    throw unauthenticated('init data is dated in the future');
  }
  if (!data.user || !Number.isSafeInteger(data.user.id) || data.user.id <= 0) {
    throw unauthenticated('init data names no user');
  }
  return {
    user: {
      id: data.user.id,
      firstName: data.user.first_name,
      lastName: data.user.last_name ?? null,
      username: data.user.username ?? null,
      languageCode: data.user.language_code ?? null,
    },
    startParam: data.start_param ?? null,
    chatType: data.chat_type ?? null,
    chatInstance: data.chat_instance ?? null,
    authDate: data.auth_date,
  };
}

function displayName(user: TelegramLaunch['user']): string {
  return (
    [user.firstName, user.lastName].filter(Boolean).join(' ').trim() ||
    user.username ||
    `id${user.id}`
  );
}

/**
 * The platform identity of a Telegram user: a whitelisted, active agent, or else a
 * platform user, created on first contact as a client. The whitelist is read on every
 * call, so a deactivated agent loses agent rights at once.
 */
export async function telegramActor(
  deps: AppDeps,
  launch: TelegramLaunch,
): Promise<{ actor: Actor; locale: Locale }> {
  const telegramId = BigInt(launch.user.id);
  const name = displayName(launch.user);
  const agent = await deps.db.agent.findUnique({
    where: { telegramId },
    include: { tenant: true },
  });
  const languageLocale: Locale = launch.user.languageCode?.startsWith('en') ? 'en' : 'ru';
  if (agent?.active) {
    return {
      actor: {
        kind: 'agent',
        agentId: agent.id,
        userId: null,
        telegramId: launch.user.id,
        name: agent.name,
        tenantId: agent.tenantId,
        tenantIsMaster: agent.tenant.isMaster,
      },
      locale: languageLocale,
    };
  }
  // The common case, a known user, is one read; an upsert would be a transaction of four statements.
  const user =
    (await deps.db.user.findUnique({ where: { telegramId } })) ??
    (await deps.db.user
      .create({ data: { telegramId, name, role: 'CLIENT', locale: languageLocale } })
      .catch(async (error: unknown) => {
        // Two first calls of the same person at once: the other one created the row.
        const existing = await deps.db.user.findUnique({ where: { telegramId } });
        if (!existing) throw error;
        return existing;
      }));
  const locale: Locale = user.locale === 'en' ? 'en' : 'ru';
  return {
    actor: { kind: 'user', userId: user.id, telegramId: launch.user.id, name: user.name },
    locale,
  };
}
