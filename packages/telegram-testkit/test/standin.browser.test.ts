import { existsSync } from 'node:fs';

import { isValid } from '@tma.js/init-data-node';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CHROMIUM_FLAGS,
  DARK_THEME_PARAMS,
  DEFAULT_THEME_PARAMS,
  TelegramTestServer,
  openWatchedPage,
  parseLaunchUrl,
  type Update,
  type User,
} from '../src/index';
import { listen } from './helpers';

/**
 * The web stand-in in Debian's Chromium over an in-process test server, with no bot process:
 * the test plays the bot through the Bot API (what it sends, what updates it would get). A
 * tiny Mini App speaks the web clients' bridge the way Telegram's own telegram-web-app.js does
 * (`parent.postMessage(JSON.stringify({eventType, eventData}), '*')`, events back as `message`
 * events), so every answer of the stand-in is checked as the app receives it.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Polls until `probe` gives something, or fails saying what did not happen. */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const TOKEN = '1000000001:standin-browser-test-token';

/** The Mini App: records what Telegram sends it; the test makes it post methods (`post`). */
const FAKE_APP = `<!doctype html><meta charset="utf-8"><title>Fake Mini App</title>
<body style="margin:0;background:#eee"><p id="got">nothing yet</p><script>
window.got = [];
window.addEventListener('message', (event) => {
  if (event.source !== window.parent) return;
  const data = JSON.parse(event.data);
  window.got.push(data);
  document.getElementById('got').textContent = data.eventType;
});
window.post = (eventType, eventData) =>
  window.parent.postMessage(JSON.stringify({ eventType, eventData }), '*');
window.post('iframe_ready', { reload_supported: true });
window.post('web_app_ready');
</script></body>`;

