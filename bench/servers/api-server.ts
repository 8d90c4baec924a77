/**
 * The real api (apps/api: Fastify + tRPC + Prisma) on the benchmark database, in its own
 * process so its memory can be sampled and its CPU profiled. Started by lib/child.ts.
 *
 * Env: BENCH_DATABASE_URL (required), BENCH_API_LOG_LEVEL, BENCH_COUNT_QUERIES=1 (Prisma
 * query events on, to count and capture the statements a call issues; off for measurements).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Relative imports into the workspace's TypeScript source (run by tsx), see README.md.
import { buildServer } from '../../apps/api/src/server.ts';
import { createLogger } from '../../apps/api/src/logger.ts';
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
  },
  logger: createLogger(process.env.BENCH_API_LOG_LEVEL ?? 'silent'),
});
await app.listen({ host: '127.0.0.1', port: 0 });

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
  },
  async close() {
    try {
      await app.close();
      await db.close();
    } finally {
      await rm(filesDir, { recursive: true, force: true });
    }
  },
});
