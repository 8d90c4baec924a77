import type {
  ListRequestsOutput,
  PaymentRequestPatch,
  PaymentRequestView,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
import type { CreateStandardRequestInput } from '@payreq/contracts';
import type { HistoryPage } from '@payreq/contracts';
import { HistoryPageInput, ListRequestsInput, displayRequestNumber } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import {
  DomainError,
  actingRoleOf,
  areFieldsEditable,
  assertOffersDeadline,
  diffFields,
  mayFileStandardRequest,
  offeredStatuses,
  outdatedOfferRecipients,
  settablePaymentStatuses,
  tellsOnec,
  viewScopeFor,
} from '@payreq/domain';
import type { ViewScope } from '@payreq/domain';
import type { Prisma } from '@payreq/db';
import type { z } from 'zod';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import { AppError, forbidden, notFound, versionConflict } from '../errors';
import type { RequestAccess, RequestWithAccess } from './access';
import { accessOf, chatMembershipFor, requirePermission } from './access';
import { actorRef, recordHistory } from './history';
import { invalidCursor, pastCursor } from './keyset';
import { onecUpdate } from './onec-updates';
import { enqueueOutbox } from './outbox';
import type { TransitionOptions } from './transitions';
import { applyTransition, assertVersion } from './transitions';
import { findRequestViewRow, historyRowsBefore, updateFieldsWithHistory } from './rows';
import type { RequestViewRow } from './views';
import {
  fieldsOf,
  offerPricedTerms,
  requestPricedTerms,
  requestSummaryInclude,
  toHistoryPage,
  toRequestView,
  toSummary,
} from './views';
import { notifyOffer } from './notifications';

export interface ServiceContext {
  db: Db;
  actor: Actor;
  now: () => Date;
}

/** A new draft: the form's `fields`, the request's own columns `data`, and its "created" entry. */
export async function createDraft(
  tx: Tx,
  actor: Actor,
  fields: PaymentRequestPatch,
  at: Date,
  data: Omit<Prisma.PaymentRequestUncheckedCreateInput, 'status'>,
): Promise<{ id: string }> {
  const created = await tx.paymentRequest.create({
    data: {
      ...(patchToData(fields) as Prisma.PaymentRequestUncheckedCreateInput),
      ...data,
      status: 'DRAFT',
    },
  });
  await recordHistory(tx, created.id, actor, [{ field: 'created', from: null, to: 'DRAFT' }], at);
  return created;
}

/** The stored columns for a validated patch (null clears a field). */
export function patchToData(patch: PaymentRequestPatch): Prisma.PaymentRequestUpdateInput {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(patch)) {
    if (value !== undefined) data[name] = value;
  }
  return data as Prisma.PaymentRequestUpdateInput;
}

export async function getRequestView(
  db: Db | Tx,
  actor: Actor,
  requestId: string,
): Promise<PaymentRequestView> {
  const loaded = await loadRequestView(db, actor, { id: requestId });
  if (!loaded) throw notFound();
  requirePermission(loaded.access, 'application.view');
  return viewOf(actor, loaded.access, loaded.row);
}

export async function viewFor(
  tx: Tx,
  actor: Actor,
  access: RequestAccess,
): Promise<PaymentRequestView> {
  const row = await findRequestViewRow(tx, { id: access.request.id });
  if (!row) throw notFound();
  return viewOf(actor, access, row);
}

/** The view of a request already read with `requestViewInclude`, for the caller. */
export function viewOf(
  actor: Actor,
  access: RequestAccess,
  row: RequestViewRow,
): PaymentRequestView {
  return toRequestView(row, access.pipeline, scopeOf(actor, access), {
    ownAgentId: actor.kind === 'agent' ? actor.agentId : null,
    next: nextSteps(access),
  });
}

/** How much of the request this caller sees (the domain's visibility rules). */
export function scopeOf(actor: Actor, access: RequestAccess): ViewScope {
  return viewScopeFor(actor, access.relation, access.permissions);
}

/** The view of a request as it is now (e.g. after a change in this transaction): one read. */
export async function currentView(
  tx: Tx,
  actor: Actor,
  requestId: string,
): Promise<PaymentRequestView> {
  const loaded = await loadRequestView(tx, actor, { id: requestId });
  if (!loaded) throw notFound();
  return viewOf(actor, loaded.access, loaded.row);
}

/** The part of a view row the access rules read: the request, its tenant, its accepted offers. */
function withAccess(row: RequestViewRow): RequestWithAccess {
  return {
    ...row,
    offers: row.offers
      .filter((offer) => offer.status === 'ACCEPTED')
      .map((offer) => ({ agentId: offer.agentId })),
  };
}

/** A request read for its view, and what the caller may do with it. */
export interface LoadedRequest {
  access: RequestAccess;
  row: RequestViewRow;
}