describe('the web stand-in in Chromium', () => {
  let server: TelegramTestServer;
  let url: string;
  let app: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let anna: User;
  let ivan: User;
  let groupId: number;
  const errors: string[] = [];

  const updates = (): Update[] => server.pendingUpdates(TOKEN);
  const botSends = (chat: number, text: string, markup?: unknown) =>
    server.callApi(TOKEN, 'sendMessage', {
      chat_id: chat,
      text,
      ...(markup ? { reply_markup: markup } : {}),
    });
  const appFrame = (): Frame => {
    const frame = page.frames().find((candidate) => candidate.url().startsWith(app.url));
    if (!frame) throw new Error('the Mini App is not open');
    return frame;
  };
  const got = () =>
    appFrame().evaluate<{ eventType: string; eventData?: Record<string, unknown> }[]>('window.got');
  const post = (eventType: string, eventData?: unknown) =>
    appFrame().evaluate(`window.post(${JSON.stringify(eventType)}, ${JSON.stringify(eventData)})`);
  const lastEvent = async (type: string) =>
    (await got()).filter((event) => event.eventType === type).at(-1);

  beforeAll(async () => {
    if (!existsSync(chromiumPath))
      throw new Error(
        `Chromium not found at ${chromiumPath}: install Debian's package (apt-get install chromium). The tests never download a browser.`,
      );
    server = new TelegramTestServer({ allowHttpWebAppUrls: true });
    server.createBot({ token: TOKEN, username: 'payreq_deal_bot', first_name: 'PayReq' });
    app = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(FAKE_APP);
    });
    server.setMiniApp(TOKEN, { url: `${app.url}/` });
    server.setMiniApp(TOKEN, { shortName: 'app', url: `${app.url}/` });
    url = await server.start();
    anna = server.createUser({ first_name: 'Анна', last_name: 'Смирнова', username: 'anna_bank' });
    ivan = server.createUser({ first_name: 'Иван', last_name: 'Петров', language_code: 'ru' });
    browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_FLAGS] });
    page = await openWatchedPage(
      browser,
      { viewport: { width: 1280, height: 800 }, locale: 'ru-RU', colorScheme: 'light' },
      errors,
    );
    context = page.context();
    context.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await app?.close();
  });

  it('acts as a person: adds someone, creates a group with the bot, writes, manages members, presses buttons', async () => {
    await page.goto(`${url}/web/`);
    await page.getByTestId('person-picker').waitFor();
    // People only (no bots), and someone new.
    expect(await page.getByTestId(`person-${server.getBot(TOKEN).id}`).count()).toBe(0);
    await page.getByRole('button', { name: '+ Добавить человека' }).click();
    await page.getByLabel('Имя', { exact: true }).fill('Ольга');
    await page.getByLabel('Язык').selectOption('en');
    await page.getByTestId('add-person').getByRole('button', { name: 'Добавить' }).click();
    const olga = await eventually('Ольга in the world', () =>
      server.listUsers().find((user) => user.first_name === 'Ольга'),
    );
    expect(olga.language_code).toBe('en');
    await page.getByTestId(`person-${anna.id}`).click();

    // A new group with Иван and the bot as an administrator: the bot is told, as Telegram tells it.
    await page.getByTestId('menu').click();
    await page.getByTestId('menu-new-group').click();
    await page.getByTestId('new-group-title').fill('Сделка: проверка');
    await page.getByTestId(`new-group-member-${ivan.id}`).check();
    await page.getByTestId('new-group-create').click();
    await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe('Сделка: проверка');
    groupId = server.userChats(anna.id).find((chat) => chat.title === 'Сделка: проверка')!.id;
    const joined = updates().find((update) => update.my_chat_member?.chat.id === groupId);
    expect(joined?.my_chat_member).toMatchObject({
      from: { id: anna.id },
      new_chat_member: { status: 'administrator' },
    });

    // A message: the bot (an admin) gets it as an update.
    await page.getByTestId('composer-input').fill('Всем привет!');
    await page.getByTestId('composer-input').press('Enter');
    await page.getByTestId('message').filter({ hasText: 'Всем привет!' }).waitFor();
    expect(
      updates().some((u) => u.message?.text === 'Всем привет!' && u.message.from?.id === anna.id),
    ).toBe(true);

    // Members: add Ольга, then remove her; each is a service message in the chat.
    await page.getByTestId('chat-info').click();
    await page.getByTestId('add-member-select').selectOption(String(olga.id));
    await page.getByTestId('add-member').click();
    await page.getByTestId(`member-${olga.id}`).waitFor();
    await page.getByTestId(`remove-${olga.id}`).click();
    await expect.poll(() => page.getByTestId(`member-${olga.id}`).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('service-message').filter({ hasText: 'добавил(а) Ольга' }).waitFor();
    await page.getByTestId('service-message').filter({ hasText: 'удалил(а) Ольга' }).waitFor();
    expect(server.memberStatus(groupId, olga.id)).toBe('kicked');

    // What the bot posts appears at once (the long poll), with its buttons.
    await botSends(groupId, 'Подтвердить условия?', {
      inline_keyboard: [
        [{ text: 'Да', callback_data: 'yes' }],
        [{ text: 'Открыть заявку', url: 'https://t.me/payreq_deal_bot/app?startapp=tok' }],
      ],
    });
    const question = page.getByTestId('message').filter({ hasText: 'Подтвердить условия?' });
    await question.waitFor();
    await question.getByTestId('inline-button').filter({ hasText: 'Да' }).click();
    const pressed = await eventually('the callback query', () =>
      updates().find((u) => u.callback_query?.data === 'yes'),
    );
    expect(pressed.callback_query?.from.id).toBe(anna.id);
    await server.callApi(TOKEN, 'answerCallbackQuery', {
      callback_query_id: pressed.callback_query!.id,
      text: 'Принято',
    });
    await page.getByTestId('toast').filter({ hasText: 'PayReq: Принято' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('opens the bot’s Mini App beside the chat and speaks Telegram’s web bridge to it', async () => {
    const question = page.getByTestId('message').filter({ hasText: 'Подтвердить условия?' });
    await question.getByTestId('inline-button').filter({ hasText: 'Открыть заявку' }).click();
    await page.getByTestId('miniapp').waitFor();
    await expect.poll(() => page.frames().some((f) => f.url().startsWith(app.url))).toBe(true);
    await expect.poll(() => page.evaluate('window.__standin.ready')).toBe(true);

    // Launched as Telegram launches it: signed init data, the web client's platform and theme.
    const launch = parseLaunchUrl(appFrame().url());
    expect(isValid(launch.initData, TOKEN)).toBe(true);
    expect(launch).toMatchObject({
      platform: 'weba',
      startParam: 'tok',
      themeParams: DEFAULT_THEME_PARAMS,
    });
    const initData = new URLSearchParams(launch.initData);
    expect(JSON.parse(initData.get('user')!)).toMatchObject({ id: anna.id });
    expect(initData.get('chat_type')).toBe('group');
    expect(await page.locator('.miniapp-title').textContent()).toBe('PayReq');

    // Theme and viewport, asked for.
    await post('web_app_request_theme');
    await expect
      .poll(() => lastEvent('theme_changed'))
      .toMatchObject({
        eventData: { theme_params: DEFAULT_THEME_PARAMS },
      });
    await post('web_app_request_viewport');
    const frameHeight = await page.evaluate<number>(
      "document.querySelector('[data-testid=miniapp-frame]').clientHeight",
    );
    await expect
      .poll(() => lastEvent('viewport_changed'))
      .toMatchObject({
        eventData: { height: frameHeight, is_expanded: true, is_state_stable: true },
      });

    // The main button, drawn below the app; pressing it tells the app. The app's viewport shrinks.
    await post('web_app_setup_main_button', {
      is_visible: true,
      is_active: true,
      text: 'Оплатить',
      color: '#ff0000',
      text_color: '#ffffff',
    });
    const main = page.getByTestId('miniapp-main-button');
    await main.filter({ hasText: 'Оплатить' }).waitFor();
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=miniapp-main-button]')).backgroundColor",
      ),
    ).toBe('rgb(255, 0, 0)');
    await main.click();
    await expect
      .poll(async () => (await got()).some((e) => e.eventType === 'main_button_pressed'))
      .toBe(true);
    await expect
      .poll(async () => Number((await lastEvent('viewport_changed'))?.eventData?.height))
      .toBeLessThan(Number(frameHeight));
    await post('web_app_setup_main_button', { is_visible: true, is_active: false, text: 'Ждите' });
    await expect.poll(() => main.isDisabled()).toBe(true);
    await post('web_app_setup_secondary_button', {
      is_visible: true,
      text: 'Позже',
      position: 'left',
    });
    await page.getByTestId('miniapp-secondary-button').click();
    await expect
      .poll(async () => (await got()).some((e) => e.eventType === 'secondary_button_pressed'))
      .toBe(true);

    // The back button takes the close button's place; pressing it tells the app.
    await post('web_app_setup_back_button', { is_visible: true });
    await page.getByTestId('miniapp-back-button').click();
    await expect
      .poll(async () => (await got()).some((e) => e.eventType === 'back_button_pressed'))
      .toBe(true);

    // A popup: the chosen button's id comes back; dismissing it answers with none.
    await post('web_app_open_popup', {
      title: 'Подтвердите',
      message: 'Отправить заявку?',
      buttons: [{ id: 'send', type: 'default', text: 'Отправить' }, { type: 'cancel' }],
    });
    await page.getByTestId('miniapp-popup').filter({ hasText: 'Отправить заявку?' }).waitFor();
    await page.getByTestId('miniapp-popup-send').click();
    await expect
      .poll(() => lastEvent('popup_closed'))
      .toEqual({
        eventType: 'popup_closed',
        eventData: { button_id: 'send' },
      });
    await post('web_app_open_popup', { message: 'Ещё раз?', buttons: [{ type: 'ok' }] });
    await page.getByTestId('miniapp-popup').waitFor();
    await page.locator('.popup-backdrop').click({ position: { x: 5, y: 5 } });
    await expect
      .poll(async () => (await got()).filter((e) => e.eventType === 'popup_closed').length)
      .toBe(2);
    expect(await lastEvent('popup_closed')).toEqual({ eventType: 'popup_closed', eventData: {} });

    // Colours the app asks for, as theme keys or as colours.
    await post('web_app_set_header_color', { color_key: 'secondary_bg_color' });
    await expect
      .poll(() =>
        page.evaluate(
          "getComputedStyle(document.querySelector('.miniapp-header')).backgroundColor",
        ),
      )
      .toBe('rgb(241, 241, 241)');

    // An outside link opens in a new tab.
    const [tab, opened] = await Promise.all([
      context.waitForEvent('page'),
      context.waitForEvent('request', (request) => request.url() === 'https://example.com/terms'),
      post('web_app_open_link', { url: 'https://example.com/terms' }),
    ]);
    expect(opened.isNavigationRequest()).toBe(true);
    await tab.close();

    // The stand-in's theme changes: the app is told at once.
    await page.getByTestId('menu').click();
    await page.getByRole('button', { name: 'Тёмная тема' }).click();
    await expect
      .poll(() => lastEvent('theme_changed'))
      .toMatchObject({
        eventData: { theme_params: DARK_THEME_PARAMS },
      });
    // The header colour the app chose by its theme key follows the new theme.
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('.miniapp-header')).backgroundColor",
      ),
    ).toBe('rgb(35, 46, 60)');

    // Closing with the app's closing confirmation on asks first.
    await post('web_app_setup_closing_behavior', { need_confirmation: true });
    await expect.poll(() => page.evaluate('window.__standin.closingConfirmation')).toBe(true);
    await page.getByTestId('miniapp-close').click();
    await page.getByTestId('miniapp-popup').filter({ hasText: 'Закрыть приложение?' }).waitFor();
    await page.getByTestId('miniapp-popup-close').click();
    await expect.poll(() => page.getByTestId('miniapp').count()).toBe(0);

    // web_app_close closes it too.
    await question.getByTestId('inline-button').filter({ hasText: 'Открыть заявку' }).click();
    await expect.poll(() => page.frames().some((f) => f.url().startsWith(app.url))).toBe(true);
    await expect.poll(() => page.evaluate('window.__standin.ready')).toBe(true);
    await post('web_app_close');
    await expect.poll(() => page.getByTestId('miniapp').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('sends a picture as a photo compressed to JPEG, as Telegram’s clients do, and as a file untouched', async () => {
    const group = server.createGroup({ by: anna.id, title: 'Фото и файлы', members: [ivan.id] });
    server.addBot(group.id, TOKEN, { by: anna.id, asAdmin: true });
    // A chat long enough to scroll: a photo sent must still be seen whole.
    for (let n = 1; n <= 20; n += 1)
      server.sendText({ from: ivan.id, chat: group.id, text: `Сообщение ${n}` });
    await page.goto(`${url}/web/?as=${anna.id}&chat=${group.id}`);
    await page.getByTestId('chat-title').filter({ hasText: 'Фото и файлы' }).waitFor();
    // A 3000x1500 PNG, transparent but for a red square (drawn by the browser, a real PNG).
    const png = Buffer.from(
      await page.evaluate<string>(`(() => {
        const canvas = document.createElement('canvas');
        canvas.width = 3000;
        canvas.height = 1500;
        const context = canvas.getContext('2d');
        context.fillStyle = '#e53935';
        context.fillRect(1000, 250, 1000, 1000);
        return canvas.toDataURL('image/png').replace(/^data:[^,]*,/, '');
      })()`),
      'base64',
    );
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const pick = async (item: 'Фото' | 'Файл') => {
      await page.getByTestId('attach').click();
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('menuitem', { name: item }).click(),
      ]);
      await chooser.setFiles({ name: 'схема.png', mimeType: 'image/png', buffer: png });
    };
    const download = async (fileId: string) => {
      const file = (await (
        await fetch(`${url}/bot${TOKEN}/getFile?file_id=${encodeURIComponent(fileId)}`)
      ).json()) as { result: { file_path: string; file_size: number } };
      const answer = await fetch(`${url}/file/bot${TOKEN}/${file.result.file_path}`);
      return { path: file.result.file_path, bytes: Buffer.from(await answer.arrayBuffer()) };
    };

    // As a photo: the bot gets a JPEG, no larger than 2560 px, the aspect kept.
    await pick('Фото');
    // The last photo in the chat, once the browser has decoded it (its pixel width).
    const shownWidth = () =>
      page.evaluate<number>(`(() => {
        const img = [...document.querySelectorAll('[data-testid="message-photo"]')].at(-1);
        return img && img.complete ? img.naturalWidth : 0;
      })()`);
    await expect.poll(shownWidth).toBe(2560);
    // The chat shows the whole of it: the list keeps to the bottom once the photo takes its height.
    const belowView = () =>
      page.evaluate<number>(`(() => {
        const list = document.querySelector('[data-testid="messages"]');
        return Math.round(list.scrollHeight - list.scrollTop - list.clientHeight);
      })()`);
    expect(
      await page.evaluate<boolean>(`(() => {
      const list = document.querySelector('[data-testid="messages"]');
      return list.scrollHeight > list.clientHeight;
    })()`),
    ).toBe(true);
    await expect.poll(belowView).toBeLessThanOrEqual(1);
    const sent = await eventually('the photo update', () =>
      updates().find((u) => u.message?.chat.id === group.id && u.message.photo),
    );
    const largest = sent.message!.photo!.at(-1)!;
    expect([largest.width, largest.height]).toEqual([2560, 1280]);
    const photo = await download(largest.file_id);
    expect(photo.path).toMatch(/^photos\/file_\d+\.jpg$/);
    expect([...photo.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(photo.bytes.length).toBeGreaterThan(1_000);
    expect(photo.bytes.length).toBeLessThan(png.length * 4);
    // It decodes: the red square where it was, white where the PNG was transparent.
    const decoded = await page.evaluate<{
      width: number;
      height: number;
      corner: number[];
      centre: number[];
    }>(`(async () => {
      const blob = new Blob([Uint8Array.from(atob(${JSON.stringify(photo.bytes.toString('base64'))}), (c) => c.charCodeAt(0))]);
      const bitmap = await createImageBitmap(blob);
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const context = canvas.getContext('2d');
      context.drawImage(bitmap, 0, 0);
      const at = (x, y) => [...context.getImageData(x, y, 1, 1).data];
      return { width: bitmap.width, height: bitmap.height, corner: at(20, 20), centre: at(1280, 640) };
    })()`);
    expect(decoded).toMatchObject({ width: 2560, height: 1280 });
    for (const [channel, value] of decoded.corner.entries())
      expect(value, `corner ${channel}`).toBeGreaterThan(245);
    expect(decoded.centre[0]).toBeGreaterThan(200);
    expect(decoded.centre[1]).toBeLessThan(90);

    // As a file: a document with the PNG's own bytes.
    await pick('Файл');
    const filed = await eventually('the document update', () =>
      updates().find((u) => u.message?.chat.id === group.id && u.message.document),
    );
    expect(filed.message!.document).toMatchObject({
      file_name: 'схема.png',
      mime_type: 'image/png',
      file_size: png.length,
    });
    const file = await download(filed.message!.document!.file_id);
    expect(file.bytes.equals(png)).toBe(true);

    // A photo the world describes by its size only holds a JPEG the browser shows.
    server.sendPhoto({ from: ivan.id, chat: group.id, width: 640, height: 480 });
    await expect.poll(shownWidth).toBe(640);
    expect(errors).toEqual([]);
  });

  it('works in English and on a 360-px phone, one pane at a time', async () => {
    const small = await openWatchedPage(
      browser,
      { viewport: { width: 360, height: 740 }, locale: 'en-GB', isMobile: true, hasTouch: true },
      errors,
    );
    await small.goto(`${url}/web/?as=${ivan.id}`);
    await small.getByTestId('chat-list').waitFor();
    await small.getByTestId('menu').click();
    await small.getByTestId('menu-new-group').filter({ hasText: 'New group' }).waitFor();
    // A tap beside the menu closes it.
    await small.mouse.click(300, 600);
    await expect.poll(() => small.getByTestId('menu-new-group').count()).toBe(0);
    // A chat long enough to scroll, its newest message the one that opens the Mini App.
    for (let n = 1; n <= 20; n += 1)
      server.sendText({ from: ivan.id, chat: groupId, text: `Строка ${n}` });
    await botSends(groupId, 'Подтвердить условия?', {
      inline_keyboard: [
        [{ text: 'Открыть заявку', url: 'https://t.me/payreq_deal_bot/app?startapp=tok' }],
      ],
    });
    await small.getByTestId(`chat-${groupId}`).click();
    expect(await small.getByTestId('chat-list').isVisible()).toBe(false);
    await small.getByTestId('chat-title').filter({ hasText: 'Сделка: проверка' }).waitFor();
    await small
      .getByTestId('message')
      .filter({ hasText: 'Подтвердить условия?' })
      .last()
      .getByTestId('inline-button')
      .filter({ hasText: 'Открыть заявку' })
      .click();
    await small.getByTestId('miniapp').waitFor();
    expect(await small.getByTestId('chat').isVisible()).toBe(false);
    await small.getByTestId('miniapp-close').click();
    // Back in the chat where it was: at its newest message, not at its top.
    const chatScroll = () =>
      small.evaluate<{ below: number; scrollable: boolean }>(`(() => {
        const list = document.querySelector('[data-testid="messages"]');
        return {
          below: Math.round(list.scrollHeight - list.scrollTop - list.clientHeight),
          scrollable: list.scrollHeight > list.clientHeight + 100,
        };
      })()`);
    await expect.poll(chatScroll).toEqual({ below: 0, scrollable: true });
    await small.getByTestId('chat-back').click();
    expect(await small.getByTestId('chat-list').isVisible()).toBe(true);
    // The private chat with the bot starts with START, which sends /start.
    await small.getByTestId(`chat-${server.getBot(TOKEN).id}`).click();
    await small.getByTestId('start-bot').filter({ hasText: 'Start' }).click();
    await small.getByTestId('message').filter({ hasText: '/start' }).waitFor();
    expect(
      updates().some((u) => u.message?.text === '/start' && u.message.from?.id === ivan.id),
    ).toBe(true);
    await small.context().close();
    expect(errors).toEqual([]);
  });
});
