import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';

import { answerClientRequest } from '../../src/webview';
import type { Translate } from './i18n';
import { Icon } from './icons';

/**
 * A Mini App beside the chat, in an <iframe>, spoken to the way Telegram's web clients do: the
 * app posts `JSON.stringify({ eventType, eventData })` to its parent window and gets events back
 * as `message` events of the same shape. The stand-in draws what Telegram draws around the app
 * (header with the close or back button, the main and secondary buttons below it, popups) and
 * answers the app's requests (theme, viewport, safe areas).
 */

interface BottomButton {
  text: string;
  color?: string;
  textColor?: string;
  visible: boolean;
  active: boolean;
  progress: boolean;
  position?: string;
}

interface PopupButton {
  id: string;
  type: string;
  text: string;
}

interface Popup {
  title: string;
  message: string;
  buttons: PopupButton[];
  /** Our own question (closing confirmation), not the app's. */
  onChoose?: (id: string | null) => void;
}

/** What the app asked of Telegram, as the stand-in keeps it (also `window.__standin`, for tests). */
export interface WebviewState {
  ready: boolean;
  mainButton: BottomButton | null;
  secondaryButton: BottomButton | null;
  backButton: boolean;
  settingsButton: boolean;
  closingConfirmation: boolean;
  /** As the app gave them: a theme key or a colour. */
  headerColor: string | null;
  backgroundColor: string | null;
  bottomBarColor: string | null;
  events: string[];
}

const initialState = (): WebviewState => ({
  ready: false,
  mainButton: null,
  secondaryButton: null,
  backButton: false,
  settingsButton: false,
  closingConfirmation: false,
  headerColor: null,
  backgroundColor: null,
  bottomBarColor: null,
  events: [],
});

type EventData = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function bottomButton(data: EventData): BottomButton {
  return {
    text: str(data.text) ?? '',
    ...(str(data.color) ? { color: str(data.color) } : {}),
    ...(str(data.text_color) ? { textColor: str(data.text_color) } : {}),
    visible: data.is_visible === true,
    active: data.is_active !== false,
    progress: data.is_progress_visible === true,
    ...(str(data.position) ? { position: str(data.position) } : {}),
  };
}

export interface MiniAppPanelProps {
  /** The signed launch URL (init data in its hash), as the test server made it. */
  url: string;
  title: string;
  theme: Record<string, string>;
  t: Translate;
  onClose(): void;
  /** `web_app_open_link`: an outside link, opened in a new tab. */
  onOpenLink(url: string): void;
  /** `web_app_open_tg_link`: a t.me link, handled by the stand-in (e.g. another Mini App). */
  onOpenTelegramLink(url: string): void;
}