/**
 * Reads a request with everything its view shows (one statement) and works out the caller's
 * access from the same row, so a view needs no second read. `chat`: the membership the chat
 * binding has just checked, used when the request is that chat's.
 */
export async function loadRequestView(
  tx: Db | Tx,
  actor: Actor,
  where: { id: string } | { telegramChatId: bigint },
  chat?: { chatId: bigint; isMember: boolean },
): Promise<LoadedRequest | null> {
  const row = await findRequestViewRow(tx, where);
  if (!row) return null;
  const request = withAccess(row);
  const isMember = await chatMembershipFor(tx as Tx, actor, request, chat);
  return { access: accessOf(actor, request, isMember), row };
}

/**
 * The history entries of a request before a cursor (a view's `historyBefore`), for a caller
 * who may view the request: the view row for the access check and the words, then one
 * keyset read of at most `limit` + 1 rows.
 */
export async function historyPage(
  db: Db,
  actor: Actor,
  where: { id: string } | { telegramChatId: bigint },
  rawInput: z.input<typeof HistoryPageInput>,
  chat?: { chatId: bigint; isMember: boolean },
): Promise<HistoryPage> {
  const input = HistoryPageInput.parse(rawInput);
  const loaded = await loadRequestView(db, actor, where, chat);
  if (!loaded) throw notFound();
  requirePermission(loaded.access, 'application.view');
  const rows = await historyRowsBefore(db, loaded.row.id, BigInt(input.before), input.limit);
  return toHistoryPage(
    rows,
    input.limit,
    loaded.row,
    loaded.access.pipeline,
    scopeOf(actor, loaded.access),
  );
}

/** The statuses and payment statuses the caller may set now (submit included). */
function nextSteps(access: RequestAccess): PaymentRequestView['next'] {
  const role = actingRoleOf(access.relation);
  if (!role) return { statuses: [], paymentStatuses: [] };
  const statuses = offeredStatuses(access.facts, role);
  if (access.permissions.includes('application.submit')) statuses.unshift('COLLECTING_OFFERS');
  return { statuses, paymentStatuses: settablePaymentStatuses(access.facts, role) };
}

/**
 * Standard pipeline: a client company's member files a draft for their company, or the bank's
 * agent files one on behalf of a client company (the bank has no agent of its own for it: it
 * goes to the market like any other). It collects offers until its deadline once submitted.
 */
export async function createStandardRequest(
  ctx: ServiceContext,
  input: z.output<typeof CreateStandardRequestInput>,
): Promise<PaymentRequestView> {
  const { actor } = ctx;
  if (!mayFileStandardRequest(actor)) {
    throw new AppError('FORBIDDEN', {
      ru: 'Чтобы подать заявку, зарегистрируйте организацию или вступите в неё по приглашению',
      en: 'To file a request, register your company or join one by an invitation',
    });
  }
  const now = ctx.now();
  const deadline = new Date(input.offersDeadline);
  assertOffersDeadline(deadline, now);
  return transaction(ctx.db, async (tx) => {
    const companyId = await companyFiledFor(tx, actor, input.companyId);
    const created = await createDraft(tx, actor, input.fields, now, {
      tenantId: companyId,
      source: input.source,
      clientUserId: actor.kind === 'user' ? actor.userId : null,
      filedByAgentId: actor.kind === 'agent' ? actor.agentId : null,
      offersDeadline: deadline,
    });
    return currentView(tx, actor, created.id);
  });
}

/** The client company a new standard request belongs to: the member's own, or the one the bank's agent names. */
async function companyFiledFor(
  tx: Tx,
  actor: Actor,
  companyId: string | undefined,
): Promise<string> {
  if (actor.kind === 'user') {
    if (companyId && companyId !== actor.tenantId) throw forbidden();
    return actor.tenantId!;
  }
  if (!companyId) {
    throw new AppError('VALIDATION_FAILED', {
      ru: 'Выберите организацию клиента',
      en: 'Choose the client company',
    });
  }
  const company = await tx.tenant.findUnique({ where: { id: companyId } });
  if (!company || company.isMaster) throw notFound('company');
  return company.id;
}

/** Saves form fields (both pipelines). A stale version is refused and nothing is written. */
export async function updateRequestFields(
  ctx: ServiceContext,
  input: { requestId: string; version: number; fields: PaymentRequestPatch },
): Promise<PaymentRequestView> {
  return transaction(ctx.db, async (tx) => {
    await lockRequest(tx, input.requestId);
    const loaded = await loadRequestView(tx, ctx.actor, { id: input.requestId });
    if (!loaded) throw notFound();
    return updateLoadedFields(tx, ctx.actor, ctx.now(), loaded, input);
  });
}

/** Locks the request's row for the rest of the transaction: concurrent changes queue up behind it. */
export async function lockRequest(tx: Tx, requestId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "PaymentRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
}

