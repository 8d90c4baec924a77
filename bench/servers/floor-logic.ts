/**
 * What the floors of the Mini App load test do for each procedure: the same database work as
 * the api's (the statements of floor-sql.ts, in the same order and transactions), init data
 * checked by hand (HMAC-SHA256 under HMAC("WebAppData", bot token), node:crypto), the views
 * built by hand. No schema validation. Two servers run it: floor-server.ts (bare `node:http`
 * and raw `pg`, the floor) and stack-floor-server.ts (the api's stack: Fastify, tRPC, Prisma).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import type pg from 'pg';

import { secrets } from '../lib/config.ts';
import { sql } from './floor-sql.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of hand-written SQL, read by column
export type Row = Record<string, any>;

/** The database a floor runs its statements on. */
export interface FloorDb {
  query(text: string, values?: unknown[]): Promise<Row[]>;
  /** `work` in one transaction (BEGIN … COMMIT on one connection), rolled back if it throws. */
  transaction<T>(work: (tx: FloorDb) => Promise<T>): Promise<T>;
}

/**
 * Statements sent (BEGIN excepted: Prisma's query log, which the api side counts, omits it):
 * `counted` for each, and the IPC handler `queries` that answers the count since its last call.
 */
export function statementCount(): { counted: () => void; queries: () => number } {
  let count = 0;
  return {
    counted: () => void (count += 1),
    queries: () => {
      const sent = count;
      count = 0;
      return sent;
    },
  };
}

