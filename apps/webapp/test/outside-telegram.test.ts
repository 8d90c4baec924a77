import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { TestApi } from '@payreq/api/testing';
import { TEST_BOT_TOKEN, startTestApi } from '@payreq/api/testing';
import { buildLaunchUrl, signInitData } from '@payreq/telegram-testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { appDir, distDir } from './global-setup';
import { launchChromium } from './telegram-client';

/**
 * The Mini App opened in a plain browser tab, with no Telegram around it: no webview proxy, no
 * web client's page framing it. A signed launch link (what `npm start` used to print) or the
 * bare address must give a page that says where to open it, in the browser's language
 * (Russian unless it is English), not a blank screen.
 */
describe('the Mini App outside Telegram (Chromium, no bridge)', () => {
  let api: TestApi;
  let browser: Browser;

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startTestApi('pglite', { webappDistDir: distDir }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const signedLink = () =>
    buildLaunchUrl(`${api.url}/`, {
      initData: signInitData(
        {
          user: { id: 5000000001, first_name: 'Иван', language_code: 'ru' },
          chat_type: 'supergroup',
          chat_instance: '-4512345678901234567',
          start_param: 'A'.repeat(32),
        },
        TEST_BOT_TOKEN,
      ),
      startParam: 'A'.repeat(32),
      platform: 'tdesktop',
    });

  async function pageIn(
    locale: string,
    url: string,
    options: { theme?: 'light' | 'dark'; shot?: string } = {},
  ) {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 },
      locale,
      colorScheme: options.theme ?? 'light',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    const notice = page.getByTestId('outside-telegram');
    await notice.waitFor();
    const text = (await notice.innerText()).replace(/\s+/g, ' ').trim();
    if (options.shot) {
      const dir = path.join(appDir, 'test-results/screenshots');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({
        path: path.join(dir, `${options.shot}-${options.theme ?? 'light'}.png`),
      });
    }
    await context.close();
    return { text, errors };
  }

  it('a signed launch link opened in a browser tab says to open it from the deal room in Telegram', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const russian = await pageIn('ru-RU', signedLink(), { theme, shot: 'outside-telegram' });
      expect(russian.errors).toEqual([]);
      expect(russian.text).toContain('Откройте приложение в Telegram');
      expect(russian.text).toContain('нажмите кнопку «Открыть заявку» под сообщением бота');
    }
    const english = await pageIn('en-GB', signedLink());
    expect(english.errors).toEqual([]);
    expect(english.text).toContain('Open the app in Telegram');
    expect(english.text).toContain('press “Open the request” under the bot’s message');
  });

  it('the bare address says the same; a language other than English reads Russian', async () => {
    const bare = await pageIn('de-DE', `${api.url}/`);
    expect(bare.errors).toEqual([]);
    expect(bare.text).toContain('Откройте приложение в Telegram');
    const board = await pageIn('en-US', `${api.url}/board`);
    expect(board.text).toContain('Open the app in Telegram');
  });
});
