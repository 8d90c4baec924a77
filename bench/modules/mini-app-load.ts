/**
 * 1. The Mini App api under load: the hot procedures through real HTTP with real init-data
 * auth, each autocannon connection a different Telegram user in its own chat, against the
 * same database work through raw `pg` in a bare `node:http` server (servers/floor-server.ts).
 * Between the two, the same work on the api's stack alone (servers/stack-floor-server.ts:
 * Fastify, tRPC, Prisma, none of the api's code) splits the gap into the stack's and the api's.
 */
import type pg from 'pg';

// Relative import into the api's test fixtures (a complete payment request form).
import { completeForm } from '@payreq/testing';
import { startChild } from '../lib/child.ts';
import { config } from '../lib/config.ts';
import { runLoad } from '../lib/load.ts';
import type { LoadResult, VirtualClient } from '../lib/load.ts';
import { busyShare, machineCpu } from '../lib/proc.ts';
import { compared, fmt } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { botAuthorization } from '../lib/telegram.ts';
import { mutate, query, queryPath } from '../lib/trpc.ts';
import { emptyChatMessages, inFreshWorld, openDealRooms } from '../lib/world.ts';
import type { DealRoom } from '../lib/world.ts';

export interface Procedure {
  name: string;
  /** Resets what the previous run changed, so api and floor start from the same data. */
  prepare(db: pg.Client): Promise<void>;
  /** The virtual clients: one per deal room. */
  clients(rooms: DealRoom[]): VirtualClient[];
}

export const miniAppLoad: BenchModule = {
  name: 'mini-app-load',
  title: 'Mini App api under load',
  async run(ctx: BenchContext): Promise<Row[]> {
    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const env = { BENCH_DATABASE_URL: url, BENCH_API_LOG_LEVEL: config.apiLogLevel };

      // A first api process, with Prisma's query log on, opens the deal rooms and counts the
      // statements of one call of each procedure; the measured one runs without the log.
      ctx.log(`opening ${config.connections} deal rooms through the api`);
      const probe = await startChild('api (statement count)', 'api-server.ts', {
        ...env,
        BENCH_COUNT_QUERIES: '1',
      });
      servers.push(probe);
      const rooms = await openLoadRooms(probe.url, agent, db);

      const procedures = makeProcedures();
      const floorServer = await startChild('floor', 'floor-server.ts', env);
      servers.push(floorServer);
      const stackFloor = await startChild('stack floor', 'stack-floor-server.ts', {
        ...env,
        BENCH_STACK_FLOOR_DB: config.stackFloorDb,
      });
      servers.push(stackFloor);
      const statements = new Map<string, Record<Side, number>>();
      for (const procedure of procedures) {
        await procedure.prepare(db);
        const counts = { api: 0, stack: 0, floor: 0 };
        for (const [side, server] of [
          ['api', probe],
          ['stack', stackFloor],
          ['floor', floorServer],
        ] as const) {
          const client = procedure.clients(rooms)[0]!;
          await server.ask({ type: 'queries' });
          const request = client.next();
          const response = await fetch(server.url + request.path, {
            method: request.method,
            headers: request.headers,
            body: request.body,
          });
          const body = await response.text();
          client.onResponse?.(response.status, body);
          if (!response.ok)
            throw new Error(`${side} ${procedure.name}: ${response.status} ${body.slice(0, 400)}`);
          counts[side] = await server.ask<number>({ type: 'queries' });
        }
        statements.set(procedure.name, counts);
      }
      await probe.stop();

      const api = await startChild('api', 'api-server.ts', env, { nodeArgs: config.apiNodeArgs });
      servers.push(api);

      const rows: Row[] = [];
      for (const procedure of procedures) {
        const results: Record<Side, Measured> = {} as never;
        for (const [side, server] of [
          ['api', api],
          ['stack', stackFloor],
          ['floor', floorServer],
        ] as const) {
          await procedure.prepare(db);
          const clients = procedure.clients(rooms);
          ctx.log(
            `${procedure.name} on ${sideNames[side]}: ${config.warmupSeconds} s warm-up, ${config.durationSeconds} s × ${clients.length} connections, ${config.singleSeconds} s × 1`,
          );
          await runLoad(server.url, clients, config.warmupSeconds);
          await quiesce(db);
          await procedure.prepare(db);
          // With BENCH_CPU_PROF=1: CPU profiles of the api and of the stack floor.
          const profile =
            side === 'floor' ? undefined : ctx.profileFile(`${side}-${procedure.name}`);
          const cpuBefore = await server.ask<NodeJS.CpuUsage>({ type: 'cpu' });
          const machineBefore = machineCpu();
          const load = await server.profiled(profile, () =>
            runLoad(server.url, procedure.clients(rooms), config.durationSeconds),
          );
          const machineBusy = busyShare(machineBefore, machineCpu());
          const cpuAfter = await server.ask<NodeJS.CpuUsage>({ type: 'cpu' });
          const systemMs = (cpuAfter.system - cpuBefore.system) / 1000;
          const cpuMs = (cpuAfter.user - cpuBefore.user) / 1000 + systemMs;
          results[side] = {
            ...load,
            serverCpuMsPerCall: cpuMs / Math.max(1, load.ok + load.non2xx),
            serverSystemShare: systemMs / cpuMs,
            serverCpuShare: cpuMs / 1000 / load.seconds,
            machineBusy,
            single: undefined,
          };
          await quiesce(db);
          // One client alone: the latency of a call without queueing behind 49 others.
          if (config.singleSeconds > 0) {
            await procedure.prepare(db);
            results[side].single = await runLoad(
              server.url,
              procedure.clients(rooms).slice(0, 1),
              config.singleSeconds,
            );
            await quiesce(db);
          }
        }
        rows.push(
          ...rowsOf(
            `Mini App: ${procedure.name}`,
            results,
            statements.get(procedure.name)!,
            cpuTargets[procedure.name],
          ),
        );
      }
      return rows;
    });
  },
};

