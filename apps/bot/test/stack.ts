import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';

import type { TestApi } from '@payreq/api/testing';
import { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN, startTestApi } from '@payreq/api/testing';
import { TelegramTestServer } from '@payreq/telegram-testkit';
import { enqueueOutbox } from '@payreq/api';
import { completeForm, until } from '@payreq/testing';

import type { BotApp } from '../src/bot';
import { createBot } from '../src/bot';
import { loadConfig } from '../src/env';
import { closeServer, listen } from '../src/listen';

export const BOT_USERNAME = 'payreq_deal_bot';
/** The bot's name, as Telegram shows it as the author of its messages. */
export const BOT_NAME = 'Сделки банка';
export const MINI_APP = 'deal';
export const WEBAPP_URL = 'https://miniapp.payreq.test/app';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** JPEG-looking bytes (the api checks the magic bytes; the test server keeps photos as sent). */
export function jpeg(size = 2048): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
    randomBytes(size),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export function pdf(text = 'payreq test document'): Buffer {
  return Buffer.concat([
    Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
    Buffer.from(`1 0 obj << /Title (${text}) >> endobj\n`, 'latin1'),
    randomBytes(512),
    Buffer.from('\n%%EOF\n', 'latin1'),
  ]);
}

export function ogg(size = 1024): Buffer {
  return Buffer.concat([Buffer.from('OggS', 'latin1'), randomBytes(size)]);
}

/**
 * A switchable HTTP proxy in front of the api: `down = true` answers 503 to everything,
 * as an api restarting behind a load balancer would; `maxBodyBytes` answers a body over it
 * 413 with an HTML page, as nginx's client_max_body_size does. `requests` lists what passed
 * (`POST /trpc/bot.saveMessages`), so a test sees which calls the bot made; `refuse` answers 503
 * to the calls whose path it matches (listed in `requests` all the same).
 */
export class FlakyProxy {
  down = false;
  refuse: ((path: string) => boolean) | null = null;
  maxBodyBytes: number | null = null;
  readonly requests: string[] = [];
  /** `<chat>:<message id>` of each message the api took from `bot.saveMessage(s)`, once per call. */
  readonly savedMessages: string[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    const server = createServer((req, res) => {
      if (this.down) {
        req.resume();
        res.writeHead(503, { 'content-type': 'text/plain' }).end('restarting');
        return;
      }
      const requestPath = (req.url ?? '/').split('?')[0]!;
      this.requests.push(`${req.method} ${requestPath}`);
      if (this.refuse?.(requestPath)) {
        req.resume();
        res.writeHead(503, { 'content-type': 'text/plain' }).end('restarting');
        return;
      }
      const length = Number(req.headers['content-length'] ?? 0);
      if (this.maxBodyBytes !== null && length > this.maxBodyBytes) {
        req.resume();
        res
          .writeHead(413, { 'content-type': 'text/html' })
          .end('<html><body><h1>413 Request Entity Too Large</h1></body></html>');
        return;
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          if (saving && (answer.statusCode ?? 500) < 300) {
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                chatId: number;
                message?: { messageId: number };
                messages?: Array<{ messageId: number }>;
              };
              for (const message of body.messages ?? (body.message ? [body.message] : []))
                this.savedMessages.push(`${body.chatId}:${message.messageId}`);
            } catch {
              // not a body the api would take either
            }
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      const saving = (req.url ?? '').startsWith('/trpc/bot.save');
      const chunks: Buffer[] = [];
      if (saving) req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.pipe(upstream);
    });
    const port = await listen(server, 0, '127.0.0.1');
    this.server = server;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeServer(server);
  }
}

export { queueOnecDocument } from '@payreq/testing';

export interface Stack {
  api: TestApi;
  tg: TelegramTestServer;
  proxy: FlakyProxy;
  app: BotApp;
  /** The bot `mirrored` waits for: the stack's own unless a test puts another in its place. */
  active: BotApp;
  /**
   * Resolves once Telegram's updates are confirmed (journaled) and the active bot has handled
   * everything in its journal: what was sent is mirrored (or ignored) by then.
   */
  mirrored(options?: { timeoutMs?: number }): Promise<void>;
  token: string;
  /** The bots' settings; JOURNAL_DIR is the stack's journal (one bot at a time on it). */
  botEnv(extra?: Record<string, string>): Record<string, string>;
  /** A journal folder of its own, for a second bot running beside the stack's (removed on close). */
  journalDir(): string;
  close(): Promise<void>;
}

