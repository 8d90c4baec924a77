/**
 * The stack's floor: the floor's procedures (floor-logic.ts, the same statements as
 * floor-server.ts) on the api's stack and nothing of the api's own: Fastify, tRPC through the
 * api's route (`registerTrpc`), Prisma as `createDb` of packages/db makes it (the same client,
 * driver adapter and pool), and the api's interactive transactions. No zod (tRPC's input is
 * passed on as it came), no middleware, no services, no outbox.
 *
 * Between the floor (node:http and raw pg) and the api, it splits the api's cost into what the
 * chosen stack costs by itself and what the api's own code adds on top.
 * Env: BENCH_DATABASE_URL; BENCH_STACK_FLOOR_DB=pg (lib/config.ts) sends the statements through
 * a raw `pg` pool like the floor's instead of Prisma, to split the stack's cost between Prisma
 * and Fastify + tRPC.
 */
import type { AddressInfo } from 'node:net';

import { TRPCError, initTRPC } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import Fastify from 'fastify';
import pg from 'pg';

// Relative imports into the workspace's TypeScript source (run by tsx), see README.md.
import { registerTrpc } from '../../apps/api/src/trpc/fastify-handler.ts';
import { createDb } from '../../packages/db/src/index.ts';
import { HttpError, pgFloorDb, save, saveMessage, session, statementCount } from './floor-logic.ts';
import type { FloorDb, Row } from './floor-logic.ts';
import { serve } from './ipc.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');

const statements = statementCount();
const { counted } = statements;

async function prismaFloorDb(): Promise<{ db: FloorDb; close: () => Promise<void> }> {
  const { prisma, close } = await createDb({ url: url! });
  type Client = Pick<typeof prisma, '$queryRawUnsafe'>;
  const on = (client: Client): FloorDb => ({
    query(text, values = []) {
      counted();
      return client.$queryRawUnsafe<Row[]>(text, ...values);
    },
    async transaction(work) {
      const result = await prisma.$transaction((tx) => work(on(tx)));
      counted(); // its COMMIT
      return result;
    },
  });
  return { db: on(prisma), close };
}

async function pgFloor(): Promise<{ db: FloorDb; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined);
  return { db: pgFloorDb(pool, counted), close: () => pool.end() };
}

const { db, close } = await (process.env.BENCH_STACK_FLOOR_DB === 'pg'
  ? pgFloor()
  : prismaFloorDb());

const codes: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  501: 'NOT_IMPLEMENTED',
};

const t = initTRPC.context<{ authorization: string | undefined }>().create();
/** tRPC's input as it came, through a parser that checks nothing. */
const asIs = (input: unknown) => input;
const run = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError)
      throw new TRPCError({
        code: codes[error.status] ?? 'INTERNAL_SERVER_ERROR',
        message: error.message,
      });
    throw error;
  }
};

const router = t.router({
  miniApp: t.router({
    session: t.procedure.query(({ ctx }) => run(() => session(db, ctx.authorization))),
    save: t.procedure
      .input(asIs)
      .mutation(({ ctx, input }) => run(() => save(db, ctx.authorization, input))),
  }),
  bot: t.router({
    saveMessage: t.procedure
      .input(asIs)
      .mutation(({ ctx, input }) => run(() => saveMessage(db, ctx.authorization, input))),
  }),
});

const app = Fastify({ logger: false });
registerTrpc(app, {
  prefix: '/trpc',
  trpcOptions: {
    router,
    createContext: ({ req }) => ({ authorization: req.headers.authorization }),
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });

serve({
  port: (app.server.address() as AddressInfo).port,
  handlers: {
    queries: statements.queries,
  },
  async close() {
    await app.close();
    await close();
  },
});
