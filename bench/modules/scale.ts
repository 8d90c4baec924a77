/**
 * Scale: answers that do not grow with the work. The same load on the api, the small case
 * first, then the large one in the same process and database:
 * - `miniApp.session` with 20 history entries per request (one view's page), then with 1,000;
 * - the board's first page (`requests.list`, the agent) with 1,000 requests in the database,
 *   then with 100,000;
 * - the portal's chat archive of one deal room, its newest page (`portal.chat.page`, the agent
 *   signed in with the website login), with 50 messages in the room (one page), then with
 *   100,000.
 * The small case is the floor: a ratio near 1 is an answer bounded by its page, not the data.
 * Runs in the order small, large, large, small; each figure is the mean of its two runs.
 */
import { signLoginData } from '@payreq/telegram-testkit';
import type pg from 'pg';

import { startChild } from '../lib/child.ts';
import type { ChildServer } from '../lib/child.ts';
import { config, secrets } from '../lib/config.ts';
import { runLoad } from '../lib/load.ts';
import type { LoadResult, VirtualClient } from '../lib/load.ts';
import { compared } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { boardAuthorization } from '../lib/telegram.ts';
import { queryPath } from '../lib/trpc.ts';
import { inFreshWorld } from '../lib/world.ts';
import { openLoadRooms, quiesce } from './mini-app-load.ts';

// The small cases of the history and the chat are one full page (a view's latest 20 entries,
// the archive's 50 messages): both answers carry the same, so only the data around them grows.
const HISTORY = { small: 20, large: 1_000 };
const BOARD = { small: 1_000, large: 100_000 };
const CHAT = { small: 50, large: 100_000 };

interface Measured extends LoadResult {
  cpuMsPerCall: number;
}

async function measure(
  ctx: BenchContext,
  api: ChildServer,
  db: pg.Client,
  label: string,
  clients: () => VirtualClient[],
): Promise<Measured> {
  await db.query('VACUUM ANALYZE');
  ctx.log(`${label}: ${config.warmupSeconds} s warm-up, ${config.durationSeconds} s measured`);
  await runLoad(api.url, clients(), config.warmupSeconds);
  await quiesce(db);
  const before = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
  const load = await api.profiled(ctx.profileFile(`scale-${label.replace(/\W+/g, '-')}`), () =>
    runLoad(api.url, clients(), config.durationSeconds),
  );
  const after = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
  await quiesce(db);
  const cpuMs = (after.user - before.user + after.system - before.system) / 1000;
  if (load.errors + load.non2xx > 0)
    throw new Error(`${label}: ${load.errors + load.non2xx} failed (${load.firstFailure})`);
  return { ...load, cpuMsPerCall: cpuMs / Math.max(1, load.ok) };
}

/** Each request's history: `count` rows per request, as long edit runs leave them. */
async function setHistory(db: pg.Client, count: number): Promise<void> {
  await db.query('DELETE FROM "RequestHistory"');
  await db.query(
    `INSERT INTO "RequestHistory" ("requestId", "actorKind", "actorName", field, "fromValue", "toValue", at)
     SELECT r.id, 'user', 'Клиент', 'comment', to_jsonb('Правка ' || (n - 1)), to_jsonb('Правка ' || n),
            now() - make_interval(secs => $1::int - n)
     FROM "PaymentRequest" AS r, generate_series(1, $1::int) AS n`,
    [count],
  );
}

/**
 * Requests without a chat, not drafts (every agent's board shows them), so that the table
 * holds `total` requests (the deal rooms' own included).
 */
async function setRequests(db: pg.Client, total: number): Promise<void> {
  await db.query('DELETE FROM "PaymentRequest" WHERE "telegramChatId" IS NULL');
  await db.query(
    `INSERT INTO "PaymentRequest" (id, "tenantId", source, status, "payerName", amount, currency, version, "createdAt", "updatedAt")
     SELECT gen_random_uuid(), t.id, 'PLATFORM_UI', 'COLLECTING_OFFERS', 'ООО «Поставщик ' || n || '»',
            1000 + n, 'USD', 1, now() - make_interval(secs => n), now() - make_interval(secs => n)
     FROM (SELECT id FROM "Tenant" WHERE "isMaster") AS t,
          generate_series(1, $1::int - (SELECT count(*)::int FROM "PaymentRequest")) AS n`,
    [total],
  );
}

/** The deal room's archive holds `total` messages, one a minute, as the bot mirrors them. */
async function setChat(db: pg.Client, chatId: number, total: number): Promise<void> {
  await db.query('DELETE FROM "ChatMessage" WHERE "chatId" = $1', [chatId]);
  await db.query(
    `INSERT INTO "ChatMessage" (id, "chatId", "messageId", "authorTelegramId", "authorName", text, date, "updatedAt")
     SELECT gen_random_uuid(), $1::bigint, n, 5100000001, 'Клиент', 'Сообщение ' || n,
            now() - make_interval(mins => $2::int - n), now() - make_interval(mins => $2::int - n)
     FROM generate_series(1, $2::int) AS n`,
    [chatId, total],
  );
}

