/**
 * The floor of the Mini App load test: the floor's procedures (floor-logic.ts: the api's
 * statements, in the same order and transactions, on a pool of the same size) through raw
 * `pg` in a bare `node:http` server. No framework, no ORM, no schema validation: what is left
 * is the cost of the database round trips themselves.
 *
 * Routes mirror the api's: GET /trpc/miniApp.session, POST /trpc/miniApp.save,
 * POST /trpc/bot.saveMessage, answering `{ result: { data } }` as tRPC does.
 * Env: BENCH_DATABASE_URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { HttpError, pgFloorDb, save, saveMessage, session, statementCount } from './floor-logic.ts';
import { serve } from './ipc.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');

// pg's default pool size, as @prisma/adapter-pg gets it (no connection_limit in the URL).
const pool = new pg.Pool({ connectionString: url, max: 10 });
pool.on('error', () => undefined); // an idle client lost (the server stopping): not a crash

const statements = statementCount();
const db = pgFloorDb(pool, statements.counted);

// ------------------------------------------------------------------ HTTP

const routes: Record<string, (req: http.IncomingMessage, body: string) => Promise<unknown>> = {
  'GET /trpc/miniApp.session': async (req) => session(db, req.headers.authorization),
  'POST /trpc/miniApp.save': async (req, body) =>
    save(db, req.headers.authorization, JSON.parse(body)),
  'POST /trpc/bot.saveMessage': async (req, body) =>
    saveMessage(db, req.headers.authorization, JSON.parse(body)),
};

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const route = routes[`${req.method} ${req.url?.split('?')[0]}`];
    const reply = (status: number, payload: unknown) => {
      const body = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    if (!route) return reply(404, { error: { message: 'no such route' } });
    route(req, Buffer.concat(chunks).toString('utf8')).then(
      (data) => reply(200, { result: { data } }),
      (error: unknown) => {
        if (error instanceof HttpError)
          return reply(error.status, { error: { message: error.message } });
        console.error(error);
        reply(500, { error: { message: 'internal error' } });
      },
    );
  });
});
server.keepAliveTimeout = 72_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serve({
  port: (server.address() as AddressInfo).port,
  handlers: {
    queries: statements.queries,
  },
  async close() {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await pool.end();
  },
});