/**
 * Saves form fields of a request read (with its view) after its row was locked in this
 * transaction. The UPDATE and its history rows are one statement (guarded by the version
 * as before), and the view is built from that read and what the statement returns, not read
 * again: a field change moves only the fields, `version` and `updatedAt`, and adds history
 * rows; the lock keeps the rest as read.
 */
export async function updateLoadedFields(
  tx: Tx,
  actor: Actor,
  now: Date,
  loaded: LoadedRequest,
  input: { version: number; fields: PaymentRequestPatch },
): Promise<PaymentRequestView> {
  const { access, row } = loaded;
  requirePermission(access, 'application.view');
  if (!areFieldsEditable(access.request.status)) {
    throw new DomainError('READ_ONLY', 'READ_ONLY', { status: access.request.status });
  }
  requirePermission(access, 'application.edit');
  assertVersion(access, input.version);
  const changes = diffFields(fieldsOf(access.request), input.fields);
  if (changes.length === 0) return viewOf(actor, access, row);
  // Prisma's `@updatedAt` is the client's clock, as for every other write.
  const written = await updateFieldsWithHistory(tx, {
    requestId: access.request.id,
    version: access.request.version,
    set: patchToData(input.fields) as Record<string, unknown>,
    updatedAt: new Date(),
    history: { ...actorRef(actor), at: now, changes },
  });
  if (!written) throw versionConflict(access.request.version + 1);
  // 1C holds a copy from the submit on: it gets every field as it is now, with the version.
  if (tellsOnec({ pipeline: access.pipeline, status: access.request.status }, actor)) {
    await enqueueOutbox(tx, [
      onecUpdate(access.request.id, {
        version: written.request.version,
        at: now,
        actor,
        comment: null,
        changes: [
          {
            type: 'fields',
            changed: changes.map((change) => change.field),
            fields: fieldsOf(written.request),
          },
        ],
      }),
    ]);
  }
  const after: RequestViewRow = {
    ...row,
    ...written.request,
    // The view keeps the newest page of these (`historyPageOf` orders them).
    history: [...written.history, ...row.history],
  };
  // Agents whose open offer this edit left priced on an amount or currency the request no
  // longer has are told to send it again (their offer cannot be accepted as it is).
  const outdated = outdatedOfferRecipients(
    row.offers.map((offer) => ({ ...offer, priced: offerPricedTerms(offer) })),
    requestPricedTerms(row),
    requestPricedTerms(after),
  );
  await notifyOffer(tx, access.request.id, outdated, {
    kind: 'offerOutdated',
    displayNumber: displayRequestNumber(row.number),
  });
  return viewOf(actor, accessOf(actor, withAccess(after), access.isChatMember), after);
}

/**
 * DRAFT → COLLECTING_OFFERS. In-house requests ("new in-house") are sent to 1C through the
 * outbox in the same transaction; standard ones start collecting offers.
 */
export async function submitRequest(
  ctx: ServiceContext,
  input: { requestId: string; version?: number },
): Promise<PaymentRequestView> {
  return changeStatus(ctx, { ...input, status: 'COLLECTING_OFFERS', causes: ['submit'] });
}

/** A status change by hand (the agent's menu, 1C, a cancel, a submit). Offers and expiry have their own paths. */
export interface StatusChange {
  requestId: string;
  status: RequestStatus;
  version?: number;
  comment?: string;
  /** Narrows the roads: `['submit']` for the submit procedure. */
  causes?: TransitionOptions['causes'];
}

/** A status change, then the request as the caller sees it now. */
export async function changeStatus(
  ctx: ServiceContext,
  input: StatusChange,
): Promise<PaymentRequestView> {
  return transaction(ctx.db, async (tx) => {
    await applyTransition(tx, ctx.actor, input.requestId, [{ kind: 'status', to: input.status }], {
      now: ctx.now(),
      version: input.version,
      comment: input.comment ?? null,
      causes: input.causes,
    });
    return currentView(tx, ctx.actor, input.requestId);
  });
}

export interface PaymentStatusChange {
  requestId: string;
  paymentStatus: PaymentStatus;
}

export async function changePaymentStatus(
  ctx: ServiceContext,
  input: PaymentStatusChange,
): Promise<PaymentRequestView> {
  return transaction(ctx.db, async (tx) => {
    await applyTransition(
      tx,
      ctx.actor,
      input.requestId,
      [{ kind: 'payment', to: input.paymentStatus }],
      { now: ctx.now() },
    );
    return currentView(tx, ctx.actor, input.requestId);
  });
}

interface Cursor {
  updatedAt: Date;
  id: string;
}

