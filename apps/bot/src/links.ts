/**
 * Links into the Mini App.
 *
 * - In groups a bot cannot post `web_app` buttons, so the welcome carries a `url` button to a
 *   direct Mini App link with the chat's launch token as `startapp`:
 *   `https://t.me/<bot>/<short name>?startapp=<token>` (MINI_APP_SHORT_NAME set), or the bot's
 *   main Mini App `https://t.me/<bot>?startapp=<token>` (unset). Telegram opens the app with
 *   `start_param` = the token; the api binds the session to the chat by it.
 * - In private chats `web_app` buttons work: WEBAPP_URL for everyone, and for agents the
 *   board at WEBAPP_URL with `?mode=board` (a query parameter, because Telegram puts its launch
 *   parameters into the URL's hash).
 */
export function groupLaunchLink(options: {
  botUsername: string;
  miniAppShortName: string | null;
  launchToken: string;
}): string {
  const base = options.miniAppShortName
    ? `https://t.me/${options.botUsername}/${options.miniAppShortName}`
    : `https://t.me/${options.botUsername}`;
  return `${base}?startapp=${encodeURIComponent(options.launchToken)}`;
}

export function boardUrl(webappUrl: string): string {
  const url = new URL(webappUrl);
  url.searchParams.set('mode', 'board');
  return url.toString();
}