/**
 * Requests still in flight when autocannon stops finish on the server: wait until the
 * database has seen no activity of the benchmark's servers for a while before the next run
 * reads the data (e.g. the requests' versions).
 */
export async function quiesce(db: pg.Client): Promise<void> {
  const deadline = Date.now() + 15_000;
  let quiet = 0;
  while (quiet < 5 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { rows } = await db.query<{ busy: number }>(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    quiet = rows[0]!.busy === 0 ? quiet + 1 : 0;
  }
}

/** The three servers: the api, the same work on its stack alone, and through raw pg. */
type Side = 'api' | 'stack' | 'floor';
const sideNames: Record<Side, string> = {
  api: 'api',
  stack: `stack floor (${config.stackFloorDb})`,
  floor: 'floor',
};

const pctOf = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a');

/** A load run with the server's CPU: per call, and as a share of one core; the machine's busy share. */
type Measured = LoadResult & {
  serverCpuMsPerCall: number;
  /** The part of that CPU spent in the kernel (sockets: HTTP and PostgreSQL). */
  serverSystemShare: number;
  serverCpuShare: number;
  machineBusy: number;
  /** The same calls from one connection (BENCH_SINGLE seconds). */
  single: LoadResult | undefined;
};

/** What the stack floor's rows are called: with Prisma, or with raw pg (BENCH_STACK_FLOOR_DB). */
const stackLabel =
  config.stackFloorDb === 'pg' ? 'the stack’s floor with raw pg' : 'the stack’s floor';

/**
 * The api's CPU per call against raw pg's, at most (the performance issue's targets); throughput
 * is to reach 0.7× raw pg's for each.
 */
const cpuTargets: Record<string, number | undefined> = {
  'miniApp.session': 2.5,
  'miniApp.save': 2.5,
  'bot.saveMessage': 3,
};
const throughputTarget = 0.7;

/**
 * A target against raw pg, labelled with what the stack alone (Fastify, tRPC, Prisma doing the
 * same statements) reaches in the same run: where the stack alone misses it, no code of ours can
 * meet it on this stack, and the row says so.
 */
function againstRaw(
  bound: { max: number } | { min: number },
  stackRatio: number,
): { max?: number; min?: number; label: string } {
  const limit = 'max' in bound ? `≤ ${bound.max}×` : `≥ ${bound.min}×`;
  const stackMeets = 'max' in bound ? stackRatio <= bound.max : stackRatio >= bound.min;
  const stackAlone = `the stack alone: ${fmt.ratio(stackRatio)}`;
  return {
    ...bound,
    label: stackMeets ? `${limit} (${stackAlone})` : `${limit} (out of reach: ${stackAlone})`,
  };
}

function rowsOf(
  benchmark: string,
  results: Record<Side, Measured>,
  statements: Record<Side, number>,
  cpuTarget: number | undefined,
): Row[] {
  const { api, stack, floor } = results;
  const failures = (result: LoadResult) =>
    `${result.errors + result.non2xx}` +
    (result.firstFailure ? ` (first: ${result.firstFailure.slice(0, 80)})` : '');
  return [
    compared(
      { benchmark, figure: 'throughput, req/s' },
      api.requestsPerSecond,
      floor.requestsPerSecond,
      againstRaw({ min: throughputTarget }, stack.requestsPerSecond / floor.requestsPerSecond),
    ),
    compared({ benchmark, figure: 'latency p50, ms' }, api.p50, floor.p50, { max: 1.5 }),
    compared({ benchmark, figure: 'latency p99, ms' }, api.p99, floor.p99),
    ...(api.single && floor.single
      ? [
          compared(
            { benchmark, figure: 'latency p50 at 1 connection, ms' },
            api.single.p50,
            floor.single.p50,
          ),
        ]
      : []),
    {
      benchmark,
      figure: 'errors + non-2xx',
      value: failures(api),
      floor: failures(floor),
      ratio: '',
      target: '0',
      met: api.errors + api.non2xx === 0,
    },
    compared(
      { benchmark, figure: 'server CPU per call, ms' },
      api.serverCpuMsPerCall,
      floor.serverCpuMsPerCall,
      cpuTarget === undefined
        ? undefined
        : againstRaw({ max: cpuTarget }, stack.serverCpuMsPerCall / floor.serverCpuMsPerCall),
    ),
    {
      benchmark,
      figure: 'of which in the kernel (system time)',
      value: pctOf(api.serverSystemShare),
      floor: pctOf(floor.serverSystemShare),
      ratio: '',
      target: '—',
    },
    {
      benchmark,
      figure: 'server process CPU / machine busy',
      value: `${pctOf(api.serverCpuShare)} / ${pctOf(api.machineBusy)}`,
      floor: `${pctOf(floor.serverCpuShare)} / ${pctOf(floor.machineBusy)}`,
      ratio: '',
      target: '—',
    },
    {
      benchmark,
      figure: 'SQL statements per call',
      value: String(statements.api),
      floor: String(statements.floor),
      ratio: '',
      target: 'same work',
    },
    // The stack's floor: how much of the gap the stack costs by itself, how much the api adds.
    compared({ benchmark, figure: `latency p50, ms (floor: ${stackLabel})` }, api.p50, stack.p50),
    compared(
      { benchmark, figure: `server CPU per call, ms (floor: ${stackLabel})` },
      api.serverCpuMsPerCall,
      stack.serverCpuMsPerCall,
    ),
    compared({ benchmark, figure: `${stackLabel}: latency p50, ms` }, stack.p50, floor.p50),
    ...(stack.single && floor.single
      ? [
          compared(
            { benchmark, figure: `${stackLabel}: latency p50 at 1 connection, ms` },
            stack.single.p50,
            floor.single.p50,
          ),
        ]
      : []),
    compared(
      { benchmark, figure: `${stackLabel}: throughput, req/s` },
      stack.requestsPerSecond,
      floor.requestsPerSecond,
    ),
    compared(
      { benchmark, figure: `${stackLabel}: server CPU per call, ms` },
      stack.serverCpuMsPerCall,
      floor.serverCpuMsPerCall,
    ),
    {
      benchmark,
      figure: `${stackLabel}: errors + non-2xx, SQL statements per call`,
      value: `${failures(stack)}, ${statements.stack}`,
      floor: `${failures(floor)}, ${statements.floor}`,
      ratio: '',
      target: '0, same work',
      met: stack.errors + stack.non2xx === 0 && statements.stack === statements.floor,
    },
  ];
}

/**
 * The load test's world, through the api at `apiUrl`: one deal room per connection, each with
 * its client (created by a first `miniApp.session`) and its chat's request (a first save).
 */
export async function openLoadRooms(
  apiUrl: string,
  agent: Parameters<typeof openDealRooms>[1],
  db: pg.Client,
): Promise<DealRoom[]> {
  const rooms = await openDealRooms(apiUrl, agent, config.connections, -1002100000001, 5100000001);
  for (const room of rooms) {
    await query(apiUrl, 'miniApp.session', room.clientAuthorization);
    await mutate(apiUrl, 'miniApp.save', room.clientAuthorization, { fields: completeForm });
  }
  await db.query('VACUUM ANALYZE');
  return rooms;
}

export function makeProcedures(): Procedure[] {
  /** Per chat: the request's version as last seen, and the next message id (never reused). */
  const versions = new Map<number, number>();
  const nextMessageId = new Map<number, number>();
  let edits = 0;

  return [
    {
      name: 'miniApp.session',
      prepare: async () => undefined,
      clients: (rooms) =>
        rooms.map((room) => ({
          next: () => ({
            method: 'GET',
            path: queryPath('miniApp.session'),
            headers: { authorization: room.clientAuthorization },
          }),
        })),
    },
    {
      name: 'miniApp.save',
      // Same history length for api and floor; each client then edits only its own chat's
      // request, with the version it last saw: the saves succeed rather than conflict.
      async prepare(db) {
        await db.query(`DELETE FROM "RequestHistory" WHERE field = 'comment'`);
        await db.query('VACUUM ANALYZE "RequestHistory"');
        const { rows } = await db.query<{ chat: string; version: number }>(
          'SELECT "telegramChatId"::text AS chat, version FROM "PaymentRequest"',
        );
        for (const row of rows) versions.set(Number(row.chat), row.version);
      },
      clients: (rooms) =>
        rooms.map((room) => ({
          next: () => {
            edits += 1;
            return {
              method: 'POST',
              path: '/trpc/miniApp.save',
              headers: {
                authorization: room.clientAuthorization,
                'content-type': 'application/json',
              },
              body: JSON.stringify({
                version: versions.get(room.chatId),
                fields: {
                  ...completeForm,
                  comment: `Правка ${edits}: уточнили назначение платежа`,
                },
              }),
            };
          },
          onResponse(_status, body) {
            // A conflict should not happen (each client edits its own chat's request), but if
            // one does, the client re-reads the version as the Mini App would.
            let answer: {
              result?: { data: { version: number } };
              error?: { data?: { details?: { currentVersion?: number } } };
            };
            try {
              answer = JSON.parse(body) as typeof answer;
            } catch {
              return;
            }
            const version =
              answer.result?.data.version ?? answer.error?.data?.details?.currentVersion;
            if (version !== undefined) versions.set(room.chatId, version);
          },
        })),
    },
    {
      name: 'bot.saveMessage',
      async prepare(db) {
        await emptyChatMessages(db, { analyze: false });
      },
      clients: (rooms) =>
        rooms.map((room) => ({
          next: () => {
            const messageId = nextMessageId.get(room.chatId) ?? 1;
            nextMessageId.set(room.chatId, messageId + 1);
            return {
              method: 'POST',
              path: '/trpc/bot.saveMessage',
              headers: { authorization: botAuthorization, 'content-type': 'application/json' },
              body: JSON.stringify({
                chatId: room.chatId,
                message: {
                  messageId,
                  authorTelegramId: room.client.id,
                  authorName: room.client.name,
                  text: `Сообщение ${messageId}: пришлю инвойс и контракт после обеда`,
                  date: Math.floor(Date.now() / 1000),
                  kind: 'text',
                },
              }),
            };
          },
        })),
    },
  ];
}
