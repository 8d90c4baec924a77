import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openWatchedPage } from '@payreq/telegram-testkit';
import { phoneContextOptions } from '@payreq/testing';
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDealRoom } from '../src/deal-room';
import { botService } from '../src/demo/api';
import { clientForm, onecTerms } from '../src/demo/epic';
import { launchChromium, until } from '../src/demo/miniapp';
import { OnecOperator } from '../src/demo/onec';
import { startLocalStack } from '../src/demo/run';
import { buildStalePages } from '../src/demo/webapp';
import { repoRoot } from '../src/env';
import { DEV_ONEC_USER, people } from '../src/people';
import type { Stack } from '../src/stack';
import type { DealRoom } from '../src/deal-room';
import { TelegramControl, standinLink } from '../src/telegram-control';

/**
 * The deal room as its people see it, in the Telegram test server's web stand-in (Chromium at
 * 1280 px): the real stack (Telegram test server, 1C emulator, api, bot), Иван and Анна acting
 * only through the stand-in's page. What they post there reaches the bot as real updates; the
 * bot's Mini App button opens the Mini App beside the chat, speaking the postMessage bridge of
 * Telegram's web clients; 1C's answers come through the emulator, as in the demo.
 */

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); the rest stay in test-results. */
const screenshotDirs = {
  docs: path.join(
    repoRoot,
    process.env.UPDATE_SCREENSHOTS
      ? 'packages/telegram-testkit/docs/screenshots'
      : 'tooling/stack/test-results/screenshots',
  ),
  results: path.join(repoRoot, 'tooling/stack/test-results/screenshots'),
};