/** The agent's portal session cookie: Telegram's website login, signed as Telegram signs it. */
async function portalCookie(apiUrl: string, agent: { id: number; first_name: string }) {
  const login = signLoginData(agent, secrets.botToken, new Date());
  const query = new URLSearchParams(
    Object.entries(login).map(([key, value]): [string, string] => [key, String(value)]),
  );
  const response = await fetch(`${apiUrl}/portal/auth/telegram?${query}`, { redirect: 'manual' });
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .find((pair) => pair.startsWith('payreq_portal='));
  if (!cookie) throw new Error(`portal sign-in refused: ${response.status}`);
  return cookie;
}

type Size = 'small' | 'large';

/**
 * small, large, large, small: both sizes see the machine's drift alike (it moves by ±20 %
 * within minutes here); each figure is the mean of its two runs.
 */
async function smallThenLarge(
  set: (size: Size) => Promise<void>,
  run: (size: Size) => Promise<Measured>,
): Promise<Record<Size, Measured>> {
  const runs: Record<Size, Measured[]> = { small: [], large: [] };
  for (const size of ['small', 'large', 'large', 'small'] as const) {
    if (runs[size].length === 0 || size === 'small') await set(size);
    runs[size].push(await run(size));
  }
  const mean = ([a, b]: Measured[]): Measured => ({
    ...a!,
    p50: (a!.p50 + b!.p50) / 2,
    requestsPerSecond: (a!.requestsPerSecond + b!.requestsPerSecond) / 2,
    cpuMsPerCall: (a!.cpuMsPerCall + b!.cpuMsPerCall) / 2,
  });
  return { small: mean(runs.small), large: mean(runs.large) };
}

export const scale: BenchModule = {
  name: 'scale',
  title: 'Answers that do not grow with the deal, the board or the chat',
  async run(ctx: BenchContext): Promise<Row[]> {
    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const api = await startChild(
        'api',
        'api-server.ts',
        { BENCH_DATABASE_URL: url, BENCH_API_LOG_LEVEL: config.apiLogLevel },
        { nodeArgs: config.apiNodeArgs },
      );
      servers.push(api);
      ctx.log(`opening ${config.connections} deal rooms through the api`);
      const rooms = await openLoadRooms(api.url, agent, db);

      const sessionClients = () =>
        rooms.map((room): VirtualClient => ({
          next: () => ({
            method: 'GET',
            path: queryPath('miniApp.session'),
            headers: { authorization: room.clientAuthorization },
          }),
        }));
      const history = await smallThenLarge(
        (size) => setHistory(db, HISTORY[size]),
        (size) =>
          measure(
            ctx,
            api,
            db,
            `miniApp.session, ${HISTORY[size]} history entries`,
            sessionClients,
          ),
      );

      // The agent's board, first page (as the Mini App's board asks for it), from every connection.
      const authorization = boardAuthorization(agent);
      const boardClients = () =>
        rooms.map((): VirtualClient => ({
          next: () => ({
            method: 'GET',
            path: queryPath('requests.list', { limit: 25 }),
            headers: { authorization },
          }),
        }));
      const board = await smallThenLarge(
        (size) => setRequests(db, BOARD[size]),
        (size) => measure(ctx, api, db, `requests.list, ${BOARD[size]} requests`, boardClients),
      );

      // One deal room's archive in the portal, its newest page, from every connection.
      const room = rooms[0]!;
      const { rows: requestRows } = await db.query<{ id: string }>(
        'SELECT id FROM "PaymentRequest" WHERE "telegramChatId" = $1',
        [room.chatId],
      );
      const cookie = await portalCookie(api.url, { id: agent.id, first_name: agent.first_name });
      const chatClients = () =>
        rooms.map((): VirtualClient => ({
          next: () => ({
            method: 'GET',
            path: queryPath('portal.chat.page', { requestId: requestRows[0]!.id, limit: 50 }),
            headers: { cookie },
          }),
        }));
      const chat = await smallThenLarge(
        (size) => setChat(db, room.chatId, CHAT[size]),
        (size) => measure(ctx, api, db, `portal.chat.page, ${CHAT[size]} messages`, chatClients),
      );

      const rows = (
        benchmark: string,
        small: Measured,
        large: Measured,
        floorName: string,
      ): Row[] => [
        compared(
          { benchmark, figure: `latency p50, ms (floor: ${floorName})` },
          large.p50,
          small.p50,
          { max: 1.2 },
        ),
        compared(
          { benchmark, figure: `server CPU per call, ms (floor: ${floorName})` },
          large.cpuMsPerCall,
          small.cpuMsPerCall,
          { max: 1.2 },
        ),
        compared(
          { benchmark, figure: `throughput, req/s (floor: ${floorName})` },
          large.requestsPerSecond,
          small.requestsPerSecond,
        ),
      ];
      return [
        ...rows(
          `Scale: miniApp.session, ${HISTORY.large.toLocaleString('en')} history entries`,
          history.small,
          history.large,
          `${HISTORY.small} entries`,
        ),
        ...rows(
          `Scale: the board (requests.list), ${BOARD.large.toLocaleString('en')} requests`,
          board.small,
          board.large,
          `${BOARD.small.toLocaleString('en')} requests`,
        ),
        ...rows(
          `Scale: the portal's chat archive (portal.chat.page), ${CHAT.large.toLocaleString('en')} messages`,
          chat.small,
          chat.large,
          `${CHAT.small} messages`,
        ),
      ];
    });
  },
};
