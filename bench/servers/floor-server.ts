/**
 * The floor of the Mini App load test: the same database work as the api's procedures
 * (the statements of floor-sql.ts, in the same order and transactions, on a pool of the same
 * size), through raw `pg` in a bare `node:http` server, with init data checked by hand
 * (HMAC-SHA256 under HMAC("WebAppData", bot token), node:crypto). No framework, no ORM, no
 * schema validation: what is left is the cost of the database round trips themselves.
 *
 * Routes mirror the api's: GET /trpc/miniApp.session, POST /trpc/miniApp.save,
 * POST /trpc/bot.saveMessage, answering `{ result: { data } }` as tRPC does.
 * Env: BENCH_DATABASE_URL.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { secrets } from '../lib/config.ts';
import { agentsIn, insertHistory, sql } from './floor-sql.ts';
import { serve } from './ipc.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');

// pg's default pool size, as @prisma/adapter-pg gets it (no connection_limit in the URL).
const pool = new pg.Pool({ connectionString: url, max: 10 });
pool.on('error', () => undefined); // an idle client lost (the server stopping): not a crash
type Runner = pg.Pool | pg.PoolClient;
type Row = Record<string, any>;

/** Statements sent, BEGIN excepted (Prisma's query log, which the api side counts, omits it). */
let statements = 0;
function q(runner: Runner, text: string, values: unknown[] = []): Promise<pg.QueryResult<Row>> {
  if (text !== 'BEGIN') statements += 1;
  return runner.query(text, values);
}