export function MiniAppPanel(props: MiniAppPanelProps) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [state, setState] = useState<WebviewState>(initialState);
  const [popup, setPopup] = useState<Popup | null>(null);
  const [reloads, setReloads] = useState(0);
  const origin = new URL(props.url).origin;
  const { theme, onClose, onOpenLink, onOpenTelegramLink, t } = props;

  /** Set once the app has spoken: before that the frame may still hold about:blank. */
  const talking = useRef(false);
  const send = useCallback(
    (eventType: string, eventData?: unknown) => {
      if (!talking.current) return;
      frame.current?.contentWindow?.postMessage(
        JSON.stringify(eventData === undefined ? { eventType } : { eventType, eventData }),
        origin,
      );
    },
    [origin],
  );

  /** Answers the app's requests about the client: the theme, the frame's size, no insets. */
  const answerAbout = useEffectEvent((request: string): boolean => {
    const element = frame.current;
    const answer = answerClientRequest(request, {
      theme,
      width: element?.clientWidth ?? 0,
      height: element?.clientHeight ?? 0,
    });
    if (answer) send(...answer);
    return answer !== undefined;
  });
  const sendViewport = useEffectEvent(() => answerAbout('web_app_request_viewport'));

  /**
   * A theme key (`bg_color`) or a colour (`#aabbcc`), as the app may give either: kept as
   * given, and a key read from the current theme (it follows a theme change, as in Telegram).
   */
  const colorOf = (value: string | null): string | null => {
    if (!value) return null;
    return theme[value] ?? (/^#[0-9a-f]{3,8}$/i.test(value) ? value : null);
  };

  /** Telegram asks first when the app wants a confirmation before closing. */
  const askToClose = () => {
    if (!state.closingConfirmation) {
      onClose();
      return;
    }
    setPopup({
      title: t('closeConfirmTitle'),
      message: t('closeConfirmText'),
      buttons: [
        { id: 'close', type: 'destructive', text: t('closeAnyway') },
        { id: 'cancel', type: 'cancel', text: t('cancel') },
      ],
      onChoose: (id) => {
        if (id === 'close') onClose();
      },
    });
  };

  const onAppEvent = useEffectEvent((type: string, data: EventData) => {
    const update = (change: Partial<WebviewState>) =>
      setState((current) => ({ ...current, ...change }));
    setState((current) => ({ ...current, events: [...current.events, type].slice(-200) }));
    if (answerAbout(type)) return;
    switch (type) {
      case 'iframe_will_reload':
        setState(initialState());
        break;
      case 'web_app_ready':
        update({ ready: true });
        break;
      case 'web_app_setup_main_button':
        update({ mainButton: bottomButton(data) });
        break;
      case 'web_app_setup_secondary_button':
        update({ secondaryButton: bottomButton(data) });
        break;
      case 'web_app_setup_back_button':
        update({ backButton: data.is_visible === true });
        break;
      case 'web_app_setup_settings_button':
        update({ settingsButton: data.is_visible === true });
        break;
      case 'web_app_setup_closing_behavior':
        update({ closingConfirmation: data.need_confirmation === true });
        break;
      case 'web_app_set_header_color':
        update({ headerColor: str(data.color_key) ?? str(data.color) ?? null });
        break;
      case 'web_app_set_background_color':
        update({ backgroundColor: str(data.color) ?? null });
        break;
      case 'web_app_set_bottom_bar_color':
        update({ bottomBarColor: str(data.color) ?? null });
        break;
      case 'web_app_open_popup': {
        const buttons = Array.isArray(data.buttons) ? (data.buttons as EventData[]) : [];
        setPopup({
          title: str(data.title) ?? '',
          message: str(data.message) ?? '',
          buttons: buttons.map((button) => ({
            // Telegram: a button's id defaults to the empty string.
            id: str(button.id) ?? '',
            type: str(button.type) ?? 'default',
            text: str(button.text) ?? '',
          })),
        });
        break;
      }
      case 'web_app_open_link': {
        const url = str(data.url);
        if (url) onOpenLink(url);
        break;
      }
      case 'web_app_open_tg_link': {
        const path = str(data.path_full);
        if (path) onOpenTelegramLink(`https://t.me${path.startsWith('/') ? '' : '/'}${path}`);
        break;
      }
      case 'web_app_close':
        onClose();
        break;
      case 'web_app_request_fullscreen':
        send('fullscreen_failed', { error: 'UNSUPPORTED' });
        break;
      case 'web_app_read_text_from_clipboard':
        send('clipboard_text_received', { req_id: data.req_id });
        break;
      case 'web_app_invoke_custom_method':
        send('custom_method_invoked', { req_id: data.req_id, error: 'UNSUPPORTED' });
        break;
      default:
        // haptics, swipes, iframe_ready…: nothing to draw.
        break;
    }
  });

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (!frame.current || event.source !== frame.current.contentWindow) return;
      talking.current = true;
      let parsed: { eventType?: unknown; eventData?: unknown } | null;
      try {
        parsed = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      } catch {
        return;
      }
      const type = str(parsed?.eventType);
      if (!type) return;
      const data = parsed?.eventData;
      onAppEvent(type, data && typeof data === 'object' ? (data as EventData) : {});
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  // Telegram tells the app when its theme or its size changes.
  useEffect(() => {
    send('theme_changed', { theme_params: theme });
  }, [theme, send]);
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(() => sendViewport());
    observer.observe(element);
    return () => observer.disconnect();
  }, [reloads]);

  // For tests: what the app asked of Telegram so far.
  useEffect(() => {
    (window as { __standin?: WebviewState }).__standin = state;
  }, [state]);

  const choose = (id: string | null) => {
    const current = popup;
    setPopup(null);
    if (current?.onChoose) current.onChoose(id);
    else send('popup_closed', id === null ? {} : { button_id: id });
  };

  const renderButton = (button: BottomButton | null, kind: 'main' | 'secondary') => {
    if (!button?.visible) return null;
    const main = kind === 'main';
    return (
      <button
        type="button"
        className={`bottom-button bottom-button-${kind}`}
        data-testid={`miniapp-${kind}-button`}
        disabled={!button.active || button.progress}
        style={{
          background: button.color ?? (main ? theme.button_color : theme.secondary_bg_color),
          color: button.textColor ?? (main ? theme.button_text_color : theme.button_color),
        }}
        onClick={() => send(main ? 'main_button_pressed' : 'secondary_button_pressed')}
      >
        {button.progress ? <span className="spinner" aria-hidden="true" /> : null}
        <span>{button.text}</span>
      </button>
    );
  };
  const secondaryFirst = ['left', 'top'].includes(state.secondaryButton?.position ?? 'left');
  const stacked = ['top', 'bottom'].includes(state.secondaryButton?.position ?? '');
  const buttons = [
    renderButton(
      secondaryFirst ? state.secondaryButton : state.mainButton,
      secondaryFirst ? 'secondary' : 'main',
    ),
    renderButton(
      secondaryFirst ? state.mainButton : state.secondaryButton,
      secondaryFirst ? 'main' : 'secondary',
    ),
  ].filter(Boolean);

  // Left in the header, or right of it when the app shows its back button there.
  const closeButton = (
    <button
      type="button"
      className="icon-button"
      aria-label={t('close')}
      data-testid="miniapp-close"
      onClick={askToClose}
    >
      <Icon name="close" />
    </button>
  );
  const header = colorOf(state.headerColor) ?? theme.header_bg_color ?? theme.bg_color;
  return (
    <section
      className="miniapp"
      aria-label={t('miniApp')}
      data-testid="miniapp"
      style={{
        background: colorOf(state.backgroundColor) ?? theme.bg_color,
        color: theme.text_color,
      }}
    >
      <header className="miniapp-header" style={{ background: header, color: theme.text_color }}>
        {state.backButton ? (
          <button
            type="button"
            className="icon-button"
            aria-label={t('back')}
            data-testid="miniapp-back-button"
            onClick={() => send('back_button_pressed')}
          >
            <Icon name="back" />
          </button>
        ) : (
          closeButton
        )}
        <span className="miniapp-title">{props.title}</span>
        {state.settingsButton ? (
          <button
            type="button"
            className="icon-button"
            aria-label="settings"
            onClick={() => send('settings_button_pressed')}
          >
            <Icon name="settings" />
          </button>
        ) : null}
        <button
          type="button"
          className="icon-button"
          aria-label={t('reload')}
          title={t('reload')}
          onClick={() => {
            talking.current = false;
            setState(initialState());
            setReloads((count) => count + 1);
          }}
        >
          <Icon name="reload" />
        </button>
        {state.backButton ? closeButton : null}
      </header>
      <div className="miniapp-body">
        <iframe
          key={reloads}
          ref={frame}
          className="miniapp-frame"
          data-testid="miniapp-frame"
          title={props.title}
          src={props.url}
          // As Telegram Web frames Mini Apps: scripts, its own origin, forms, popups, downloads.
          sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads"
          allow="clipboard-write"
        />
        {!state.ready ? (
          <div className="miniapp-loading" aria-hidden="true">
            <span className="spinner" />
          </div>
        ) : null}
      </div>
      {buttons.length > 0 ? (
        <footer
          className={`miniapp-bottom${stacked ? ' miniapp-bottom-stacked' : ''}`}
          style={{
            background:
              colorOf(state.bottomBarColor) ?? theme.bottom_bar_bg_color ?? theme.bg_color,
          }}
        >
          {buttons}
        </footer>
      ) : null}
      {popup ? (
        <div className="popup-backdrop" onClick={() => choose(null)}>
          <div
            className="popup"
            role="dialog"
            aria-modal="true"
            data-testid="miniapp-popup"
            onClick={(event) => event.stopPropagation()}
          >
            {popup.title ? <h3 className="popup-title">{popup.title}</h3> : null}
            <p className="popup-message">{popup.message}</p>
            <div className="popup-buttons">
              {popup.buttons.map((button, index) => (
                <button
                  key={index}
                  type="button"
                  className={`popup-button${button.type === 'destructive' ? ' popup-button-destructive' : ''}`}
                  data-testid={`miniapp-popup-${button.id || button.type}`}
                  onClick={() => choose(button.id)}
                >
                  {button.text ||
                    (button.type === 'cancel'
                      ? t('cancel')
                      : button.type === 'close'
                        ? t('close')
                        : t('ok'))}
                </button>
              ))}
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}
