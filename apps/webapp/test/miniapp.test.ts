import { readFile } from 'node:fs/promises';

import type { TestApi } from '@payreq/api/testing';
import { startTestApi } from '@payreq/api/testing';
import { botClient, miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requestStatuses } from '@payreq/contracts';
import { completeForm, telegramPeople } from '@payreq/testing';

import { distDir } from './global-setup';
import type { MiniAppSession, TelegramUser, Theme } from './telegram-client';
import { launchChromium, openMiniApp } from './telegram-client';

/**
 * The Mini App in Chromium against the real api (real database) that serves its build:
 * a deal room is registered through the bot's procedures, and users open the app the way
 * Telegram launches it. 1C's side is simulated in the database.
 */

/** The bank's agent and the client, as Telegram knows them. */
const { anna, ivan } = telegramPeople;
const boris: TelegramUser = { id: 7000000002, first_name: 'Boris', language_code: 'en' };

const CHAT_A = -1001000000001;
const CHAT_B = -1001000000002;

/** The complete form as a person types it: the amount grouped with a decimal comma, a desired date. */
const form = { ...completeForm, amount: '1 250 000,00', desiredDate: '2026-12-15' };

const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const field = page.getByTestId(`field-${name}`);
    if (name === 'direction') await field.selectOption(value);
    else await field.fill(value);
  }
}

async function errorOf(page: Page, name: string): Promise<string> {
  const error = page.getByTestId(`error-${name}`);
  await error.waitFor();
  return spaces(await error.textContent());
}

