import type {
  OnecOfferBody,
  OnecOfferResult,
  OnecRequestView,
  OnecStatusBody,
  OnecStatusResult,
} from '@payreq/contracts';
import { displayRequestNumber } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { DocumentKind } from '@payreq/db';
import type { OnecClient, OnecRetryEvent } from '@payreq/onec';
import { OnecError, createOnecClient, fromOnecDateTime } from '@payreq/onec';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import type { ApiEnv } from '../env';
import { AppError } from '../errors';
import type { ClaimedOutboxMessage, OutboxLogger } from '../outbox/store';
import type { OutboxHandlerContext } from '../outbox/worker';
import { OutboxDeliveryError, OutboxHandlerRegistry } from '../outbox/worker';
import { loadAccess, requirePermission } from './access';
import { recordHistory } from './history';
import { placeOfferInTx } from './offers';
import { changePaymentStatusInTx, changeStatusInTx } from './requests';
import { fieldsOf } from './views';

/**
 * The 1C bridge: what the outbox worker delivers to 1C (create the request, ask for a
 * document) and what 1C's calls to the REST shim do (read the request, post the computed
 * offer, post a status). Documents 1C posts are in documents.ts.
 */

export const onecOutboxKinds = {
  createRequest: 'onec.createRequest',
  requestDocument: 'onec.requestDocument',
} as const;

/** Who writes what 1C answered to our calls (history rows of the outbox worker). */
export const onecExchangeActor: Actor = { kind: 'system', name: '1C exchange' };

type OnecEnv = Pick<
  ApiEnv,
  | 'ONEC_BASE_URL'
  | 'ONEC_ROOT'
  | 'ONEC_USERNAME'
  | 'ONEC_PASSWORD'
  | 'ONEC_WEB_CLIENT_URL'
  | 'ONEC_DOCUMENT_NAME'
  | 'ONEC_TIMEZONE'
  | 'ONEC_TIMEOUT_MS'
>;

/**
 * The 1C client from the api's settings. It retries only a little (2 attempts): a long
 * outage is the outbox's backoff, not a worker blocked inside one delivery.
 */
export function createOnecClientFromEnv(
  env: OnecEnv,
  logger?: OutboxLogger,
  retries: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } = {},
): OnecClient {
  return createOnecClient({
    baseUrl: env.ONEC_BASE_URL,
    root: env.ONEC_ROOT,
    username: env.ONEC_USERNAME,
    password: env.ONEC_PASSWORD,
    webClientUrl: env.ONEC_WEB_CLIENT_URL,
    documentName: env.ONEC_DOCUMENT_NAME,
    timeZone: env.ONEC_TIMEZONE,
    timeoutMs: env.ONEC_TIMEOUT_MS,
    retries: { attempts: 2, baseDelayMs: 200, maxDelayMs: 2_000, ...retries },
    onRetry: logger
      ? (event: OnecRetryEvent) =>
          logger.info(
            {
              method: event.method,
              path: event.path,
              attempt: event.attempt,
              delayMs: event.delayMs,
              error: event.error.message,
            },
            '1C call failed; retrying',
          )
      : undefined,
  });
}

/** How long a delivery to 1C may take at worst: the outbox lease must be longer. */
export function onecDeliveryBudgetMs(client: OnecClient): number {
  const { timeoutMs, retries } = client.config;
  return timeoutMs * retries.attempts + retries.maxDelayMs * (retries.attempts - 1);
}

export interface OnecBridgeDeps {
  db: Db;
  onec: OnecClient;
  now: () => Date;
  logger: OutboxLogger;
}

const RequestIdPayload = (payload: unknown): { requestId: string } => {
  const value = payload as { requestId?: unknown } | null;
  if (!value || typeof value.requestId !== 'string') {
    throw new OutboxDeliveryError('The message has no requestId', false);
  }
  return { requestId: value.requestId };
};

/**
 * `onec.createRequest`: creates the request in 1C (idempotent there on our id, so a retry
 * after a lost answer finds the same document) and stores 1C's reference and web link on the
 * request, so the agent's view carries the 1C link from then on.
 */
