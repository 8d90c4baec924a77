/**
 * The Telegram client's side of a Mini App, for a headless browser: the native bridge
 * (`window.TelegramWebviewProxy.postEvent`) that records what the app asks of Telegram and
 * answers the way Telegram does (theme, viewport, safe areas, popups), and the Chromium flags
 * the project runs Debian's Chromium with (never a downloaded browser). Used by the Mini App's
 * browser tests, the demo and the bench (`addTelegramBridge`).
 */

/** Debian's Chromium, headless, with nothing reaching out to Google's services. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface BridgeEvent {
  type: string;
  data: Record<string, unknown> | null;
}

/** What the bridge keeps in the page, as `window.__telegram`. */
export interface TelegramWebviewState {
  events: BridgeEvent[];
  mainButton: Record<string, unknown> | null;
  backButton: boolean;
  closingConfirmation: boolean;
  /** How the user answers the next popup (a test may set it to 'cancel'). */
  popupAnswer: 'confirm' | 'cancel';
}

/** The page's window as the bridge sees it (the callers compile without the DOM library). */
export interface TelegramWebviewWindow {
  __telegram: TelegramWebviewState;
  Telegram?: { WebView?: { receiveEvent(name: string, data?: unknown): void } };
  TelegramWebviewProxy: { postEvent(type: string, json?: string): void };
  innerHeight: number;
  innerWidth: number;
}

/** What a Mini App can ask of the client about itself: its theme and its size. */
export interface ClientView {
  theme: Record<string, string>;
  width: number;
  height: number;
}

/**
 * Telegram's answer to the app's requests that only read the client (theme, viewport, safe
 * areas): the event and its data, or undefined for any other event. The headless bridge and
 * the web stand-in both answer with it; self-contained, as the bridge's page gets its source.
 */
export function answerClientRequest(
  type: string,
  client: ClientView,
): [event: string, data: Record<string, unknown>] | undefined {
  const noInsets = { top: 0, bottom: 0, left: 0, right: 0 };
  switch (type) {
    case 'web_app_request_theme':
      return ['theme_changed', { theme_params: client.theme }];
    case 'web_app_request_viewport': {
      const { width, height } = client;
      return ['viewport_changed', { height, width, is_expanded: true, is_state_stable: true }];
    }
    case 'web_app_request_safe_area':
      return ['safe_area_changed', noInsets];
    case 'web_app_request_content_safe_area':
      return ['content_safe_area_changed', noInsets];
    default:
      return undefined;
  }
}

/**
 * Runs in the page before the app (`addTelegramBridge`): Telegram's native side of the bridge.
 * Self-contained: the browser gets its source, and that of `answer`.
 */
export function installTelegramBridge(
  theme: Record<string, string>,
  answer: typeof answerClientRequest = answerClientRequest,
): void {
  const side: TelegramWebviewState = {
    events: [],
    mainButton: null,
    backButton: false,
    closingConfirmation: false,
    popupAnswer: 'confirm',
  };
  const win = globalThis as unknown as TelegramWebviewWindow;
  win.__telegram = side;
  const reply = (name: string, data?: unknown) =>
    setTimeout(() => win.Telegram?.WebView?.receiveEvent(name, data), 0);
  win.TelegramWebviewProxy = {
    postEvent(type: string, json?: string) {
      const data = json ? (JSON.parse(json) as Record<string, unknown>) : null;
      side.events.push({ type, data });
      const answered = answer(type, { theme, width: win.innerWidth, height: win.innerHeight });
      if (answered) {
        reply(...answered);
        return;
      }
      switch (type) {
        case 'web_app_setup_main_button':
          side.mainButton = data;
          break;
        case 'web_app_setup_back_button':
          side.backButton = Boolean(data?.is_visible);
          break;
        case 'web_app_setup_closing_behavior':
          side.closingConfirmation = Boolean(data?.need_confirmation);
          break;
        case 'web_app_open_popup': {
          const buttons = (data?.buttons ?? []) as { id?: string; type?: string }[];
          const chosen =
            side.popupAnswer === 'confirm'
              ? buttons.find((button) => button.type !== 'cancel')
              : undefined;
          reply('popup_closed', chosen?.id ? { button_id: chosen.id } : {});
          break;
        }
        default:
          break;
      }
    },
  };
}

/** The part of a Playwright browser context `addTelegramBridge` uses. */
export interface InitScriptTarget {
  addInitScript(script: unknown, arg?: unknown): Promise<unknown>;
}

/**
 * Gives every page of `context` Telegram's side of the bridge, before the app's own scripts.
 * The bridge's source is compiled by esbuild (tsx, vitest), whose `keepNames` wraps inner
 * functions in `__name(...)`: the page gets that helper first, or the bridge throws.
 */
export async function addTelegramBridge(
  context: InitScriptTarget,
  theme: Record<string, string>,
): Promise<void> {
  await context.addInitScript({ content: 'globalThis.__name ??= (target) => target;' });
  await context.addInitScript({
    content: `(${String(installTelegramBridge)})(${JSON.stringify(theme)}, ${String(answerClientRequest)});`,
  });
}

/** What `openWatchedPage` needs of a Playwright browser (the callers' Playwright types fit). */
export interface PageOpener<Options, Page> {
  newContext(options?: Options): Promise<{ newPage(): Promise<Page> }>;
}

/** A page that reports its uncaught errors, as a Playwright page does. */
export interface ErrorReportingPage {
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
}

/**
 * A page in a new browser context (`options`) whose uncaught errors are pushed to `errors`, so
 * that a browser test can fail on them; `page.context()` closes the context.
 */
export async function openWatchedPage<Options, Page extends ErrorReportingPage>(
  browser: PageOpener<Options, Page>,
  options: Options,
  errors: string[],
): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}
