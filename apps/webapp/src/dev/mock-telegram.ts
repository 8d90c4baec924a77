import { LAUNCH_STORAGE_KEY } from '../telegram-bridge';

/**
 * Development only (imported under `import.meta.env.DEV`, absent from the production build).
 *
 * Outside Telegram, `vite` serves the app with this stand-in for the Telegram client:
 * - no launch data yet → go to `/__dev/launch` (dev/launch-plugin.ts), which signs init data
 *   with the development bot token and comes back with `#tgWebAppData=…` like Telegram does;
 * - a native bridge (`TelegramWebviewProxy`, as Telegram's apps give the page) answers the app's
 *   requests (theme, viewport, safe areas, popups) and draws the main and back buttons at the
 *   page's edges.
 */
export function prepareDevLaunch(): boolean {
  const hasLaunch =
    window.location.hash.includes('tgWebAppData') ||
    window.sessionStorage.getItem(LAUNCH_STORAGE_KEY) !== null;
  if (!hasLaunch) {
    const query = new URLSearchParams(window.location.search);
    if (window.location.pathname.startsWith('/board')) query.set('view', 'board');
    window.location.replace(`/__dev/launch?${query.toString()}`);
    return false;
  }
  const theme = (() => {
    try {
      const query = window.location.hash.includes('tgWebAppData')
        ? window.location.hash.slice(1)
        : (window.sessionStorage.getItem(LAUNCH_STORAGE_KEY) ?? '');
      const raw = new URLSearchParams(query).get('tgWebAppThemeParams');
      return raw ? (JSON.parse(raw) as Record<string, string>) : {};
    } catch {
      return {};
    }
  })();

  const main = document.createElement('button');
  main.className = 'dev-main-button';
  main.hidden = true;
  main.onclick = () => emitEvent('main_button_pressed');
  const back = document.createElement('button');
  back.className = 'dev-back-button';
  back.textContent = '‹';
  back.hidden = true;
  back.onclick = () => emitEvent('back_button_pressed');
  const style = document.createElement('style');
  style.textContent = `
    .dev-main-button { position: fixed; left: 0; right: 0; bottom: 0; z-index: 99; height: 52px;
      border: 0; font: 600 16px system-ui; background: var(--tg-theme-button-color, #40a7e3);
      color: var(--tg-theme-button-text-color, #fff); }
    .dev-main-button:disabled { opacity: .6 }
    .dev-back-button { position: fixed; left: 8px; top: 8px; z-index: 99; width: 36px; height: 36px;
      border-radius: 18px; border: 0; font-size: 24px; background: rgba(0,0,0,.35); color: #fff; }
    body { padding-bottom: 52px; }`;
  document.head.append(style);
  document.body.append(main, back);
  let confirmClose = false;
  window.addEventListener('beforeunload', (event) => {
    if (confirmClose) event.preventDefault();
  });

  // Telegram answers through the entry point the app's bridge installs (telegram-bridge.ts).
  const emitEvent = (name: string, data?: unknown) =>
    (
      window as unknown as { Telegram: { WebView: { receiveEvent(n: string, d?: unknown): void } } }
    ).Telegram.WebView.receiveEvent(name, data);
  const later = (action: () => void) => setTimeout(action, 0);
  (window as unknown as { TelegramWebviewProxy: unknown }).TelegramWebviewProxy = {
    postEvent(name: string, json?: string) {
      const params = (json ? JSON.parse(json) : {}) as Record<string, unknown>;
      switch (name) {
        case 'web_app_request_theme':
          later(() => emitEvent('theme_changed', { theme_params: theme }));
          break;
        case 'web_app_request_viewport':
          later(() =>
            emitEvent('viewport_changed', {
              height: window.innerHeight,
              width: window.innerWidth,
              is_expanded: true,
              is_state_stable: true,
            }),
          );
          break;
        case 'web_app_request_safe_area':
          later(() => emitEvent('safe_area_changed', { top: 0, bottom: 0, left: 0, right: 0 }));
          break;
        case 'web_app_request_content_safe_area':
          later(() =>
            emitEvent('content_safe_area_changed', { top: 0, bottom: 0, left: 0, right: 0 }),
          );
          break;
        case 'web_app_setup_main_button':
          main.hidden = !params.is_visible;
          main.disabled = params.is_active === false || params.is_progress_visible === true;
          main.textContent = String(params.text ?? '');
          break;
        case 'web_app_setup_back_button':
          back.hidden = !params.is_visible;
          break;
        case 'web_app_setup_closing_behavior':
          confirmClose = Boolean(params.need_confirmation);
          break;
        case 'web_app_open_popup': {
          const buttons = (params.buttons ?? []) as { id?: string; type?: string }[];
          const confirmed = window.confirm(String(params.message ?? ''));
          const chosen = confirmed ? buttons.find((button) => button.type !== 'cancel') : undefined;
          later(() => emitEvent('popup_closed', { button_id: chosen?.id }));
          break;
        }
        case 'web_app_open_link':
          window.open(String(params.url), '_blank', 'noopener');
          break;
        default:
          break;
      }
    },
  };
  return true;
}
