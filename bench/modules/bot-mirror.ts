/**
 * 3. Bot mirroring, end to end: users post a burst of messages into a deal-room group of the
 * Telegram test server (packages/telegram-testkit, in this process); the real bot
 * (apps/bot `createBot`, its own process, long polling or webhook) mirrors each one through
 * the api (its own process) into PostgreSQL. Timed from the first post to the last row.
 *
 * Floors, measured in the same run on the same database: the very calls the bot makes
 * (`bot.saveMessage`, one message each, one after another: the bot handles a chat's updates
 * in order), sent straight to the api from one HTTP client; and the same messages through
 * `bot.saveMessages` in batches of 100 (what one getUpdates hands the bot).
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';

import type pg from 'pg';

// Relative imports into the workspace's TypeScript source (run by tsx), see README.md.
import { toChatMessageInput } from '../../apps/bot/src/messages.ts';
import type { TgMessage } from '../../apps/bot/src/messages.ts';
import { TelegramTestServer } from '../../packages/telegram-testkit/src/index.ts';
import { startChild } from '../lib/child.ts';
import { track } from '../lib/cleanup.ts';
import { config, secrets } from '../lib/config.ts';
import { busyShare, machineCpu } from '../lib/proc.ts';
import { compared, fmt } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { botAuthorization } from '../lib/telegram.ts';
import { emptyChatMessages, inFreshWorld, startWorldApi } from '../lib/world.ts';

const BOT_USERNAME = 'payreq_bench_bot';
/** getUpdates hands a bot at most 100 updates at a time (Bot API `limit`, the default). */
const UPDATES_BATCH = 100;

const phrases = [
  'Добрый день! Отправляю инвойс и контракт.',
  'Проверьте, пожалуйста, реквизиты получателя.',
  'SWIFT BKCHCNBJ45A, счёт 6217000010012345678.',
  'Курс на сегодня подходит, подаём заявку.',
  'Тестовый платёж отправили, ждём зачисления.',
  'Поставщик подтвердил получение средств 👍',
  'Hello! Please find the proforma invoice attached.',
  'Можно созвониться завтра в 11?',
];

interface Posted {
  /** Date.now() of each post (compared with the rows' createdAt, PostgreSQL's clock). */
  at: Float64Array;
  messages: TgMessage[];
}

interface MirrorRun {
  mode: string;
  messages: number;
  /** First post → last row (the largest createdAt), ms. */
  elapsedMs: number;
  /** The last message's post → its row, ms. */
  lastLagMs: number;
  /** First post → last post (the burst itself), ms. */
  postingMs: number;
  botCpuMs: number;
  apiCpuMs: number;
  botShare: number;
  apiShare: number;
  machineBusy: number;
}

const cpuMs = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage) =>
  (after.user - before.user + after.system - before.system) / 1000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Rows of the chat from `firstMessageId` on, polled until `expected` are there (or time is up). */
