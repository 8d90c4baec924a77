import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TestApi } from '@payreq/api/testing';
import { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN, startTestApi } from '@payreq/api/testing';
import { miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { BotApp } from '@payreq/bot';
import { createBot, loadConfig } from '@payreq/bot';
import { CHROMIUM_FLAGS, TelegramTestServer } from '@payreq/telegram-testkit';
import { completeForm, until } from '@payreq/testing';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumPath, distDir } from './global-setup';
import { screenshot } from './screenshots';

/**
 * The portal in Chromium against the real api (real database) serving its build, the Telegram
 * test server (its website login page, the deal room's group) and the real bot mirroring the
 * group into the api. An agent signs in through Telegram's login, opens the deal room, reads
 * its chat, adds a chat file to the request as an invoice; an administrator adds and
 * deactivates an agent and requeues a dead message.
 */

const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

describe('the portal (Chromium, 1280 px)', () => {
  let api: TestApi;
  let tg: TelegramTestServer;
  let bot: BotApp;
  let browser: Browser;
  let journal: string;
  let chatId: number;
  let launchToken: string;
  const anna = { id: 7000000001, first_name: 'Анна', last_name: 'Смирнова', username: 'anna_bank' };
  const ivan = { id: 5000000001, first_name: 'Иван', last_name: 'Петров' };
  const olga = { id: 5000000002, first_name: 'Ольга' };
  const pages: Page[] = [];

  const mirrored = async () => {
    await tg.waitForUpdatesConsumed(TEST_BOT_TOKEN, { timeoutMs: 30_000 });
    await until(
      async () => bot.journal?.stats().pending === 0,
      'the bot to handle its journal',
      30_000,
    );
  };

  /** A real JPEG (drawn by the browser), so the thumbnails show a picture. */
  const drawJpeg = async (label: string, hue: number): Promise<Buffer> => {
    const page = await browser.newPage();
    const dataUrl = await page.evaluate<string>(`(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 480;
      canvas.height = 320;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = 'hsl(${hue}, 55%, 55%)';
      ctx.fillRect(0, 0, 480, 320);
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 40px sans-serif';
      ctx.fillText(${JSON.stringify(label)}, 30, 170);
      return canvas.toDataURL('image/jpeg', 0.8);
    })()`);
    await page.close();
    return Buffer.from(dataUrl.split(',')[1]!, 'base64');
  };

  const signIn = async (person: { first_name: string; last_name?: string }) => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'ru-RU',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    pages.push(page);
    await page.goto(`${api.url}/portal/`);
    await page.getByTestId('sign-in').waitFor();
    await page.getByTestId('sign-in-telegram').click();
    // The test server's login page, as oauth.telegram.org shows it.
    await page
      .getByRole('button', {
        name: [person.first_name, person.last_name].filter(Boolean).join(' '),
      })
      .click();
    await page.getByTestId('who').waitFor();
    return { page, errors };
  };

  beforeAll(async () => {
    tg = new TelegramTestServer();
    tg.createBot({
      token: TEST_BOT_TOKEN,
      username: 'payreq_deal_bot',
      first_name: 'Сделки банка',
    });
    tg.setMiniApp(TEST_BOT_TOKEN, { shortName: 'deal', url: 'https://miniapp.payreq.test/app' });
    const apiRoot = await tg.start();
    [api, browser] = await Promise.all([
      startTestApi('pglite', {
        frontends: [{ name: 'portal', prefix: '/portal/', distDir }],
        portal: {
          session: { ttlSeconds: 3600, rotateAfterSeconds: 900, secure: false },
          login: {
            provider: 'test-server',
            testServerUrl: apiRoot,
            botUsername: null,
            maxAgeSeconds: 600,
          },
        },
      }),
      chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_FLAGS] }),
    ]);
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await api.prisma.agent.create({
      data: {
        name: 'Анна Смирнова',
        tenantId: bank.id,
        telegramId: BigInt(anna.id),
        isAdmin: true,
      },
    });
    journal = mkdtempSync(path.join(tmpdir(), 'payreq-portal-journal-'));
    bot = createBot(
      loadConfig({
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_API_ROOT: apiRoot,
        MINI_APP_SHORT_NAME: 'deal',
        WEBAPP_URL: 'https://miniapp.payreq.test/app',
        API_URL: api.url,
        BOT_SERVICE_TOKEN: TEST_BOT_SERVICE_TOKEN,
        DELIVERY_POLL_MS: '100',
        JOURNAL_DIR: journal,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      }),
    );
    await bot.start();
    await tg.waitForPolling(TEST_BOT_TOKEN);
    for (const person of [anna, ivan, olga]) tg.createUser(person);

    // Анна opens a deal room with Иван and adds the bot; they talk, send files; Ольга joins.
    const group = tg.createGroup({ by: anna.id, title: 'Сделка: Ромашка', members: [ivan.id] });
    chatId = group.id;
    tg.addBot(group.id, TEST_BOT_TOKEN, { by: anna.id, asAdmin: true });
    const welcome = await tg.waitForBotMessage(group.id, {
      bot: TEST_BOT_TOKEN,
      predicate: (record) => JSON.stringify(record.replyMarkup ?? {}).includes('startapp='),
    });
    const button = (
      welcome.replyMarkup as { inline_keyboard: { url?: string }[][] }
    ).inline_keyboard
      .flat()
      .find((b) => b.url)!;
    launchToken = new URL(button.url!).searchParams.get('startapp')!;
    const hello = tg.sendText({
      from: ivan.id,
      chat: chatId,
      text: 'Здравствуйте! Нужно оплатить поставщику',
    });
    tg.sendText({
      from: anna.id,
      chat: chatId,
      text: 'Добрый день, пришлите счёт',
      replyTo: hello.message_id,
    });
    // Read by the bot before it is edited, as in a real chat.
    await mirrored();
    tg.editText({
      from: ivan.id,
      chat: chatId,
      messageId: hello.message_id,
      text: 'Здравствуйте! Нужно оплатить поставщику в Китае',
    });
    tg.sendPhoto({
      from: ivan.id,
      chat: chatId,
      bytes: await drawJpeg('Паспорт сделки', 200),
      caption: 'Паспорт сделки',
    });
    tg.sendAlbum({
      from: ivan.id,
      chat: chatId,
      items: [
        { type: 'photo', bytes: await drawJpeg('Склад 1', 30) },
        { type: 'photo', bytes: await drawJpeg('Склад 2', 120) },
      ],
    });
    tg.sendVoice({
      from: ivan.id,
      chat: chatId,
      bytes: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(2048, 1)]),
    });
    tg.sendDocument({
      from: ivan.id,
      chat: chatId,
      fileName: 'Счёт 42.pdf',
      mimeType: 'application/pdf',
      bytes: Buffer.from('%PDF-1.4\n1 0 obj << /Title (invoice) >> endobj\ntrailer <<>>\n%%EOF\n'),
    });
    tg.addMember(chatId, olga.id, { by: anna.id });
    await mirrored();
    // Иван fills the request in the Mini App.
    await miniAppClient(
      api.url,
      tma(signLaunch({ ...ivan, language_code: 'ru' }, launchToken)),
    ).miniApp.save.mutate({
      fields: completeForm,
    });
  }, 120_000);

  afterAll(async () => {
    for (const page of pages)
      await page
        .context()
        .close()
        .catch(() => undefined);
    await browser?.close();
    await bot?.stop('test end').catch(() => undefined);
    await tg?.stop();
    await api?.close();
    if (journal) rmSync(journal, { recursive: true, force: true });
  });

  it('signs an agent in through Telegram’s login, lists the deal room, and shows its mirrored chat', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const signInPage = await context.newPage();
    pages.push(signInPage);
    await signInPage.goto(`${api.url}/portal/?signIn=not_agent`);
    await signInPage.getByTestId('sign-in-refused').waitFor();
    expect(spaces(await signInPage.getByTestId('sign-in-refused').textContent())).toMatch(
      /нет в списке агентов/,
    );
    await signInPage.goto(`${api.url}/portal/`);
    await screenshot(signInPage, 'sign-in');

    const { page, errors } = await signIn(anna);
    expect(spaces(await page.getByTestId('who').textContent())).toBe('Анна Смирнова · Банк');
    const row = page.getByTestId('request-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(spaces(await row.first().textContent())).toContain('Сделка: Ромашка');
    await page.getByTestId('search').fill(completeForm.payerTaxId);
    await until(async () => (await page.getByTestId('request-row').count()) === 1, 'the search');
    await page.getByTestId('search').fill('нет такой');
    await page.getByTestId('nothing-found').waitFor();
    await page.getByTestId('search').fill('');
    await row.first().waitFor();
    await screenshot(page, 'requests');

    await row.first().click();
    await page.getByTestId('request-page').waitFor();
    await page.getByTestId('fields').waitFor();
    await screenshot(page, 'request');

    await page.getByTestId('tab-chat').click();
    await page.getByTestId('chat-messages').waitFor();
    const texts = (await page.getByTestId('chat-text').allTextContents()).map(spaces);
    expect(texts).toContain('Здравствуйте! Нужно оплатить поставщику в Китае');
    expect(texts).toContain('Добрый день, пришлите счёт');
    expect(spaces(await page.getByTestId('earlier-text').first().textContent())).toContain(
      'Раньше: «Здравствуйте! Нужно оплатить поставщику»',
    );
    expect(spaces(await page.getByTestId('reply').first().textContent())).toContain('В ответ Иван');
    // The photo and the album's two photos, the album in one bubble.
    await until(async () => (await page.getByTestId('photo').count()) === 3, 'three photos');
    expect(await page.locator('.chat-album').count()).toBe(1);
    expect(await page.getByTestId('play-voice').count()).toBe(1);
    expect(spaces(await page.getByTestId('chat-file').textContent())).toContain('Счёт 42.pdf');
    const services = (await page.getByTestId('chat-service').allTextContents()).map(spaces);
    expect(services.some((text) => text.startsWith('Ольга — в чате'))).toBe(true);
    await page.getByTestId('play-voice').click();
    await page.getByTestId('voice-player').waitFor();
    await screenshot(page, 'chat');

    // A message written now appears by itself (short polling).
    tg.sendText({ from: ivan.id, chat: chatId, text: 'Счёт отправил выше' });
    await mirrored();
    await page.getByText('Счёт отправил выше').waitFor({ timeout: 15_000 });

    // The chat's file becomes the request's invoice.
    const fileBubble = page
      .getByTestId('chat-message')
      .filter({ has: page.getByTestId('chat-file') });
    await fileBubble.getByTestId('attach-open').click();
    await fileBubble.getByTestId('attach-kind').selectOption('INVOICE');
    await fileBubble.getByTestId('attach-button').click();
    await page.getByTestId('notice').waitFor();
    await until(
      async () => (await page.getByTestId('attached-as').count()) === 1,
      'the attached mark',
    );
    expect(spaces(await page.getByTestId('attached-as').textContent())).toBe(
      'В документах заявки: Счёт на оплату',
    );
    await page.getByTestId('tab-request').click();
    const documents = page.getByTestId('documents-section');
    await documents.getByText('Счёт 42.pdf').waitFor();
    const session = await miniAppClient(
      api.url,
      tma(signLaunch({ ...anna, language_code: 'ru' }, launchToken)),
    ).miniApp.session.query();
    expect(session.request!.documents.map((d) => [d.fileName, d.kind, d.source])).toEqual([
      ['Счёт 42.pdf', 'INVOICE', 'CHAT'],
    ]);
    expect(spaces(await page.getByTestId('history').textContent())).toContain(
      'Файл из чата «Счёт 42.pdf» добавлен как «Счёт на оплату»',
    );
    expect(errors).toEqual([]);
  });

  it('lets an administrator add and deactivate an agent, and requeue a dead message', async () => {
    const request = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { telegramChatId: BigInt(chatId) },
    });
    await api.prisma.outboxMessage.create({
      data: {
        target: 'ONEC',
        kind: 'onec.createRequest',
        aggregateKey: `request:${request.id}`,
        payload: { requestId: request.id },
        state: 'DEAD',
        attempts: 12,
        lastError: '1C answered 503 Service Unavailable',
      },
    });
    const { page, errors } = await signIn(anna);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin').waitFor();
    await page.getByTestId('field-telegramId').fill('7000000077');
    await page.getByTestId('field-name').fill('Вера Новикова');
    await page.getByTestId('add-agent').click();
    const vera = page.getByTestId('agent').filter({ hasText: 'Вера Новикова' });
    await vera.waitFor();
    expect(spaces(await vera.getByTestId('audit').textContent())).toMatch(
      /^добавлен: Анна Смирнова, /,
    );
    await vera.getByTestId('deactivate').click();
    await until(
      async () => spaces(await vera.getByTestId('agent-state').textContent()) === 'отключён',
      'the deactivation',
    );
    expect(
      await api.prisma.agent.findUniqueOrThrow({ where: { telegramId: 7000000077n } }),
    ).toMatchObject({
      active: false,
      managedBy: 'portal',
    });
    const dead = page.getByTestId('dead-message');
    await dead.waitFor();
    expect(spaces(await dead.textContent())).toContain('Заявка для 1С в 1С');
    expect(spaces(await dead.textContent())).toContain('1C answered 503 Service Unavailable');
    // The bank's in-house deals for its own agents only.
    await page.getByTestId('admin-visibility').getByText('Только агенты банка').click();
    await until(
      async () =>
        (await api.prisma.tenant.findFirstOrThrow({ where: { isMaster: true } }))
          .inHouseVisibility === 'MASTER_ONLY',
      'the visibility setting',
    );
    await screenshot(page, 'admin');
    await dead.getByTestId('requeue').click();
    await page.getByText('Сообщение снова в очереди').waitFor();
    expect(
      (await api.prisma.outboxMessage.findFirstOrThrow({ where: { kind: 'onec.createRequest' } }))
        .state,
    ).toBe('PENDING');
    expect(errors).toEqual([]);
  });
});
