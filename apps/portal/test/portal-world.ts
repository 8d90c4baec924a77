import type { TestApi } from '@payreq/api/testing';
import { startTestApi } from '@payreq/api/testing';
import { CHROMIUM_FLAGS } from '@payreq/telegram-testkit';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { chromiumPath, distDir } from './global-setup';

/**
 * The real api on PGlite serving the portal's build (and the Mini App's, when asked), its
 * sign-in through the Telegram test server at `telegramApiRoot`, and Debian's Chromium.
 */
export async function startPortalWorld(
  telegramApiRoot: string,
  options: { sessionTtlSeconds: number; webappDistDir?: string },
): Promise<{ api: TestApi; browser: Browser }> {
  const [api, browser] = await Promise.all([
    startTestApi('pglite', {
      webappDistDir: options.webappDistDir,
      frontends: [{ name: 'portal', prefix: '/portal/', distDir }],
      portal: {
        session: { ttlSeconds: options.sessionTtlSeconds, rotateAfterSeconds: 900, secure: false },
        login: {
          provider: 'test-server',
          testServerUrl: telegramApiRoot,
          botUsername: null,
          maxAgeSeconds: 600,
        },
      },
    }),
    chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_FLAGS] }),
  ]);
  return { api, browser };
}

/**
 * A person signs in through the test server's login page (as oauth.telegram.org shows it),
 * starting from `start`, a page of the portal, in a new 1280 px Russian browser context. Its
 * page is added to `pages` (for the suite to close); `errors` collects the page's script errors,
 * and any native `alert`/`confirm` (the portal asks in its own dialog).
 */
export async function signInThroughTelegram(
  browser: Browser,
  pages: Page[],
  start: string,
  person: { first_name: string; last_name?: string },
): Promise<{ page: Page; errors: string[] }> {
  // Moscow time, as the bank's people read it: the same screens on every machine.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`a native ${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  pages.push(page);
  await page.goto(start);
  await page.getByTestId('sign-in-telegram').click();
  await page
    .getByRole('button', { name: [person.first_name, person.last_name].filter(Boolean).join(' ') })
    .click();
  await page.getByTestId('who').waitFor();
  return { page, errors };
}

/** A text as read: runs of white space (the browser's no-break ones too) as one space. */
export const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * The portal's confirmation dialog asking `question` (its accessible name) is answered with its
 * button `button`, and goes.
 */
export async function answerConfirm(
  page: Page,
  question: string | RegExp,
  button: string,
): Promise<void> {
  const dialog = page.getByRole('alertdialog', { name: question });
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** Closes the suite's pages (their contexts) and the browser; a page already gone is fine. */
export async function closeBrowser(browser: Browser | undefined, pages: Page[]): Promise<void> {
  for (const page of pages)
    await page
      .context()
      .close()
      .catch(() => undefined);
  await browser?.close();
}