describe('the Mini App in Telegram (Chromium, 360 px)', () => {
  let api: TestApi;
  let browser: Browser;
  let tokenA: string;
  let tokenB: string;
  const sessions: MiniAppSession[] = [];

  const open = async (
    user: TelegramUser,
    options: { startParam?: string; theme?: Theme; path?: string } = {},
  ) => {
    const session = await openMiniApp(browser, { baseUrl: api.url, user, ...options });
    sessions.push(session);
    return session;
  };
  const close = async (session: MiniAppSession) => {
    sessions.splice(sessions.indexOf(session), 1);
    await session.close();
  };
  /** The same screen in the dark theme, screenshotted under `name` once `shown` is there. */
  const screenshotDark = async (user: TelegramUser, shown: string, name: string) => {
    const dark = await open(user, { startParam: tokenA, theme: 'dark' });
    await dark.page.getByTestId(shown).waitFor();
    await dark.screenshot(name);
    await close(dark);
  };
  const requestIn = (chatId: number) =>
    api.prisma.paymentRequest.findUniqueOrThrow({ where: { telegramChatId: BigInt(chatId) } });
  const as = (user: TelegramUser, token: string) =>
    miniAppClient(api.url, tma(signLaunch(user, token)));

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startTestApi('pglite', { webappDistDir: distDir }),
      launchChromium(),
    ]);
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await api.prisma.agent.createMany({
      data: [
        { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
        { name: 'Boris Ivanov', tenantId: bank.id, telegramId: BigInt(boris.id) },
      ],
    });
    const bot = botClient(api.url);
    const tokens: string[] = [];
    for (const [chatId, title] of [
      [CHAT_A, 'Сделка: Ромашка'],
      [CHAT_B, 'Сделка: Василёк'],
    ] as const) {
      const registered = await bot.bot.registerChat.mutate({
        chat: { id: chatId, type: 'supergroup', title },
        addedBy: { telegramId: anna.id, name: 'Анна Смирнова' },
        botIsAdmin: true,
      });
      if (!registered.registered) throw new Error('the api refused to register the chat');
      await bot.bot.membership.mutate({
        chatId,
        joined: [{ telegramId: ivan.id, name: 'Иван Петров' }],
      });
      tokens.push(registered.launchToken);
    }
    [tokenA, tokenB] = tokens as [string, string];
  });

  afterAll(async () => {
    for (const session of sessions) await session.context.close().catch(() => undefined);
    await browser?.close();
    await api?.close();
  });

  it('is served by the api: the page for app paths, 404 for the api’s own and for missing files', async () => {
    const page = await fetch(`${api.url}/board`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    // The production build: no development launch mock, no React development build.
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const bundle = await (await fetch(`${api.url}${script}`)).text();
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).not.toContain('__dev/launch');
    expect(bundle).not.toContain('react-devtools');
    // Sent compressed as built (brotli, else gzip), the same script either way.
    const sent = async (encoding: string) => {
      const answer = await fetch(`${api.url}${script}`, {
        headers: { 'accept-encoding': encoding },
      });
      return { encoding: answer.headers.get('content-encoding'), text: await answer.text() };
    };
    expect(await sent('gzip, deflate, br')).toEqual({ encoding: 'br', text: bundle });
    expect(await sent('gzip')).toEqual({ encoding: 'gzip', text: bundle });
    expect(await sent('identity')).toEqual({ encoding: null, text: bundle });
    expect((await fetch(`${api.url}/trpc/nothing.here`)).status).toBe(404);
    expect((await fetch(`${api.url}/miniapp/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${api.url}/assets/missing-file.js`)).status).toBe(404);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    // Without a build the api serves no page (and says so once in its log).
    const bare = await startTestApi('pglite', { webappDistDir: `${distDir}-missing` });
    try {
      expect((await fetch(`${bare.url}/`)).status).toBe(404);
      expect((await fetch(`${bare.url}/healthz`)).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('client: checks fields as they type, refuses invalid input without saving, saves, keeps values after a reload', async () => {
    const client = await open(ivan, { startParam: tokenA });
    const { page } = client;
    await page.getByTestId('request-screen').waitFor();
    expect(spaces(await page.getByTestId('request-number').textContent())).toBe('Новая заявка');
    expect((await client.mainButton())?.is_visible ?? false).toBe(false);

    await fill(page, form);
    // An IBAN with wrong check digits and an amount with three decimals.
    await page.getByTestId('field-beneficiaryAccount').fill('DE89 3704 0044 0532 0130 01');
    await page.getByTestId('field-amount').fill('1250000,555');
    expect(await errorOf(page, 'beneficiaryAccount')).toBe(
      'IBAN указан с ошибкой: проверьте страну, длину и контрольные цифры',
    );
    expect(await errorOf(page, 'amount')).toBe(
      'Сумма: положительное число, не более двух знаков после запятой',
    );
    await client.pressMainButton('Сохранить');
    await page.getByTestId('notice-error').waitFor();
    expect(await api.prisma.paymentRequest.count()).toBe(0);

    // How the typed amount reads, until it is typed as it reads.
    await fill(page, { beneficiaryAccount: form.beneficiaryAccount, amount: '1250000' });
    expect(await page.getByTestId('error-beneficiaryAccount').count()).toBe(0);
    const amountHint = page.locator('[data-field="amount"] .field-hint');
    expect(spaces(await amountHint.textContent())).toBe('Будет: 1 250 000,00 CNY');
    await fill(page, { amount: form.amount });
    await amountHint.waitFor({ state: 'detached' });
    // A code is named under its field, so the client sees what "CN" or "RUB" stands for.
    const hintOf = (name: string) => page.locator(`[data-field="${name}"] .field-hint`);
    expect(spaces(await hintOf('beneficiaryCountry').textContent())).toBe('Китай');
    expect(spaces(await hintOf('currency').textContent())).toBe('Китайский юань');
    expect(spaces(await hintOf('clientCurrency').textContent())).toBe('Российский рубль');
    // Where the beneficiary's bank is, by its SWIFT; asked to be checked when not the
    // beneficiary's country (a Russian bank's code for a Chinese beneficiary).
    expect(spaces(await hintOf('beneficiarySwift').textContent())).toBe('Банк в стране: Китай');
    await page.getByTestId('field-beneficiarySwift').fill('SABRRUMM');
    expect(spaces(await hintOf('beneficiarySwift').textContent())).toBe(
      'Банк в стране «Россия», а получатель — «Китай»: проверьте SWIFT',
    );
    await page.getByTestId('field-beneficiarySwift').fill(form.beneficiarySwift);
    await page.getByTestId('field-beneficiaryCountry').fill('QQ');
    expect(await hintOf('beneficiaryCountry').count()).toBe(0);
    expect(await errorOf(page, 'beneficiaryCountry')).toMatch(/ISO 3166/);
    // Past a code's letters it is a name: a whole one becomes its code, anything else names
    // nothing, and the field says so.
    const byName = [
      {
        field: 'beneficiaryCountry',
        nothing: 'Атлантида',
        notFound: 'Нет такой страны: напишите название полностью или код, например CN',
        name: 'объединённые арабские эмираты',
        code: 'AE',
        hint: 'ОАЭ',
        last: ['Китай', form.beneficiaryCountry],
      },
      {
        field: 'currency',
        nothing: 'пиастры',
        notFound: 'Нет такой валюты: напишите название полностью или код, например CNY',
        name: 'Доллар США',
        code: 'USD',
        hint: 'Доллар США',
        last: ['юань', form.currency],
      },
    ] as const;
    for (const { field, nothing, notFound, name, code, hint, last } of byName) {
      const input = page.getByTestId(`field-${field}`);
      await input.fill(nothing);
      expect(await errorOf(page, field)).toBe(notFound);
      await input.fill(name);
      expect(await input.inputValue()).toBe(code);
      expect(spaces(await hintOf(field).textContent())).toBe(hint);
      expect(await page.getByTestId(`error-${field}`).count()).toBe(0);
      await input.fill(last[0]);
      expect(await input.inputValue()).toBe(last[1]);
    }
    await client.pressMainButton('Сохранить');
    await page.getByTestId('notice-success').waitFor();
    const saved = await requestIn(CHAT_A);
    expect(saved).toMatchObject({
      status: 'DRAFT',
      version: 1,
      payerName: form.payerName,
      beneficiaryAccount: form.beneficiaryAccount,
      beneficiarySwift: form.beneficiarySwift,
      contractDate: form.contractDate,
      direction: 'OUTGOING',
    });
    expect(saved.amount?.toFixed(2)).toBe('1250000.00');

    await page.reload();
    await page.getByTestId('status-badge').waitFor();
    expect(spaces(await page.getByTestId('request-number').textContent())).toMatch(
      /^Заявка на платёж № \d{6}$/,
    );
    expect(spaces(await page.getByTestId('status-badge').textContent())).toBe('Черновик');
    expect(await page.getByTestId('field-payerName').inputValue()).toBe(form.payerName);
    // The saved amount reads as it was typed (grouped, the decimal comma), not as it is stored.
    expect(spaces(await page.getByTestId('field-amount').inputValue())).toBe('1 250 000,00');
    // It reads as the preview would: no "will be" under it.
    expect(await page.locator('[data-field="amount"] .field-hint').count()).toBe(0);
    expect(await page.getByTestId('field-beneficiaryAccount').inputValue()).toBe(
      form.beneficiaryAccount,
    );
    expect(await page.getByTestId('field-direction').inputValue()).toBe('OUTGOING');
    expect(await page.getByTestId('field-contractDate').inputValue()).toBe(form.contractDate);

    // On the saved request too: an invalid value changes nothing in the api.
    const before = await api.prisma.requestHistory.count();
    await page.getByTestId('field-beneficiaryAccount').fill('GB82 WEST 1234 5698 7654 33');
    expect(await errorOf(page, 'beneficiaryAccount')).toContain('IBAN');
    await client.pressMainButton('Сохранить');
    await page.getByTestId('notice-error').waitFor();
    expect((await requestIn(CHAT_A)).version).toBe(1);
    expect(await api.prisma.requestHistory.count()).toBe(before);
    await page.getByTestId('field-beneficiaryAccount').fill(form.beneficiaryAccount);

    // The client sees no agent controls: their permission list has none.
    for (const testId of ['onec-link', 'request-document', 'chat-import', 'submit-needs']) {
      expect(await page.getByTestId(testId).count(), testId).toBe(0);
    }
    const texts = (await client.events())
      .filter((event) => event.type === 'web_app_setup_main_button')
      .map((event) => event.data?.text);
    expect(texts).not.toContain('Подтвердить заявку');
    await client.screenshot('client-form');

    // Unsaved changes survive an accidental close: Telegram asks, and the draft comes back.
    await page.getByTestId('field-comment').fill('Позвоню после обеда');
    await expect.poll(() => client.closingConfirmation()).toBe(true);
    // A country name in the draft (typed before the form's names had loaded) comes back as its code.
    await page.evaluate(`(() => {
      for (const key of Object.keys(localStorage)) {
        const draft = JSON.parse(localStorage.getItem(key) ?? 'null');
        if (!draft?.values?.comment) continue;
        draft.values.beneficiaryCountry = 'Гонконг';
        localStorage.setItem(key, JSON.stringify(draft));
      }
    })()`);
    await client.reopen();
    const reopened = client.page;
    await reopened.getByTestId('draft-restored').waitFor();
    expect(await reopened.getByTestId('field-comment').inputValue()).toBe('Позвоню после обеда');
    await expect
      .poll(() => reopened.getByTestId('field-beneficiaryCountry').inputValue())
      .toBe('HK');
    await expect.poll(() => client.closingConfirmation()).toBe(true);
    await reopened.getByTestId('discard-draft').click();
    expect(await reopened.getByTestId('field-comment').inputValue()).toBe('');
    await expect.poll(() => client.closingConfirmation()).toBe(false);
    expect((await requestIn(CHAT_A)).comment).toBeNull();

    // A required field saved empty: the client is told what the agent will need, as the agent is.
    await reopened.getByTestId('field-beneficiaryBankName').fill('');
    await client.pressMainButton('Сохранить');
    await reopened.getByTestId('fields-needed').waitFor();
    expect(spaces(await reopened.getByTestId('fields-needed').textContent())).toBe(
      'Чтобы агент мог подтвердить заявку, заполните обязательные поля: Банк получателя',
    );
    expect((await requestIn(CHAT_A)).beneficiaryBankName).toBeNull();
    await reopened.getByTestId('field-beneficiaryBankName').fill(form.beneficiaryBankName);
    await client.pressMainButton('Сохранить');
    await reopened.getByTestId('fields-needed').waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await requestIn(CHAT_A)).beneficiaryBankName)
      .toBe(form.beneficiaryBankName);
    await close(client);

    await screenshotDark(ivan, 'status-badge', 'client-form');
  });

  it('agent: confirms the ready draft with the main button, then sees the 1C link once 1C answered', async () => {
    const agent = await open(anna, { startParam: tokenA });
    const { page } = agent;
    await page.getByTestId('status-badge').waitFor();
    await agent.pressMainButton('Подтвердить заявку');
    await page.getByTestId('status-badge').filter({ hasText: 'Новая in-house заявка' }).waitFor();
    expect((await agent.events()).some((event) => event.type === 'web_app_open_popup')).toBe(true);
    const submitted = await requestIn(CHAT_A);
    expect(submitted.status).toBe('COLLECTING_OFFERS');
    expect(
      await api.prisma.outboxMessage.count({
        where: { kind: 'onec.createRequest', aggregateKey: `request:${submitted.id}` },
      }),
    ).toBe(1);
    await page.getByTestId('onec-waiting').waitFor();

    // 1C answers with its reference and web-client link.
    const onecUrl =
      'https://1c.bank.example/base/#e1cib/data/Document.ЗаявкаНаПлатеж?ref=8f14e45fceea167a5a36dedd4bea2543';
    await api.prisma.paymentRequest.update({
      where: { id: submitted.id },
      data: { onecRef: '8f14e45f-ceea-167a-5a36-dedd4bea2543', onecUrl },
    });
    const link = page.getByTestId('onec-link');
    await link.waitFor({ timeout: 15_000 });
    expect(spaces(await link.textContent())).toBe('Открыть в 1С ↗');
    expect(await link.getAttribute('href')).toBe(onecUrl);
    // The agent asks 1C for a document: it joins the queue (the outbox carries it to 1C).
    await page.getByTestId('request-document-kind').selectOption('INVOICE');
    await page.getByTestId('request-document-button').click();
    await page.getByTestId('document-queue').filter({ hasText: 'Счёт на оплату' }).waitFor();
    expect(spaces(await page.getByTestId('document-queue').textContent())).toContain('в очереди');
    expect(
      await api.prisma.documentRequest.count({
        where: { requestId: submitted.id, kind: 'INVOICE' },
      }),
    ).toBe(1);
    await agent.screenshot('agent-onec-link');
    await close(agent);

    await screenshotDark(anna, 'onec-link', 'agent-onec-link');
  });

  it('after the offer is accepted: every field read-only, the offer shown, the client marks the test payment', async () => {
    const request = await requestIn(CHAT_A);
    const agentRow = await api.prisma.agent.findUniqueOrThrow({
      where: { telegramId: BigInt(anna.id) },
    });
    await api.prisma.$transaction([
      api.prisma.offer.create({
        data: {
          requestId: request.id,
          agentId: agentRow.id,
          rate: '12.8456',
          feePercent: '1.5',
          fixedFee: '50.00',
          totalToPay: '16260050.00',
          settlementDays: 3,
          source: 'ONEC',
          status: 'ACCEPTED',
        },
      }),
      api.prisma.paymentRequest.update({
        where: { id: request.id },
        data: { status: 'OFFER_ACCEPTED', version: { increment: 1 } },
      }),
      api.prisma.requestHistory.create({
        data: {
          requestId: request.id,
          actorKind: 'onec',
          actorName: '1С',
          field: 'status',
          fromValue: 'COLLECTING_OFFERS',
          toValue: 'OFFER_ACCEPTED',
        },
      }),
    ]);

    const client = await open(ivan, { startParam: tokenA });
    const { page } = client;
    await page.getByTestId('offer-section').waitFor();
    expect(spaces(await page.getByTestId('status-badge').textContent())).toBe(
      'Предложение принято',
    );
    // The banner says why the fields are read-only without saying the badge's words again.
    expect(spaces(await page.getByTestId('read-only').textContent())).toBe(
      'Условия приняты: поля заявки больше не меняются.',
    );
    const fields = page.locator('form input, form textarea, form select');
    expect(await fields.count()).toBeGreaterThan(15);
    expect(
      await page
        .locator('form input:not([readonly]), form textarea:not([readonly]), form select')
        .count(),
    ).toBe(0);
    expect(await page.getByTestId('field-payerName').inputValue()).toBe(form.payerName);
    expect(await page.getByTestId('field-beneficiaryCountry').inputValue()).toBe('Китай (CN)');
    const terms = spaces(await page.getByTestId('offer-terms').innerText());
    expect(await page.locator('[data-field="offer-totalToPay"] input').inputValue()).toMatch(
      /^16\s260\s050,00 RUB$/,
    );
    expect(await page.locator('[data-field="offer-rate"] input').inputValue()).toBe('12,8456');
    expect(terms).toContain('Итого к оплате');
    expect((await client.mainButton())?.is_visible ?? false).toBe(false);

    // The step is named by its status; its button says it as the client's own.
    expect(
      await page.getByTestId('step-TEST_PAYMENT_SENT').locator('.step-title').textContent(),
    ).toBe('Тестовый платёж отправлен');
    expect(spaces(await page.getByTestId('mark-TEST_PAYMENT_SENT').textContent())).toBe(
      'Я отправил тестовый платёж',
    );
    await page.getByTestId('mark-TEST_PAYMENT_SENT').click();
    const done = page.getByTestId('step-done-TEST_PAYMENT_SENT');
    await done.waitFor();
    expect(spaces(await done.textContent())).toMatch(/^Отмечено: Иван Петров, \d{2}\.\d{2}\.\d{4}/);
    expect((await requestIn(CHAT_A)).paymentStatus).toBe('TEST_PAYMENT_SENT');
    // The buttons are the server's `next`: nothing more for the client until the bank confirms.
    expect(await page.locator('[data-testid^="mark-"]').count()).toBe(0);
    await client.screenshot('offer-accepted');
    await close(client);

    // The agent is offered the bank's nearest step forward, and a status move only if the
    // transition table gives him one.
    const agentNext = (await as(anna, tokenA).miniApp.session.query()).request!.next;
    expect(agentNext.paymentStatuses).toContain('TEST_PAYMENT_CONFIRMED');
    const agent = await open(anna, { startParam: tokenA });
    await agent.page.getByTestId('payment-next-TEST_PAYMENT_CONFIRMED').waitFor();
    expect(await agent.page.locator('[data-testid^="mark-"]').count()).toBe(0);
    // The agent reads the client's step by its status, not in the client's first person.
    const stepTitle = (page: typeof agent.page, status: string) =>
      page.getByTestId(`step-${status}`).locator('.step-title').textContent();
    expect(await stepTitle(agent.page, 'TEST_PAYMENT_SENT')).toBe('Тестовый платёж отправлен');
    // Once the bank confirms it, the bank's step is in the trail too, with who and when.
    await agent.page.getByTestId('payment-next-TEST_PAYMENT_CONFIRMED').click();
    await agent.page.getByTestId('step-done-TEST_PAYMENT_CONFIRMED').waitFor();
    expect(await stepTitle(agent.page, 'TEST_PAYMENT_CONFIRMED')).toBe('Тестовый платёж получен');
    expect(
      spaces(await agent.page.getByTestId('step-done-TEST_PAYMENT_CONFIRMED').textContent()),
    ).toMatch(/^Отмечено: \S.*, \d{2}\.\d{2}\.\d{4}/);
    const forward = agentNext.statuses.filter((s) => s !== 'CANCELLED');
    expect(await agent.page.locator('[data-testid^="status-next-"]').count()).toBe(
      forward.length ? 1 : 0,
    );
    expect(await agent.page.getByTestId('cancel-request').count()).toBe(
      agentNext.statuses.includes('CANCELLED') ? 1 : 0,
    );
    await close(agent);

    await screenshotDark(ivan, 'offer-section', 'offer-accepted');
  });

  it('a stale save shows both versions: theirs stays until the user re-applies theirs or mine', async () => {
    await as(anna, tokenB).miniApp.save.mutate({
      fields: {
        payerName: 'ООО «Василёк»',
        purpose: 'Оплата оборудования',
        amount: '98000.00',
        currency: 'USD',
      },
    });

    const conflictFor = async (theme: Theme, mine: string, theirs: string) => {
      const client = await open(ivan, { startParam: tokenB, theme });
      const { page } = client;
      await page.getByTestId('status-badge').waitFor();
      await page.getByTestId('field-purpose').fill(mine);
      const { version } = await requestIn(CHAT_B);
      await as(anna, tokenB).miniApp.save.mutate({ version, fields: { purpose: theirs } });
      await client.pressMainButton('Сохранить');
      await page.getByTestId('conflict').waitFor();
      expect(spaces(await page.getByTestId('conflict-theirs-purpose').textContent())).toBe(theirs);
      expect(spaces(await page.getByTestId('conflict-mine-purpose').textContent())).toBe(mine);
      expect(spaces(await page.getByTestId('conflict').textContent())).toContain('Анна Смирнова');
      // Nothing was overwritten.
      expect(await requestIn(CHAT_B)).toMatchObject({ purpose: theirs, version: version + 1 });
      await client.screenshot('conflict');
      return client;
    };

    const light = await conflictFor(
      'light',
      'Оплата оборудования по счёту 7',
      'Оплата по контракту 21/2026',
    );
    await light.page.getByTestId('apply-mine').click();
    await light.page.getByTestId('notice-success').waitFor();
    const applied = await requestIn(CHAT_B);
    expect(applied.purpose).toBe('Оплата оборудования по счёту 7');
    await close(light);

    const dark = await conflictFor('dark', 'Оплата станков', 'Оплата станков и доставки');
    await dark.page.getByTestId('keep-theirs').click();
    expect(await dark.page.getByTestId('field-purpose').inputValue()).toBe(
      'Оплата станков и доставки',
    );
    expect(await dark.page.getByTestId('conflict').count()).toBe(0);
    expect((await requestIn(CHAT_B)).purpose).toBe('Оплата станков и доставки');
    await close(dark);
  });

  it('the form’s checks not loaded (connection lost): a save says so and changes nothing; the next save loads them', async () => {
    const client = await open(ivan, { startParam: tokenB });
    const checks = '**/assets/form-validation-*.js';
    await client.context.route(checks, (route) => route.abort('internetdisconnected'));
    await client.reopen();
    const { page } = client;
    const before = await requestIn(CHAT_B);
    await page.getByTestId('field-comment').fill('Без связи');
    await client.pressMainButton('Сохранить');
    expect(spaces(await page.getByTestId('notice-error').textContent())).toContain('Нет связи');
    expect((await requestIn(CHAT_B)).version).toBe(before.version);

    await client.context.unroute(checks);
    await client.pressMainButton('Сохранить');
    await page.getByTestId('notice-success').waitFor();
    expect((await requestIn(CHAT_B)).comment).toBe('Без связи');
    // Loaded by that save, the checks run as one types again.
    await page.getByTestId('field-amount').fill('12,555');
    expect(await errorOf(page, 'amount')).toBe(
      'Сумма: положительное число, не более двух знаков после запятой',
    );
    await close(client);
  });

  it('attachments: a file goes up with its kind and comes back through the authorised documents route', async () => {
    const client = await open(ivan, { startParam: tokenB });
    const { page } = client;
    await page.getByTestId('attach').waitFor();
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n',
    );
    await page.locator('[data-testid="attach"] select').selectOption('CONTRACT');
    await page.getByTestId('attach-input').setInputFiles({
      name: 'Договор 21-2026.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    const item = page.getByTestId('document').filter({ hasText: 'Договор 21-2026.pdf' });
    await item.waitFor();
    expect(spaces(await item.textContent())).toContain('Договор · вложение');
    const stored = await api.prisma.document.findFirstOrThrow({
      where: { fileName: 'Договор 21-2026.pdf' },
    });
    expect(stored).toMatchObject({ kind: 'CONTRACT', source: 'UPLOAD', mime: 'application/pdf' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`download-${stored.id}`).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Договор 21-2026.pdf');
    const saved = await download.path();
    expect(Buffer.compare(await readFile(saved), pdf)).toBe(0);
    await close(client);
  });

  it('a document a browser would run (XML with a script, from 1C) is only ever downloaded', async () => {
    const request = await requestIn(CHAT_B);
    const xml = Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>window.opener && (window.opener.document.title = "pwned")</script></svg>',
    );
    const stored = await api.files.put(xml);
    const asset = await api.prisma.asset.create({
      data: {
        sha256: stored.sha256,
        storageKey: stored.key,
        mime: 'application/xml',
        size: xml.length,
      },
    });
    const document = await api.prisma.document.create({
      data: {
        requestId: request.id,
        kind: 'ACT',
        fileName: 'Акт сверки.xml',
        mime: 'application/xml',
        size: xml.length,
        sha256: stored.sha256,
        assetId: asset.id,
        source: 'ONEC',
      },
    });
    const client = await open(ivan, { startParam: tokenB });
    const { page } = client;
    const item = page.getByTestId('document').filter({ hasText: 'Акт сверки.xml' });
    await item.waitFor();
    // No "open" for it: only PDF and images open in place.
    expect(await page.getByTestId(`open-${document.id}`).count()).toBe(0);
    const popups: string[] = [];
    page.context().on('page', (opened) => popups.push(opened.url()));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`download-${document.id}`).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Акт сверки.xml');
    expect(Buffer.compare(await readFile(await download.path()), xml)).toBe(0);
    expect(popups).toEqual([]);
    expect(await page.title()).not.toBe('pwned');
    await close(client);
  });

  it('the agents’ board: lists, refreshes, opens a request read-only unless it is the agent’s own', async () => {
    const board = await open(anna, { path: '/board' });
    const { page } = board;
    await page.getByTestId('board').waitFor();
    const rows = page.getByTestId('board-row');
    await expect.poll(() => rows.count()).toBe(2);
    const requestA = await requestIn(CHAT_A);
    const requestB = await requestIn(CHAT_B);
    const rowA = page.locator(`[data-request-id="${requestA.id}"]`);
    expect(spaces(await rowA.textContent())).toContain('Предложение принято');
    expect(spaces(await rowA.textContent())).toContain('Сделка: Ромашка');
    expect(spaces(await rowA.textContent())).toMatch(/1\s250\s000,00 CNY/);
    // Every status can be a filter, an expired standard request's too.
    const chips = page.locator('[data-testid^="filter-"]:not([data-testid="filter-mine"])');
    expect(await chips.count()).toBe(requestStatuses.length);
    await page.getByTestId('filter-EXPIRED').getByText('Истёк срок').waitFor();
    await board.screenshot('board');

    // The board refreshes itself: a change made elsewhere shows up without a reload.
    const { version } = await requestIn(CHAT_B);
    await as(anna, tokenB).miniApp.save.mutate({
      version,
      fields: { payerName: 'ООО «Василёк и К»' },
    });
    await page
      .locator(`[data-request-id="${requestB.id}"]`)
      .filter({ hasText: 'ООО «Василёк и К»' })
      .waitFor({ timeout: 15_000 });

    // Her own draft opens editable (the main button saves), the back button returns.
    await page.locator(`[data-request-id="${requestB.id}"]`).click();
    await page.getByTestId('request-screen').waitFor();
    await page.getByTestId('field-invoiceNumber').fill('INV-77');
    await board.pressMainButton('Сохранить');
    await page.getByTestId('notice-success').waitFor();
    expect((await requestIn(CHAT_B)).invoiceNumber).toBe('INV-77');
    await board.pressBackButton();
    await page.getByTestId('board').waitFor();

    // The accepted one is read-only.
    await rowA.click();
    await page.getByTestId('read-only').waitFor();
    await board.pressBackButton();
    await page.getByTestId('board').waitFor();
    await close(board);

    // Another agent of the bank sees in-house requests read-only, drafts not at all, in English.
    const other = await open(boris, { path: '/board', theme: 'dark' });
    await other.page.getByTestId('board').waitFor();
    await expect.poll(() => other.page.getByTestId('board-row').count()).toBe(1);
    const text = spaces(await other.page.getByTestId('board').textContent());
    expect(text).toContain('Requests');
    expect(text).toContain('view only');
    expect(text).toContain('Offer accepted');
    await other.screenshot('board');
    await other.page.getByTestId('board-row').click();
    await other.page.getByTestId('read-only').waitFor();
    expect(
      await other.page
        .locator('form input:not([readonly]), form textarea:not([readonly]), form select')
        .count(),
    ).toBe(0);
    await close(other);
  });
  it('a long history: the latest entries first, earlier ones on demand', async () => {
    // The deal room's request (the stale-save test above made it; alone, this one does).
    const existing = await api.prisma.paymentRequest.findUnique({
      where: { telegramChatId: BigInt(CHAT_B) },
    });
    if (!existing)
      await as(anna, tokenB).miniApp.save.mutate({ fields: { payerName: 'ООО «Василёк»' } });
    const request = await requestIn(CHAT_B);
    const before = await api.prisma.requestHistory.count({ where: { requestId: request.id } });
    await api.prisma.requestHistory.createMany({
      data: Array.from({ length: 30 }, (_, index) => ({
        requestId: request.id,
        actorKind: 'user',
        actorName: 'Иван Петров',
        field: 'comment',
        fromValue: `Уточнение ${index}`,
        toValue: `Уточнение ${index + 1}`,
      })),
    });
    const all = before + 30;
    const client = await open(ivan, { startParam: tokenB });
    const { page } = client;
    const entries = page.locator('[data-testid="history"] > li');
    await page.getByTestId('history-more').waitFor();
    // The view carries the latest 20, newest on top.
    expect(await entries.count()).toBe(20);
    expect(spaces(await entries.first().textContent())).toContain('Уточнение 30');
    await page.getByTestId('history-more').scrollIntoViewIfNeeded();
    await client.screenshot('history-latest');
    while ((await page.getByTestId('history-more').count()) > 0) {
      const shown = await entries.count();
      await page.getByTestId('history-more').click();
      // The next page is in when the list has grown.
      await entries.nth(shown).waitFor();
    }
    expect(await entries.count()).toBe(all);
    expect(spaces(await entries.last().textContent())).toContain('Заявка создана');
    await page.getByTestId('history-section').scrollIntoViewIfNeeded();
    await client.screenshot('history-all');
    await close(client);
  });
});
