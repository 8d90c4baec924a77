import {
  connectTelegram,
  onTelegramEvent,
  postTelegramEvent,
  readLaunchParams,
  setCssVariable,
} from './telegram-bridge';
import type { LaunchParams } from './telegram-launch';
import { isDarkColor, versionAtLeast } from './telegram-launch';

/**
 * The Telegram side of the Mini App (through telegram-bridge.ts): launch parameters, theme
 * (bound to the `--tg-theme-*` CSS variables), viewport and safe areas, the main and back
 * buttons, closing confirmation, haptics and native popups. A method the client's version lacks
 * is not called (its minimum version is beside it), and every call is guarded: an older client
 * must not break the form.
 */
export interface Launch {
  /** Raw signed init data: sent as `Authorization: tma <raw>` on every call. */
  initDataRaw: string;
  /** Our launch token for the deal-room chat; absent when opened from the bot's private chat. */
  startParam: string | null;
  userId: number | null;
  languageCode: string | null;
  platform: string;
}

function attempt(action: () => void): void {
  try {
    action();
  } catch (error) {
    // Not supported by this Telegram client: the app works without it.
    if (import.meta.env.DEV) console.warn('telegram:', error);
  }
}

/**
 * Whether a Telegram client is around to answer: a native client's webview proxy, or the page
 * of a web client (Telegram Web shows a Mini App in an iframe). Launch parameters alone prove
 * nothing: a signed link opened in a plain browser tab has them, and nobody would answer.
 */