/** The floor's database: raw `pg` on `pool`; `counted` is called for each statement but BEGIN. */
export function pgFloorDb(pool: pg.Pool, counted: () => void): FloorDb {
  const on = (runner: pg.Pool | pg.PoolClient): FloorDb => ({
    async query(text, values = []) {
      counted();
      return (await runner.query<Row>(text, values)).rows;
    },
    transaction,
  });
  async function transaction<T>(work: (tx: FloorDb) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(on(client));
      counted();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  return on(pool);
}

export class HttpError extends Error {
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

/** Init data that verified, by text, with its auth_date: as the api, the HMAC once per launch. */
const verified = new Map<string, { launch: Launch; authDate: number }>();

function verifyInitData(raw: string): Launch {
  let known = verified.get(raw);
  if (!known) {
    known = checkInitData(raw);
    if (verified.size >= 5_000) verified.delete(verified.keys().next().value!);
    verified.set(raw, known);
  }
  const now = Date.now() / 1000;
  if (now - known.authDate > secrets.initDataMaxAgeSeconds)
    throw new HttpError(401, 'the Mini App session has expired');
  if (known.authDate - now > 60) throw new HttpError(401, 'init data is dated in the future');
  return known.launch;
}

/** Telegram's check of Mini App init data, by hand: sorted `key=value` lines, HMAC, user. */
function checkInitData(raw: string): { launch: Launch; authDate: number } {
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
  if (!Number.isInteger(authDate)) throw new HttpError(401, 'init data is malformed');
  const user = JSON.parse(params.get('user') ?? 'null') as Launch['user'] | null;
  if (!user || !Number.isSafeInteger(user.id) || user.id <= 0)
    throw new HttpError(401, 'init data names no user');
  return { launch: { user, startParam: params.get('start_param') }, authDate };
}

type Actor =
  | {
      kind: 'agent';
      agentId: string;
      tenant: { id: string; name: string; isMaster: boolean };
      name: string;
      telegramId: number;
    }
  | {
      kind: 'user';
      userId: string;
      name: string;
      role: string;
      telegramId: number;
      locale: string;
      tenant: { id: string; name: string; isMaster: boolean } | null;
    };

/**
 * Agent by Telegram id, else the user (with their tenants), and the launch token's chat with
 * the caller's membership, in one statement; a new user is created.
 */
async function telegramActor(db: FloorDb, launch: Launch): Promise<{ actor: Actor; binding: Row }> {
  const telegramId = String(launch.user.id);
  const token =
    launch.startParam && /^[A-Za-z0-9_-]{16,64}$/.test(launch.startParam)
      ? launch.startParam
      : null;
  const known = (await db.query(sql.identity, [telegramId, token]))[0]!;
  return { actor: await actorOf(db, launch, known), binding: known };
}

async function actorOf(db: FloorDb, launch: Launch, known: Row): Promise<Actor> {
  const telegramId = String(launch.user.id);
  if (known.agentId !== null && known.agentActive) {
    return {
      kind: 'agent',
      agentId: known.agentId,
      tenant: {
        id: known.agentTenantId,
        name: known.agentTenantName,
        isMaster: known.agentTenantIsMaster,
      },
      name: known.agentName,
      telegramId: launch.user.id,
    };
  }
  if (known.userId === null) {
    const name = [launch.user.first_name, launch.user.last_name].filter(Boolean).join(' ');
    const created = (
      await db.query(
        `INSERT INTO "User" (id, "telegramId", name, role, locale, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'CLIENT', $3, now()) RETURNING *`,
        [telegramId, name, launch.user.language_code?.startsWith('en') ? 'en' : 'ru'],
      )
    )[0]!;
    return {
      kind: 'user',
      userId: created.id,
      name: created.name,
      role: created.role,
      telegramId: launch.user.id,
      locale: created.locale,
      tenant: null,
    };
  }
  return {
    kind: 'user',
    userId: known.userId,
    name: known.userName,
    role: known.userRole,
    telegramId: launch.user.id,
    locale: known.userLocale,
    tenant:
      known.userTenantId === null
        ? null
        : {
            id: known.userTenantId,
            name: known.userTenantName,
            isMaster: known.userTenantIsMaster,
          },
  };
}

interface BoundChat {
  chatId: string;
  title: string | null;
  agentId: string | null;
  isMember: boolean;
  isChatAgent: boolean;
}

/** The launch token of the signed start_param, its chat and the caller's membership (read with the identity). */
function boundChat(actor: Actor, launch: Launch, bound: Row): BoundChat {
  const refused = () => new HttpError(403, 'No access to this chat');
  if (!launch.startParam || !/^[A-Za-z0-9_-]{16,64}$/.test(launch.startParam)) throw refused();
  if (!bound.tokenFound || bound.revokedAt || bound.chatId === null) throw refused();
  if (bound.chatMigratedToChatId !== null)
    throw new HttpError(501, 'the floor has no migrated chats');
  const isMember = bound.memberStatus !== null && bound.memberStatus !== 'LEFT';
  const isChatAgent = actor.kind === 'agent' && bound.chatAgentId === actor.agentId;
  if (!isMember && !isChatAgent) throw refused();
  return {
    chatId: bound.chatId,
    title: bound.chatTitle,
    agentId: bound.chatAgentId,
    isMember,
    isChatAgent,
  };
}

async function miniAppCaller(db: FloorDb, authorization = '') {
  if (!authorization.startsWith('tma ')) throw new HttpError(401, 'open the app from Telegram');
  const launch = verifyInitData(authorization.slice(4));
  const { actor, binding } = await telegramActor(db, launch);
  return { actor, chat: boundChat(actor, launch, binding) };
}

const serviceToken = Buffer.from(`Bearer ${secrets.botServiceToken}`);
function requireBot(authorization = ''): void {
  const given = Buffer.from(authorization);
  if (given.length !== serviceToken.length || !timingSafeEqual(given, serviceToken))
    throw new HttpError(401, 'invalid token');
}

// ------------------------------------------------------------------ the request

/** The request with everything its view shows (one JSON value, `findRequestViewRow`), and the access check. */
async function loadRequest(
  runner: FloorDb,
  actor: Actor,
  chat: BoundChat,
  where: { chatId: string } | { id: string },
) {
  const result =
    'id' in where
      ? await runner.query(sql.viewRowById, [where.id])
      : await runner.query(sql.viewRowByChat, [where.chatId]);
  const row = result[0]?.row as Row | undefined;
  if (!row) return null;
  // The membership is the one the chat binding checked (the request is that chat's).
  const linkedAgent = actor.kind === 'agent' && actor.agentId === row.agentId;
  const mayView = (actor.kind === 'user' && chat.isMember) || linkedAgent;
  return {
    row,
    mayView,
    mayEdit: mayView && ['DRAFT', 'COLLECTING_OFFERS'].includes(row.status),
  };
}

/** The view of a request row (the JSON of `findRequestViewRow`). */
function requestView(row: Row) {
  const newestFirst = [...(row.history as Row[])].sort((a, b) =>
    BigInt(a.id) < BigInt(b.id) ? 1 : -1,
  );
  const page = newestFirst.slice(0, HISTORY_PAGE);
  const fields = Object.fromEntries(formFields.map((name) => [name, row[name] ?? null]));
  const offers = (row.offers as Row[]).map(({ agent, ...offer }): Row => ({
    ...offer,
    agentName: (agent as Row).name,
  }));
  return {
    id: row.id,
    number: row.number,
    displayNumber: `№ ${String(row.number).padStart(6, '0')}`,
    tenantId: row.tenantId,
    tenantName: row.tenant?.name ?? null,
    source: row.source,
    pipeline: 'TELEGRAM',
    inHouse: Boolean(row.tenant?.isMaster),
    telegramChatId: row.telegramChatId === null ? null : Number(row.telegramChatId),
    chatTitle: row.chat?.title ?? null,
    agentId: row.agentId,
    agentName: row.agent?.name ?? null,
    clientName: row.payerName ?? row.clientUser?.name ?? null,
    clientShown: true,
    status: row.status,
    paymentStatus: row.paymentStatus,
    amount: row.amount,
    currency: row.currency,
    offersDeadline: row.offersDeadline,
    onecUrl: row.onecUrl,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    fields,
    readOnly: !['DRAFT', 'COLLECTING_OFFERS'].includes(row.status),
    onecRef: row.onecRef,
    acceptedOffer: offers.find((offer) => offer.status === 'ACCEPTED') ?? null,
    offers,
    documents: row.documents,
    documentRequests: row.documentRequests,
    // The newest HISTORY_PAGE entries, oldest first, and the cursor before them (as the api).
    history: page.map(historyEntry).reverse(),
    historyBefore: newestFirst.length > HISTORY_PAGE ? String(page.at(-1)!.id) : null,
    paymentMarks: (row.paymentMarks as Row[]).map(historyEntry),
  };
}

/** The api's view page (`HISTORY_PAGE_SIZE` of the contracts). */
const HISTORY_PAGE = 20;

const historyEntry = (entry: Row) => ({
  id: entry.id,
  at: entry.at,
  actorKind: entry.actorKind,
  actorName: entry.actorName,
  field: entry.field,
  from: entry.fromValue,
  to: entry.toValue,
});

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

/** Who I am, from what the identity statement read (the api reads nothing more either). */
function userInfo(actor: Actor) {
  if (actor.kind === 'agent') {
    return {
      userId: null,
      telegramId: actor.telegramId,
      name: actor.name,
      role: 'AGENT',
      tenant: actor.tenant,
      agentId: actor.agentId,
    };
  }
  return {
    userId: actor.userId,
    telegramId: actor.telegramId,
    name: actor.name,
    role: actor.role,
    tenant: actor.tenant,
    agentId: null,
  };
}

// ------------------------------------------------------------------ procedures

export async function session(db: FloorDb, authorization: string | undefined) {
  const { actor, chat } = await miniAppCaller(db, authorization);
  const loaded = await loadRequest(db, actor, chat, { chatId: chat.chatId });
  return {
    me: { ...userInfo(actor), settings: { locale: 'ru', timeZone: 'Europe/Moscow' } },
    chat: { id: Number(chat.chatId), title: chat.title },
    request: loaded?.mayView ? requestView(loaded.row) : null,
  };
}

export async function save(db: FloorDb, authorization: string | undefined, body: unknown) {
  const input = body as { version?: number; fields?: Record<string, unknown> };
  if (typeof input.version !== 'number' || !input.fields)
    throw new HttpError(400, 'version and fields are required');
  const fields = input.fields;
  if (formFields.some((name) => !(name in fields)))
    throw new HttpError(400, 'the floor takes the whole form');
  const { actor, chat } = await miniAppCaller(db, authorization);
  return db.transaction(async (tx) => {
    const locked = (await tx.query(sql.lockRequestByChat, [chat.chatId]))[0];
    if (!locked) throw new HttpError(404, 'This chat has no payment request yet');
    const loaded = (await loadRequest(tx, actor, chat, { id: locked.id }))!;
    if (!loaded.mayEdit) throw new HttpError(403, 'You may not do this');
    const { row } = loaded;
    if (row.version !== input.version) throw new HttpError(409, 'VERSION_CONFLICT');
    const changes = formFields.filter(
      (name) => (row[name] ?? null) !== ((fields[name] as string | null) ?? null),
    );
    if (changes.length === 0) return requestView(row);
    const now = new Date();
    const who =
      actor.kind === 'agent'
        ? ['agent', actor.agentId, actor.name]
        : ['user', actor.userId, actor.name];
    const written = (
      await tx.query(sql.updateFormWithHistory, [
        ...formFields.map((name) => fields[name] ?? null),
        now,
        locked.id,
        row.version,
        ...who,
        now,
        changes,
        changes.map((name) => (row[name] == null ? null : JSON.stringify(row[name]))),
        changes.map((name) => (fields[name] == null ? null : JSON.stringify(fields[name]))),
      ])
    )[0]!;
    if (!written.request) throw new HttpError(409, 'VERSION_CONFLICT');
    return requestView({
      ...row,
      ...written.request,
      history: [...(written.history as Row[]), ...(row.history as Row[])],
    });
  });
}

export async function saveMessage(db: FloorDb, authorization: string | undefined, body: unknown) {
  requireBot(authorization);
  const input = body as {
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
  const kind = m.kind ?? 'text';
  const author = m.authorTelegramId != null && kind !== 'service';
  const result = (
    await db.query(sql.saveChatMessages, [
      chatId,
      chatId,
      'bot',
      // The batch as one JSON parameter, as the api sends it.
      JSON.stringify([
        {
          message_id: m.messageId,
          author_id: m.authorTelegramId ?? null,
          author_name: m.authorName ?? null,
          text: m.text ?? m.fileName ?? null,
          date: new Date(m.date * 1000),
          edit_date: m.editDate ? new Date(m.editDate * 1000) : null,
          reply_to: m.replyToMessageId ?? null,
          media_group: m.mediaGroupId ?? null,
          kind,
          asset_id: m.assetId ?? null,
          file_name: m.fileName ?? null,
          too_big: m.fileTooBig ?? false,
          forwarded_from: null,
          buttons: null,
        },
      ]),
      chatId,
      author ? [String(m.authorTelegramId)] : [],
      author ? [m.authorName ?? null] : [],
    ])
  )[0]!;
  if (result.chats === 0) throw new HttpError(404, 'chat not found');
  return {
    received: 1,
    inserted: result.inserted,
    updated: result.updated,
    unchanged: 1 - result.inserted - result.updated,
  };
}
