import type { TestApi } from '@payreq/api/testing';
import { startTestApi } from '@payreq/api/testing';
import { seedIntegration, startEmulator, startOnecWorker, until } from '@payreq/api/testing/onec';
import { botClient, miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import { completeForm, internalsIn } from '@payreq/testing';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { distDir } from './global-setup';
import type { MiniAppSession, TelegramUser } from './telegram-client';
import { launchChromium, openMiniApp } from './telegram-client';

/**
 * What 1C says back about a request, as the Mini App shows it: an offer 1C computed on fields
 * the client has changed since is refused, and the agent reads why in the history; a status 1C
 * posts with a comment shows the comment there. The real api on a real database serves the
 * built app, the 1C emulator calls its REST shim as 1C does, the api's outbox worker carries
 * the platform's side to the emulator, and Chromium opens the app as Telegram would.
 */

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const anna: TelegramUser = {
  id: 7100000001,
  first_name: 'Анна',
  last_name: 'Смирнова',
  language_code: 'ru',
};
const ivan: TelegramUser = {
  id: 5100000001,
  first_name: 'Иван',
  last_name: 'Петров',
  language_code: 'ru',
};
const CHAT = -1001100000001;

const terms = { rate: '12.85', feePercent: '1.5', fixedFee: '50.00', settlementDays: 3 };
const staleOfferNote =
  '1С прислал расчёт по прежним данным заявки — он не принят. 1С получит изменения и пришлёт новый расчёт';
const statusComment = 'Валютный контроль пройден, платёж передан в обработку';

const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** The history entries as the user reads them, newest first: the words, then who and when. */
async function historyLines(history: Locator): Promise<{ text: string; meta: string }[]> {
  const lines: { text: string; meta: string }[] = [];
  for (const item of await history.locator('> li').all()) {
    lines.push({
      text: spaces(await item.locator('.history-text').textContent()),
      meta: spaces(await item.locator('.list-meta').textContent()),
    });
  }
  return lines;
}

// "1С · 03.12.2026, 11:08": 1C as people name it, and a time in the user's locale.
const byOnec = /^1С · \d{2}\.\d{2}\.\d{4},? \d{2}:\d{2}$/;

describe('1C’s notes in the Mini App (Chromium, 360 px, the 1C emulator)', () => {
  let api: TestApi;
  let browser: Browser;
  let emulator: Emulator;
  let worker: ReturnType<typeof startOnecWorker>;
  let launchToken: string;
  const sessions: MiniAppSession[] = [];

  const open = async (user: TelegramUser) => {
    const session = await openMiniApp(browser, { baseUrl: api.url, user, startParam: launchToken });
    sessions.push(session);
    return session;
  };
  const close = async (session: MiniAppSession) => {
    sessions.splice(sessions.indexOf(session), 1);
    await session.close();
  };
  const request = () =>
    api.prisma.paymentRequest.findUniqueOrThrow({ where: { telegramChatId: BigInt(CHAT) } });

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startTestApi('pglite', { webappDistDir: distDir }),
      launchChromium(),
    ]);
    await seedIntegration(api.prisma);
    emulator = await startEmulator(api);
    // The outbox keeps trying while 1C is down, however long the loaded machine takes.
    worker = startOnecWorker(api, emulator, { maxAttempts: 100_000 });
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await api.prisma.agent.create({
      data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
    });
    const bot = botClient(api.url);
    const registered = await bot.bot.registerChat.mutate({
      chat: { id: CHAT, type: 'supergroup', title: 'Сделка: Ромашка' },
      addedBy: { telegramId: anna.id, name: 'Анна Смирнова' },
      botIsAdmin: true,
    });
    if (!registered.registered) throw new Error('the api refused to register the chat');
    await bot.bot.membership.mutate({
      chatId: CHAT,
      joined: [{ telegramId: ivan.id, name: 'Иван Петров' }],
    });
    launchToken = registered.launchToken;
    // The client has filled the whole form; the agent confirms it in the tests below.
    await miniAppClient(api.url, tma(signLaunch(ivan, launchToken))).miniApp.save.mutate({
      fields: completeForm,
    });
  });

  afterAll(async () => {
    for (const session of sessions) await session.context.close().catch(() => undefined);
    await worker?.stop();
    emulator?.setFault({ mode: 'off' });
    await emulator?.operator.idle();
    await emulator?.stop();
    await browser?.close();
    await api?.close();
  });

  it('an offer 1C computed before the client’s edit is refused, the agent reads why; then 1C’s status comment shows', async () => {
    // The agent confirms the request: it goes to 1C, and 1C answers with its link.
    const agent = await open(anna);
    await agent.page.getByTestId('status-badge').waitFor();
    await agent.pressMainButton('Подтвердить заявку');
    await agent.page
      .getByTestId('status-badge')
      .filter({ hasText: 'Новая in-house заявка' })
      .waitFor();
    const submitted = await request();
    const copy = () => emulator.store.findRequestByPlatformId(submitted.id);
    await until(async () => copy(), '1C to hold the request', 30_000);
    await agent.page.getByTestId('onec-link').waitFor({ timeout: 30_000 });

    // 1C is unreachable for a while; meanwhile the client changes the amount in the Mini App.
    const client = await open(ivan);
    await client.page.getByTestId('status-badge').waitFor();
    await client.page.getByTestId('field-amount').fill('1 300 000,00');
    emulator.setFault({ mode: 'down' });
    await client.pressMainButton('Сохранить');
    await client.page.getByTestId('notice-success').waitFor();
    const edited = await request();
    expect(edited.version).toBe(submitted.version + 1);
    expect(edited.amount?.toFixed(2)).toBe('1300000.00');

    // 1C's operator computes terms on the amount 1C still holds: refused as stale, nothing taken.
    expect(copy()!.fields.amount).toBe('1250000.00');
    const stale = await emulator.operator.sendOffer(submitted.id, terms);
    expect(stale.delivery).toMatchObject({ state: 'FAILED', lastStatus: 409 });
    expect(stale.delivery.response).toMatchObject({
      error: { code: 'STALE_VERSION', currentVersion: edited.version },
    });
    expect(await api.prisma.offer.count()).toBe(0);
    // 1C is back (before the outbox gives up on the edit): it will hear of the edit.
    emulator.setFault({ mode: 'off' });

    // The agent's open Mini App refreshes on its own and says why, in words, in the history.
    const history = agent.page.getByTestId('history');
    await history.locator('> li').filter({ hasText: staleOfferNote }).waitFor({ timeout: 60_000 });
    const afterStale = await historyLines(history);
    expect(afterStale[0]!.text).toBe(staleOfferNote);
    expect(afterStale[0]!.meta).toMatch(byOnec);
    expect(afterStale.map((line) => line.text)).toContain('Сумма: 1 250 000,00 → 1 300 000,00');
    expect(spaces(await agent.page.getByTestId('status-badge').textContent())).toBe(
      'Новая in-house заявка',
    );

    // The edit reaches 1C, its terms on the current data are taken, and its status post
    // carries a comment for the deal room.
    await until(async () => copy()!.fields.amount === '1300000.00', 'the edit to reach 1C', 30_000);
    expect((await emulator.operator.sendOffer(submitted.id, terms)).delivery.state).toBe(
      'DELIVERED',
    );
    const started = await emulator.operator.setStatus(submitted.id, 'IN_PROGRESS', statusComment);
    expect(started.delivery.state).toBe('DELIVERED');
    expect((await request()).status).toBe('IN_PROGRESS');

    const statusLine = `Статус: «Предложение принято» → «В работе». Комментарий: ${statusComment}`;
    await history.locator('> li').filter({ hasText: statusComment }).waitFor({ timeout: 60_000 });
    const lines = await historyLines(history);
    const texts = lines.map((line) => line.text);
    expect(lines[0]).toEqual({ text: statusLine, meta: expect.stringMatching(byOnec) });
    expect(texts.filter((text) => text === staleOfferNote)).toHaveLength(1);
    expect(texts.indexOf(staleOfferNote)).toBeGreaterThan(0);
    expect(spaces(await agent.page.getByTestId('status-badge').textContent())).toBe('В работе');
    // No id, JSON, code or status code name anywhere the user reads.
    const screenText = await agent.page.locator('body').innerText();
    expect(internalsIn(texts.join('\n'))).toEqual([]);
    for (const internal of ['STALE_VERSION', 'onecStaleRefused', 'version', submitted.id])
      expect(screenText).not.toContain(internal);
    expect(screenText).not.toMatch(/\b409\b/);
    await agent.page.getByTestId('history-section').scrollIntoViewIfNeeded();
    await agent.screenshot('onec-notes');

    // The client reads the same entries (reopened, as after switching back to the chat).
    await client.reopen();
    const clientHistory = client.page.getByTestId('history');
    await clientHistory.locator('> li').filter({ hasText: statusComment }).waitFor();
    const clientTexts = (await historyLines(clientHistory)).map((line) => line.text);
    expect(clientTexts[0]).toBe(statusLine);
    expect(clientTexts).toContain(staleOfferNote);
    // The accepted terms fix the fields: the amount reads as people write it, with no preview.
    const amount = client.page.getByTestId('field-amount');
    expect(await amount.getAttribute('readonly')).not.toBeNull();
    expect(spaces(await amount.inputValue())).toBe('1 300 000,00');
    expect(await client.page.getByText('Будет:').count()).toBe(0);
    await close(client);
    await close(agent);
  }, 240_000);
});
