import { completeForm } from '@payreq/testing';
import type { Browser, Page } from 'playwright-core';

import type { Person } from '../people';
import { fullName } from '../people';
import type { TelegramControl } from '../telegram-control';
import { spaces } from './miniapp';
import type { Narrator } from './narrator';
import { t } from './narrator';

/** What the standard-pipeline part did, for the checks made after the demo. */
export interface StandardResult {
  displayNumber: string;
  companyName: string;
}

/**
 * The standard pipeline in the portal, briefly: the client signs in with Telegram as a person,
 * registers the company and files a request on the Mini App's form, sends it to the market; a
 * bank agent offers from the market; the client compares and accepts it.
 */
export async function playStandardPipeline(env: {
  browser: Browser;
  control: TelegramControl;
  portalUrl: string;
  narrator: Narrator;
  client: Person;
  agent: Person;
}): Promise<StandardResult> {
  const { browser, narrator } = env;
  const known = new Set((await env.control.users()).map((user) => user.id));
  for (const person of [env.client, env.agent])
    if (!known.has(person.id)) await env.control.createUser(person);
  const contexts: Awaited<ReturnType<Browser['newContext']>>[] = [];
  const signIn = async (person: Person): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${env.portalUrl}/portal/`);
    await page.getByTestId('sign-in-telegram').click();
    await page.getByRole('button', { name: fullName(person) }).click();
    await page.getByTestId('who').waitFor();
    return page;
  };
  try {
    const client = await signIn(env.client);
    const companyName = 'ООО «Ромашка»';
    await client.getByTestId('nav-company').click();
    await client.getByTestId('field-company-name').fill(companyName);
    await client.getByTestId('field-company-taxId').fill(completeForm.payerTaxId);
    await client.getByTestId('field-company-kpp').fill('773601001');
    await client.getByTestId('register').click();
    await client.getByTestId('company-card').waitFor();
    narrator.ok(
      t(
        `портал: ${spaces(await client.getByTestId('who').textContent())} — организация зарегистрирована`,
        `portal: ${spaces(await client.getByTestId('who').textContent())} — the company is registered`,
      ),
    );
    await client.getByTestId('nav-requests').click();
    await client.getByTestId('new-request').click();
    for (const [name, value] of Object.entries(completeForm)) {
      const field = client.getByTestId(`field-${name}`);
      if (name === 'direction') await field.selectOption(value);
      else await field.fill(value);
    }
    await client.getByTestId('save-draft').click();
    await client.locator('[data-status="DRAFT"]').waitFor();
    await client.getByTestId('submit').click();
    await client.locator('[data-status="COLLECTING_OFFERS"]').waitFor();
    const displayNumber = spaces(await client.getByTestId('request-number').textContent()).replace(
      /^\D+/,
      '№ ',
    );
    narrator.ok(
      t(
        `портал: заявка ${displayNumber} — на рынке, предложения до срока`,
        `portal: request ${displayNumber} is on the market, offers until its deadline`,
      ),
    );

    const agent = await signIn(env.agent);
    await agent.getByTestId('nav-market').click();
    await agent.getByTestId('standard-row').filter({ hasText: displayNumber }).click();
    const terms = { rate: '12.85', feePercent: '0.5', fixedFee: '1500', totalToPay: '16100000.00' };
    for (const [name, value] of Object.entries({ ...terms, settlementDays: '2' }))
      await agent.getByTestId(`field-offer-${name}`).fill(value);
    await agent.getByTestId('send-offer').click();
    await agent.getByTestId('notice-success').waitFor();
    narrator.ok(
      t(
        `портал: ${fullName(env.agent)} предлагает с рынка — итого 16 100 000,00 RUB`,
        `portal: ${fullName(env.agent)} offers from the market — 16,100,000.00 RUB in total`,
      ),
    );

    await client.reload();
    await client.getByTestId('accept-offer').first().click();
    // The portal asks first, in its own dialog.
    await client.getByTestId('confirm-dialog').getByTestId('confirm-yes').click();
    await client.locator('[data-status="OFFER_ACCEPTED"]').waitFor();
    await client.getByTestId('read-only').waitFor();
    await agent.reload();
    await agent.getByTestId('offer-status-ACCEPTED').waitFor();
    narrator.ok(
      t(
        `портал: клиент принял предложение; поля заявки ${displayNumber} — только для чтения`,
        `portal: the client accepted the offer; the fields of ${displayNumber} are read-only`,
      ),
    );
    return { displayNumber, companyName };
  } finally {
    for (const context of contexts) await context.close();
  }
}
