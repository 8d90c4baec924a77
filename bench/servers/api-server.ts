/**
 * The real api (apps/api: Fastify + tRPC + Prisma) on the benchmark database, in its own
 * process so its memory can be sampled and its CPU profiled. Started by lib/child.ts.
 *
 * Env: BENCH_DATABASE_URL (required), BENCH_API_LOG_LEVEL, BENCH_COUNT_QUERIES=1 (Prisma
 * query events on, to count and capture the statements a call issues; off for measurements),
 * BENCH_WEBAPP_DIST_DIR (serve the built Mini App, as WEBAPP_DIST_DIR does).
 *
 * The 1C bridge (the ONEC outbox worker, as apps/api/src/main.ts starts it) is started on
 * request (`onec.start`, once the emulator's URL is known), with the api's own defaults.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Relative imports into the workspace's TypeScript source (run by tsx), see README.md.
import { loadEnv } from '../../apps/api/src/env.ts';
import { startOnecBridge } from '../../apps/api/src/outbox/onec-bridge.ts';
import type { OnecBridge } from '../../apps/api/src/outbox/onec-bridge.ts';
import { defaultPortalSettings } from '../../apps/api/src/context.ts';
import { buildServer } from '../../apps/api/src/server.ts';
import { createLogger } from '../../apps/api/src/logger.ts';
import {
  createOnecClientFromEnv,
  deliverCreateRequest,
} from '../../apps/api/src/services/onec-outbound.ts';
import { LocalFileStore } from '../../apps/api/src/storage/file-store.ts';
import { createDb } from '../../packages/db/src/index.ts';
import { secrets } from '../lib/config.ts';
import { serve } from './ipc.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');
const countQueries = process.env.BENCH_COUNT_QUERIES === '1';

const db = await createDb({
  url,
  // Passed through to `new PrismaClient({ log })`, which takes event definitions too.
  log: countQueries ? ([{ emit: 'event', level: 'query' }] as unknown as ['query']) : undefined,
});
let queries: string[] = [];
if (countQueries) {
  (db.prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on(
    'query',
    (event) => void queries.push(event.query),
  );
}
const filesDir = await mkdtemp(path.join(tmpdir(), 'payreq-bench-files-'));
const logger = createLogger(process.env.BENCH_API_LOG_LEVEL ?? 'silent');
const app = await buildServer({
  deps: {
    db: db.prisma,
    platformTokenSecret: secrets.platformTokenSecret,
    now: () => new Date(),
    files: new LocalFileStore(filesDir),
    telegram: {
      botToken: secrets.botToken,
      initDataMaxAgeSeconds: secrets.initDataMaxAgeSeconds,
      botServiceToken: secrets.botServiceToken,
      uploadMaxBytes: 20 * 1024 * 1024,
      // As apps/api/src/env.ts's default (EXPORT_MAX_BYTES).
      exportMaxBytes: 512 * 1024 * 1024,
    },
    portal: defaultPortalSettings,
  },
  logger,
  webappDistDir: process.env.BENCH_WEBAPP_DIST_DIR || undefined,
  // The limiter runs (its cost is part of the api's), with budgets no load test reaches.
  rateLimits: {
    enabled: true,
    perMinute: { miniApp: 1e9, platform: 1e9, bot: 1e9, onec: 1e9, anonymous: 1e9 },
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });

/** Wall-clock time (ms), comparable across the bench's processes and with PostgreSQL's now(). */
const clock = () => Date.now();

let bridge: OnecBridge | null = null;
let onecEnv: ReturnType<typeof loadEnv> | null = null;

serve({
  port: (app.server.address() as AddressInfo).port,
  handlers: {
    /** How many statements Prisma issued since the last ask (BENCH_COUNT_QUERIES=1 only). */
    queries: () => {
      const count = queries.length;
      queries = [];
      return count;
    },
    /** The statements themselves (tools/capture-sql.ts). */
    statements: () => {
      const texts = queries;
      queries = [];
      return texts;
    },
    /**
     * Starts the 1C bridge as the api's main does (the integration 1C calls us with, and the
     * ONEC outbox worker), against the emulator at `baseUrl`; the api's defaults otherwise.
     */
    'onec.start': async (message) => {
      onecEnv = loadEnv({
        ONEC_BASE_URL: String(message.baseUrl),
        ONEC_INBOUND_API_KEY: secrets.onecApiKey,
        ONEC_INBOUND_HMAC_SECRET: secrets.onecHmacSecret,
        ...(message.pollMs ? { OUTBOX_POLL_MS: String(message.pollMs) } : {}),
      });
      bridge = await startOnecBridge({ env: onecEnv, db: db.prisma, logger });
      return { pollMs: onecEnv.OUTBOX_POLL_MS };
    },
    /** Stops the worker (after the delivery in flight): submits queue up in the outbox. */
    'outbox.pause': async () => {
      await bridge?.worker?.stop();
      return clock();
    },
    /** Starts it again: it polls at once. Answers the time it started. */
    'outbox.resume': () => {
      const at = clock();
      bridge?.worker?.start();
      return at;
    },
    /**
     * The outbox's delivery of `onec.createRequest` for these requests, called directly (no
     * queue: no poll, claim or completion), `batch` at a time as the worker claims them. The
     * floor of the 1C loop. Answers when each started and ended.
     */
    'onec.deliverNow': async (message) => {
      if (!onecEnv) throw new Error('onec.start first');
      const onec = createOnecClientFromEnv(onecEnv, logger);
      const deps = { db: db.prisma, onec, now: () => new Date(), logger };
      const ids = message.requestIds as string[];
      const batch = Number(message.batch ?? 1);
      const started = clock();
      for (let index = 0; index < ids.length; index += batch) {
        await Promise.all(
          ids
            .slice(index, index + batch)
            .map((requestId) =>
              deliverCreateRequest(deps, { payload: { requestId }, createdAt: new Date() }),
            ),
        );
      }
      return { started, ended: clock() };
    },
  },
  async close() {
    try {
      await bridge?.stop();
      await app.close();
      await db.close();
    } finally {
      await rm(filesDir, { recursive: true, force: true });
    }
  },
});