describe('the Telegram web stand-in over the whole stack', () => {
  let root: string;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let room: DealRoom;
  let control: TelegramControl;
  const errors: string[] = [];

  const bot = () => botService(stack.apiUrl, stack.serviceToken);
  const mirrored = async () =>
    (await bot().bot.chatSummary.query({ chatId: room.chatId })).messages;
  const app = (): FrameLocator => page.frameLocator('[data-testid="miniapp-frame"]');
  const bubble = (text: RegExp | string) =>
    page.getByTestId('message').filter({ hasText: text }).last();
  /** The Mini App's frame (the api serves it), to read what Telegram's answers set in it. */
  const appFrame = (target: Page): Frame => {
    const frame = target.frames().find((candidate) => candidate.url().startsWith(stack.webappUrl));
    if (!frame) throw new Error('no Mini App frame');
    return frame;
  };
  const cssVar = (frame: Frame, name: string) =>
    frame.evaluate<string>(
      `getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)})`,
    );
  const mainButton = (text: RegExp) =>
    page.getByTestId('miniapp-main-button').filter({ hasText: text });

  const shoot = async (
    target: Page,
    name: string,
    options: { fullPage?: boolean; dir?: keyof typeof screenshotDirs } = {},
  ) => {
    const dir = screenshotDirs[options.dir ?? 'docs'];
    mkdirSync(dir, { recursive: true });
    await target.evaluate('document.activeElement && document.activeElement.blur()');
    await target.mouse.move(160, 760); // no hover left on what was last pressed
    await target.screenshot({
      path: path.join(dir, `${name}.png`),
      animations: 'disabled',
      fullPage: options.fullPage ?? false,
    });
  };

  /** Opens a page of the stand-in; errors thrown in it (or in the Mini App) fail the test. */
  const visit = async (url: string) => {
    await page.goto(url);
    await page.getByTestId('chat-list').waitFor();
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'payreq-standin-test-'));
    await buildStalePages();
    [stack, browser] = await Promise.all([startLocalStack({ root }), launchChromium()]);
    control = new TelegramControl(stack.telegramRoot);
    room = await openDealRoom(control, {
      botToken: stack.botToken,
      agent: people.anna,
      members: [people.ivan],
      others: [people.boris],
    });
    page = await openWatchedPage(
      browser,
      {
        viewport: { width: 1280, height: 800 },
        locale: 'ru-RU',
        timezoneId: 'Europe/Moscow',
        colorScheme: 'light',
      },
      errors,
    );
    context = page.context();
    context.setDefaultTimeout(30_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(
    'Иван posts in the group, fills the request in the Mini App from the bot’s button, and sees the bot confirm it',
    { timeout: 120_000 },
    async () => {
      expect(room.launchLink).toMatch(/^https:\/\/t\.me\/payreq_deal_bot\/app\?startapp=/);
      await page.goto(stack.standinUrl!);
      await page.getByTestId(`person-${people.ivan.id}`).click();
      await page.getByTestId(`chat-${room.chatId}`).click();
      await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe(room.title);
      await bubble(/Здравствуйте! Я бот банка/).waitFor();

      // A message, a photo and a file, as Иван: the bot gets each as an update and mirrors it.
      const before = await mirrored();
      await page.getByTestId('composer-input').fill('Добрый день! Сейчас заполню заявку.');
      await page.getByTestId('composer-send').click();
      await bubble('Добрый день! Сейчас заполню заявку.').waitFor();
      // A picture of his screen, as a phone sends one.
      const picture = await page.screenshot({ type: 'jpeg', quality: 60 });
      await page.getByTestId('attach-photo-input').setInputFiles({
        name: 'screen.jpg',
        mimeType: 'image/jpeg',
        buffer: picture,
      });
      await page.getByTestId('message-photo').last().waitFor();
      await page.getByTestId('attach-file-input').setInputFiles({
        name: 'Контракт 15-2026.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 контракт'),
      });
      await page.getByTestId('message-file').filter({ hasText: 'Контракт 15-2026.pdf' }).waitFor();
      await until(
        'the bot to mirror the three messages',
        async () => (await mirrored()) === before + 3,
      );
      const posted = (
        await control.call<{ messages: { from?: { id: number } }[] }>(
          'GET',
          `/chats/${room.chatId}/messages`,
        )
      ).messages;
      expect(
        posted.filter((message) => message.from?.id === people.ivan.id).length,
      ).toBeGreaterThanOrEqual(3);

      // The bot's url button (t.me/<bot>/<app>?startapp=…) opens the Mini App beside the chat.
      await bubble(/Здравствуйте! Я бот банка/)
        .getByTestId('inline-button')
        .filter({ hasText: 'Открыть заявку' })
        .click();
      await app().getByTestId('request-screen').waitFor();
      const form = clientForm();
      for (const [name, value] of Object.entries(form)) {
        const field = app().getByTestId(`field-${name}`);
        if (name === 'direction') await field.selectOption(value);
        else await field.fill(value);
      }
      // Unsaved edits: closing asks first (the app's closing confirmation); Cancel keeps it open.
      await page.getByTestId('miniapp-close').click();
      await page.getByTestId('miniapp-popup').waitFor();
      await page.getByTestId('miniapp-popup-cancel').click();
      await expect.poll(() => page.getByTestId('miniapp').count()).toBe(1);

      // The app's main button is drawn by the stand-in, below the app, as Telegram draws it.
      await mainButton(/^Сохранить$/).click();
      await app().getByTestId('notice-success').waitFor();
      const confirmation = bubble(/Заявка № \d+ создана\./);
      await confirmation.waitFor({ timeout: 45_000 });
      const request = (await bot().bot.chatSummary.query({ chatId: room.chatId })).request;
      expect(request?.status).toBe('DRAFT');
      expect(await confirmation.getByTestId('message-text').textContent()).toBe(
        `Заявка ${request!.displayNumber} создана. Её заполняют и проверяют в приложении: кнопка «Открыть заявку» выше.`,
      );

      // Telegram's side answered what the app asked: its theme and its viewport.
      const frame = appFrame(page);
      const vars = {
        bg: await cssVar(frame, '--tg-theme-bg-color'),
        height: await cssVar(frame, '--tg-viewport-height'),
        innerHeight: await frame.evaluate<number>('window.innerHeight'),
      };
      expect(vars.bg).toBe('#ffffff');
      expect(vars.height).toBe(`${vars.innerHeight}px`);

      // A tab icon for each: the stand-in's own file, the Mini App's inline.
      const icon = await fetch(
        new URL((await page.locator('link[rel="icon"]').getAttribute('href'))!, stack.telegramRoot),
      );
      expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
      expect(await frame.evaluate<string>("document.querySelector('link[rel=icon]').href")).toMatch(
        /^data:image\/svg\+xml,/,
      );

      // The stand-in's night theme reaches the open Mini App at once (theme_changed).
      await page.getByTestId('menu').click();
      await page.getByRole('button', { name: 'Тёмная тема' }).click();
      await expect.poll(() => cssVar(frame, '--tg-theme-bg-color')).toBe('#17212b');
      await shoot(page, 'standin-1280-dark');
      await page.getByTestId('menu').click();
      await page.getByRole('button', { name: 'Светлая тема' }).click();
      await expect.poll(() => cssVar(frame, '--tg-theme-bg-color')).toBe('#ffffff');
      await shoot(page, 'standin-1280-light');
    },
  );

  it(
    'Анна opens the link `npm start` prints, submits, and 1C’s document arrives in the chat',
    { timeout: 150_000 },
    async () => {
      // The printed link: the stand-in as Анна, in the deal room, opening the bot's button.
      await visit(
        standinLink(stack.standinUrl!, {
          as: people.anna.id,
          chat: room.chatId,
          open: room.launchLink!,
        }),
      );
      await app().getByTestId('status-badge').filter({ hasText: 'Черновик' }).waitFor();
      expect(await app().getByTestId('field-payerName').inputValue()).toBe('ООО «Ромашка»');
      await mainButton(/^Подтвердить заявку/).click();
      // The app asks through Telegram's popup: the stand-in draws it and answers with the button.
      await page.getByTestId('miniapp-popup').waitFor();
      await page.getByTestId('miniapp-popup-confirm').click();
      await app()
        .getByTestId('status-badge')
        .filter({ hasText: 'Новая in-house заявка' })
        .waitFor();
      await bubble(/статус «Новая in-house заявка»/).waitFor({ timeout: 45_000 });

      // 1C answers through the emulator, as in the demo: its link, the offer, in progress, a document.
      const onec = new OnecOperator(stack.onecUrl);
      const requestId = (await bot().bot.chatSummary.query({ chatId: room.chatId })).request!.id;
      await until(
        '1C to list the request',
        async () => (await onec.list()).some((item) => item.platformId === requestId),
        45_000,
      );
      // The agent's 1C link opens outside the Mini App (web_app_open_link: a new tab).
      const link = app().getByTestId('onec-link');
      await link.waitFor({ timeout: 30_000 });
      const [tab, opened] = await Promise.all([
        context.waitForEvent('page'),
        context.waitForEvent('request', (request) => request.url().startsWith(stack.onecUrl)),
        link.click(),
      ]);
      expect(opened.isNavigationRequest()).toBe(true);
      expect(tab).not.toBe(page);
      await tab.close();

      await onec.sendOffer(requestId, onecTerms);
      await bubble(/предложение принято/).waitFor({ timeout: 45_000 });
      await onec.setStatus(requestId, 'IN_PROGRESS');
      await bubble(/статус «В работе»/).waitFor({ timeout: 45_000 });
      const { document } = await onec.generateDocument(requestId, 'INVOICE');
      const file = page.getByTestId('message-file').filter({ hasText: document.fileName });
      await file.waitFor({ timeout: 45_000 });
      const href = await file.getAttribute('href');
      const bytes = Buffer.from(
        await (await fetch(new URL(href!, stack.telegramRoot))).arrayBuffer(),
      );
      expect(sha256(bytes)).toBe(document.sha256);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(errors).toEqual([]);
    },
  );

  it('the 1C operator console fits 1280 px with its status columns in view, light and dark', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const consolePage = await openWatchedPage(
        browser,
        {
          viewport: { width: 1280, height: 800 },
          locale: 'ru-RU',
          colorScheme: theme,
          httpCredentials: DEV_ONEC_USER,
        },
        errors,
      );
      const [first] = await new OnecOperator(stack.onecUrl).list();
      await consolePage.goto(`${stack.onecUrl}/operator#${first!.ref}`);
      await consolePage.getByText(`Заявка ${first!.number}`).waitFor();
      expect(
        await consolePage.evaluate<number>('document.documentElement.scrollWidth'),
      ).toBeLessThanOrEqual(1280);
      for (const header of ['Статус', 'Оплата']) {
        const box = await consolePage
          .locator('thead th', { hasText: header })
          .first()
          .boundingBox();
        expect(box, header).not.toBeNull();
        expect(box!.x + box!.width, header).toBeLessThanOrEqual(1280);
      }
      expect(await consolePage.locator('link[rel="icon"]').getAttribute('href')).toMatch(
        /^data:image\/svg\+xml,/,
      );
      await shoot(consolePage, `onec-console-1280-${theme}`, { fullPage: true, dir: 'results' });
      await consolePage.context().close();
    }
  });

  it('the same signed launch opened in a plain tab (no Telegram around it) explains where to open it', async () => {
    const launch = await control.launchUrl({
      user: people.ivan.id,
      bot: stack.botToken,
      url: stack.webappUrl,
      startParam: room.startParam!,
      chat: room.chatId,
    });
    const plain = await context.newPage();
    await plain.goto(launch);
    await plain.getByTestId('outside-telegram').waitFor();
    expect(await plain.getByTestId('outside-telegram').innerText()).toContain(
      'Откройте приложение в Telegram',
    );
    await plain.close();
  });

  it(
    'works on a phone (360 px): one pane at a time, light and dark (screenshots)',
    { timeout: 90_000 },
    async () => {
      for (const theme of ['light', 'dark'] as const) {
        const small = await openWatchedPage(
          browser,
          { ...phoneContextOptions, colorScheme: theme },
          errors,
        );
        await small.goto(
          standinLink(stack.standinUrl!, { as: people.ivan.id, chat: room.chatId, theme }),
        );
        await small.getByTestId('message-file').last().waitFor();
        expect(await small.getByTestId('chat-list').isVisible()).toBe(false);
        await shoot(small, `standin-chat-360-${theme}`);
        await small
          .getByTestId('message')
          .filter({ hasText: /Здравствуйте! Я бот банка/ })
          .getByTestId('inline-button')
          .click();
        await small
          .frameLocator('[data-testid="miniapp-frame"]')
          .getByTestId('status-badge')
          .waitFor();
        expect(await small.getByTestId('chat').isVisible()).toBe(false);
        await shoot(small, `standin-miniapp-360-${theme}`);
        // Back to the chat, then to the list, as on a phone.
        await small.getByTestId('miniapp-close').click();
        await small.getByTestId('chat-back').click();
        expect(await small.getByTestId('chat-list').isVisible()).toBe(true);
        await small.context().close();
      }
      expect(errors).toEqual([]);
    },
  );
});
