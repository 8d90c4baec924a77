/**
 * The Telegram client's side of a Mini App launch for the bench: the launch URL Telegram builds
 * (init data signed with the bench's bot token, theme, platform, start param). The native
 * bridge and Chromium's flags are the test kit's (`addTelegramBridge`, `CHROMIUM_FLAGS`).
 */
// Relative import into the workspace's TypeScript source (run by tsx), see README.md.
import {
  DEFAULT_THEME_PARAMS,
  buildLaunchUrl,
  signInitData,
} from '../../packages/telegram-testkit/src/index.ts';
import { secrets } from './config.ts';
import type { TelegramUser } from './telegram.ts';

/** The URL a Telegram client opens for `user` in the deal room whose launch token is `startParam`. */
export function miniAppLaunchUrl(baseUrl: string, user: TelegramUser, startParam: string): string {
  const initData = signInitData(
    {
      user: { ...user, allows_write_to_pm: true },
      chat_instance: '-4512345678901234567',
      chat_type: 'supergroup',
      start_param: startParam,
    },
    secrets.botToken,
  );
  return buildLaunchUrl(`${baseUrl}/`, {
    initData,
    startParam,
    themeParams: DEFAULT_THEME_PARAMS,
    platform: 'android',
    version: '8.0',
  });
}

/**
 * Also before the app: notes when an element matching `selector` first enters the DOM
 * (`performance.now()`, ms after the navigation started) and when the frame that shows it
 * has been painted (a task queued from that frame's `requestAnimationFrame` runs after it).
 */
export function firstElementScript(selector: string): string {
  return `(() => {
  const marks = (window.__bench = { inDom: null, painted: null });
  const observer = new MutationObserver(() => {
    if (marks.inDom !== null || !document.querySelector(${JSON.stringify(selector)})) return;
    marks.inDom = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { marks.painted = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;
}
