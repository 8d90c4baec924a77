import { expireOverdueRequests, sendDeadlineReminders } from '@payreq/api';
import type { TestApi } from '@payreq/api/testing';
import { TEST_BOT_TOKEN } from '@payreq/api/testing';
import { TelegramTestServer } from '@payreq/telegram-testkit';
import { completeForm } from '@payreq/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  answerConfirm,
  closeBrowser,
  signInThroughTelegram,
  spaces,
  startPortalWorld,
} from './portal-world';
import { screenshot } from './screenshots';

/**
 * The standard pipeline in the portal, in Chromium against the real api (real database) and the
 * Telegram test server's website login: a person registers their company and files a request on
 * the Mini App's form, agents of two tenants offer from the market, the client compares and
 * accepts one; a bank agent files one for the client company; a reminder comes before the
 * deadline and the request expires after it.
 */

const hours = (n: number) => n * 3600_000;

describe('the standard pipeline in the portal (Chromium, 1280 px)', () => {
  let api: TestApi;
  let tg: TelegramTestServer;
  let browser: Browser;
  const maria = { id: 5000000777, first_name: 'Мария', last_name: 'Котова' };
  const anna = { id: 7000000001, first_name: 'Анна', last_name: 'Смирнова' };
  const boris = { id: 7000000002, first_name: 'Борис', last_name: 'Орлов' };
  const vera = { id: 7000000009, first_name: 'Вера', last_name: 'Зайцева' };
  const petr = { id: 5000000778, first_name: 'Пётр', last_name: 'Котов' };
  const gleb = { id: 5000000779, first_name: 'Глеб', last_name: 'Лисин' };
  const pages: Page[] = [];
  let requestNumber = '';

  /** Signs in through the test server's login, starting from a page of the portal. */
  const signIn = (person: { first_name: string; last_name?: string }, start?: string) =>
    signInThroughTelegram(browser, pages, start ?? `${api.url}/portal/`, person);

  /** Fills the shared request form (the Mini App's fields, by their test ids). */
  const fillForm = async (page: Page) => {
    for (const [name, value] of Object.entries(completeForm)) {
      const field = page.getByTestId(`field-${name}`);
      if (name === 'direction') await field.selectOption(value);
      else await field.fill(value);
    }
  };

  const offer = async (page: Page, terms: Record<string, string>) => {
    for (const [name, value] of Object.entries(terms))
      await page.getByTestId(`field-offer-${name}`).fill(value);
    await page.getByTestId('send-offer').click();
    await page.getByTestId('notice-success').waitFor();
  };

  /** An agent opens the market and the request with that number. */
  const openFromMarket = async (page: Page, number: string) => {
    await page.getByTestId('nav-market').click();
    await page.getByTestId('market').waitFor();
    await page.getByTestId('standard-row').filter({ hasText: number }).click();
    await page.getByTestId('standard-request').waitFor();
  };

  beforeAll(async () => {
    tg = new TelegramTestServer();
    tg.createBot({ token: TEST_BOT_TOKEN, username: 'payreq_deal_bot' });
    const apiRoot = await tg.start();
    // Sessions long enough to outlive the test clock's jump past a deadline.
    ({ api, browser } = await startPortalWorld(apiRoot, { sessionTtlSeconds: 7 * 24 * 3600 }));
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    const agency = await api.prisma.tenant.create({ data: { name: 'Агентство «Восток»' } });
    await api.prisma.agent.createMany({
      data: [
        { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
        { name: 'Борис Орлов', tenantId: bank.id, telegramId: BigInt(boris.id) },
        { name: 'Вера Зайцева', tenantId: agency.id, telegramId: BigInt(vera.id) },
      ],
    });
    for (const person of [maria, petr, gleb, anna, boris, vera]) tg.createUser(person);
  }, 120_000);

  afterAll(async () => {
    await closeBrowser(browser, pages);
    await tg?.stop();
    await api?.close();
  });

  it('lets a client register a company and file a request; agents of two tenants offer; the client accepts one', async () => {
    // Before anything is filed the agency's agent has no requests, and her list says so (it
    // says "nothing found" only to a search or a filter).
    const agencyAgent = await signIn(vera);
    await agencyAgent.page.getByTestId('nothing-found').waitFor();
    expect(spaces(await agencyAgent.page.getByTestId('nothing-found').textContent())).toBe(
      'Заявок пока нет.',
    );
    const client = await signIn(maria);
    const page = client.page;
    expect(spaces(await page.getByTestId('who').textContent())).toBe(
      'Мария Котова · без организации',
    );
    await page.getByTestId('no-company').waitFor();

    // The company: a wrong INN is refused in words and writes nothing; then the right one.
    await page.getByTestId('nav-company').click();
    await page.getByTestId('field-company-name').fill('ООО «Вектор»');
    await page.getByTestId('field-company-taxId').fill('7707083894');
    await page.getByTestId('field-company-kpp').fill('773601001');
    await page.getByTestId('register').click();
    await page.getByTestId('error-company-taxId').waitFor();
    expect(spaces(await page.getByTestId('error-company-taxId').textContent())).toMatch(/ИНН/);
    expect(await api.prisma.tenant.count({ where: { taxId: { not: null } } })).toBe(0);
    await page.getByTestId('field-company-taxId').fill('7707083893');
    await page.getByTestId('register').click();
    await page.getByTestId('company-card').waitFor();
    await page.getByTestId('invite-create').click();
    const link = await page.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${api.url}/portal/join/[A-Za-z0-9_-]{43}$`));
    // A colleague opens the link before signing in: after Telegram's login it is still there,
    // and joins; it works once: a second person is told it was used.
    const colleague = await signIn(petr, link);
    await colleague.page.getByTestId('join-page').waitFor();
    expect(colleague.page.url()).toBe(link);
    await colleague.page.getByTestId('join').click();
    await colleague.page.getByTestId('joined').waitFor();
    await expect
      .poll(async () => spaces(await colleague.page.getByTestId('who').textContent()))
      .toBe('Пётр Котов · ООО «Вектор»');
    const late = await signIn(gleb);
    await late.page.goto(link);
    await late.page.getByTestId('join').click();
    await late.page.getByTestId('join-error').waitFor();
    expect(spaces(await late.page.getByTestId('join-error').textContent())).toMatch(
      /уже воспользовались/,
    );
    await expect
      .poll(async () => spaces(await page.getByTestId('who').textContent()))
      .toBe('Мария Котова · ООО «Вектор»');
    // Its name as it was registered, not in capitals.
    expect(await page.getByTestId('company-name').innerText()).toBe('ООО «Вектор»');
    await screenshot(page, 'company');

    // A new request on the shared form, saved as a draft, then sent to the market.
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('new-request').click();
    await page.getByTestId('new-request-page').waitFor();
    // The payer starts as the person's company.
    await expect.poll(() => page.getByTestId('field-payerName').inputValue()).toBe('ООО «Вектор»');
    expect(await page.getByTestId('field-payerTaxId').inputValue()).toBe('7707083893');
    await fillForm(page);
    await screenshot(page, 'new-request');
    await page.getByTestId('save-draft').click();
    await page.locator('[data-testid="standard-request"][data-status="DRAFT"]').waitFor();
    requestNumber = spaces(await page.getByTestId('request-number').textContent()).replace(
      /^\D+/,
      '№ ',
    );
    await page.getByTestId('submit').click();
    await page.locator('[data-status="COLLECTING_OFFERS"]').waitFor();
    const stored = await api.prisma.paymentRequest.findFirstOrThrow();
    expect(stored).toMatchObject({ source: 'PLATFORM_UI', status: 'COLLECTING_OFFERS' });

    // Борис (the bank) and Вера (another agency) offer from the market: only what pricing needs.
    const bankAgent = await signIn(boris);
    await openFromMarket(bankAgent.page, requestNumber);
    const market = spaces(await bankAgent.page.getByTestId('market-fields').textContent());
    expect(market).toMatch(/1\s?250\s?000,00/);
    // The country in words, as everywhere else, not its bare code.
    expect(market).toContain('Страна получателяКитай (CN)');
    expect(market).not.toMatch(/Ромашка|7707083893|6217000010012345678/);
    // Without its total nothing is sent, and the field says what is missing.
    await bankAgent.page.getByTestId('field-offer-rate').fill('12.85');
    await bankAgent.page.getByTestId('send-offer').click();
    expect(spaces(await bankAgent.page.getByTestId('error-offer-totalToPay').textContent())).toBe(
      'Заполните это поле',
    );
    expect(await bankAgent.page.getByTestId('error-offer-rate').count()).toBe(0);
    expect(await bankAgent.page.getByTestId('error-offer-fixedFee').count()).toBe(0);
    expect(await api.prisma.offer.count()).toBe(0);
    await offer(bankAgent.page, {
      rate: '12.85',
      feePercent: '0.5',
      fixedFee: '1500',
      totalToPay: '16100000.00',
      settlementDays: '2',
    });
    await agencyAgent.page.getByTestId('nav-market').click();
    await agencyAgent.page.getByTestId('standard-row').first().waitFor();
    // The market withholds the client, and says so as the deals list does.
    expect(
      spaces(await agencyAgent.page.getByTestId('standard-row').first().textContent()),
    ).toContain('Клиент не раскрывается');
    await screenshot(agencyAgent.page, 'market');
    await openFromMarket(agencyAgent.page, requestNumber);
    // No percentage fee typed: none.
    await offer(agencyAgent.page, {
      rate: '12.80',
      fixedFee: '1000',
      totalToPay: '16060000.00',
      settlementDays: '3',
    });
    expect(
      (
        await api.prisma.offer.findFirstOrThrow({ where: { totalToPay: '16060000' } })
      ).feePercent.toString(),
    ).toBe('0');
    // Revised before the deadline: still one offer of hers.
    await offer(agencyAgent.page, { totalToPay: '16040000.00' });
    await screenshot(agencyAgent.page, 'offer');
    expect(await api.prisma.offer.count({ where: { status: 'PENDING' } })).toBe(2);

    // The client compares them side by side and accepts the agency's.
    await page.reload();
    const rows = page.getByTestId('offer-row');
    await expect.poll(() => rows.count()).toBe(2);
    const table = spaces(await page.getByTestId('offer-table').textContent());
    expect(table).toMatch(/Банк/);
    expect(table).toMatch(/Агентство «Восток»/);
    expect(table).toMatch(/16\s?040\s?000,00/);
    await screenshot(page, 'offers');
    await rows.filter({ hasText: 'Агентство «Восток»' }).getByTestId('accept-offer').click();
    // Accepting asks first; the question names whose offer it is: the agent and the agency.
    const acceptQuestion = /^Принять предложение — \S.*, Агентство «Восток»\?$/;
    const asked = page.getByRole('alertdialog', { name: acceptQuestion });
    await asked.waitFor();
    expect(spaces(await asked.textContent())).toContain(
      'Остальные будут отклонены, поля заявки станут только для чтения.',
    );
    await screenshot(page, 'confirm-accept', { fullPage: false });
    await answerConfirm(page, acceptQuestion, 'Принять');
    await page.locator('[data-status="OFFER_ACCEPTED"]').waitFor();
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByTestId('field-amount').getAttribute('readonly')).not.toBeNull();
    await expect.poll(() => page.getByTestId('offer-status-REJECTED').count()).toBe(1);
    await screenshot(page, 'accepted');

    // The other agent sees theirs rejected; the chosen one accepted.
    await bankAgent.page.reload();
    await bankAgent.page.getByTestId('offer-status-REJECTED').waitFor();
    // In his list the request names the winner as its agent, and its client as withheld from him.
    await bankAgent.page.getByTestId('nav-requests').click();
    const listed = bankAgent.page.getByTestId('request-row').filter({ hasText: requestNumber });
    await listed.waitFor();
    expect(spaces(await listed.textContent())).toMatch(/Клиент не раскрывается.*Вера Зайцева/);
    await agencyAgent.page.reload();
    await agencyAgent.page.getByTestId('offer-status-ACCEPTED').waitFor();
    // English by choice.
    await agencyAgent.page.getByTestId('language').click();
    await expect
      .poll(async () => spaces(await agencyAgent.page.getByTestId('nav-market').textContent()))
      .toBe('Request market');
    for (const person of [client, colleague, late, bankAgent, agencyAgent])
      expect(person.errors).toEqual([]);
  });

  it('lets a bank agent file a request for a client company; the company sees it; it is cancelled', async () => {
    const { page, errors } = await signIn(anna);
    await page.getByTestId('nav-market').click();
    await page.getByTestId('new-request').click();
    await page.getByTestId('company-search').fill('7707');
    await page.getByTestId('company-choice').filter({ hasText: 'ООО «Вектор»' }).click();
    // Filed for a company: its name and INN start the payer.
    expect(await page.getByTestId('field-payerName').inputValue()).toBe('ООО «Вектор»');
    expect(await page.getByTestId('field-payerTaxId').inputValue()).toBe('7707083893');
    await fillForm(page);
    await page.getByTestId('save-draft').click();
    await page.locator('[data-status="DRAFT"]').waitFor();
    expect(spaces(await page.getByTestId('standard-request').textContent())).toMatch(
      /ООО «Вектор»/,
    );
    await page.getByTestId('submit').click();
    await page.locator('[data-status="COLLECTING_OFFERS"]').waitFor();
    const filed = await api.prisma.paymentRequest.findFirstOrThrow({
      where: { filedByAgentId: { not: null } },
    });
    expect(filed).toMatchObject({ source: 'PLATFORM_UI', telegramChatId: null, agentId: null });
    // The client company sees it among its requests.
    const client = await signIn(maria);
    await expect.poll(() => client.page.getByTestId('standard-row').count()).toBe(2);
    // On a 390 px phone its list is cards too: no sideways scrolling of the page.
    await client.page.setViewportSize({ width: 390, height: 844 });
    expect(
      await client.page.evaluate<number>('document.documentElement.scrollWidth'),
    ).toBeLessThanOrEqual(390);
    // The agent who filed it may cancel it, asked first: «Назад» leaves it open for offers;
    // confirmed, it stays, cancelled.
    const cancelQuestion = 'Отменить заявку? Это действие нельзя отменить.';
    await page.getByTestId('cancel-request').click();
    await answerConfirm(page, cancelQuestion, 'Назад');
    await page.waitForLoadState('networkidle');
    expect(
      (await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: filed.id } })).status,
    ).toBe('COLLECTING_OFFERS');
    expect(await page.locator('[data-status="COLLECTING_OFFERS"]').count()).toBe(1);
    await page.getByTestId('cancel-request').click();
    await answerConfirm(page, cancelQuestion, 'Отменить заявку');
    await page.locator('[data-status="CANCELLED"]').waitFor();
    expect(
      (await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: filed.id } })).status,
    ).toBe('CANCELLED');
    // The bank's list of requests opens it on its standard page, not the deal rooms' one.
    await page.goto(`${api.url}/portal/`);
    await page
      .locator(`[data-testid="request-row"] a[href="/portal/standard/${filed.id}"]`)
      .click();
    await page.locator('[data-status="CANCELLED"]').waitFor();
    expect(page.url()).toContain(`/portal/standard/${filed.id}`);
    expect(errors).toEqual([]);
  });

  it('reminds the client before the deadline and expires the request after it', async () => {
    const { page, errors } = await signIn(maria);
    await page.getByTestId('new-request').click();
    await fillForm(page);
    await page.getByTestId('save-draft').click();
    await page.locator('[data-status="DRAFT"]').waitFor();
    await page.getByTestId('submit').click();
    await page.locator('[data-status="COLLECTING_OFFERS"]').waitFor();
    const url = page.url();

    // A day before the deadline (48 hours ahead): the reminder, in the portal.
    api.clock.advance(hours(25));
    expect(await sendDeadlineReminders(api.prisma, api.clock.now())).toBeGreaterThan(0);
    await page.reload();
    await page.getByTestId('unread').waitFor();
    await page.getByTestId('nav-notifications').click();
    const notice = page.getByTestId('notification').first();
    await notice.waitFor();
    expect(spaces(await notice.textContent())).toMatch(/№ \d{6}/);
    await screenshot(page, 'notifications');
    await expect.poll(() => page.getByTestId('unread').count()).toBe(0);

    // Past the deadline with no accepted offer: the job expires it; the page says so.
    api.clock.advance(hours(24));
    expect((await expireOverdueRequests(api.prisma, api.clock.now())).length).toBeGreaterThan(0);
    await page.goto(url);
    await page.locator('[data-status="EXPIRED"]').waitFor();
    expect(spaces(await page.getByTestId('standard-request').textContent())).toMatch(/Истёк срок/);
    api.clock.reset();
    expect(errors).toEqual([]);
  });
});