async function waitForRows(
  db: pg.Client,
  chatId: number,
  firstMessageId: number,
  expected: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 60_000 + expected * 20;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "ChatMessage" WHERE "chatId" = $1 AND "messageId" >= $2',
      [chatId, firstMessageId],
    );
    if (rows[0]!.n >= expected) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: ${rows[0]!.n} of ${expected} messages reached the database in time`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const botMirror: BenchModule = {
  name: 'bot-mirror',
  title: 'Bot mirroring: Telegram test server → bot → api → PostgreSQL',
  async run(ctx: BenchContext): Promise<Row[]> {
    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const tg = new TelegramTestServer();
      // Stopped after the bot and the api (the servers stop the last started first).
      servers.push({ stop: track('Telegram test server', () => tg.stop()) });
      const api = await startWorldApi({ url, servers });

      tg.createBot({ token: secrets.botToken, username: BOT_USERNAME, first_name: 'Сделки банка' });
      tg.setMiniApp(secrets.botToken, {
        shortName: 'deal',
        url: 'https://miniapp.payreq.test/app',
      });
      const apiRoot = await tg.start();
      tg.createUser({
        id: agent.id,
        first_name: agent.first_name,
        last_name: agent.last_name,
        language_code: 'ru',
      });
      const clients = [
        { id: 5_300_000_001, first_name: 'Иван', last_name: 'Петров', language_code: 'ru' },
        { id: 5_300_000_002, first_name: 'Ольга', last_name: 'Кузнецова', language_code: 'ru' },
      ];
      for (const client of clients) tg.createUser(client);
      const people = [clients[0]!.id, agent.id, clients[1]!.id];

      /** A burst of `count` messages, 100 posted per event-loop turn (the server keeps serving). */
      const post = async (chatId: number, count: number): Promise<Posted> => {
        const at = new Float64Array(count);
        const messages: TgMessage[] = [];
        for (let index = 0; index < count; index += 1) {
          const message = tg.sendText({
            from: people[index % people.length]!,
            chat: chatId,
            text: `${phrases[index % phrases.length]} (${index + 1})`,
          });
          at[index] = Date.now();
          messages.push(message as unknown as TgMessage);
          if (index % 100 === 99) await tick();
        }
        return { at, messages };
      };

      const runs: MirrorRun[] = [];
      let lastChat: { chatId: number; posted: Posted } | undefined;
      for (const mode of config.botModes) {
        const webhookPort = mode === 'webhook' ? String(await freePort()) : '';
        const bot = await startChild('bot', 'bot-server.ts', {
          BENCH_TELEGRAM_API_ROOT: apiRoot,
          BENCH_API_URL: api.url,
          BENCH_BOT_MODE: mode,
          BENCH_WEBHOOK_PORT: webhookPort,
        });
        try {
          if (mode === 'polling') await tg.waitForPolling(secrets.botToken, { timeoutMs: 30_000 });

          // The agent creates the deal room with the clients and adds the bot as an admin.
          const group = tg.createGroup({
            by: agent.id,
            title: `Сделка: ООО «Ромашка» (${mode})`,
            members: clients.map((client) => client.id),
          });
          tg.addBot(group.id, secrets.botToken, { by: agent.id, asAdmin: true });
          await tg.waitForBotMessage(group.id, { bot: secrets.botToken, timeoutMs: 30_000 });
          await tg.waitForUpdatesConsumed(secrets.botToken, { timeoutMs: 30_000 });

          ctx.log(`bot (${mode}): warm-up, ${config.botWarmupMessages} messages`);
          const warm = await post(group.id, config.botWarmupMessages);
          await waitForRows(
            db,
            group.id,
            warm.messages[0]!.message_id,
            config.botWarmupMessages,
            'warm-up',
          );
          await tg.waitForUpdatesConsumed(secrets.botToken, { timeoutMs: 30_000 });
          await emptyChatMessages(db, { analyze: true });

          const count = config.botMessages;
          ctx.log(`bot (${mode}): ${count} messages posted in a burst, mirrored`);
          const botBefore = await bot.ask<NodeJS.CpuUsage>({ type: 'cpu' });
          const apiBefore = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
          const machineBefore = machineCpu();
          // BENCH_CPU_PROF=1: profiles of the bot and the api over the burst.
          const { posted, firstId, lastId } = await bot.profiled(
            ctx.profileFile(`bot-${mode}`),
            () =>
              api.profiled(ctx.profileFile(`api-bot-mirror-${mode}`), async () => {
                const posted = await post(group.id, count);
                const firstId = posted.messages[0]!.message_id;
                const lastId = posted.messages[count - 1]!.message_id;
                await waitForRows(db, group.id, firstId, count, `bot (${mode})`);
                return { posted, firstId, lastId };
              }),
          );
          const machineBusy = busyShare(machineBefore, machineCpu());
          const botCpu = cpuMs(botBefore, await bot.ask<NodeJS.CpuUsage>({ type: 'cpu' }));
          const apiCpu = cpuMs(apiBefore, await api.ask<NodeJS.CpuUsage>({ type: 'cpu' }));

          const { rows } = await db.query<{ last: number; newest: number; n: number }>(
            `SELECT (extract(epoch FROM max("createdAt")) * 1000)::float8 AS newest,
                    (extract(epoch FROM max("createdAt") FILTER (WHERE "messageId" = $3)) * 1000)::float8 AS last,
                    count(*)::int AS n
             FROM "ChatMessage" WHERE "chatId" = $1 AND "messageId" >= $2`,
            [group.id, firstId, lastId],
          );
          const { last, newest, n } = rows[0]!;
          if (n !== count) throw new Error(`bot (${mode}): ${n} rows for ${count} messages`);
          const elapsedMs = newest - posted.at[0]!;
          runs.push({
            mode,
            messages: count,
            elapsedMs,
            lastLagMs: last - posted.at[count - 1]!,
            postingMs: posted.at[count - 1]! - posted.at[0]!,
            botCpuMs: botCpu,
            apiCpuMs: apiCpu,
            botShare: botCpu / elapsedMs,
            apiShare: apiCpu / elapsedMs,
            machineBusy,
          });
          lastChat = { chatId: group.id, posted };
        } finally {
          await bot.stop();
        }
      }

      // The floors: the same messages (as the bot turns them into the api's input), straight to the api.
      const { chatId, posted } = lastChat!;
      const inputs = posted.messages.map((message) => toChatMessageInput(message, null));
      const send = async (procedure: string, input: unknown) => {
        const response = await fetch(`${api.url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { authorization: botAuthorization, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        const body = await response.text();
        if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${body}`);
      };
      const floor = async (name: string, work: () => Promise<void>) => {
        await emptyChatMessages(db, { analyze: true });
        ctx.log(`bot floor: ${name}`);
        const apiBefore = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
        const started = Date.now();
        await work();
        const { rows } = await db.query<{ newest: number; n: number }>(
          `SELECT (extract(epoch FROM max("createdAt")) * 1000)::float8 AS newest, count(*)::int AS n
           FROM "ChatMessage" WHERE "chatId" = $1`,
          [chatId],
        );
        if (rows[0]!.n !== inputs.length)
          throw new Error(`floor ${name}: ${rows[0]!.n} rows for ${inputs.length} messages`);
        const apiCpu = cpuMs(apiBefore, await api.ask<NodeJS.CpuUsage>({ type: 'cpu' }));
        return { elapsedMs: rows[0]!.newest - started, apiCpuMs: apiCpu };
      };
      // A few calls first, so the api's JIT is as warm as it was for the bot's run.
      for (const message of inputs.slice(0, 200))
        await send('bot.saveMessage', { chatId, message });
      const single = await floor(
        'bot.saveMessage, one message a call, one after another',
        async () => {
          for (const message of inputs) await send('bot.saveMessage', { chatId, message });
        },
      );
      const batched = await floor(
        `bot.saveMessages, ${UPDATES_BATCH} messages a call`,
        async () => {
          for (let index = 0; index < inputs.length; index += UPDATES_BATCH)
            await send('bot.saveMessages', {
              chatId,
              messages: inputs.slice(index, index + UPDATES_BATCH),
            });
        },
      );

      const rows: Row[] = [];
      for (const run of runs) {
        const benchmark = `Bot mirroring (${run.mode}, ${run.messages.toLocaleString('en')} messages, one group)`;
        const perSecond = (ms: number) => (run.messages / ms) * 1000;
        rows.push(
          compared(
            {
              benchmark,
              figure:
                'messages/s, first post → last row (floor: the same bot.saveMessage calls, direct)',
            },
            perSecond(run.elapsedMs),
            perSecond(single.elapsedMs),
          ),
          compared(
            { benchmark, figure: `messages/s (floor: bot.saveMessages, ${UPDATES_BATCH} a call)` },
            perSecond(run.elapsedMs),
            perSecond(batched.elapsedMs),
          ),
          compared(
            {
              benchmark,
              figure: 'first post → last row, s (floor: the direct calls, first → last row)',
            },
            run.elapsedMs / 1000,
            single.elapsedMs / 1000,
          ),
          {
            benchmark,
            figure: 'lag of the last message (its post → its row), s',
            value: fmt.num(run.lastLagMs / 1000),
            floor: '',
            ratio: '',
            target: '—',
          },
          {
            benchmark,
            figure: 'the burst itself: first post → last post, s',
            value: fmt.num(run.postingMs / 1000),
            floor: '',
            ratio: '',
            target: '—',
          },
          {
            benchmark,
            figure: 'bot CPU per message, ms',
            value: fmt.num(run.botCpuMs / run.messages),
            floor: '',
            ratio: '',
            target: '—',
          },
          compared(
            { benchmark, figure: 'api CPU per message, ms (floor: in the direct calls)' },
            run.apiCpuMs / run.messages,
            single.apiCpuMs / run.messages,
          ),
          {
            benchmark,
            figure: 'bot / api process CPU, machine busy',
            value: `${pct(run.botShare)} / ${pct(run.apiShare)}, ${pct(run.machineBusy)}`,
            floor: '',
            ratio: '',
            target: '—',
          },
        );
      }
      return rows;
    });
  },
};

const pct = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a');