function insideTelegram(): boolean {
  if ((window as { TelegramWebviewProxy?: unknown }).TelegramWebviewProxy) return true;
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

let client: LaunchParams | null = null;
let theme: Record<string, string> = {};

/** Whether the client has this method (the version that brought it). */
const since = (version: string) => client !== null && versionAtLeast(client.version, version);

/** The theme as CSS variables (`bg_color` → `--tg-theme-bg-color`), and its darkness. */
function applyTheme(next: Record<string, string>): void {
  theme = next;
  for (const [key, value] of Object.entries(next)) {
    setCssVariable(`--tg-theme-${key.replaceAll('_', '-')}`, value);
  }
  // Native form controls (date pickers, selects) follow the Telegram theme's darkness.
  const dark = isDarkColor(next.bg_color);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

const px = (value: unknown) => `${typeof value === 'number' ? value : 0}px`;
const insets = (prefix: string) => (data: Record<string, unknown> | undefined) => {
  for (const side of ['top', 'bottom', 'left', 'right']) {
    setCssVariable(`${prefix}-${side}`, px(data?.[side]));
  }
};

/** Reads the launch parameters and connects to the client; null outside Telegram. */
export function startTelegram(): Launch | null {
  if (!insideTelegram()) return null;
  const params = readLaunchParams();
  if (!params) return null;
  client = params;
  connectTelegram();

  applyTheme(params.themeParams);
  onTelegramEvent('theme_changed', (data) => {
    const next = data?.theme_params;
    if (next && typeof next === 'object') applyTheme(next as Record<string, string>);
  });
  onTelegramEvent('viewport_changed', (data) => {
    setCssVariable('--tg-viewport-height', px(data?.height));
    setCssVariable('--tg-viewport-width', px(data?.width));
    if (data?.is_state_stable) setCssVariable('--tg-viewport-stable-height', px(data.height));
  });
  onTelegramEvent('safe_area_changed', insets('--tg-viewport-safe-area-inset'));
  onTelegramEvent('content_safe_area_changed', insets('--tg-viewport-content-safe-area-inset'));
  onTelegramEvent('main_button_pressed', () => mainButtonClick?.());
  onTelegramEvent('back_button_pressed', () => backButtonClick?.());

  attempt(() => postTelegramEvent('web_app_request_viewport'));
  if (since('8.0')) {
    attempt(() => postTelegramEvent('web_app_request_safe_area'));
    attempt(() => postTelegramEvent('web_app_request_content_safe_area'));
  }
  attempt(() => postTelegramEvent('web_app_expand'));
  // Sections sit on the secondary background, as in Telegram's own settings screens.
  const sectionsBackground = theme.secondary_bg_color;
  if (since('6.1')) {
    attempt(() =>
      postTelegramEvent('web_app_set_header_color', { color_key: 'secondary_bg_color' }),
    );
    if (sectionsBackground) {
      attempt(() =>
        postTelegramEvent('web_app_set_background_color', { color: sectionsBackground }),
      );
    }
  }
  if (since('7.10') && sectionsBackground) {
    attempt(() => postTelegramEvent('web_app_set_bottom_bar_color', { color: sectionsBackground }));
  }
  attempt(() => postTelegramEvent('web_app_ready'));

  return {
    initDataRaw: params.initDataRaw,
    startParam: params.startParam,
    userId: params.user?.id ?? null,
    languageCode: params.user?.languageCode ?? null,
    platform: params.platform,
  };
}

export interface MainButtonAction {
  text: string;
  onClick: () => void;
  busy?: boolean;
  disabled?: boolean;
}

let mainButtonClick: (() => void) | null = null;
/** Kept while the button is hidden: Telegram wants a text in every setup call. */
let mainButtonText = '';
let backButtonClick: (() => void) | null = null;

/** Shows Telegram's main button with this action, or hides it. Returns a cleanup. */
export function setMainButton(action: MainButtonAction | null): () => void {
  if (action) mainButtonText = action.text;
  attempt(() =>
    postTelegramEvent('web_app_setup_main_button', {
      is_visible: action !== null,
      is_active: action !== null && !action.disabled && !action.busy,
      is_progress_visible: Boolean(action?.busy),
      text: mainButtonText,
      color: theme.button_color,
      text_color: theme.button_text_color,
    }),
  );
  if (!action) return () => undefined;
  const onClick = action.onClick;
  mainButtonClick = onClick;
  return () => {
    if (mainButtonClick === onClick) mainButtonClick = null;
  };
}

/** Shows the back button with this handler, or hides it. Returns a cleanup. */
export function setBackButton(onBack: (() => void) | null): () => void {
  const show = (visible: boolean) => {
    if (since('6.1')) {
      attempt(() => postTelegramEvent('web_app_setup_back_button', { is_visible: visible }));
    }
  };
  show(onBack !== null);
  if (!onBack) return () => undefined;
  backButtonClick = onBack;
  return () => {
    if (backButtonClick === onBack) backButtonClick = null;
    show(false);
  };
}

/** Telegram asks before closing while there are unsaved changes. */
export function setClosingConfirmation(needed: boolean): void {
  if (!since('6.2')) return;
  attempt(() => postTelegramEvent('web_app_setup_closing_behavior', { need_confirmation: needed }));
}

export function haptic(kind: 'success' | 'error' | 'warning' | 'selection'): void {
  if (!since('6.1')) return;
  attempt(() =>
    postTelegramEvent(
      'web_app_trigger_haptic_feedback',
      kind === 'selection'
        ? { type: 'selection_change' }
        : { type: 'notification', notification_type: kind },
    ),
  );
}

/** A native confirmation popup (the browser's confirm where Telegram has none). */
export async function confirmAction(options: {
  title?: string;
  message: string;
  confirmText: string;
  destructive?: boolean;
}): Promise<boolean> {
  if (!since('6.2')) return window.confirm(options.message);
  return new Promise((resolve) => {
    const stop = onTelegramEvent('popup_closed', (data) => {
      stop();
      resolve(data?.button_id === 'confirm');
    });
    try {
      postTelegramEvent('web_app_open_popup', {
        title: options.title ?? '',
        message: options.message.slice(0, 256),
        buttons: [
          {
            id: 'confirm',
            type: options.destructive ? 'destructive' : 'default',
            text: options.confirmText,
          },
          { id: 'cancel', type: 'cancel' },
        ],
      });
    } catch {
      stop();
      resolve(window.confirm(options.message));
    }
  });
}

/** Opens an external link (the 1C web client) in the browser, outside the Mini App. */
export function openExternal(url: string): void {
  if (client) attempt(() => postTelegramEvent('web_app_open_link', { url }));
  else window.open(url, '_blank', 'noopener');
}
