// Relative import into the api's test helpers (TypeScript, run by tsx), see README.md:
// `signLaunch` signs Mini App init data exactly as Telegram does (`sign` of @tma.js/init-data-node).
import { signLaunch } from '../../apps/api/test/telegram.ts';
import type { TelegramUser } from '../../apps/api/test/telegram.ts';
import { secrets } from './config.ts';

export type { TelegramUser };

/** `Authorization` of a Mini App call: `tma <init data>` signed with the bench bot's token. */
export function miniAppAuthorization(user: TelegramUser, launchToken: string): string {
  return `tma ${signLaunch(user, launchToken, { botToken: secrets.botToken })}`;
}

export const botAuthorization = `Bearer ${secrets.botServiceToken}`;