/**
 * The api on PGlite, the Telegram test server, and the bot between them (through the proxy).
 * `botEnv`: settings of the bot beyond the test defaults (e.g. OPS_PORT).
 */
export async function startStack(
  options: { botEnv?: Record<string, string> } = {},
): Promise<Stack> {
  const api = await startTestApi('pglite');
  const tg = new TelegramTestServer();
  tg.createBot({ token: TEST_BOT_TOKEN, username: BOT_USERNAME, first_name: BOT_NAME });
  tg.setMiniApp(TEST_BOT_TOKEN, { shortName: MINI_APP, url: WEBAPP_URL });
  const apiRoot = await tg.start();
  const proxy = new FlakyProxy(api.url);
  await proxy.start();
  const temp = mkdtempSync(join(tmpdir(), 'payreq-bot-test-'));
  let journals = 0;
  const journalDir = () => join(temp, `journal-${(journals += 1)}`);
  const mainJournal = journalDir();
  const botEnv = (extra: Record<string, string> = {}) => ({
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    MINI_APP_SHORT_NAME: MINI_APP,
    WEBAPP_URL,
    API_URL: proxy.url,
    BOT_SERVICE_TOKEN: TEST_BOT_SERVICE_TOKEN,
    DELIVERY_POLL_MS: '100',
    DELIVERY_LEASE_MS: '20000',
    TELEGRAM_SEND_TIMEOUT_MS: '5000',
    SHUTDOWN_GRACE_MS: '1000',
    JOURNAL_DIR: mainJournal,
    // Telegram's limits, shortened for the tests: 20 messages per second to a chat, 300 overall.
    SEND_LIMIT_PER_CHAT_WINDOW_MS: '1000',
    SEND_LIMIT_OVERALL: '300',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.botEnv,
    ...extra,
  });
  const app = createBot(loadConfig(botEnv()));
  await app.start();
  await tg.waitForPolling(TEST_BOT_TOKEN);
  const stack: Stack = {
    api,
    tg,
    proxy,
    app,
    active: app,
    async mirrored(options = {}) {
      // Generous: a loaded CI machine may take seconds per round; the wait ends as soon as it is done.
      const timeoutMs = options.timeoutMs ?? 30_000;
      await tg.waitForUpdatesConsumed(TEST_BOT_TOKEN, { timeoutMs });
      await eventually(
        () => stack.active.journal?.stats().pending === 0,
        'the bot to handle its journal',
        timeoutMs,
      );
    },
    token: TEST_BOT_TOKEN,
    botEnv,
    journalDir,
    async close() {
      await app.stop('test end').catch(() => undefined);
      await tg.stop();
      await proxy.stop();
      await api.close();
      rmSync(temp, { recursive: true, force: true });
    },
  };
  return stack;
}

/**
 * Polls `probe` until it returns something other than undefined/false (`until` of the shared
 * test kit, for which 0, '' and null count as an answer too).
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const found = await until(
    async () => {
      const value = await probe();
      return value !== undefined && value !== false && { value };
    },
    what,
    timeoutMs,
  );
  return found.value;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A request of the bank's with the whole form filled, written straight to the database. */
export async function createBankRequest(
  api: TestApi,
  state: {
    source: 'PLATFORM_UI' | 'TELEGRAM';
    status: 'COLLECTING_OFFERS' | 'OFFER_ACCEPTED';
    telegramChatId?: number;
  },
) {
  const bank = await api.prisma.tenant.findFirstOrThrow({ where: { isMaster: true } });
  return api.prisma.paymentRequest.create({
    data: {
      ...completeForm,
      tenantId: bank.id,
      source: state.source,
      status: state.status,
      ...(state.telegramChatId === undefined
        ? {}
        : { telegramChatId: BigInt(state.telegramChatId) }),
    },
  });
}

/**
 * A standard request of the bank collecting offers (no deal room), and its day-before deadline
 * reminder in the outbox for a person's private chat with the bot.
 */
export async function enqueueDeadlineReminder(api: TestApi, telegramId: number): Promise<void> {
  const request = await createBankRequest(api, {
    source: 'PLATFORM_UI',
    status: 'COLLECTING_OFFERS',
  });
  await enqueueOutbox(api.prisma, [
    {
      target: 'TELEGRAM',
      kind: 'telegram.deadlineReminder',
      payload: {
        requestId: request.id,
        chatId: telegramId,
        reminder: 'deadline:24h',
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
        locale: 'ru',
      },
    },
  ]);
}
