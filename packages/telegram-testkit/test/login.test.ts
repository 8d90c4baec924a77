import { createHash, createHmac } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TelegramTestServer } from '../src/index';

/** Telegram's website login as a site checks it, written out here independently of the server. */
function telegramSignatureHolds(query: URLSearchParams, botToken: string): boolean {
  const dataCheckString = [...query.keys()]
    .filter((key) => key !== 'hash')
    .sort()
    .map((key) => `${key}=${query.get(key)}`)
    .join('\n');
  const key = createHash('sha256').update(botToken).digest();
  return createHmac('sha256', key).update(dataCheckString).digest('hex') === query.get('hash');
}

describe('the website login page (oauth.telegram.org/auth)', () => {
  let server: TelegramTestServer;
  let url: string;
  const TOKEN = '1000000007:login-page-test-token';
  const site = 'http://127.0.0.1:3999';

  beforeEach(async () => {
    server = new TelegramTestServer();
    server.createBot({ token: TOKEN, username: 'payreq_deal_bot', first_name: 'PayReq' });
    url = await server.start();
  });
  afterEach(() => server.stop());

  const authUrl = (returnTo = `${site}/portal/auth/telegram`, botId = '1000000007') =>
    `${url}/auth?${new URLSearchParams({ bot_id: botId, origin: site, return_to: returnTo, request_access: 'write' })}`;

  it('lists the people of the world and redirects with a login signed by the bot token', async () => {
    const anna = server.createUser({ first_name: 'Анна', last_name: 'Петрова', username: 'anna' });
    server.createUser({ first_name: 'Иван' });
    const page = await fetch(authUrl());
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Анна Петрова');
    expect(html).toContain('Иван');
    expect(html).toContain('127.0.0.1:3999');

    const before = Math.floor(Date.now() / 1000);
    const confirmed = await fetch(authUrl(), {
      method: 'POST',
      body: new URLSearchParams({ user_id: String(anna.id) }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(confirmed.status).toBe(302);
    const location = new URL(confirmed.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${site}/portal/auth/telegram`);
    expect(location.searchParams.get('id')).toBe(String(anna.id));
    expect(location.searchParams.get('first_name')).toBe('Анна');
    expect(location.searchParams.get('last_name')).toBe('Петрова');
    expect(location.searchParams.get('username')).toBe('anna');
    expect(Number(location.searchParams.get('auth_date'))).toBeGreaterThanOrEqual(before);
    expect(telegramSignatureHolds(location.searchParams, TOKEN)).toBe(true);
    expect(telegramSignatureHolds(location.searchParams, '1000000007:another-token')).toBe(false);
  });

  it('refuses an unknown bot, a return address on another site and an unknown person', async () => {
    const unknownBot = await fetch(authUrl(undefined, '42'));
    expect([unknownBot.status, await unknownBot.text()]).toEqual([400, 'Bot invalid']);
    const elsewhere = await fetch(authUrl('https://evil.example/steal'));
    expect([elsewhere.status, await elsewhere.text()]).toEqual([400, 'Bot domain invalid']);
    const nobody = await fetch(authUrl(), {
      method: 'POST',
      body: 'user_id=999999',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(nobody.status).toBe(400);
  });
});