function encodeCursor(row: { updatedAt: Date; id: string }): string {
  return Buffer.from(`${row.updatedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const updatedAt = new Date(at ?? '');
  if (!id || Number.isNaN(updatedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw invalidCursor();
  return { updatedAt, id };
}

/**
 * The requests an agent may see on the board (SQL form of `canAgentSee`, kept equal to
 * it by a test), or a client's own requests. Newest activity first, paged by cursor.
 */
export function visibilityWhere(actor: Actor): Prisma.PaymentRequestWhereInput {
  if (actor.kind === 'user') {
    // A company's members see its requests (the domain's `isCompanyMember`); anyone their own.
    return {
      OR: [
        { clientUserId: actor.userId },
        ...(actor.tenantId
          ? [{ tenantId: actor.tenantId, telegramChatId: null, tenant: { isMaster: false } }]
          : []),
      ],
    };
  }
  if (actor.kind !== 'agent') return { id: { in: [] } };
  const notDraft: Prisma.PaymentRequestWhereInput = { status: { not: 'DRAFT' } };
  return {
    OR: [
      { agentId: actor.agentId },
      { filedByAgentId: actor.agentId },
      { offers: { some: { agentId: actor.agentId } } },
      { ...notDraft, telegramChatId: null },
      {
        ...notDraft,
        telegramChatId: { not: null },
        tenant: actor.tenantIsMaster
          ? { isMaster: true }
          : { isMaster: true, inHouseVisibility: 'ALL_AGENTS' },
      },
      { ...notDraft, telegramChatId: { not: null }, tenantId: actor.tenantId },
    ],
  };
}

/**
 * The requests an agent sees in full (the domain's `application.viewDetails`: its responsible
 * agent, the bank's agent who filed it for a client, its own tenant's agents), as a condition on
 * rows: a search by what the others may not see (the payer, the INN, the beneficiary, the chat,
 * the client) must find only these, or its answer would tell them. Kept to the domain's
 * `permissionsFor` by a test that compares the two.
 */
export function fullDetailWhere(
  actor: Extract<Actor, { kind: 'agent' }>,
): Prisma.PaymentRequestWhereInput {
  const standard: Prisma.PaymentRequestWhereInput = { telegramChatId: null };
  return {
    OR: [
      { tenantId: actor.tenantId },
      { telegramChatId: { not: null }, agentId: actor.agentId },
      { ...standard, offers: { some: { agentId: actor.agentId, status: 'ACCEPTED' } } },
      { ...standard, agentId: actor.agentId, offers: { none: { status: 'ACCEPTED' } } },
      { ...standard, filedByAgentId: actor.agentId },
    ],
  };
}

export async function listRequests(
  ctx: ServiceContext,
  rawInput: z.input<typeof ListRequestsInput>,
  /** Further conditions (the portal's search and filters), on top of what the caller may see. */
  narrowedBy: Prisma.PaymentRequestWhereInput[] = [],
): Promise<ListRequestsOutput> {
  const input = ListRequestsInput.parse(rawInput);
  const { actor } = ctx;
  const filters: Prisma.PaymentRequestWhereInput[] = [visibilityWhere(actor), ...narrowedBy];
  if (input.status?.length) filters.push({ status: { in: input.status } });
  if (input.mine && actor.kind === 'agent') {
    filters.push({
      OR: [
        { agentId: actor.agentId },
        { offers: { some: { agentId: actor.agentId, status: 'ACCEPTED' } } },
      ],
    });
  }
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor);
    filters.push(pastCursor(cursor, ['updatedAt', 'id']));
  }
  const rows = await ctx.db.paymentRequest.findMany({
    where: { AND: filters },
    include: requestSummaryInclude,
    orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const memberOf = await chatMemberships(ctx.db, actor, page);
  return {
    // Only what the caller may view: the filter above is the board's, the domain has the last word.
    items: page.flatMap((row) => {
      const access = accessOf(
        actor,
        row,
        row.telegramChatId !== null && memberOf.has(row.telegramChatId),
      );
      if (!access.permissions.includes('application.view')) return [];
      return {
        ...toSummary(row, access.pipeline, scopeOf(actor, access)),
        readOnly: !access.permissions.includes('application.edit'),
      };
    }),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

/** The chats (of these requests) a Telegram user is a member of: one read for a page of the board. */
async function chatMemberships(
  db: Db,
  actor: Actor,
  rows: readonly { telegramChatId: bigint | null }[],
): Promise<Set<bigint>> {
  const chatIds = rows.flatMap((row) => (row.telegramChatId === null ? [] : [row.telegramChatId]));
  if (actor.kind !== 'user' || actor.telegramId === null || chatIds.length === 0) return new Set();
  const members = await db.chatMember.findMany({
    where: {
      chatId: { in: chatIds },
      telegramUserId: BigInt(actor.telegramId),
      status: { not: 'LEFT' },
    },
    select: { chatId: true },
  });
  return new Set(members.map((member) => member.chatId));
}
