/**
 * The Telegram client's side of a Mini App launch, as apps/webapp/test/telegram-client.ts has
 * it (that file uses vitest, so the bench keeps its own copy of the little it needs): the
 * launch URL Telegram builds (init data signed with the bot token, theme, platform, start
 * param) and the native bridge (`window.TelegramWebviewProxy.postEvent`) answering what the
 * app asks on start (theme, viewport, safe areas), as Telegram does.
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

/** Runs in the page before the app (`addInitScript`): Telegram's native side of the bridge. */
export const telegramBridgeScript = `(() => {
  const theme = ${JSON.stringify(DEFAULT_THEME_PARAMS)};
  const reply = (name, data) => setTimeout(() => window.Telegram?.WebView?.receiveEvent(name, data), 0);
  window.TelegramWebviewProxy = {
    postEvent(type, json) {
      switch (type) {
        case 'web_app_request_theme': reply('theme_changed', { theme_params: theme }); break;
        case 'web_app_request_viewport':
          reply('viewport_changed', { height: window.innerHeight, width: window.innerWidth, is_expanded: true, is_state_stable: true });
          break;
        case 'web_app_request_safe_area': reply('safe_area_changed', { top: 0, bottom: 0, left: 0, right: 0 }); break;
        case 'web_app_request_content_safe_area':
          reply('content_safe_area_changed', { top: 0, bottom: 0, left: 0, right: 0 });
          break;
        default: break;
      }
    },
  };
})();`;

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
