import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { TestApi } from '@payreq/api/testing';
import { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN } from '@payreq/api/testing';
import { callOnec, seedIntegration } from '@payreq/api/testing/onec';
import { miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { BotApp } from '@payreq/bot';
import { createBot, loadConfig } from '@payreq/bot';
import {
  DEFAULT_THEME_PARAMS,
  TelegramTestServer,
  addTelegramBridge,
  buildLaunchUrl,
  signInitData,
} from '@payreq/telegram-testkit';
import { completeForm, queueOnecDocument, until } from '@payreq/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { webappDistDir } from './global-setup';
import {
  answerConfirm,
  closeBrowser,
  signInThroughTelegram,
  spaces,
  startPortalWorld,
} from './portal-world';
import { screenshot } from './screenshots';

/**
 * The portal in Chromium against the real api (real database) serving its build, the Telegram
 * test server (its website login page, the deal room's group) and the real bot mirroring the
 * group into the api. An agent signs in through Telegram's login, opens the deal room, reads
 * and searches its chat, adds a chat file to the request as an invoice (told in the group),
 * takes the request's actions; an administrator exports its history, adds and deactivates
 * agents (a signed-in one is out at once) and requeues a dead message; a plain agent has no
 * administration; English by choice.
 */

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
  const boris = { id: 7000000002, first_name: 'Борис', last_name: 'Орлов' };
  let invoiceMessageId: number;
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

  const signIn = (person: { first_name: string; last_name?: string }) =>
    signInThroughTelegram(browser, pages, `${api.url}/portal/`, person);

  beforeAll(async () => {
    tg = new TelegramTestServer();
    tg.createBot({
      token: TEST_BOT_TOKEN,
      username: 'payreq_deal_bot',
      first_name: 'Сделки банка',
    });
    tg.setMiniApp(TEST_BOT_TOKEN, { shortName: 'deal', url: 'https://miniapp.payreq.test/app' });
    const apiRoot = await tg.start();
    ({ api, browser } = await startPortalWorld(apiRoot, {
      sessionTtlSeconds: 3600,
      webappDistDir,
    }));
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await api.prisma.agent.create({
      data: {
        name: 'Анна Смирнова',
        tenantId: bank.id,
        telegramId: BigInt(anna.id),
        isAdmin: true,
      },
    });
    await api.prisma.agent.create({
      data: { name: 'Борис Орлов', tenantId: bank.id, telegramId: BigInt(boris.id) },
    });
    // 1C's side of the REST shim (its key and signature), for the offer it computes.
    await seedIntegration(api.prisma);
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
    for (const person of [anna, ivan, olga, boris]) tg.createUser(person);

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
    invoiceMessageId = tg.sendDocument({
      from: ivan.id,
      chat: chatId,
      fileName: 'Счёт 42.pdf',
      mimeType: 'application/pdf',
      bytes: Buffer.from('%PDF-1.4\n1 0 obj << /Title (invoice) >> endobj\ntrailer <<>>\n%%EOF\n'),
    }).message_id;
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
    await closeBrowser(browser, pages);
    await bot?.stop('test end').catch(() => undefined);
    await tg?.stop();
    await api?.close();
    if (journal) rmSync(journal, { recursive: true, force: true });
  });

  it('follows the system’s theme until the person chooses one, and keeps that choice', async () => {
    const context = await browser.newContext({ colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${api.url}/portal/`);
    const theme = () => page.evaluate('document.documentElement.dataset.theme');
    const kept = () => page.evaluate("localStorage.getItem('payreq.portal.theme')");
    await expect.poll(theme).toBe('light');
    // The system turns dark (a phone's night mode): the portal follows, and keeps no choice.
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(theme).toBe('dark');
    expect(await kept()).toBeNull();
    await page.reload();
    await expect.poll(theme).toBe('dark');
    // The person chooses light: kept, whatever the system says from then on.
    await page.getByTestId('theme').click();
    await expect.poll(theme).toBe('light');
    expect(await kept()).toBe('light');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await expect.poll(theme).toBe('light');
    await context.close();
  });

  it('signs an agent in through Telegram’s login, finds and filters the deal room, reads and searches its mirrored chat, adds its file as the invoice', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      timezoneId: 'Europe/Moscow',
    });
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
    expect(spaces(await page.getByTestId('nothing-found').textContent())).toBe(
      'Ничего не найдено.',
    );
    await page.getByTestId('search').fill('');
    await row.first().waitFor();
    // The filters ask the server: status, payment, agent, age.
    await page.getByTestId('filter-status').selectOption('CANCELLED');
    await page.getByTestId('nothing-found').waitFor();
    await page.getByTestId('filter-status').selectOption('DRAFT');
    await row.first().waitFor();
    await page.getByTestId('filter-payment').selectOption('PAYOUT_DONE');
    await page.getByTestId('nothing-found').waitFor();
    await page.getByTestId('filter-payment').selectOption('NOT_PAID');
    await row.first().waitFor();
    await page.getByTestId('filter-agent').selectOption({ label: 'Борис Орлов' });
    await page.getByTestId('nothing-found').waitFor();
    await page.getByTestId('filter-agent').selectOption({ label: 'Анна Смирнова' });
    await page.getByTestId('filter-age').selectOption('1');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    for (const filter of ['filter-status', 'filter-payment', 'filter-agent', 'filter-age'])
      await page.getByTestId(filter).selectOption('');
    await row.first().waitFor();
    await screenshot(page, 'requests');

    await row.first().click();
    await page.getByTestId('request-page').waitFor();
    await page.getByTestId('fields').waitFor();

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
    // What the bot said is in the archive too, marked as the platform's bot: its welcome first.
    const fromBot = page.locator('.chat-by-bot');
    await fromBot.first().waitFor();
    expect(spaces(await fromBot.first().textContent())).toMatch(
      /^Сделки банка\s*бот платформы · .*Здравствуйте! Я бот банка/,
    );
    expect(await page.getByTestId('by-bot').count()).toBe(await fromBot.count());
    // Its button is there by its words (as the group saw it), and leads nowhere from here.
    const welcomeButtons = fromBot.first().getByTestId('chat-buttons');
    expect(spaces(await welcomeButtons.textContent())).toBe('Открыть заявку');
    expect(await welcomeButtons.locator('a, button').count()).toBe(0);
    await page.getByTestId('play-voice').click();
    await page.getByTestId('voice-player').waitFor();
    await screenshot(page, 'chat');

    // A message written now appears by itself (short polling).
    tg.sendText({ from: ivan.id, chat: chatId, text: 'Счёт отправил выше' });
    await mirrored();
    await page.getByText('Счёт отправил выше').waitFor({ timeout: 15_000 });

    // A search in the room's text (any case), then the whole room again.
    await page.getByTestId('chat-search').fill('СЧЁТ');
    await page.getByTestId('chat-search').press('Enter');
    const found = async () => (await page.getByTestId('chat-text').allTextContents()).map(spaces);
    // Until the matches are in (the list empties while the search is asked of the server).
    await until(
      async () => {
        const texts = await found();
        return texts.length > 0 && !texts.includes('Паспорт сделки');
      },
      'the search results',
      10_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await found())}`);
    });
    expect(await found()).toEqual(['Добрый день, пришлите счёт', 'Счёт отправил выше']);
    await page.getByTestId('chat-search-clear').click();
    await page.getByTestId('chat-file').waitFor();

    // The chat's file becomes the request's invoice, and the group is told.
    const fileBubble = page
      .getByTestId('chat-message')
      .filter({ has: page.getByTestId('chat-file') });
    await fileBubble.getByTestId('attach-open').click();
    await fileBubble.getByTestId('attach-kind').selectOption('INVOICE');
    await fileBubble.getByTestId('attach-announce').check();
    await fileBubble.getByTestId('attach-button').click();
    await page.getByTestId('notice').waitFor();
    await until(
      async () => (await page.getByTestId('attached-as').count()) === 1,
      'the attached mark',
    );
    expect(spaces(await page.getByTestId('attached-as').textContent())).toBe(
      'В документах заявки: Счёт на оплату',
    );
    // Done, the form closes; opened again, it offers the kinds the file is not yet.
    expect(await fileBubble.getByTestId('attach').count()).toBe(0);
    await fileBubble.getByTestId('attach-open').click();
    const offeredKinds = await fileBubble
      .getByTestId('attach-kind')
      .locator('option')
      .evaluateAll((options) => options.map((option) => option.getAttribute('value')));
    expect(offeredKinds).not.toContain('INVOICE');
    expect(offeredKinds).toContain('CONTRACT');
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
    // And on the Mini App's own page, opened from the deal room as Telegram opens it.
    const miniAppContext = await browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
    });
    await addTelegramBridge(miniAppContext, DEFAULT_THEME_PARAMS);
    const miniApp = await miniAppContext.newPage();
    miniApp.on('pageerror', (error) => errors.push(`Mini App: ${error.message}`));
    pages.push(miniApp);
    await miniApp.goto(
      buildLaunchUrl(`${api.url}/`, {
        initData: signInitData(
          {
            user: { ...anna, language_code: 'ru' },
            chat_instance: '-4512345678901234567',
            chat_type: 'supergroup',
            start_param: launchToken,
          },
          TEST_BOT_TOKEN,
        ),
        startParam: launchToken,
        themeParams: DEFAULT_THEME_PARAMS,
        platform: 'android',
      }),
    );
    const miniAppDocument = miniApp.getByTestId('documents-section').getByTestId('document');
    await miniAppDocument.waitFor();
    expect(spaces(await miniAppDocument.textContent())).toMatch(
      /^Счёт 42\.pdf\s?Счёт на оплату · из чата/,
    );
    expect(spaces(await page.getByTestId('history').textContent())).toContain(
      'Файл из чата «Счёт 42.pdf» добавлен как «Счёт на оплату»',
    );
    const told = await tg.waitForBotMessage(chatId, {
      bot: TEST_BOT_TOKEN,
      predicate: (record) => (record.text ?? '').includes('Счёт 42.pdf'),
      timeoutMs: 20_000,
    });
    expect(told.text).toMatch(
      /^Файл «Счёт 42\.pdf» добавлен к заявке № \d{6} как «Счёт на оплату»\nДобавил\(а\): Анна Смирнова$/,
    );
    expect(told.message.reply_to_message?.message_id).toBe(invoiceMessageId);
    expect(errors).toEqual([]);
  });

  it('takes the request’s actions from its page as the Mini App does, and exports its history', async () => {
    const { page, errors } = await signIn(anna);
    await page.getByTestId('request-row').first().click();
    await page.getByTestId('request-page').waitFor();

    // Анна corrects the draft's fields in place: the shared form's checks, then the api's save.
    await page.getByTestId('fields-edit').click();
    await page.getByTestId('field-payerTaxId').fill('12');
    await page.getByTestId('error-payerTaxId').waitFor();
    await page.getByTestId('fields-save').click();
    expect(await page.getByTestId('fields-form').count()).toBe(1);
    await page.getByTestId('field-payerTaxId').fill(completeForm.payerTaxId);
    await page.getByTestId('field-comment').fill('Срочно, до пятницы');
    await page.getByTestId('fields-save').click();
    await page.getByTestId('fields').getByText('Срочно, до пятницы').waitFor();
    expect(
      (
        await api.prisma.paymentRequest.findUniqueOrThrow({
          where: { telegramChatId: BigInt(chatId) },
        })
      ).comment,
    ).toBe('Срочно, до пятницы');

    // Анна's draft is complete: she confirms it, the group hears it. Confirming and cancelling
    // are the request's status, one section.
    expect(await page.getByTestId('status-section').count()).toBe(1);
    expect(await page.getByTestId('status-section').getByTestId('cancel-request').count()).toBe(1);

    // Cancelling asks first, in the portal's own dialog: the action's word as a danger, «Назад»
    // beside it with the focus. «Назад», and Esc, leave the draft as it was.
    const stored = () =>
      api.prisma.paymentRequest.findUniqueOrThrow({
        where: { telegramChatId: BigInt(chatId) },
        select: { status: true, version: true, updatedAt: true },
      });
    const before = await stored();
    const cancelQuestion = 'Отменить заявку? Это действие нельзя отменить.';
    const asked = page.getByRole('alertdialog', { name: cancelQuestion });
    await page.getByTestId('status-section').getByTestId('cancel-request').click();
    await asked.waitFor();
    expect((await asked.getByRole('button').allTextContents()).map(spaces)).toEqual([
      'Назад',
      'Отменить заявку',
    ]);
    expect(await asked.getByTestId('confirm-yes').getAttribute('class')).toContain(
      'button-destructive',
    );
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('confirm-no');
    await screenshot(page, 'confirm', { fullPage: false });
    await answerConfirm(page, cancelQuestion, 'Назад');
    await page.getByTestId('status-section').getByTestId('cancel-request').click();
    await asked.waitFor();
    await page.keyboard.press('Escape');
    await asked.waitFor({ state: 'detached' });
    await page.waitForLoadState('networkidle');
    expect(await stored()).toEqual(before);
    expect(await page.getByTestId('action-outcome').count()).toBe(0);
    expect(spaces(await page.getByTestId('status-badge').first().textContent())).toBe('Черновик');

    await page.getByTestId('status-section').getByTestId('submit').click();
    await answerConfirm(page, 'Подтвердить заявку?', 'Подтвердить заявку');
    await page
      .getByTestId('action-outcome')
      .getByText('Заявка подтверждена. Платформа отправляет её в 1С')
      .waitFor();
    await until(
      async () =>
        spaces(await page.getByTestId('status-badge').first().textContent()) ===
        'Новая in-house заявка',
      'the new status',
    );
    await tg.waitForBotMessage(chatId, {
      bot: TEST_BOT_TOKEN,
      predicate: (record) => (record.text ?? '').includes('статус «Новая in-house заявка»'),
      timeoutMs: 20_000,
    });

    // She asks 1C for an act: it joins the request's queue to 1C.
    await page.getByTestId('request-document-kind').selectOption('ACT');
    await page.getByTestId('request-document-button').click();
    await page.getByTestId('document-queue').getByText('Акт').waitFor();

    // 1C's offer is accepted (in-house), Иван marks the test payment in the Mini App...
    const request = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { telegramChatId: BigInt(chatId) },
    });
    const offer = await callOnec(api, 'POST', `/onec/v1/requests/${request.id}/offer`, {
      body: {
        Ref_Key: randomUUID(),
        version: request.version,
        rate: '12.8',
        feePercent: '1',
        fixedFee: '0',
        totalToPay: '16000000',
        settlementDays: 2,
      },
      idempotencyKey: randomUUID(),
    });
    expect(offer.status).toBe(201);
    await miniAppClient(
      api.url,
      tma(signLaunch({ ...ivan, language_code: 'ru' }, launchToken)),
    ).miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_SENT' });
    // ...and Анна confirms it from the portal: the bank's next step.
    await page.reload();
    await page.getByTestId('payment-next-TEST_PAYMENT_CONFIRMED').click();
    await answerConfirm(page, 'Подтвердить шаг «Тестовый платёж получен»?', 'Подтвердить');
    await page.getByTestId('step-done-TEST_PAYMENT_CONFIRMED').waitFor();
    expect(
      spaces(await page.getByTestId('step-done-TEST_PAYMENT_CONFIRMED').textContent()),
    ).toMatch(/Анна Смирнова/);
    expect(spaces(await page.getByTestId('payment-badge').first().textContent())).toBe(
      'Тестовый платёж получен',
    );
    await screenshot(page, 'request');

    // The administrator's export of the full audit history: CSV and JSON files.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^payment-request-\d{6}-history\.csv$/);
    const csvText = await readFile(await csv.path(), 'utf8');
    expect(csvText.startsWith('\uFEFFКогда,Кто,Что\r\n')).toBe(true);
    expect(csvText).toContain('Анна Смирнова');
    expect(csvText).toContain('Файл из чата «Счёт 42.pdf» добавлен как «Счёт на оплату»');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-json').click(),
    ]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8')) as {
      entries: { who: string; what: string; change: { type: string } }[];
    };
    // The same rows as the CSV (its header aside), each change as recorded.
    expect(exported.entries.length).toBe(csvText.trimEnd().split('\r\n').length - 1);
    expect(exported.entries.map((entry) => entry.change.type)).toEqual(
      // Created, the chat's invoice, the comment, submitted, the act asked of 1C, 1C's offer accepted, the
      // test payment sent and confirmed.
      [
        'created',
        'document',
        'field',
        'status',
        'documentRequested',
        'offer',
        'status',
        'paymentStatus',
        'paymentStatus',
      ],
    );

    // Иван, the client, signs in too: his deal room's request under its payer, with the
    // documents the Mini App shows him, which he may open.
    const client = await signIn(ivan);
    const row = client.page.getByTestId('standard-row').first();
    await row.waitFor();
    expect(spaces(await row.textContent())).toContain(completeForm.payerName);
    expect(spaces(await row.textContent())).not.toContain('Банк');
    await row.click();
    await client.page.getByTestId('documents-section').waitFor();
    const documents = client.page.getByTestId('document');
    expect(spaces(await documents.first().textContent())).toContain('Счёт 42.pdf');
    const [opened] = await Promise.all([
      client.page.waitForEvent('popup'),
      client.page.getByTestId('documents-section').getByRole('button').first().click(),
    ]);
    await opened.waitForLoadState();
    expect(opened.url()).toMatch(/\/portal\/files\/documents\/[0-9a-f-]{36}$/);
    const served = await client.page.request.get(opened.url());
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('application/pdf');
    expect(errors).toEqual([]);
    expect(client.errors).toEqual([]);
  });

  it('fits the list of requests on a 390 px phone screen: each request a card', async () => {
    const { page, errors } = await signIn(anna);
    await page.setViewportSize({ width: 390, height: 844 });
    const row = page.getByTestId('request-row').first();
    await row.waitFor();
    // No sideways scrolling of the page: the rows are cards, their columns labelled lines.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      390,
    );
    expect(await page.getByTestId('requests').locator('thead').isVisible()).toBe(false);
    const box = await row.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(
      // Each cell's label, drawn before its value (none before the number, the card's head).
      await page.evaluate<string[]>(
        `Array.from(document.querySelector('[data-testid="request-row"]').cells,
          (cell) => getComputedStyle(cell, '::before').content)`,
      ),
    ).toEqual([
      'none',
      '"Чат сделки"',
      '"Клиент"',
      '"Сумма"',
      '"Статус"',
      '"Агент"',
      '"Обновлена"',
    ]);
    // Every tab of the top bar is on screen (an administrator's four wrap), none cut off.
    for (const tab of ['nav-requests', 'nav-market', 'nav-notifications', 'nav-admin']) {
      const where = await page.getByTestId(tab).boundingBox();
      expect(where, tab).not.toBeNull();
      expect(where!.x, tab).toBeGreaterThanOrEqual(0);
      expect(where!.x + where!.width, tab).toBeLessThanOrEqual(390);
    }
    expect(spaces(await page.getByTestId('nav-notifications').textContent())).toBe('Уведомления');
    expect(spaces(await page.getByTestId('nav-admin').textContent())).toBe('Администрирование');
    // The status filter names a status as the list's badges do: the one status the two roads
    // name differently says both.
    expect(
      await page
        .getByTestId('filter-status')
        .locator('option[value="COLLECTING_OFFERS"]')
        .textContent(),
    ).toBe('Сбор предложений / новая in-house заявка');
    await screenshot(page, 'requests-phone');
    // Its row still opens the request.
    await row.click();
    await page.getByTestId('request-page').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows its agent a deal room before anyone starts its request, and reads its chat there', async () => {
    // Анна opens a second room; they talk, but nobody has opened the form yet.
    const group = tg.createGroup({ by: anna.id, title: 'Сделка: Лютик', members: [ivan.id] });
    tg.addBot(group.id, TEST_BOT_TOKEN, { by: anna.id, asAdmin: true });
    await tg.waitForBotMessage(group.id, {
      bot: TEST_BOT_TOKEN,
      predicate: (record) => JSON.stringify(record.replyMarkup ?? {}).includes('startapp='),
    });
    tg.sendText({ from: ivan.id, chat: group.id, text: 'Анна, начнём завтра?' });
    await mirrored();

    const { page, errors } = await signIn(anna);
    const room = page.getByTestId('room-row');
    await room.first().waitFor();
    // Only the room without a request: Ромашка's is a request in the list below.
    expect((await room.allTextContents()).map(spaces)).toEqual([
      expect.stringMatching(/^Сделка: Лютик бот добавлен .* · последнее сообщение /),
    ]);
    await page.getByTestId('request-row').first().waitFor();
    await screenshot(page, 'rooms');

    await room.getByRole('link').click();
    await page.getByTestId('room-page').waitFor();
    expect(spaces(await page.getByTestId('room-title').textContent())).toBe('Сделка: Лютик');
    expect(spaces(await page.getByTestId('room-no-request').textContent())).toMatch(
      /Заявки в этой сделке пока нет/,
    );
    await page.getByText('Анна, начнём завтра?').waitFor();
    // Nothing to add a file to before the request exists.
    expect(await page.getByTestId('attach-open').count()).toBe(0);
    await screenshot(page, 'room');

    // A message written now appears there too.
    tg.sendText({ from: anna.id, chat: group.id, text: 'Да, в 10:00' });
    await mirrored();
    await page.getByText('Да, в 10:00').waitFor({ timeout: 15_000 });

    // A room that has its request links to it.
    await page.goto(`${api.url}/portal/rooms/${chatId}`);
    await page.getByTestId('room-request').click();
    await page.getByTestId('request-page').waitFor();

    // Private like a draft: the bank's other agent sees neither the room nor its chat.
    const other = await signIn(boris);
    await other.page
      .locator('[data-testid="request-row"], [data-testid="nothing-found"]')
      .first()
      .waitFor();
    await other.page.waitForLoadState('networkidle');
    expect(await other.page.getByTestId('rooms-before-request').count()).toBe(0);
    await other.page.goto(`${api.url}/portal/rooms/${group.id}`);
    await other.page.getByText('Чат не найден').waitFor();
    expect(errors).toEqual([]);
  });

  it('keeps a plain agent out of administration (in English too); an administrator adds and deactivates agents, one signed in is out at once, and requeues a dead message', async () => {
    const request = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { telegramChatId: BigInt(chatId) },
    });
    const deadRow = await api.prisma.outboxMessage.create({
      data: {
        target: 'ONEC',
        kind: 'onec.createRequest',
        aggregateKey: `request:${request.id}`,
        payload: { requestId: request.id },
        state: 'DEAD',
        attempts: 12,
        lastError: '1C answered 503 Service Unavailable',
        failureReason: 'unavailable',
        failureStatus: 503,
      },
    });
    // Борис, a plain agent: the deals, no administration; English when he picks it.
    const plain = await signIn(boris);
    expect(spaces(await plain.page.getByTestId('who').textContent())).toBe('Борис Орлов · Банк');
    await plain.page.getByTestId('request-row').first().waitFor();
    expect(await plain.page.getByTestId('nav-admin').count()).toBe(0);
    await plain.page.goto(`${api.url}/portal/admin`);
    await plain.page.getByText('Этот раздел — для администраторов банка.').waitFor();
    await plain.page.getByTestId('language').click();
    await plain.page.getByText('This part is for the bank’s administrators.').waitFor();
    await plain.page.getByTestId('nav-requests').click();
    await plain.page.getByRole('heading', { name: 'Deal rooms and requests' }).waitFor();
    await plain.page.getByTestId('request-row').first().waitFor();
    expect(spaces(await plain.page.getByTestId('payment-badge').first().textContent())).toBe(
      'Test payment received',
    );
    expect(
      (
        await plain.page.request.get(`${api.url}/trpc/admin.agents`, {
          headers: { 'x-payreq-portal': '1' },
        })
      ).status(),
    ).toBe(403);

    const { page, errors } = await signIn(anna);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin').waitFor();
    // Анна may not switch herself off: not offered on her own row.
    const herself = page.getByTestId('agent').filter({ hasText: 'Анна Смирнова' });
    await herself.waitFor();
    expect(await herself.getByTestId('deactivate').count()).toBe(0);
    // A username instead of the number, and no name: each field says what it needs.
    await page.getByTestId('field-telegramId').fill('@vera_bank');
    await page.getByTestId('add-agent').click();
    await page.getByTestId('error-telegramId').waitFor();
    expect(spaces(await page.getByTestId('error-telegramId').textContent())).toBe(
      'Telegram ID — это число, например 7000000001, а не @имя пользователя',
    );
    expect(spaces(await page.getByTestId('error-name').textContent())).toBe('Заполните это поле');
    await screenshot(page, 'admin-add-errors', { fullPage: false });
    await page.getByTestId('field-telegramId').fill('7000000077');
    await page.getByTestId('field-name').fill('Вера Новикова');
    await page.getByTestId('add-agent').click();
    const vera = page.getByTestId('agent').filter({ hasText: 'Вера Новикова' });
    await vera.waitFor();
    expect(spaces(await vera.getByTestId('audit').textContent())).toMatch(
      /^добавление в список: Анна Смирнова, /,
    );
    // Switching off ends the agent's sessions at once: asked first; «Назад» changes nothing.
    const veraQuestion = 'Отключить агента Вера Новикова?';
    await vera.getByTestId('deactivate').click();
    await answerConfirm(page, veraQuestion, 'Назад');
    await page.waitForLoadState('networkidle');
    expect(spaces(await vera.getByTestId('agent-state').textContent())).toBe('доступ открыт');
    expect(
      (await api.prisma.agent.findUniqueOrThrow({ where: { telegramId: 7000000077n } })).active,
    ).toBe(true);
    await vera.getByTestId('deactivate').click();
    await answerConfirm(page, veraQuestion, 'Отключить');
    await until(
      async () => spaces(await vera.getByTestId('agent-state').textContent()) === 'доступ отключён',
      'the deactivation',
    );
    // The notice says what was done last, not the earlier «Агент добавлен».
    await page.getByText('Агент Вера Новикова отключён').waitFor();
    expect(await page.getByText('Агент добавлен').count()).toBe(0);
    expect(
      await api.prisma.agent.findUniqueOrThrow({ where: { telegramId: 7000000077n } }),
    ).toMatchObject({
      active: false,
      managedBy: 'portal',
    });
    // Борис is switched off while signed in: his next step finds him signed out.
    await page
      .getByTestId('agent')
      .filter({ hasText: 'Борис Орлов' })
      .getByTestId('deactivate')
      .click();
    await answerConfirm(page, 'Отключить агента Борис Орлов?', 'Отключить');
    await until(
      async () =>
        spaces(
          await page
            .getByTestId('agent')
            .filter({ hasText: 'Борис Орлов' })
            .getByTestId('agent-state')
            .textContent(),
        ) === 'доступ отключён',
      'Борис’s deactivation',
    );
    await plain.page.reload();
    await plain.page.getByTestId('sign-in').waitFor();
    expect(await plain.page.getByTestId('who').count()).toBe(0);

    const dead = page.getByTestId('dead-message').filter({ hasText: '1C answered 503' });
    await dead.waitFor();
    expect(spaces(await dead.textContent())).toContain('Новая заявка в 1С · № ');
    // Its request's number leads to the request's page.
    expect(await dead.getByRole('link', { name: /^№ \d{6}$/ }).getAttribute('href')).toBe(
      `/portal/requests/${request.id}`,
    );
    // Why, in the operator's words; the logged line below it, for the engineers.
    expect(spaces(await dead.locator('.dead-reason').textContent())).toBe(
      '1С ответил ошибкой сервера (ответ 503)',
    );
    expect(spaces(await dead.locator('.dead-error').textContent())).toBe(
      'Для инженеров: 1C answered 503 Service Unavailable',
    );
    // The bank's in-house deals for its own agents only.
    await page.getByTestId('admin-visibility').getByText('Только агенты банка').click();
    await until(
      async () =>
        (await api.prisma.tenant.findFirstOrThrow({ where: { isMaster: true } }))
          .inHouseVisibility === 'MASTER_ONLY',
      'the visibility setting',
    );
    // The history's export from the administration, found by the request's number.
    await page.getByTestId('export-number').fill('№ 999999');
    await page.getByTestId('export-find').click();
    await page.getByText('Среди видимых вам заявок такой нет.').waitFor();
    await page.getByTestId('export-number').fill(String(request.number));
    await page.getByTestId('export-find').click();
    await page.getByTestId('export-found').waitFor();
    expect(spaces(await page.getByTestId('export-found').textContent())).toBe(
      `Заявка на платёж № ${String(request.number).padStart(6, '0')} · Сделка: Ромашка`,
    );
    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('admin-export').getByTestId('export-json').click(),
    ]);
    expect(exported.suggestedFilename()).toBe(
      `payment-request-${String(request.number).padStart(6, '0')}-history.json`,
    );
    await screenshot(page, 'admin');
    // The request's page says the same of its sending to 1C.
    await page.goto(`${api.url}/portal/requests/${request.id}`);
    const sync = page.getByTestId('onec-sync');
    await sync.getByText('Не доставлено в 1С: 1.').waitFor();
    expect(spaces(await sync.textContent())).toBe(
      'Не доставлено в 1С: 1. Платформа больше не пытается. Причина:' +
        '1С ответил ошибкой сервера (ответ 503)' +
        'Для инженеров: 1C answered 503 Service Unavailable' +
        'Отправить в 1С снова',
    );
    // An administrator sends it again from here too.
    await sync.getByTestId('onec-requeue').click();
    await sync.getByText('Снова в очереди на отправку в 1С').waitFor();
    expect(
      await api.prisma.outboxMessage.findUniqueOrThrow({ where: { id: deadRow.id } }),
    ).toMatchObject({ state: 'PENDING', attempts: 0 });
    // 1C does not answer again: the worker records the failed attempt and tries later. Both
    // pages say so from this first failure, not only once the attempts run out.
    const nextAttemptAt = new Date(Date.now() + 5 * 60_000);
    await api.prisma.outboxMessage.update({
      where: { id: deadRow.id },
      data: {
        attempts: 1,
        nextAttemptAt,
        lastError: '1C did not answer POST /hs/payreq/v1/requests within 10000 ms',
        failureReason: 'timeout',
        failureStatus: null,
      },
    });
    await page.reload();
    const delayed = page.getByTestId('onec-delayed');
    await delayed.waitFor();
    expect(spaces(await delayed.textContent())).toMatch(
      /^Отправка в 1С задерживается \(попыток: 1\), следующая — \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}.*\. Платформа повторяет сама\./,
    );
    expect(spaces(await delayed.locator('.dead-reason').textContent())).toBe(
      '1С не ответил вовремя',
    );
    await delayed.scrollIntoViewIfNeeded();
    await screenshot(page, 'onec-delayed', { fullPage: false });
    await page.goBack();
    const delayedItem = page.getByTestId('delayed-message');
    await delayedItem.waitFor();
    expect(spaces(await delayedItem.textContent())).toContain('попыток: 1 · следующая попытка: ');
    expect(spaces(await delayedItem.locator('.dead-reason').textContent())).toBe(
      '1С не ответил вовремя',
    );
    expect(spaces(await page.getByTestId('admin-dead').textContent())).toContain(
      'Недоставленных сообщений нет.',
    );
    expect(errors).toEqual([]);
    expect(plain.errors).toEqual([]);
  });

  it('offers to add people’s files to the request, not the documents the bot posted from 1C', async () => {
    const request = await api.prisma.paymentRequest.findFirstOrThrow({
      where: { telegramChatId: BigInt(chatId) },
    });
    const fileName = 'Счёт СЧ-000042.pdf';
    const { document, outbox } = await queueOnecDocument(
      api,
      { requestId: request.id, chatId },
      { bytes: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer <<>>\n%%EOF\n'), fileName },
    );
    // The bot posts it in the room and files its message in the archive as it reports it.
    await until(
      async () =>
        (await api.prisma.outboxMessage.findUniqueOrThrow({ where: { id: outbox.id } })).state ===
          'DELIVERED' &&
        (await api.prisma.chatMessage.count({
          where: { chatId: BigInt(chatId), assetId: document.assetId },
        })) === 1,
      'the document in the room and in its archive',
      30_000,
    );

    const { page, errors } = await signIn(anna);
    await page.goto(`${api.url}/portal/requests/${request.id}`);
    await page.getByTestId('tab-chat').click();
    const botFile = page.locator('.chat-by-bot').filter({ hasText: fileName });
    await botFile.waitFor();
    expect(spaces(await botFile.getByTestId('attached-as').textContent())).toBe(
      'В документах заявки: Счёт на оплату',
    );
    expect(await botFile.getByTestId('attach-open').count()).toBe(0);
    // A person's file still can be added (as another kind too).
    const ivansFile = page.getByTestId('chat-message').filter({ hasText: 'Счёт 42.pdf' });
    expect(await ivansFile.getByTestId('attach-open').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