export async function deliverCreateRequest(
  deps: OnecBridgeDeps,
  message: Pick<ClaimedOutboxMessage, 'payload' | 'createdAt'>,
  options: { signal?: AbortSignal } = {},
): Promise<{ onecRef: string; onecUrl: string; created: boolean }> {
  const { requestId } = RequestIdPayload(message.payload);
  const request = await deps.db.paymentRequest.findUnique({
    where: { id: requestId },
    include: { agent: true },
  });
  if (!request) throw new OutboxDeliveryError(`Request ${requestId} no longer exists`, false);
  const answer = await deps.onec.createRequest(
    {
      platformId: request.id,
      number: request.number,
      displayNumber: displayRequestNumber(request.number),
      fields: fieldsOf(request),
      agent: request.agent
        ? {
            name: request.agent.name,
            telegramId: request.agent.telegramId === null ? null : Number(request.agent.telegramId),
          }
        : null,
      // The message is written in the submit's transaction: its time is the submit time.
      createdAt: message.createdAt,
    },
    { signal: options.signal },
  );
  await transaction(deps.db, async (tx) => {
    const current = await tx.paymentRequest.findUniqueOrThrow({
      where: { id: requestId },
      select: { onecRef: true, onecUrl: true },
    });
    if (current.onecRef === answer.ref && current.onecUrl === answer.url) return;
    // Not a form change: the version (the agent's edit token) stays as it is.
    await tx.paymentRequest.update({
      where: { id: requestId },
      data: { onecRef: answer.ref, onecUrl: answer.url },
    });
    await recordHistory(
      tx,
      requestId,
      onecExchangeActor,
      [{ field: 'onecRef', from: current.onecRef, to: answer.ref }],
      deps.now(),
    );
  });
  return { onecRef: answer.ref, onecUrl: answer.url, created: answer.created };
}

interface DocumentRequestPayload {
  requestId: string;
  documentRequestId: string;
  kind: DocumentKind;
}

function documentRequestPayload(payload: unknown): DocumentRequestPayload {
  const value = payload as Partial<DocumentRequestPayload> | null;
  if (
    !value ||
    typeof value.requestId !== 'string' ||
    typeof value.documentRequestId !== 'string' ||
    typeof value.kind !== 'string'
  ) {
    throw new OutboxDeliveryError('The message lacks requestId, documentRequestId or kind', false);
  }
  return value as DocumentRequestPayload;
}

/**
 * `onec.requestDocument`: asks 1C to generate a document (idempotent there on the
 * document-request id) and marks the DocumentRequest SENT; when 1C refuses (a 4xx) or the
 * last attempt fails, FAILED with the reason. 1C posts the file later (documents.ts).
 */
export async function deliverDocumentRequest(
  deps: OnecBridgeDeps,
  message: Pick<ClaimedOutboxMessage, 'payload'>,
  options: { signal?: AbortSignal; lastAttempt?: boolean } = {},
): Promise<{ jobRef: string; state: string }> {
  const payload = documentRequestPayload(message.payload);
  const request = await deps.db.paymentRequest.findUnique({
    where: { id: payload.requestId },
    select: { onecRef: true },
  });
  if (!request) {
    throw new OutboxDeliveryError(`Request ${payload.requestId} no longer exists`, false);
  }
  const markFailed = (error: string) =>
    deps.db.documentRequest.updateMany({
      where: { id: payload.documentRequestId, state: { in: ['QUEUED', 'SENT'] } },
      data: { state: 'FAILED', error },
    });
  if (!request.onecRef) {
    // Messages of a request are delivered in order, so this happens only when creating the
    // request in 1C is itself dead: wait for it to be requeued.
    const error = 'The request has not been created in 1C yet';
    if (options.lastAttempt) await markFailed(error);
    throw new OutboxDeliveryError(error, true);
  }
  try {
    const job = await deps.onec.requestDocument(
      request.onecRef,
      { kind: payload.kind, documentRequestId: payload.documentRequestId },
      { signal: options.signal },
    );
    // A document 1C was quick to post has already fulfilled the request: keep FULFILLED.
    await deps.db.documentRequest.updateMany({
      where: { id: payload.documentRequestId, state: { in: ['QUEUED', 'FAILED'] } },
      data: { state: 'SENT', error: null },
    });
    return { jobRef: job.jobRef, state: job.state };
  } catch (error) {
    const refused = error instanceof OnecError && !error.retryable;
    if (refused || options.lastAttempt) {
      await markFailed((error as Error).message.slice(0, 1000));
    }
    throw error;
  }
}

/** The handlers of the ONEC target, for the outbox worker. */
export function onecOutboxHandlers(deps: OnecBridgeDeps): OutboxHandlerRegistry {
  return new OutboxHandlerRegistry()
    .register(onecOutboxKinds.createRequest, (message, context: OutboxHandlerContext) =>
      deliverCreateRequest(deps, message, { signal: context.signal }),
    )
    .register(onecOutboxKinds.requestDocument, (message, context: OutboxHandlerContext) =>
      deliverDocumentRequest(deps, message, {
        signal: context.signal,
        lastAttempt: context.lastAttempt,
      }),
    );
}

