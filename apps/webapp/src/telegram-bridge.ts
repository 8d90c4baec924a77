/**
 * The Mini App's line to the Telegram client, written to Telegram's own protocol
 * (https://core.telegram.org/api/web-events): the app posts method calls (`web_app_*`) and the
 * client answers with events (`theme_changed`, `main_button_pressed`, …). A native client
 * gives the page `TelegramWebviewProxy` and calls `Telegram.WebView.receiveEvent`; a web client
 * (the Mini App in an iframe) exchanges JSON messages with the page through `postMessage`.
 *
 * Why not the tma.js SDK: with its bridge it weighed 17 kB gzipped, more than the whole room the
 * first screen has above what React, react-query and tRPC's client cost (docs/architecture.md,
 * the Mini App's weight). The app uses ten of its methods; this file is those ten.
 */

import type { LaunchParams } from './telegram-launch';
import { launchQuery, parseLaunchParams } from './telegram-launch';

export type TelegramEventData = Record<string, unknown> | undefined;
type Listener = (data: TelegramEventData) => void;

interface TelegramWindow {
  TelegramWebviewProxy?: { postEvent(type: string, json?: string): void };
  external?: { notify?: (json: string) => void };
  Telegram?: { WebView?: { receiveEvent?: (type: string, data?: unknown) => void } };
  TelegramGameProxy?: { receiveEvent?: (type: string, data?: unknown) => void };
  TelegramGameProxy_receiveEvent?: (type: string, data?: unknown) => void;
}

const telegramWindow = () => window as unknown as Window & TelegramWindow;
const listeners = new Map<string, Set<Listener>>();

function emit(type: string, data: unknown): void {
  const payload = data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
  for (const listener of listeners.get(type) ?? []) listener(payload);
}

/** Listens to one kind of event from the client; returns the way to stop. */
export function onTelegramEvent(type: string, listener: Listener): () => void {
  let set = listeners.get(type);
  if (!set) listeners.set(type, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

let receiving = false;

/**
 * Starts listening to the client, where its events arrive: the native clients' entry points
 * (older clients call the game proxy's) and, in a web client's iframe, messages from the parent
 * page only.
 */
export function connectTelegram(): void {
  if (receiving) return;
  receiving = true;
  const win = telegramWindow();
  const receiveEvent = (type: string, data?: unknown) => emit(type, data);
  win.Telegram = { ...win.Telegram, WebView: { ...win.Telegram?.WebView, receiveEvent } };
  win.TelegramGameProxy = { ...win.TelegramGameProxy, receiveEvent };
  win.TelegramGameProxy_receiveEvent = receiveEvent;
  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window.parent || typeof event.data !== 'string') return;
    try {
      const message = JSON.parse(event.data) as { eventType?: unknown; eventData?: unknown };
      if (typeof message.eventType === 'string') emit(message.eventType, message.eventData);
    } catch {
      // Not one of Telegram's messages.
    }
  });
}

/**
 * Calls a method of the client. In a web client's iframe the message goes to any parent origin,
 * as Telegram's own telegram-web-app.js does: the messages are method calls and carry no secret,
 * and so other web clients, and the project's Telegram stand-in, hear the app too.
 */
export function postTelegramEvent(type: string, data?: Record<string, unknown>): void {
  const win = telegramWindow();
  if (win.TelegramWebviewProxy) {
    win.TelegramWebviewProxy.postEvent(type, data === undefined ? undefined : JSON.stringify(data));
  } else if (typeof win.external?.notify === 'function') {
    win.external.notify(JSON.stringify({ eventType: type, eventData: data }));
  } else {
    window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), '*');
  }
}

/** Where the launch parameters are kept for a reload (Telegram gives them on the first load). */
export const LAUNCH_STORAGE_KEY = 'payreq/telegram-launch';

/** The launch parameters, or null when the page was not opened by a Telegram client. */
export function readLaunchParams(): LaunchParams | null {
  const launch = launchQuery(window.location.search, window.location.hash);
  if (launch) {
    try {
      window.sessionStorage.setItem(LAUNCH_STORAGE_KEY, launch.toString());
    } catch {
      // Storage refused: a reload will show the "open from Telegram" screen.
    }
    return parseLaunchParams(launch);
  }
  try {
    const stored = window.sessionStorage.getItem(LAUNCH_STORAGE_KEY);
    return stored ? parseLaunchParams(new URLSearchParams(stored)) : null;
  } catch {
    return null;
  }
}

/** Sets a CSS variable on the document: the theme and the viewport reach the styles this way. */
export function setCssVariable(name: string, value: string): void {
  document.documentElement.style.setProperty(name, value);
}
