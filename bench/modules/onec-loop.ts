/**
 * 4. The 1C loop: the agent submits the deal room's request in the Mini App
 * (`miniApp.setStatus` → COLLECTING_OFFERS, real HTTP and init-data auth), the api writes the
 * outbox row, its ONEC outbox worker (started as apps/api/src/main.ts starts it, the api's
 * defaults) creates the request in 1C (apps/onec-emulator, its own process), 1C posts its
 * offer back at once and the api accepts it. Timed from the submit to the api's answer to
 * 1C's offer.
 *
 * Floor: the same loop without the outbox's queue — right after the submit's answer the
 * outbox's own delivery function (`deliverCreateRequest`) is called directly in the api
 * process (no poll, no claim, no completion), and 1C answers the same way.
 *
 * Then the outbox's throughput: requests queued while the worker is paused, drained once it
 * starts, with 1C answering each with an offer; against the same deliveries called directly,
 * 10 at a time (the worker's batch).
 */
import type pg from 'pg';

// Relative import into the api's test fixtures (a complete payment request form).
import { completeForm } from '@payreq/testing';
import { startChild } from '../lib/child.ts';
import { config } from '../lib/config.ts';
import { compared, fmt } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { botAuthorization, miniAppAuthorization } from '../lib/telegram.ts';
import { mutate } from '../lib/trpc.ts';
import { inFreshWorld, startWorldApi } from '../lib/world.ts';
import type { LoopTimes } from '../servers/onec-emulator-server.ts';

/** OutboxWorker's default batch (`batchSize`), which the api's 1C bridge keeps. */
const WORKER_BATCH = 10;
const WARMUP_REQUESTS = 10;

interface Room {
  chatId: number;
  authorization: string;
  requestId: string;
  version: number;
}

interface Submitted {
  room: Room;
  /** Date.now() when the submit was sent. */
  start: number;
  /** Its answer, ms after `start` (performance.now() precision). */
  submitMs: number;
}

interface Loop {
  total: number;
  submit: number;
  /** Submit answered → 1C received the request. */
  handoff: number;
  /** 1C received it → the platform answered 1C's offer (accepted). */
  offer: number;
}