async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await q(client, 'BEGIN');
    const result = await work(client);
    await q(client, 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ identity

const webAppKey = createHmac('sha256', 'WebAppData').update(secrets.botToken).digest();

interface Launch {
  user: { id: number; first_name: string; last_name?: string; language_code?: string };
  startParam: string | null;
}

/** Telegram's check of Mini App init data, by hand: sorted `key=value` lines, HMAC, age. */
function verifyInitData(raw: string): Launch {
  const params = new URLSearchParams(raw);
  const hash = params.get('hash');
  if (!hash) throw new HttpError(401, 'init data carries no signature');
  const pairs: string[] = [];
  for (const [key, value] of params) if (key !== 'hash') pairs.push(`${key}=${value}`);
  pairs.sort();
  const expected = createHmac('sha256', webAppKey).update(pairs.join('\n')).digest();
  const given = Buffer.from(hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new HttpError(401, 'init data signature is invalid');
  const authDate = Number(params.get('auth_date'));
  const now = Date.now() / 1000;
  if (!Number.isInteger(authDate) || now - authDate > secrets.initDataMaxAgeSeconds)
    throw new HttpError(401, 'the Mini App session has expired');
  if (authDate - now > 60) throw new HttpError(401, 'init data is dated in the future');
  const user = JSON.parse(params.get('user') ?? 'null') as Launch['user'] | null;
  if (!user || !Number.isSafeInteger(user.id) || user.id <= 0)
    throw new HttpError(401, 'init data names no user');
  return { user, startParam: params.get('start_param') };
}

type Actor =
  | {
      kind: 'agent';
      agentId: string;
      tenantId: string;
      tenantIsMaster: boolean;
      name: string;
      telegramId: number;
    }
  | { kind: 'user'; userId: string; name: string; telegramId: number; locale: string };

/** Agent by Telegram id, else the user — the upsert (`update: {}`) as Prisma runs it. */
async function telegramActor(launch: Launch): Promise<Actor> {
  const telegramId = String(launch.user.id);
  const agent = (await q(pool, sql.agentByTelegramId, [telegramId, 1, 0])).rows[0];
  if (agent?.active) {
    const tenant = (await q(pool, sql.tenantById, [agent.tenantId, 0])).rows[0]!;
    return {
      kind: 'agent',
      agentId: agent.id,
      tenantId: agent.tenantId,
      tenantIsMaster: tenant.isMaster,
      name: agent.name,
      telegramId: launch.user.id,
    };
  }
  const user = await transaction(async (client) => {
    const ids = (await q(client, sql.userIdsByTelegramId, [telegramId, 0])).rows;
    if (ids.length === 0) {
      const name = [launch.user.first_name, launch.user.last_name].filter(Boolean).join(' ');
      return (
        await q(
          client,
          `INSERT INTO "User" (id, "telegramId", name, role, locale, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'CLIENT', $3, now()) RETURNING *`,
          [telegramId, name, launch.user.language_code?.startsWith('en') ? 'en' : 'ru'],
        )
      ).rows[0]!;
    }
    await q(client, sql.userByTelegramIdAndId, [telegramId, ids[0]!.id, 1, 0]);
    return (await q(client, sql.userById, [ids[0]!.id, 1, 0])).rows[0]!;
  });
  return {
    kind: 'user',
    userId: user.id,
    name: user.name,
    telegramId: launch.user.id,
    locale: user.locale,
  };
}

interface BoundChat {
  chatId: string;
  title: string | null;
  agentId: string | null;
  isMember: boolean;
  isChatAgent: boolean;
}

/** The launch token of the signed start_param, the chat, the caller's membership. */
async function boundChat(actor: Actor, launch: Launch): Promise<BoundChat> {
  const refused = () => new HttpError(403, 'No access to this chat');
  if (!launch.startParam || !/^[A-Za-z0-9_-]{16,64}$/.test(launch.startParam)) throw refused();
  const token = (await q(pool, sql.launchToken, [launch.startParam, 1, 0])).rows[0];
  if (!token || token.revokedAt) throw refused();
  let chat = (await q(pool, sql.chatById, [token.chatId, 1, 0])).rows[0];
  for (let hops = 0; chat?.migratedToChatId && hops < 5; hops += 1)
    chat = (await q(pool, sql.chatById, [chat.migratedToChatId, 1, 0])).rows[0];
  if (!chat) throw refused();
  const member = (await q(pool, sql.chatMember, [chat.id, String(launch.user.id), 1, 0])).rows[0];
  const isMember = member !== undefined && member.status !== 'LEFT';
  const isChatAgent = actor.kind === 'agent' && chat.agentId === actor.agentId;
  if (!isMember && !isChatAgent) throw refused();
  return { chatId: chat.id, title: chat.title, agentId: chat.agentId, isMember, isChatAgent };
}

async function miniAppCaller(req: http.IncomingMessage) {
  const authorization = req.headers.authorization ?? '';
  if (!authorization.startsWith('tma ')) throw new HttpError(401, 'open the app from Telegram');
  const launch = verifyInitData(authorization.slice(4));
  const actor = await telegramActor(launch);
  return { actor, chat: await boundChat(actor, launch) };
}

const serviceToken = Buffer.from(`Bearer ${secrets.botServiceToken}`);
function requireBot(req: http.IncomingMessage): void {
  const given = Buffer.from(req.headers.authorization ?? '');
  if (given.length !== serviceToken.length || !timingSafeEqual(given, serviceToken))
    throw new HttpError(401, 'invalid token');
}

// ------------------------------------------------------------------ the request

/** The request, its tenant and accepted offers, the caller's membership (`loadAccess`). */
async function loadAccess(runner: Runner, actor: Actor, requestId: string) {
  const request = (await q(runner, sql.requestById, [requestId, 1, 0])).rows[0];
  if (!request) throw new HttpError(404, 'not found');
  const [tenant, accepted] = await Promise.all([
    q(runner, sql.tenantById, [request.tenantId, 0]),
    q(runner, sql.acceptedOffers, ['ACCEPTED', requestId, 0]),
  ]);
  const member =
    request.telegramChatId === null
      ? undefined
      : (
          await q(runner, sql.memberStatus, [
            request.telegramChatId,
            String(actor.telegramId),
            1,
            0,
          ])
        ).rows[0];
  const isMember = member !== undefined && member.status !== 'LEFT';
  const linkedAgent = actor.kind === 'agent' && actor.agentId === request.agentId;
  return {
    request,
    tenant: tenant.rows[0]!,
    acceptedOfferAgentId: accepted.rows[0]?.agentId ?? null,
    mayView: isMember || linkedAgent,
    mayEdit: (isMember || linkedAgent) && ['DRAFT', 'COLLECTING_OFFERS'].includes(request.status),
  };
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/** The request with everything the view shows (`viewFor`: one query per relation, in parallel). */
async function requestView(runner: Runner, requestId: string) {
  const row = (await q(runner, sql.requestById, [requestId, 1, 0])).rows[0]!;
  const [tenant, agent, clientUser, chat, offers, documents, documentRequests, history] =
    await Promise.all([
      q(runner, sql.tenantById, [row.tenantId, 0]),
      q(runner, sql.agentById, [row.agentId, 0]),
      q(runner, sql.userByIdRelation, [row.clientUserId, 0]),
      q(runner, sql.chatByIdRelation, [row.telegramChatId, 0]),
      q(runner, sql.offers, [requestId, 0]).then(async (result) => {
        const ids = [...new Set(result.rows.map((offer) => offer.agentId as string))];
        const agents = (await q(runner, agentsIn(ids.length), [...ids, 0])).rows;
        return result.rows.map((offer): Row => ({
          ...offer,
          agentName: agents.find((a) => a.id === offer.agentId)?.name ?? null,
        }));
      }),
      q(runner, sql.documents, [requestId, 0]),
      q(runner, sql.documentRequests, [requestId, 0]),
      q(runner, sql.history, [requestId, 0]),
    ]);
  const fields = Object.fromEntries(formFields.map((name) => [name, row[name] ?? null]));
  return {
    id: row.id,
    number: row.number,
    displayNumber: `№ ${String(row.number).padStart(6, '0')}`,
    tenantId: row.tenantId,
    tenantName: tenant.rows[0]?.name ?? null,
    source: row.source,
    pipeline: 'TELEGRAM',
    inHouse: Boolean(tenant.rows[0]?.isMaster),
    telegramChatId: row.telegramChatId === null ? null : Number(row.telegramChatId),
    chatTitle: chat.rows[0]?.title ?? null,
    agentId: row.agentId,
    agentName: agent.rows[0]?.name ?? null,
    clientName: row.payerName ?? clientUser.rows[0]?.name ?? null,
    status: row.status,
    paymentStatus: row.paymentStatus,
    amount: row.amount,
    currency: row.currency,
    offersDeadline: iso(row.offersDeadline),
    onecUrl: row.onecUrl,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    fields,
    readOnly: !['DRAFT', 'COLLECTING_OFFERS'].includes(row.status),
    onecRef: row.onecRef,
    acceptedOffer: offers.find((offer) => offer.status === 'ACCEPTED') ?? null,
    offers,
    documents: documents.rows,
    documentRequests: documentRequests.rows,
    history: history.rows.map((entry) => ({
      id: String(entry.id),
      at: iso(entry.at),
      actorKind: entry.actorKind,
      actorName: entry.actorName,
      field: entry.field,
      from: entry.fromValue,
      to: entry.toValue,
    })),
  };
}

/** The form's columns, in the order of the captured UPDATE (sql.updateRequestForm). */
const formFields = [
  'payerName',
  'payerTaxId',
  'direction',
  'amount',
  'currency',
  'clientCurrency',
  'beneficiaryName',
  'beneficiaryCountry',
  'beneficiaryAddress',
  'beneficiaryBankName',
  'beneficiarySwift',
  'beneficiaryAccount',
  'purpose',
  'contractNumber',
  'contractDate',
  'invoiceNumber',
  'comment',
] as const;

async function userInfo(actor: Actor) {
  if (actor.kind === 'agent') {
    const tenant = (await q(pool, sql.tenantByIdUnique, [actor.tenantId, 1, 0])).rows[0]!;
    return {
      userId: null,
      telegramId: actor.telegramId,
      name: actor.name,
      role: 'AGENT',
      tenant: { id: tenant.id, name: tenant.name, isMaster: tenant.isMaster },
      agentId: actor.agentId,
    };
  }
  const user = (await q(pool, sql.userByIdUnique, [actor.userId, 1, 0])).rows[0]!;
  const tenant = (await q(pool, sql.tenantById, [user.tenantId, 0])).rows[0];
  return {
    userId: user.id,
    telegramId: actor.telegramId,
    name: user.name,
    role: user.role,
    tenant: tenant ? { id: tenant.id, name: tenant.name, isMaster: tenant.isMaster } : null,
    agentId: null,
  };
}

// ------------------------------------------------------------------ procedures

async function session(req: http.IncomingMessage) {
  const { actor, chat } = await miniAppCaller(req);
  const requestId = (await q(pool, sql.requestIdByChat, [chat.chatId, 1, 0])).rows[0]?.id ?? null;
  let request = null;
  if (requestId) {
    const access = await loadAccess(pool, actor, requestId);
    if (access.mayView) request = await requestView(pool, requestId);
  }
  return {
    me: { ...(await userInfo(actor)), settings: { locale: 'ru', timeZone: 'Europe/Moscow' } },
    chat: { id: Number(chat.chatId), title: chat.title },
    request,
  };
}

async function save(req: http.IncomingMessage, body: string) {
  const input = JSON.parse(body) as { version?: number; fields?: Record<string, unknown> };
  if (typeof input.version !== 'number' || !input.fields)
    throw new HttpError(400, 'version and fields are required');
  const fields = input.fields;
  if (formFields.some((name) => !(name in fields)))
    throw new HttpError(400, 'the floor takes the whole form');
  const { actor, chat } = await miniAppCaller(req);
  const requestId = (await q(pool, sql.requestIdByChat, [chat.chatId, 1, 0])).rows[0]?.id;
  if (!requestId) throw new HttpError(404, 'This chat has no payment request yet');
  return transaction(async (client) => {
    await q(client, sql.lockRequest, [requestId]);
    const access = await loadAccess(client, actor, requestId);
    if (!access.mayEdit) throw new HttpError(403, 'You may not do this');
    const { request } = access;
    if (request.version !== input.version) throw new HttpError(409, 'VERSION_CONFLICT');
    const changes = formFields.filter(
      (name) => (request[name] ?? null) !== ((fields[name] as string | null) ?? null),
    );
    if (changes.length > 0) {
      const now = new Date();
      const updated = await q(client, sql.updateRequestForm, [
        ...formFields.map((name) => fields[name] ?? null),
        1,
        now,
        requestId,
        request.version,
      ]);
      if (updated.rowCount !== 1) throw new HttpError(409, 'VERSION_CONFLICT');
      const who =
        actor.kind === 'agent'
          ? ['agent', actor.agentId, actor.name]
          : ['user', actor.userId, actor.name];
      await q(
        client,
        insertHistory(changes.length),
        changes.flatMap((name) => [
          requestId,
          ...who,
          name,
          request[name] == null ? null : JSON.stringify(request[name]),
          fields[name] == null ? null : JSON.stringify(fields[name]),
          now,
        ]),
      );
      await loadAccess(client, actor, requestId);
    }
    return requestView(client, requestId);
  });
}

async function saveMessage(req: http.IncomingMessage, body: string) {
  requireBot(req);
  const input = JSON.parse(body) as {
    chatId: number;
    message: {
      messageId: number;
      authorTelegramId?: number | null;
      authorName?: string | null;
      text?: string | null;
      date: number;
      editDate?: number | null;
      replyToMessageId?: number | null;
      mediaGroupId?: string | null;
      kind?: string;
      assetId?: string | null;
      fileTooBig?: boolean;
      fileName?: string | null;
    };
  };
  const chatId = String(input.chatId);
  const m = input.message;
  const chat = (await q(pool, sql.chatExists, [chatId, 1, 0])).rows[0];
  if (!chat) throw new HttpError(404, 'chat not found');
  const kind = m.kind ?? 'text';
  return transaction(async (client) => {
    const result = await q(client, sql.upsertChatMessages, [
      chatId,
      [m.messageId],
      [m.authorTelegramId == null ? null : String(m.authorTelegramId)],
      [m.authorName ?? null],
      [m.text ?? m.fileName ?? null],
      [new Date(m.date * 1000)],
      [m.editDate ? new Date(m.editDate * 1000) : null],
      [m.replyToMessageId ?? null],
      [m.mediaGroupId ?? null],
      [kind],
      [m.assetId ?? null],
      [m.fileTooBig ?? false],
    ]);
    if (m.authorTelegramId != null && kind !== 'service')
      await q(client, sql.markAuthors, [
        chatId,
        [String(m.authorTelegramId)],
        [m.authorName ?? null],
      ]);
    const inserted = result.rows.filter((row) => row.inserted).length;
    const updated = result.rows.length - inserted;
    return { received: 1, inserted, updated, unchanged: 1 - inserted - updated };
  });
}

// ------------------------------------------------------------------ HTTP

const routes: Record<string, (req: http.IncomingMessage, body: string) => Promise<unknown>> = {
  'GET /trpc/miniApp.session': (req) => session(req),
  'POST /trpc/miniApp.save': save,
  'POST /trpc/bot.saveMessage': saveMessage,
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
    queries: () => {
      const count = statements;
      statements = 0;
      return count;
    },
  },
  async close() {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await pool.end();
  },
});
