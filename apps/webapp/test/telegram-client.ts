import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { TEST_BOT_TOKEN } from '@payreq/api/testing';
import type { InitDataUser } from '@payreq/telegram-testkit';
import type { BridgeEvent, TelegramWebviewWindow } from '@payreq/telegram-testkit';
import {
  CHROMIUM_FLAGS,
  DARK_THEME_PARAMS,
  DEFAULT_THEME_PARAMS,
  buildLaunchUrl,
  addTelegramBridge,
  signInitData,
} from '@payreq/telegram-testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';

import { appDir, chromiumPath } from './global-setup';

/**
 * The Telegram client's side of a Mini App launch, for tests: Debian's Chromium (never a
 * downloaded browser) on a 360-px phone screen, the launch URL Telegram builds (init data
 * signed with the bot token, theme, platform, start param), and the native bridge
 * (`window.TelegramWebviewProxy.postEvent`) that records what the app asks of Telegram and
 * answers the way Telegram does (`addTelegramBridge` of the Telegram test kit).
 */

export type Theme = 'light' | 'dark';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_FLAGS] });
}

export type { BridgeEvent };

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  language_code?: string;
}

export interface MiniAppSession {
  context: BrowserContext;
  readonly page: Page;
  /** The user closes the Mini App and opens it again (a new webview: Telegram's side starts afresh). */
  reopen(): Promise<void>;
  events(): Promise<BridgeEvent[]>;
  mainButton(): Promise<Record<string, unknown> | null>;
  /** Waits for the main button to offer `text`, then presses it as the Telegram client does. */
  pressMainButton(text: string): Promise<void>;
  pressBackButton(): Promise<void>;
  closingConfirmation(): Promise<boolean>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens the Mini App as Telegram would for this user (in a deal room when `startParam` is set). */
export async function openMiniApp(
  browser: Browser,
  options: {
    baseUrl: string;
    user: TelegramUser;
    startParam?: string;
    theme?: Theme;
    path?: string;
  },
): Promise<MiniAppSession> {
  const theme = options.theme === 'dark' ? DARK_THEME_PARAMS : DEFAULT_THEME_PARAMS;
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: options.user.language_code === 'en' ? 'en-GB' : 'ru-RU',
    timezoneId: 'Europe/Moscow',
    colorScheme: options.theme === 'dark' ? 'dark' : 'light',
  });
  await addTelegramBridge(context, theme);
  const user: InitDataUser = { ...options.user, allows_write_to_pm: true };
  const initData = signInitData(
    {
      user,
      chat_instance: '-4512345678901234567',
      chat_type: options.startParam ? 'supergroup' : 'sender',
      ...(options.startParam ? { start_param: options.startParam } : {}),
    },
    TEST_BOT_TOKEN,
  );
  const url = buildLaunchUrl(`${options.baseUrl}${options.path ?? '/'}`, {
    initData,
    startParam: options.startParam,
    themeParams: theme,
    platform: 'android',
    version: '8.0',
  });
  const failures: string[] = [];
  const newPage = async () => {
    const created = await context.newPage();
    created.on('pageerror', (error) => failures.push(error.message));
    await created.goto(url);
    return created;
  };
  let page = await newPage();

  const session: MiniAppSession = {
    context,
    get page() {
      return page;
    },
    async reopen() {
      await page.close();
      page = await newPage();
    },
    events: () =>
      page.evaluate(() => (globalThis as unknown as TelegramWebviewWindow).__telegram.events),
    mainButton: () =>
      page.evaluate(() => (globalThis as unknown as TelegramWebviewWindow).__telegram.mainButton),
    async pressMainButton(text) {
      await expect
        .poll(() => session.mainButton(), { timeout: 10_000 })
        .toMatchObject({ is_visible: true, is_active: true, text });
      await page.evaluate(() =>
        (globalThis as unknown as TelegramWebviewWindow).Telegram!.WebView!.receiveEvent(
          'main_button_pressed',
        ),
      );
    },
    async pressBackButton() {
      await expect
        .poll(() =>
          page.evaluate(
            () => (globalThis as unknown as TelegramWebviewWindow).__telegram.backButton,
          ),
        )
        .toBe(true);
      await page.evaluate(() =>
        (globalThis as unknown as TelegramWebviewWindow).Telegram!.WebView!.receiveEvent(
          'back_button_pressed',
        ),
      );
    },
    closingConfirmation: () =>
      page.evaluate(
        () => (globalThis as unknown as TelegramWebviewWindow).__telegram.closingConfirmation,
      ),
    async screenshot(name) {
      // The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); a plain run leaves them be.
      const dir = path.join(
        appDir,
        process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
      );
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}-${options.theme ?? 'light'}.png`);
      // No caret blinking into the picture, no passing toast over the content (a tap dismisses it).
      await page.evaluate('document.activeElement && document.activeElement.blur()');
      for (const toast of await page.locator('.toast').all()) await toast.click();
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      return file;
    },
    async close() {
      expect(failures, 'errors thrown in the page').toEqual([]);
      await context.close();
    },
  };
  return session;
}
