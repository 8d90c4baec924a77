// `signLaunch` signs Mini App init data exactly as Telegram does (`sign` of @tma.js/init-data-node).
import type { TelegramUser } from '@payreq/testing';
import { signLaunch } from '@payreq/testing';
import { secrets } from './config.ts';

export type { TelegramUser };

/** `Authorization` of a Mini App call: `tma <init data>` signed with the bench bot's token. */
export function miniAppAuthorization(user: TelegramUser, launchToken: string): string {
  return `tma ${signLaunch(user, launchToken, { botToken: secrets.botToken })}`;
}

export const botAuthorization = `Bearer ${secrets.botServiceToken}`;

/** `Authorization` of the board: the Mini App opened from the bot's private chat (no start parameter). */
export function boardAuthorization(user: TelegramUser): string {
  return `tma ${signLaunch(user, null, { botToken: secrets.botToken, chatType: 'private' })}`;
}
