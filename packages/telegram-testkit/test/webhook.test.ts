import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramTestServer, type BotInfo, type Update, type User } from '../src/index';
import { api, listen } from './helpers';

describe('webhook delivery', () => {
  let server: TelegramTestServer;
  let url: string;
  let bot: BotInfo;
  let alice: User;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    server = new TelegramTestServer({
      webhook: { retryDelayMs: 20, maxRetryDelayMs: 80, timeoutMs: 500 },
    });
    bot = server.createBot({ username: 'hook_bot' });
    alice = server.createUser({ first_name: 'Alice' });
    url = await server.start();
  });

  afterEach(async () => {
    await server.stop();
    while (closers.length > 0) await closers.pop()?.();
  });

  it('POSTs updates in order with the secret token header and retries on non-2xx', async () => {
    const seen: Array<{ secret: string | undefined; update: Update; answered: number }> = [];
    let failuresLeft = 2;
    const receiver = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const update = JSON.parse(body) as Update;
        const status = failuresLeft > 0 ? 500 : 200;
        if (failuresLeft > 0) failuresLeft -= 1;
        seen.push({
          secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined,
          update,
          answered: status,
        });
        res.writeHead(status).end();
      });
    });
    closers.push(receiver.close);

    const set = await api(url, bot.token, 'setWebhook', {
      url: `${receiver.url}/hook`,
      secret_token: 'S3cret_token-1',
    });
    expect(set.body).toEqual({ ok: true, result: true, description: 'Webhook was set' });

    server.startBot(alice.id, bot.token);
    server.sendText({ from: alice.id, chat: bot.id, text: 'one' });
    server.sendText({ from: alice.id, chat: bot.id, text: 'two' });
    await server.waitForUpdatesConsumed(bot.token);

    expect(seen.map((s) => [s.update.message?.text, s.answered])).toEqual([
      ['/start', 500],
      ['/start', 500],
      ['/start', 200],
      ['one', 200],
      ['two', 200],
    ]);
    expect(seen.every((s) => s.secret === 'S3cret_token-1')).toBe(true);
    const info = await api<Record<string, unknown>>(url, bot.token, 'getWebhookInfo');
    expect(info.body.result).toMatchObject({
      url: `${receiver.url}/hook`,
      has_custom_certificate: false,
      pending_update_count: 0,
      last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
    });
    expect(info.body.result.last_error_date).toBeTypeOf('number');

    const conflict = await api(url, bot.token, 'getUpdates');
    expect(conflict.status).toBe(409);
  });

  it('keeps updates pending while the webhook is down; deleteWebhook can drop them', async () => {
    const down = await listen((_req, res) => res.writeHead(503).end());
    closers.push(down.close);
    await api(url, bot.token, 'setWebhook', { url: down.url });
    server.startBot(alice.id, bot.token);
    server.sendText({ from: alice.id, chat: bot.id, text: 'queued' });
    await expect.poll(() => server.webhookDeliveries(bot.token).length).toBeGreaterThanOrEqual(2);
    const info = await api<{ pending_update_count: number; last_error_message: string }>(
      url,
      bot.token,
      'getWebhookInfo',
    );
    expect(info.body.result.pending_update_count).toBe(2);
    expect(info.body.result.last_error_message).toBe(
      'Wrong response from the webhook: 503 Service Unavailable',
    );

    const deleted = await api(url, bot.token, 'deleteWebhook', { drop_pending_updates: true });
    expect(deleted.body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
    expect((await api(url, bot.token, 'deleteWebhook')).body.description).toBe(
      'Webhook is already deleted',
    );
    const after = await api<Update[]>(url, bot.token, 'getUpdates');
    expect(after.body.result).toEqual([]);
  });

  it('validates setWebhook and reports unreachable webhooks', async () => {
    const bad = await api(url, bot.token, 'setWebhook', {
      url: 'https://example.com/hook',
      secret_token: 'bad token!',
    });
    expect(bad.body.description).toBe('Bad Request: secret token contains unallowed characters');
    const closed = await listen((_req, res) => res.end());
    await closed.close();
    await api(url, bot.token, 'setWebhook', { url: `${closed.url}/hook` });
    server.startBot(alice.id, bot.token);
    await expect
      .poll(
        async () =>
          (await api<{ last_error_message?: string }>(url, bot.token, 'getWebhookInfo')).body.result
            .last_error_message,
      )
      .toBe('Connection refused');
  });
});
