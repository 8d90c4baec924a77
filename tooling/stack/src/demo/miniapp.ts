import { existsSync } from 'node:fs';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { phoneContextOptions } from '@payreq/testing';
import type { TelegramWebviewWindow } from '@payreq/telegram-testkit';
import { CHROMIUM_FLAGS, DEFAULT_THEME_PARAMS, addTelegramBridge } from '@payreq/telegram-testkit';

import { loadEnv } from '../env';

/**
 * The Telegram client's side of a Mini App, for the demo: Debian's Chromium (never a
 * downloaded browser) on a phone-sized screen, opening the signed launch URL the Telegram test
 * server gives, with the native bridge (`window.TelegramWebviewProxy.postEvent`) answering as
 * Telegram does (`addTelegramBridge` of the Telegram test kit, as in the Mini App's browser
 * tests): theme, viewport, safe areas, the main button and confirmation popups.
 */

export function launchChromium(): Promise<Browser> {
  const chromiumPath = loadEnv().CHROMIUM_PATH;
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium not found at ${chromiumPath}: install Debian's package (apt-get install chromium). The demo never downloads a browser.`,
    );
  return chromium.launch({
    executablePath: chromiumPath,
    args: [...CHROMIUM_FLAGS],
    // The demo stops the browser itself, also on Ctrl-C.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** Polls until `probe` gives a value (not undefined/null/false), or fails saying what did not happen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** A table row's or a card's rendered text (`innerText`), its cells and lines joined by " · ". */
export const cells = (text: string) =>
  text
    .split(/[\t\n]+/)
    .map((cell) => spaces(cell))
    .filter((cell) => cell !== '' && cell !== '—')
    .join(' · ');

/** One user's Mini App in its own browser context (a phone's webview). */
export class MiniApp {
  /** Errors thrown in the page. */
  readonly failures: string[] = [];
  /** What the page logged as errors, and requests that failed. */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly who: string,
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(browser: Browser, launchUrl: string, who: string): Promise<MiniApp> {
    const context = await browser.newContext({
      ...phoneContextOptions,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
    });
    context.setDefaultTimeout(30_000);
    await addTelegramBridge(context, DEFAULT_THEME_PARAMS);
    const page = await context.newPage();
    const app = new MiniApp(who, context, page);
    page.on('pageerror', (error) => app.failures.push(error.message));
    page.on('console', (message) => {
      // Failed loads are reported with their address below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        app.consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== '/favicon.ico')
        app.consoleErrors.push(`${response.status()} ${url.pathname}`);
    });
    // Where Telegram has no popup the app falls back to the browser's confirm: agree there too.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(launchUrl);
    return app;
  }

  byTestId(testId: string) {
    return this.page.getByTestId(testId);
  }

  async text(testId: string): Promise<string> {
    return spaces(await this.byTestId(testId).first().textContent());
  }

  mainButton(): Promise<Record<string, unknown> | null> {
    return this.page.evaluate(
      () => (globalThis as unknown as TelegramWebviewWindow).__telegram.mainButton,
    );
  }

  /** Waits until Telegram's main button offers `text` and is active, then presses it. */
  async pressMainButton(text: RegExp): Promise<string> {
    const shown = await until(`the main button "${text.source}" (${this.who})`, async () => {
      const button = await this.mainButton();
      return button?.is_visible && button.is_active && text.test(String(button.text))
        ? String(button.text)
        : null;
    });
    await this.page.evaluate(() =>
      (globalThis as unknown as TelegramWebviewWindow).Telegram?.WebView?.receiveEvent(
        'main_button_pressed',
      ),
    );
    return shown;
  }

  /** What the screen says now, in short (for a failure's message). */
  async screenText(): Promise<string> {
    const text = spaces(
      await this.page
        .locator('body')
        .innerText({ timeout: 2_000 })
        .catch(() => ''),
    );
    const problems = [...this.failures, ...this.consoleErrors].slice(-3).join('; ');
    const screen = text.length > 240 ? `${text.slice(0, 240)}…` : text || '(blank)';
    return problems ? `${screen} [errors: ${problems}]` : screen;
  }

  /** The user closes the Mini App and opens it again from the chat. */
  async reload(): Promise<void> {
    await this.page.reload();
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}
