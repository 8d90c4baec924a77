import { randomBytes } from 'node:crypto';
import { sign } from '@tma.js/init-data-node';

import { DEFAULT_THEME_PARAMS } from './themes';

/**
 * Mini App launch data, signed and packed exactly as Telegram clients launch a Mini App:
 * init data signed with HMAC-SHA-256 (secret = HMAC-SHA-256("WebAppData", bot token)), and a
 * launch URL whose hash carries `tgWebAppData`, `tgWebAppVersion`, `tgWebAppPlatform`,
 * `tgWebAppThemeParams` (and `tgWebAppStartParam`).
 */

/** The `user` object inside init data (Telegram's WebAppUser). */
export interface InitDataUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
  is_bot?: boolean;
  added_to_attachment_menu?: boolean;
  allows_write_to_pm?: boolean;
  photo_url?: string;
}

export interface InitDataChat {
  id: number;
  type: string;
  title: string;
  username?: string;
  photo_url?: string;
}

export interface InitDataParams {
  user?: InitDataUser;
  receiver?: InitDataUser;
  chat?: InitDataChat;
  query_id?: string;
  /** "sender" | "private" | "group" | "supergroup" | "channel" (direct-link launches). */
  chat_type?: string;
  chat_instance?: string;
  start_param?: string;
  can_send_after?: number;
  /** Date or unix seconds; defaults to now. */
  auth_date?: Date | number;
  /**
   * Telegram's Ed25519 `signature` (third-party validation). Telegram's private key is not
   * available, so by default a random value of the right shape is used: `hash` (the bot-token
   * HMAC) is genuine, `signature` cannot be verified.
   */
  signature?: string;
}

/** Builds the WebAppUser JSON from a Bot API user, in Telegram's field order. */
export function toInitDataUser(
  user: Pick<
    InitDataUser,
    'id' | 'first_name' | 'last_name' | 'username' | 'language_code' | 'is_premium'
  >,
): InitDataUser {
  const out: InitDataUser = { id: user.id, first_name: user.first_name };
  if (user.last_name !== undefined) out.last_name = user.last_name;
  if (user.username !== undefined) out.username = user.username;
  if (user.language_code !== undefined) out.language_code = user.language_code;
  if (user.is_premium) out.is_premium = true;
  out.allows_write_to_pm = true;
  return out;
}

/** Signs init data with the bot token (same algorithm and encoding as Telegram). */
export function signInitData(params: InitDataParams, botToken: string): string {
  const authDate =
    params.auth_date === undefined
      ? new Date()
      : params.auth_date instanceof Date
        ? params.auth_date
        : new Date(params.auth_date * 1000);
  // Key order of the result follows this object; auth_date is a placeholder (sign() sets the
  // value) so that, like Telegram, `auth_date` comes before `signature` and `hash`.
  const data: Record<string, unknown> = {};
  if (params.query_id !== undefined) data.query_id = params.query_id;
  if (params.user !== undefined) data.user = params.user;
  if (params.receiver !== undefined) data.receiver = params.receiver;
  if (params.chat !== undefined) data.chat = params.chat;
  if (params.chat_instance !== undefined) data.chat_instance = params.chat_instance;
  if (params.chat_type !== undefined) data.chat_type = params.chat_type;
  if (params.start_param !== undefined) data.start_param = params.start_param;
  if (params.can_send_after !== undefined) data.can_send_after = params.can_send_after;
  data.auth_date = authDate;
  data.signature = params.signature ?? randomBytes(64).toString('base64url');
  return sign(data as Parameters<typeof sign>[0], botToken, authDate);
}

export interface LaunchUrlOptions {
  initData: string;
  startParam?: string;
  themeParams?: Record<string, string>;
  /** tgWebAppPlatform, e.g. "tdesktop", "ios", "android", "weba", "web", "macos". Default "tdesktop". */
  platform?: string;
  /** tgWebAppVersion. Default "8.0". */
  version?: string;
}

/**
 * The URL a Telegram client opens for a Mini App. Like Telegram, the start parameter is also
 * added to the query string (`?tgWebAppStartParam=`) for direct-link launches.
 */
export function buildLaunchUrl(webAppUrl: string, options: LaunchUrlOptions): string {
  const url = new URL(webAppUrl);
  if (options.startParam !== undefined)
    url.searchParams.set('tgWebAppStartParam', options.startParam);
  const hash = new URLSearchParams();
  hash.set('tgWebAppData', options.initData);
  hash.set('tgWebAppVersion', options.version ?? '8.0');
  hash.set('tgWebAppPlatform', options.platform ?? 'tdesktop');
  hash.set('tgWebAppThemeParams', JSON.stringify(options.themeParams ?? DEFAULT_THEME_PARAMS));
  if (options.startParam !== undefined) hash.set('tgWebAppStartParam', options.startParam);
  url.hash = hash.toString().replace(/\+/g, '%20');
  return url.toString();
}

export interface TelegramLink {
  botUsername: string;
  /** Mini App short name for `t.me/<bot>/<app>` links. */
  appShortName?: string;
  /** `startapp` value (present, possibly empty, for Mini App links). */
  startApp?: string;
  /** `start` value for `t.me/<bot>?start=` deep links. */
  start?: string;
}

/** Parses `https://t.me/<bot>[/<app>]?startapp=|start=` (also `tg://resolve?domain=`). */
export function parseTelegramLink(link: string): TelegramLink | undefined {
  let url: URL;
  try {
    url = new URL(link.startsWith('t.me/') ? `https://${link}` : link);
  } catch {
    return undefined;
  }
  let botUsername: string | undefined;
  let appShortName: string | undefined;
  if (url.protocol === 'tg:') {
    botUsername = url.searchParams.get('domain') ?? undefined;
    appShortName = url.searchParams.get('appname') ?? undefined;
  } else if (['t.me', 'telegram.me', 'www.t.me'].includes(url.hostname)) {
    const [first, second] = url.pathname.split('/').filter(Boolean);
    botUsername = first;
    appShortName = second;
  }
  if (!botUsername) return undefined;
  const out: TelegramLink = { botUsername };
  if (appShortName) out.appShortName = appShortName;
  const startApp = url.searchParams.get('startapp');
  if (startApp !== null) out.startApp = startApp;
  const start = url.searchParams.get('start');
  if (start !== null) out.start = start;
  if (appShortName && out.startApp === undefined) out.startApp = '';
  return out;
}

/** Reads back the launch parameters from a launch URL (handy in tests). */
export function parseLaunchUrl(launchUrl: string): {
  initData: string;
  version?: string;
  platform?: string;
  themeParams?: Record<string, string>;
  startParam?: string;
} {
  const url = new URL(launchUrl);
  const hash = new URLSearchParams(url.hash.slice(1));
  const theme = hash.get('tgWebAppThemeParams');
  const out: ReturnType<typeof parseLaunchUrl> = { initData: hash.get('tgWebAppData') ?? '' };
  const version = hash.get('tgWebAppVersion');
  if (version !== null) out.version = version;
  const platform = hash.get('tgWebAppPlatform');
  if (platform !== null) out.platform = platform;
  if (theme !== null) out.themeParams = JSON.parse(theme) as Record<string, string>;
  const startParam = hash.get('tgWebAppStartParam') ?? url.searchParams.get('tgWebAppStartParam');
  if (startParam !== null) out.startParam = startParam;
  return out;
}
