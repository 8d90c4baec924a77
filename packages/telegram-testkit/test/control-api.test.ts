import { isValid } from '@tma.js/init-data-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TelegramTestServer,
  parseLaunchUrl,
  type Message,
  type Update,
  type User,
} from '../src/index';
import { api, control } from './helpers';

/** Everything here goes over HTTP only, as a test in another process or a demo would do it. */
describe('control API over HTTP', () => {
  let server: TelegramTestServer;
  let url: string;

  beforeEach(async () => {
    server = new TelegramTestServer();
    url = await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('builds a world, drives users and reads back what the bot did', async () => {
    const help = await control<{ routes: string[] }>(url, 'GET', '');
    expect(help.body.routes.length).toBeGreaterThan(20);

    const created = await control<{ bot: { token: string; id: number; username: string } }>(
      url,
      'POST',
      '/bots',
      { username: 'payreq_deal_bot' },
    );
    expect(created.status).toBe(201);
    const { token, id: botId } = created.body.bot;
    const alice = (
      await control<{ user: User }>(url, 'POST', '/users', {
        first_name: 'Alice',
        username: 'alice_b',
        language_code: 'ru',
      })
    ).body.user;
    const bob = (await control<{ user: User }>(url, 'POST', '/users', { first_name: 'Bob' })).body
      .user;
    expect(String(alice.id)).toMatch(/^\d{10}$/);

    const start = await control<{ message: Message }>(url, 'POST', `/users/${alice.id}/start`, {
      bot: 'payreq_deal_bot',
      payload: 'deal_7',
    });
    expect(start.body.message.text).toBe('/start deal_7');

    const group = (
      await control<{ chat: { id: number } }>(url, 'POST', '/groups', {
        by: alice.id,
        title: 'Deal 7',
        members: [bob.id],
      })
    ).body.chat;
    await control(url, 'POST', `/chats/${group.id}/bots`, { bot: token, by: alice.id });
    await control(url, 'POST', `/chats/${group.id}/messages`, { from: bob.id, text: '/status' });
    await control(url, 'POST', `/chats/${group.id}/documents`, {
      from: bob.id,
      fileName: 'act.pdf',
      base64: Buffer.from('%PDF act').toString('base64'),
    });
    await control(url, 'POST', `/chats/${group.id}/photos`, {
      from: bob.id,
      width: 800,
      height: 600,
      caption: 'receipt',
    });

    // the "bot" (plain HTTP) reads its updates and answers
    const updates = (await api<Update[]>(url, token, 'getUpdates')).body.result;
    expect(updates.map((u) => Object.keys(u).find((k) => k !== 'update_id'))).toEqual([
      'message',
      'my_chat_member',
      'message',
      'message',
    ]);
    await api(url, token, 'sendMessage', {
      chat_id: group.id,
      text: 'Status: *waiting*',
      parse_mode: 'MarkdownV2',
      reply_markup: { inline_keyboard: [[{ text: 'Refresh', callback_data: 'refresh' }]] },
    });
    const waited = await control<{
      messages: Array<{ text: string; messageId: number; replyMarkup: unknown }>;
    }>(url, 'GET', `/chats/${group.id}/bot-messages?waitMs=2000`);
    expect(waited.body.messages.map((m) => m.text)).toEqual(['Status: waiting']);

    const press = await control<{ callbackQueryId: string }>(
      url,
      'POST',
      `/chats/${group.id}/messages/${waited.body.messages[0]?.messageId}/press`,
      { from: bob.id, data: 'refresh' },
    );
    const callbackUpdate = (
      await api<Update[]>(url, token, 'getUpdates', {
        offset: (updates.at(-1)?.update_id ?? 0) + 1,
      })
    ).body.result[0];
    expect(callbackUpdate?.callback_query).toMatchObject({
      id: press.body.callbackQueryId,
      data: 'refresh',
      from: { id: bob.id },
    });
    expect(callbackUpdate?.callback_query?.chat_instance).toMatch(/^-?\d+$/);
    await api(url, token, 'answerCallbackQuery', {
      callback_query_id: press.body.callbackQueryId,
      text: 'Updated',
    });
    const answer = await control<{ answer: { text: string } }>(
      url,
      'GET',
      `/callback-answers/${press.body.callbackQueryId}?waitMs=1000`,
    );
    expect(answer.body.answer.text).toBe('Updated');

    const chat = await control<{ chat: { type: string }; members: Array<{ status: string }> }>(
      url,
      'GET',
      `/chats/${group.id}`,
    );
    expect(chat.body.members.map((m) => m.status)).toEqual(['creator', 'member', 'member']);

    const upgrade = await control<{ chat: { id: number } }>(
      url,
      'POST',
      `/chats/${group.id}/upgrade`,
      {},
    );
    expect(String(upgrade.body.chat.id)).toMatch(/^-100\d{10}$/);

    const calls = await control<{ calls: Array<{ method: string; ok: boolean }> }>(
      url,
      'GET',
      '/calls?method=sendMessage',
    );
    expect(calls.body.calls).toHaveLength(1);

    const privateLog = await control<{ messages: Message[] }>(
      url,
      'GET',
      `/chats/${alice.id}/messages?bot=${botId}`,
    );
    expect(privateLog.body.messages.map((m) => m.text)).toEqual(['/start deal_7']);
  });

  it('injects faults over HTTP', async () => {
    const { token } = (await control<{ bot: { token: string } }>(url, 'POST', '/bots', {})).body
      .bot;
    const fault = await control(url, 'POST', '/faults', {
      kind: 'rateLimit',
      method: 'getMe',
      retryAfter: 2,
      count: 2,
    });
    expect(fault.status).toBe(201);
    expect((await api(url, token, 'getMe')).status).toBe(429);
    expect((await api(url, token, 'getMe')).status).toBe(429);
    expect((await api(url, token, 'getMe')).status).toBe(200);

    await control(url, 'POST', '/faults', { kind: 'internalError' });
    const broken = await api(url, token, 'getMe');
    expect(broken).toEqual({
      status: 500,
      body: { ok: false, error_code: 500, description: 'Internal Server Error' },
    });

    await control(url, 'POST', '/faults', { kind: 'hang', method: 'getMe', ms: 300 });
    const started = Date.now();
    expect((await api(url, token, 'getMe')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const faults = await control<{ pending: unknown[]; fired: Array<{ kind: string }> }>(
      url,
      'GET',
      '/faults',
    );
    expect(faults.body.pending).toEqual([]);
    expect(faults.body.fired.map((f) => f.kind)).toEqual([
      'rateLimit',
      'rateLimit',
      'internalError',
      'hang',
    ]);
  });

  it('validates bodies with zod and reports unknown things', async () => {
    const invalid = await control<{ issues: unknown[] }>(url, 'POST', '/users', {
      last_name: 'no first name',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.ok).toBe(false);
    expect(invalid.body.issues.length).toBeGreaterThan(0);
    const badFault = await control(url, 'POST', '/faults', { kind: 'explode' });
    expect(badFault.status).toBe(400);
    const unknownUser = await control(url, 'POST', '/users/123/start', { bot: 'nobody_bot' });
    expect(unknownUser.status).toBe(404);
    const unknownRoute = await control(url, 'GET', '/nope');
    expect(unknownRoute.status).toBe(404);
  });

  it('returns signed Mini App launch URLs for a user + chat + start_param and for t.me links', async () => {
    const { token, username } = (
      await control<{ bot: { token: string; username: string } }>(url, 'POST', '/bots', {
        username: 'payreq_deal_bot',
      })
    ).body.bot;
    await control(url, 'POST', `/bots/${username}/mini-apps`, {
      shortName: 'deal',
      url: 'https://app.example.com/miniapp',
    });
    await control(url, 'POST', `/bots/${username}/mini-apps`, {
      url: 'https://app.example.com/main',
    });
    const alice = (
      await control<{ user: User }>(url, 'POST', '/users', {
        first_name: 'Alice',
        username: 'alice_b',
      })
    ).body.user;
    const group = (
      await control<{ chat: { id: number } }>(url, 'POST', '/groups', {
        by: alice.id,
        title: 'Deal 9',
      })
    ).body.chat;

    const launch = await control<{ url: string; initData: string }>(
      url,
      'POST',
      '/webapp/launch-url',
      {
        user: alice.id,
        bot: username,
        url: 'https://app.example.com/miniapp',
        chat: group.id,
        startParam: 'deal_9',
        platform: 'ios',
      },
    );
    expect(launch.status).toBe(200);
    expect(isValid(launch.body.initData, token)).toBe(true);
    const parsed = parseLaunchUrl(launch.body.url);
    expect(parsed).toMatchObject({
      initData: launch.body.initData,
      version: '8.0',
      platform: 'ios',
      startParam: 'deal_9',
    });
    const data = new URLSearchParams(launch.body.initData);
    expect(data.get('chat_type')).toBe('group');
    expect(data.get('start_param')).toBe('deal_9');
    expect(JSON.parse(data.get('user') ?? '{}')).toMatchObject({
      id: alice.id,
      first_name: 'Alice',
      username: 'alice_b',
    });

    const direct = await control<{ kind: string; launch: { url: string; initData: string } }>(
      url,
      'POST',
      `/users/${alice.id}/open-link`,
      {
        link: 'https://t.me/payreq_deal_bot/deal?startapp=tok_123',
      },
    );
    expect(direct.body.kind).toBe('miniapp');
    expect(
      direct.body.launch.url.startsWith(
        'https://app.example.com/miniapp?tgWebAppStartParam=tok_123#tgWebAppData=',
      ),
    ).toBe(true);
    expect(new URLSearchParams(direct.body.launch.initData).get('chat_type')).toBe('sender');

    const main = await control<{ launch: { url: string } }>(
      url,
      'POST',
      `/users/${alice.id}/open-link`,
      { link: 'https://t.me/payreq_deal_bot?startapp=x1' },
    );
    expect(
      main.body.launch.url.startsWith('https://app.example.com/main?tgWebAppStartParam=x1#'),
    ).toBe(true);

    const deepLink = await control<{ kind: string; message: Message }>(
      url,
      'POST',
      `/users/${alice.id}/open-link`,
      { link: 'https://t.me/payreq_deal_bot?start=ref_5' },
    );
    expect(deepLink.body).toMatchObject({ kind: 'start', message: { text: '/start ref_5' } });
  });
});