/** Runs `work` over `items`, `concurrency` at a time, in order of start. */
async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export const onecLoop: BenchModule = {
  name: 'onec-loop',
  title: '1C loop: submit → 1C → offer accepted; outbox throughput',
  async run(ctx: BenchContext): Promise<Row[]> {
    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const api = await startWorldApi({ url, servers });
      const emulator = await startChild('1C emulator', 'onec-emulator-server.ts', {
        BENCH_PLATFORM_URL: api.url,
      });
      servers.push(emulator);
      const onecBaseUrl = await emulator.ask<string>({ type: 'baseUrl' });
      const { pollMs } = await api.ask<{ pollMs: number }>({
        type: 'onec.start',
        baseUrl: onecBaseUrl,
        pollMs: config.outboxPollMs,
      });

      const n = config.onecRequests;
      const m = config.onecBacklog;
      const total = WARMUP_REQUESTS + 2 * n + 2 * m;
      ctx.log(`opening ${total} deal rooms, each with a filled-in request (through the api)`);
      const rooms = await pool(
        Array.from({ length: total }, (_, index) => index),
        6,
        async (index): Promise<Room> => {
          const chatId = -1002300000001 - index;
          const registered = await mutate<{ registered: boolean; launchToken: string }>(
            api.url,
            'bot.registerChat',
            botAuthorization,
            {
              chat: { id: chatId, type: 'supergroup', title: `Сделка №${index + 1}` },
              addedBy: { telegramId: agent.id, name: agent.name },
              botIsAdmin: true,
            },
          );
          const authorization = miniAppAuthorization(agent, registered.launchToken);
          const draft = await mutate<{ id: string; version: number }>(
            api.url,
            'miniApp.save',
            authorization,
            { fields: completeForm },
          );
          return { chatId, authorization, requestId: draft.id, version: draft.version };
        },
      );
      let taken = 0;
      const take = (count: number) => rooms.slice(taken, (taken += count));
      const [warm, latencyRooms, latencyFloorRooms, backlogRooms, backlogFloorRooms] = [
        take(WARMUP_REQUESTS),
        take(n),
        take(n),
        take(m),
        take(m),
      ] as [Room[], Room[], Room[], Room[], Room[]];
      await db.query('VACUUM ANALYZE');

      /** The agent's submit in the Mini App ("Отправить"): the request goes to 1C. */
      const submit = async (room: Room): Promise<Submitted> => {
        const start = Date.now();
        const t0 = performance.now();
        const view = await mutate<{ status: string }>(
          api.url,
          'miniApp.setStatus',
          room.authorization,
          {
            status: 'COLLECTING_OFFERS',
            version: room.version,
          },
        );
        const submitMs = performance.now() - t0;
        if (view.status !== 'COLLECTING_OFFERS') throw new Error(`submit left ${view.status}`);
        return { room, start, submitMs };
      };
      // 1C tells each acceptance as it happens; a loop waits for its own.
      const waiters = new Map<string, (times: LoopTimes) => void>();
      const early = new Map<string, LoopTimes>();
      emulator.onMessage((message) => {
        if (message.type !== 'accepted') return;
        const times = message as unknown as LoopTimes;
        const waiter = waiters.get(times.platformId);
        if (waiter) waiter(times);
        else early.set(times.platformId, times);
      });
      const acceptance = (requestId: string) =>
        new Promise<LoopTimes>((resolve, reject) => {
          const known = early.get(requestId);
          if (known) return resolve(known);
          const timer = setTimeout(() => {
            waiters.delete(requestId);
            reject(new Error(`no offer accepted for ${requestId} within 60 s`));
          }, 60_000);
          waiters.set(requestId, (times) => {
            clearTimeout(timer);
            waiters.delete(requestId);
            resolve(times);
          });
        });
      /** Throws unless every request of `batch` has 1C's offer accepted in the database. */
      const assertOffersAccepted = async (batch: Room[], what: string) => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "PaymentRequest" WHERE id = ANY($1::uuid[]) AND status = 'OFFER_ACCEPTED'`,
          [batch.map((room) => room.requestId)],
        );
        if (rows[0]!.n !== batch.length)
          throw new Error(
            `${what}: ${rows[0]!.n} of ${batch.length} requests have the offer accepted`,
          );
      };
      /**
       * Closed loop: `onecConcurrency` agents, each submitting its next request a random pause
       * (0 to the outbox's poll interval) after 1C's offer for its last one was accepted, so the
       * submits fall anywhere in the worker's poll cycle, as people's do (without the pause
       * they fall in step with it: each would wait a whole interval). `deliver`: what follows
       * the submit's answer.
       */
      const agents = async (
        batch: Room[],
        what: string,
        deliver?: (room: Room) => Promise<unknown>,
      ) => {
        const loops: Loop[] = [];
        await pool(batch, config.onecConcurrency, async (room) => {
          await sleep(Math.random() * pollMs);
          const waiting = acceptance(room.requestId);
          const { start, submitMs } = await submit(room);
          await deliver?.(room);
          const t = await waiting;
          if (t.state !== 'DELIVERED') throw new Error(`${what}: 1C's offer failed: ${t.state}`);
          loops.push({
            total: t.accepted! - start,
            submit: submitMs,
            handoff: t.received - (start + submitMs),
            offer: t.accepted! - t.received,
          });
        });
        await assertOffersAccepted(batch, what);
        return loops;
      };
      /** Until 1C's offer for each of these requests has been answered by the platform. */
      const accepted = async (batch: Room[], what: string): Promise<Map<string, LoopTimes>> => {
        const deadline = Date.now() + 60_000 + batch.length * 200;
        for (;;) {
          const times = new Map(
            (await emulator.ask<LoopTimes[]>({ type: 'times' })).map((t) => [t.platformId, t]),
          );
          const done = batch.filter((room) => times.get(room.requestId)?.accepted != null);
          if (done.length === batch.length) {
            const failed = batch
              .map((room) => times.get(room.requestId)!)
              .filter((t) => t.state !== 'DELIVERED');
            if (failed.length > 0)
              throw new Error(
                `${what}: 1C's offer failed for ${failed.length}: ${failed[0]!.state}`,
              );
            await assertOffersAccepted(batch, what);
            return times;
          }
          if (Date.now() > deadline)
            throw new Error(`${what}: ${done.length} of ${batch.length} offers accepted in time`);
          await sleep(50);
        }
      };
      const deliverNow = (batch: Room[], size: number) =>
        api.ask<{ started: number; ended: number }>({
          type: 'onec.deliverNow',
          requestIds: batch.map((room) => room.requestId),
          batch: size,
        });
      /** Outbox rows the floors made (their deliveries were called directly): never delivered. */
      const dropQueued = (batch: Room[]) =>
        db.query(
          `DELETE FROM "OutboxMessage" WHERE target = 'ONEC' AND state = 'PENDING' AND payload->>'requestId' = ANY($1::text[])`,
          [batch.map((room) => room.requestId)],
        );

      ctx.log(`1C loop: warm-up, ${warm.length} requests`);
      await agents(warm, 'warm-up');

      const k = config.onecConcurrency;
      ctx.log(
        `1C loop: ${n} submits by ${k} agents, each after a 0–${pollMs} ms pause (outbox poll ${pollMs} ms)`,
      );
      const loops = await agents(latencyRooms, 'latency run');

      ctx.log(`1C loop floor: ${n} submits, each delivered at once (no outbox queue)`);
      await api.ask({ type: 'outbox.pause' });
      const floorLoops = await agents(latencyFloorRooms, 'latency floor', (room) =>
        deliverNow([room], 1),
      );
      await dropQueued(latencyFloorRooms);

      ctx.log(`outbox: ${m} requests queued while the worker is paused, then drained`);
      await pool(backlogRooms, 4, submit);
      const resumedAt = await api.ask<number>({ type: 'outbox.resume' });
      const drained = await accepted(backlogRooms, 'outbox drain');
      const delivered = await lastDelivery(db, backlogRooms);
      const drainAccepted = Math.max(
        ...backlogRooms.map((r) => drained.get(r.requestId)!.accepted!),
      );

      ctx.log(`outbox floor: ${m} deliveries called directly, ${WORKER_BATCH} at a time`);
      await api.ask({ type: 'outbox.pause' });
      await pool(backlogFloorRooms, 4, submit);
      await dropQueued(backlogFloorRooms);
      const direct = await deliverNow(backlogFloorRooms, WORKER_BATCH);
      const directTimes = await accepted(backlogFloorRooms, 'outbox floor');
      const directAccepted = Math.max(
        ...backlogFloorRooms.map((r) => directTimes.get(r.requestId)!.accepted!),
      );

      const pick = (list: Loop[], key: keyof Loop, p: number) =>
        percentile(
          list.map((loop) => loop[key]),
          p,
        );
      const loopBench = `1C loop (${n} submits, ${k} agents; outbox poll ${pollMs} ms)`;
      const floorName = 'floor: delivered at once';
      /** One figure of the loop: the api's and the floor's percentile `p` of one step. */
      const loopRow = (figure: string, key: keyof Loop, p: number) =>
        compared({ benchmark: loopBench, figure }, pick(loops, key, p), pick(floorLoops, key, p));
      const rows: Row[] = [
        loopRow(`submit → offer accepted p50, ms (${floorName})`, 'total', 50),
        loopRow(`submit → offer accepted p99, ms (${floorName})`, 'total', 99),
        loopRow('the submit call (miniApp.setStatus) p50, ms', 'submit', 50),
        loopRow(`submit answered → 1C has the request p50, ms (${floorName})`, 'handoff', 50),
        loopRow(`submit answered → 1C has the request p99, ms (${floorName})`, 'handoff', 99),
        loopRow('1C has it → its offer accepted p50, ms', 'offer', 50),
      ];
      const drainBench = `Outbox to 1C (${m} queued requests, 1C answering each with an offer)`;
      const directName = `floor: the deliveries called directly, ${WORKER_BATCH} at a time`;
      rows.push(
        compared(
          { benchmark: drainBench, figure: `requests delivered to 1C/s (${directName})` },
          (m / (delivered - resumedAt)) * 1000,
          (m / (direct.ended - direct.started)) * 1000,
        ),
        compared(
          { benchmark: drainBench, figure: `offers accepted/s, until the last (${directName})` },
          (m / (drainAccepted - resumedAt)) * 1000,
          (m / (directAccepted - direct.started)) * 1000,
        ),
        {
          benchmark: drainBench,
          figure: 'drain time, s (worker start → last offer accepted)',
          value: fmt.num((drainAccepted - resumedAt) / 1000),
          floor: fmt.num((directAccepted - direct.started) / 1000),
          ratio: fmt.ratio((drainAccepted - resumedAt) / (directAccepted - direct.started)),
          target: '—',
        },
      );
      return rows;
    });
  },
};

/** When the worker completed the last of these requests' `onec.createRequest` rows (Date.now() ms). */
async function lastDelivery(db: pg.Client, batch: Room[]): Promise<number> {
  const { rows } = await db.query<{ last: number; n: number }>(
    `SELECT (extract(epoch FROM max("deliveredAt")) * 1000)::float8 AS last, count(*)::int AS n
     FROM "OutboxMessage"
     WHERE target = 'ONEC' AND kind = 'onec.createRequest' AND state = 'DELIVERED'
       AND payload->>'requestId' = ANY($1::text[])`,
    [batch.map((room) => room.requestId)],
  );
  if (rows[0]!.n !== batch.length)
    throw new Error(`outbox: ${rows[0]!.n} of ${batch.length} createRequest rows delivered`);
  return rows[0]!.last;
}