// ----- 1C → platform (the REST shim's use cases) -----

/** The 1C integration that calls the REST shim. */
export type OnecActor = Extract<Actor, { kind: 'onec' }>;

/** `GET /onec/v1/requests/{requestId}`: the request as 1C reads it. */
export async function getOnecRequestView(
  db: Db | Tx,
  actor: OnecActor,
  requestId: string,
): Promise<OnecRequestView> {
  const access = await loadAccess(db as Tx, actor, requestId);
  requirePermission(access, 'application.view');
  const row = await (db as Tx).paymentRequest.findUniqueOrThrow({
    where: { id: requestId },
    include: {
      agent: true,
      offers: { where: { status: 'ACCEPTED' }, select: { id: true }, take: 1 },
    },
  });
  return {
    id: row.id,
    number: row.number,
    displayNumber: displayRequestNumber(row.number),
    status: row.status,
    paymentStatus: row.paymentStatus,
    inHouse: access.pipeline.inHouse,
    onecRef: row.onecRef,
    agent: row.agent ? { id: row.agent.id, name: row.agent.name } : null,
    fields: fieldsOf(row),
    acceptedOfferId: row.offers[0]?.id ?? null,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function onecDate(value: string, timeZone: string, field: string): string | null {
  try {
    return fromOnecDateTime(value, timeZone)?.toISOString() ?? null;
  } catch {
    throw new AppError('VALIDATION_FAILED', {
      ru: `${field}: несуществующая дата ${value}`,
      en: `${field}: ${value} is not a valid date`,
    });
  }
}

/**
 * `POST .../offer`: 1C's computed terms become an offer of the request's linked agent
 * (source ONEC) and are accepted at once (the domain decides: in-house requests that are
 * collecting offers only). The same calculation (`Ref_Key`) posted again answers the offer
 * already made; another calculation for an accepted request is refused by the domain.
 */
export async function acceptOnecOfferInTx(
  tx: Tx,
  actor: OnecActor,
  requestId: string,
  body: OnecOfferBody,
  options: { now: Date; timeZone: string },
): Promise<{ created: boolean; result: OnecOfferResult }> {
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requirePermission(access, 'application.view');
  const onecRef = body.Ref_Key.toLowerCase();
  const existing = await tx.offer.findUnique({ where: { onecRef } });
  if (existing) {
    if (existing.requestId !== requestId || existing.status !== 'ACCEPTED') {
      throw new AppError('ALREADY_EXISTS', {
        ru: `Расчёт 1С ${onecRef} уже использован для другого предложения`,
        en: `The 1C calculation ${onecRef} was already used for another offer`,
      });
    }
    return {
      created: false,
      result: {
        offerId: existing.id,
        requestId,
        status: access.request.status,
        offerStatus: 'ACCEPTED',
      },
    };
  }
  const offerId = await placeOfferInTx(
    tx,
    access,
    { kind: 'onec' },
    {
      terms: {
        rate: body.rate,
        feePercent: body.feePercent,
        fixedFee: body.fixedFee,
        totalToPay: body.totalToPay,
        settlementDays: body.settlementDays,
        validUntil: body.validUntil
          ? onecDate(body.validUntil, options.timeZone, 'validUntil')
          : null,
        comment: body.comment ?? null,
      },
      source: 'ONEC',
      onecRef,
    },
    actor,
    options.now,
  );
  const after = await tx.paymentRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { status: true },
  });
  return {
    created: true,
    result: { offerId, requestId, status: after.status, offerStatus: 'ACCEPTED' },
  };
}

/**
 * `POST .../status`: 1C sets the request status and/or the payment status through the same
 * services as the agents (the domain's transition tables decide what the ONEC role may do).
 * The payment status goes first (a request is completed only after the payout); a value equal
 * to the current one is no change. Runs in the caller's transaction.
 */
export async function applyOnecStatusInTx(
  tx: Tx,
  actor: OnecActor,
  requestId: string,
  body: OnecStatusBody,
  now: Date,
): Promise<OnecStatusResult> {
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requirePermission(access, 'application.view');
  if (body.paymentStatus && body.paymentStatus !== access.request.paymentStatus) {
    await changePaymentStatusInTx(tx, actor, now, { requestId, paymentStatus: body.paymentStatus });
  }
  if (body.status && body.status !== access.request.status) {
    await changeStatusInTx(tx, actor, now, {
      requestId,
      status: body.status,
      ...(body.comment ? { comment: body.comment } : {}),
    });
  }
  const after = await tx.paymentRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { status: true, paymentStatus: true, version: true },
  });
  return { requestId, ...after };
}
