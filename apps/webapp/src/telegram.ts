import {
  backButton,
  closingBehavior,
  hapticFeedback,
  init,
  mainButton,
  miniApp,
  openLink,
  popup,
  retrieveLaunchParams,
  retrieveRawInitData,
  setTargetOrigin,
  themeParams,
  viewport,
} from '@tma.js/sdk-react';

/**
 * The Telegram side of the Mini App, through tma.js: launch parameters, theme (bound to the
 * `--tg-theme-*` CSS variables), viewport and safe areas, the main and back buttons,
 * closing confirmation, haptics and native popups. Every call is guarded: an older client
 * that lacks a method must not break the form.
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
 * For direct links Telegram puts `tgWebAppStartParam` in the query string as well as in the
 * hash; the SDK reads both as one list and refuses the repeated key. Keep the hash's copy.
 */
function dropRepeatedLaunchParams(): void {
  const { pathname, search, hash } = window.location;
  if (!search || !hash.includes('tgWebApp')) return;
  const query = new URLSearchParams(search);
  const launch = new URLSearchParams(hash.slice(1));
  const repeated = [...query.keys()].filter((key) => key.startsWith('tgWebApp') && launch.has(key));
  if (repeated.length === 0) return;
  for (const key of repeated) query.delete(key);
  const rest = query.toString();
  window.history.replaceState(
    window.history.state,
    '',
    `${pathname}${rest ? `?${rest}` : ''}${hash}`,
  );
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

/** Reads the launch parameters and starts the SDK; null outside Telegram. */
export function startTelegram(): Launch | null {
  if (!insideTelegram()) return null;
  dropRepeatedLaunchParams();
  let params: ReturnType<typeof retrieveLaunchParams>;
  let initDataRaw: string | undefined;
  try {
    params = retrieveLaunchParams();
    initDataRaw = retrieveRawInitData();
  } catch {
    return null;
  }
  if (!initDataRaw) return null;
  // In a web client's iframe the SDK posts to https://web.telegram.org only; Telegram's own
  // telegram-web-app.js posts to '*' (the messages are method calls, no secrets), so that
  // other web clients, and the project's Telegram stand-in, hear the app too.
  setTargetOrigin('*');
  init();

  attempt(() => {
    themeParams.mount();
    themeParams.bindCssVars();
  });
  attempt(() => {
    miniApp.mount();
    miniApp.bindCssVars();
    // Sections sit on the secondary background, as in Telegram's own settings screens.
    miniApp.setHeaderColor('secondary_bg_color');
    miniApp.setBgColor('secondary_bg_color');
  });
  attempt(() => miniApp.setBottomBarColor('secondary_bg_color'));
  applyColorScheme();
  attempt(() => backButton.mount());
  attempt(() => mainButton.mount());
  attempt(() => closingBehavior.mount());
  attempt(() => {
    viewport
      .mount()
      .then(() => {
        attempt(() => viewport.bindCssVars());
        attempt(() => viewport.expand());
      })
      .catch(() => undefined);
  });
  attempt(() => miniApp.ready());

  const data = params.tgWebAppData;
  const user = data?.user;
  return {
    initDataRaw,
    startParam: data?.start_param ?? params.tgWebAppStartParam ?? null,
    userId: user?.id ?? null,
    languageCode: user?.language_code ?? null,
    platform: params.tgWebAppPlatform,
  };
}

/** Native form controls (date pickers, selects) follow the Telegram theme's darkness. */
function applyColorScheme(): void {
  attempt(() => {
    const dark = themeParams.isDark();
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  });
}

export interface MainButtonAction {
  text: string;
  onClick: () => void;
  busy?: boolean;
  disabled?: boolean;
}

/** Shows Telegram's main button with this action, or hides it. Returns a cleanup. */
export function setMainButton(action: MainButtonAction | null): () => void {
  if (!action) {
    attempt(() => mainButton.setParams({ isVisible: false, isLoaderVisible: false }));
    return () => undefined;
  }
  attempt(() =>
    mainButton.setParams({
      text: action.text,
      isVisible: true,
      isEnabled: !action.disabled && !action.busy,
      isLoaderVisible: Boolean(action.busy),
    }),
  );
  let off: VoidFunction = () => undefined;
  attempt(() => {
    off = mainButton.onClick(action.onClick);
  });
  return () => off();
}

/** Shows the back button with this handler, or hides it. Returns a cleanup. */
export function setBackButton(onBack: (() => void) | null): () => void {
  if (!onBack) {
    attempt(() => backButton.hide());
    return () => undefined;
  }
  attempt(() => backButton.show());
  let off: VoidFunction = () => undefined;
  attempt(() => {
    off = backButton.onClick(onBack);
  });
  return () => {
    off();
    attempt(() => backButton.hide());
  };
}

/** Telegram asks before closing while there are unsaved changes. */
export function setClosingConfirmation(needed: boolean): void {
  attempt(() =>
    needed ? closingBehavior.enableConfirmation() : closingBehavior.disableConfirmation(),
  );
}

export function haptic(kind: 'success' | 'error' | 'warning' | 'selection'): void {
  attempt(() => {
    if (!hapticFeedback.isSupported()) return;
    if (kind === 'selection') hapticFeedback.selectionChanged();
    else hapticFeedback.notificationOccurred(kind);
  });
}

/** A native confirmation popup (the browser's confirm where Telegram has none). */
export async function confirmAction(options: {
  title?: string;
  message: string;
  confirmText: string;
  destructive?: boolean;
}): Promise<boolean> {
  try {
    if (popup.isSupported()) {
      const id = await popup.show({
        title: options.title ?? '',
        message: options.message.slice(0, 256),
        buttons: [
          {
            id: 'confirm',
            type: options.destructive ? 'destructive' : 'default',
            text: options.confirmText,
          },
          { type: 'cancel' },
        ],
      });
      return id === 'confirm';
    }
  } catch {
    // fall through to the browser's dialog
  }
  return window.confirm(options.message);
}

/** Opens an external link (the 1C web client) in the browser, outside the Mini App. */
export function openExternal(url: string): void {
  try {
    openLink(url);
  } catch {
    window.open(url, '_blank', 'noopener');
  }
}
