import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

import { miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { TelegramUser } from '@payreq/api/testing/telegram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TEST_BOT_SERVICE_TOKEN } from '@payreq/api/testing';

import { PlatformApi } from '../src/api';
import { createBot } from '../src/bot';
import { createLogger } from '../src/logger';
import { BotOps } from '../src/ops';
import { loadConfig } from '../src/env';
import { completeForm, metricSample, readMetrics } from '@payreq/testing';
import type { Stack } from './stack';
import { eventually, freePort, startStack } from './stack';

/**
 * The bot's ops endpoints over real HTTP: /healthz and /metrics on the ops listener (polling
 * mode, OPS_PORT=0) and on the webhook server, with the bot between the Telegram test server
 * and the real api.
 */

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };

let stack: Stack;
let ops: string;

interface Health {
  status: string;
  service: string;
  mode: string;
  state: string;
  receiving: boolean;
  delivery: { state: string; lastRoundAt: string | null };
  telegram: { lastOkAt: string | null; failingSince: string | null; lastError: string | null };
  api: { lastOkAt: string | null; failingSince: string | null; lastError: string | null };
  problems: string[];
}

async function health(base = ops): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${base}/healthz`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as Health };
}

/** A deal room opened by Anna (whitelisted) with Ivan; returns the chat and its launch token. */
async function openDealRoom(title: string) {
  const { tg, token } = stack;
  const group = tg.createGroup({ by: anna.id, title, members: [ivan.id] });
  tg.addBot(group.id, token, { by: anna.id, asAdmin: true });
  const welcome = await tg.waitForBotMessage(group.id, {
    bot: token,
    predicate: (r) => JSON.stringify(r.replyMarkup ?? {}).includes('startapp='),
  });
  const markup = welcome.replyMarkup as { inline_keyboard: Array<Array<{ url?: string }>> };
  const url = new URL(markup.inline_keyboard.flat().find((b) => b.url)!.url!);
  await stack.mirrored();
  return { chatId: group.id, launchToken: url.searchParams.get('startapp')! };
}

/** A bot in webhook mode on `port` of 127.0.0.1, with the stack's settings and `extra`. */
const webhookBot = (port: number, extra: Record<string, string>) =>
  createBot(
    loadConfig(
      stack.botEnv({
        BOT_MODE: 'webhook',
        WEBHOOK_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...extra,
      }),
    ),
  );

beforeAll(async () => {
  stack = await startStack({ botEnv: { OPS_PORT: '0', HEALTH_STALE_MS: '1000' } });
  const { tg, api } = stack;
  for (const user of [anna, ivan]) tg.createUser({ id: user.id, first_name: user.first_name });
  const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
  await api.prisma.agent.create({
    data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
  });
  expect(stack.app.opsPort).toBeGreaterThan(0);
  ops = `http://127.0.0.1:${stack.app.opsPort}`;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('polling mode: the ops listener (OPS_PORT)', () => {
  it('/healthz: 200 with the loop running and the last word from Telegram and the api', async () => {
    const started = Date.now();
    // The delivery loop asks the api every 100 ms; the first getUpdates answered at start.
    const { status, body } = await eventually(async () => {
      const answer = await health();
      return answer.body.api.lastOkAt && answer.body.delivery.lastRoundAt ? answer : undefined;
    }, 'the api heard from, a delivery round done');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      service: 'payreq-bot',
      mode: 'polling',
      state: 'running',
      receiving: true,
      delivery: { state: 'running' },
      telegram: { failingSince: null, lastError: null },
      api: { failingSince: null, lastError: null },
      problems: [],
    });
    expect(Date.parse(body.telegram.lastOkAt!)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(body.api.lastOkAt!)).toBeGreaterThan(started - 60_000);
    expect(body.delivery.lastRoundAt).not.toBeNull();

    expect((await fetch(`${ops}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${ops}/healthz`, { method: 'POST' })).status).toBe(404);
  });

  it('/metrics: process metrics and the bot’s counters, labelled service="payreq-bot"', async () => {
    const text = await readMetrics(ops);
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'payreq_bot_updates_received_total',
      'payreq_bot_messages_mirrored_total',
      'payreq_bot_mirroring_failures_total',
      'payreq_bot_deliveries_sent_total',
      'payreq_bot_deliveries_failed_total',
      'payreq_bot_dependency_errors_total',
    ])
      expect(text, name).toContain(`# TYPE ${name} `);
    expect(
      metricSample(text, 'process_cpu_user_seconds_total', { service: 'payreq-bot' }),
    ).toBeGreaterThan(0);
    expect(metricSample(text, 'payreq_bot_up', { service: 'payreq-bot' })).toBe(1);
    expect(
      metricSample(text, 'payreq_bot_last_contact_timestamp_seconds', { dependency: 'api' }),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('a mirrored message, an edit and a delivery move the counters', async () => {
    const { tg, token, api } = stack;
    const before = await readMetrics(ops);
    const chat = await openDealRoom('Сделка Метрика');
    const message = tg.sendText({ from: ivan.id, chat: chat.chatId, text: 'Посчитайте меня' });
    tg.editText({
      from: ivan.id,
      chat: chat.chatId,
      messageId: message.message_id,
      text: 'Посчитайте меня, пожалуйста',
    });
    await eventually(
      async () =>
        (await api.prisma.chatMessage.findFirst({
          where: {
            chatId: BigInt(chat.chatId),
            messageId: message.message_id,
            editDate: { not: null },
          },
        })) ?? undefined,
      'the message and its edit mirrored',
    );
    // The bot counts a message once the api has answered it (a moment after the row is there).
    const mirrored = (text: string, edit: string) =>
      metricSample(text, 'payreq_bot_messages_mirrored_total', { kind: 'text', edit }) -
      metricSample(before, 'payreq_bot_messages_mirrored_total', { kind: 'text', edit });
    const afterMessage = await eventually(async () => {
      const text = await readMetrics(ops);
      return mirrored(text, 'false') >= 1 && mirrored(text, 'true') >= 1 ? text : undefined;
    }, 'the mirrored message and edit counted');
    const moved = (name: string, labels: Record<string, string>) =>
      metricSample(afterMessage, name, labels) - metricSample(before, name, labels);
    expect(moved('payreq_bot_messages_mirrored_total', { kind: 'text', edit: 'false' })).toBe(1);
    expect(moved('payreq_bot_messages_mirrored_total', { kind: 'text', edit: 'true' })).toBe(1);
    expect(moved('payreq_bot_updates_received_total', { type: 'message' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(moved('payreq_bot_updates_received_total', { type: 'edited_message' })).toBe(1);
    expect(moved('payreq_bot_updates_received_total', { type: 'my_chat_member' })).toBe(1);
    expect(moved('payreq_bot_mirroring_failures_total', { reason: 'rejected' })).toBe(0);

    // The agent submits the request: the status change is posted by the delivery loop.
    const agent = miniAppClient(api.url, tma(signLaunch(anna, chat.launchToken)));
    const draft = await agent.miniApp.save.mutate({ fields: completeForm });
    await agent.miniApp.setStatus.mutate({ status: 'COLLECTING_OFFERS', version: draft.version });
    await tg.waitForBotMessage(chat.chatId, {
      bot: token,
      predicate: (r) => r.text?.includes('Новая in-house заявка') === true,
    });
    // An outbox message the bot cannot deliver (its document is gone) is parked as dead, and
    // counted as failed.
    await api.prisma.outboxMessage.create({
      data: {
        target: 'TELEGRAM',
        kind: 'telegram.document',
        aggregateKey: `chat:${chat.chatId}`,
        payload: {
          requestId: draft.id,
          chatId: chat.chatId,
          documentId: '00000000-0000-4000-8000-0000000000dd',
        },
      },
    });
    const afterDelivery = await eventually(async () => {
      const text = await readMetrics(ops);
      return metricSample(text, 'payreq_bot_deliveries_failed_total', {
        kind: 'telegram.document',
        outcome: 'dead',
      }) -
        metricSample(before, 'payreq_bot_deliveries_failed_total', {
          kind: 'telegram.document',
          outcome: 'dead',
        }) ===
        1
        ? text
        : undefined;
    }, 'the dead delivery counted');
    expect(
      metricSample(afterDelivery, 'payreq_bot_deliveries_sent_total', {
        kind: 'telegram.statusChanged',
      }) -
        metricSample(before, 'payreq_bot_deliveries_sent_total', {
          kind: 'telegram.statusChanged',
        }),
    ).toBe(1);
  });

  /** The first /healthz answer with `status`, within 10 s. */
  const healthOnce = (status: number, what: string) =>
    eventually(
      async () => {
        const answer = await health();
        return answer.status === status ? answer : undefined;
      },
      what,
      10_000,
    );

  it('/healthz turns 503 while the api is failing, and 200 again when it is back', async () => {
    const { proxy } = stack;
    proxy.down = true; // the api answers 503 to everything, as when restarting
    try {
      const down = await healthOnce(503, '/healthz to say the api is failing');
      expect(down.body.status).toBe('unhealthy');
      expect(down.body.state).toBe('running');
      expect(down.body.api.failingSince).not.toBeNull();
      expect(down.body.api.lastError).toMatch(/503/);
      expect(down.body.problems.join('\n')).toMatch(/the api failing for \d+ s/);
      const text = await readMetrics(ops);
      expect(metricSample(text, 'payreq_bot_up')).toBe(0);
      expect(
        metricSample(text, 'payreq_bot_dependency_errors_total', { dependency: 'api' }),
      ).toBeGreaterThan(0);
    } finally {
      proxy.down = false;
    }
    const up = await healthOnce(200, '/healthz to recover');
    expect(up.body).toMatchObject({ status: 'ok', api: { failingSince: null }, problems: [] });
  });
});

describe('a service token the api does not take', () => {
  it('is said once, naming BOT_SERVICE_TOKEN, and makes /healthz unhealthy at once; the right one mends it', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = createLogger({
      level: 'info',
      secrets: [],
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    // A stale-after of ten minutes: an outage would not be unhealthy yet, a refusal is.
    const observer = new BotOps({
      mode: 'polling',
      deliveryEnabled: true,
      staleMs: 600_000,
      redact: (text) => text,
    });
    // In front of the real api: passes the bot's token on, until the api is "given" the bot's
    // token (its own is put in its place), as when an operator fixes the api's setting.
    let apiFixed = false;
    const target = new URL(stack.proxy.url);
    const front = createServer((req, res) => {
      const headers = { ...req.headers };
      if (apiFixed) headers.authorization = `Bearer ${TEST_BOT_SERVICE_TOKEN}`;
      const forward = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const { port } = front.address() as AddressInfo;
    const wrong = new PlatformApi({
      url: `http://127.0.0.1:${port}`,
      serviceToken: 'a-service-token-the-api-never-issued-0123',
      timeoutMs: 5000,
      logger,
      observer,
    });
    const summary = () => wrong.trpc.bot.chatSummary.query({ chatId: -1 }).catch(() => null);
    for (let attempt = 0; attempt < 2; attempt += 1)
      await expect(wrong.trpc.bot.chatSummary.query({ chatId: -1 })).rejects.toThrow();
    const refusals = lines.filter((line) => line.msg.includes('BOT_SERVICE_TOKEN'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 50 });
    expect(refusals[0]!.msg).toMatch(/^the api refused BOT_SERVICE_TOKEN \(401\)/);
    const refused = observer.health();
    expect(refused.healthy).toBe(false);
    expect(refused.body.problems).toContainEqual(
      expect.stringMatching(/^the api refuses the bot \(Error: the api refused BOT_SERVICE_TOKEN/),
    );

    apiFixed = true;
    try {
      await summary();
    } finally {
      front.close();
    }
    expect(observer.health().body.problems.join('\n')).not.toMatch(/api/);
    expect(lines.at(-1)?.msg).toBe('the api takes BOT_SERVICE_TOKEN again');
  });
});

describe('a bot token Telegram does not know', () => {
  it('stops the start, naming TELEGRAM_BOT_TOKEN, without showing the token', async () => {
    const unknown = '7000000099:AAFnot-a-token-the-test-server-knows-01';
    const app = createBot(
      loadConfig(stack.botEnv({ TELEGRAM_BOT_TOKEN: unknown, JOURNAL_DIR: stack.journalDir() })),
    );
    try {
      const refusal = await app.start().then(
        () => null,
        (error: unknown) => error as Error,
      );
      expect(refusal?.message).toMatch(
        /^Telegram refused TELEGRAM_BOT_TOKEN \(401 Unauthorized\): set the token BotFather gave this bot$/,
      );
    } finally {
      await app.stop('test end');
    }
  });
});

describe('other shapes', () => {
  it('starting while Telegram is out of reach: 503 "starting", the error shown without the token', async () => {
    const dead = await freePort();
    const app = createBot(
      loadConfig(
        stack.botEnv({
          TELEGRAM_API_ROOT: `http://127.0.0.1:${dead}`,
          JOURNAL_DIR: stack.journalDir(),
          OPS_PORT: '0',
          HOST: '127.0.0.1',
        }),
      ),
    );
    const starting = app.start().catch(() => undefined);
    try {
      const base = await eventually(
        () => (app.opsPort ? `http://127.0.0.1:${app.opsPort}` : undefined),
        'the ops listener',
      );
      const answer = await eventually(async () => {
        const seen = await health(base);
        return seen.body.telegram.lastError ? seen : undefined;
      }, 'a failed getMe');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ state: 'starting', status: 'unhealthy' });
      expect(answer.body.problems).toContain('the bot is starting');
      const raw = JSON.stringify(answer.body);
      expect(raw).not.toContain(stack.token);
      expect(raw).not.toContain(stack.token.split(':')[1]);
    } finally {
      await app.stop('test end');
      await starting;
    }
    expect(app.opsPort).toBeNull();
  });

  it('without OPS_PORT, polling mode has no listener; webhook mode serves both on the webhook port', async () => {
    const { tg, token } = stack;
    const unset = { OPS_PORT: '', HEALTH_STALE_MS: '' };
    await stack.app.stop('another bot takes over');
    const polling = createBot(loadConfig(stack.botEnv({ ...unset, HOST: '127.0.0.1' })));
    expect(polling.config.ops).toEqual({ host: '127.0.0.1', port: null, staleMs: 120_000 });
    await polling.start();
    try {
      expect(polling.opsPort).toBeNull();
      expect(polling.ops.health()).toMatchObject({ healthy: true, body: { mode: 'polling' } });
    } finally {
      await polling.stop();
    }

    const port = await freePort();
    const hooked = webhookBot(port, unset);
    await hooked.start();
    try {
      const base = `http://127.0.0.1:${port}`;
      const { status, body } = await health(base);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'ok',
        mode: 'webhook',
        state: 'running',
        receiving: true,
      });
      const text = await readMetrics(base);
      expect(metricSample(text, 'payreq_bot_up', { service: 'payreq-bot' })).toBe(1);
      expect(hooked.opsPort).toBeNull();
    } finally {
      await hooked.stop();
      await tg.callApi(token, 'deleteWebhook');
    }
    // Stopped: nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('webhook mode with OPS_PORT: /metrics only on the ops listener', async () => {
    const { tg, token } = stack;
    const port = await freePort();
    const hooked = webhookBot(port, { OPS_PORT: '0' });
    await hooked.start();
    try {
      const webhook = `http://127.0.0.1:${port}`;
      const opsBase = `http://127.0.0.1:${hooked.opsPort}`;
      expect((await health(webhook)).status).toBe(200);
      expect((await fetch(`${webhook}/metrics`)).status).toBe(404);
      expect(await readMetrics(opsBase)).toContain('payreq_bot_updates_received_total');
      expect((await health(opsBase)).body.mode).toBe('webhook');
    } finally {
      await hooked.stop();
      await tg.callApi(token, 'deleteWebhook');
    }
  });

  it('OPS_PORT is validated like the other settings', () => {
    expect(() => loadConfig(stack.botEnv({ OPS_PORT: '70000' }))).toThrow(/OPS_PORT/);
    expect(() =>
      loadConfig(
        stack.botEnv({
          BOT_MODE: 'webhook',
          WEBHOOK_URL: 'https://bot.bank.example',
          WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
          PORT: '8443',
          OPS_PORT: '8443',
        }),
      ),
    ).toThrow(/OPS_PORT: must differ from PORT/);
    expect(loadConfig(stack.botEnv({ OPS_PORT: '', HEALTH_STALE_MS: '' })).ops).toEqual({
      host: '0.0.0.0',
      port: null,
      staleMs: 120_000,
    });
  });
});
