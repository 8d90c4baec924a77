import type { OnecOutboxMessage } from '@payreq/contracts';
import {
  OnecOutboxMessage as OnecMessage,
  displayRequestNumber,
  onecKinds,
} from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { OnecClient, OnecRetryEvent } from '@payreq/onec';
import { OnecError, createOnecClient } from '@payreq/onec';

import type { Db } from '../db';
import { transaction } from '../db';
import type { ApiEnv } from '../env';
import type { ClaimedOutboxMessage, OutboxLogger } from '../outbox/store';
import type { OutboxHandlerContext } from '../outbox/worker';
import { OutboxDeliveryError, OutboxHandlerRegistry } from '../outbox/worker';
import { recordHistory } from './history';
import { fieldsOf } from './views';

/**
 * Platform → 1C: what the outbox worker delivers to 1C (create the request, tell it of a later
 * change, ask for a document). 1C's calls to the platform are in onec-inbound.ts.
 */

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

/** A claimed row as the contract's message, or an error that parks it (it can never be delivered). */
function messageOf(row: Pick<ClaimedOutboxMessage, 'kind' | 'payload'>): OnecOutboxMessage {
  const parsed = OnecMessage.safeParse({ target: 'ONEC', kind: row.kind, payload: row.payload });
  if (!parsed.success) {
    throw new OutboxDeliveryError(
      `not a ${row.kind} message of the contract: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
      false,
      'invalid',
    );
  }
  return parsed.data;
}

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
  const { requestId } = messageOf({
    kind: onecKinds.createRequest,
    payload: message.payload,
  }).payload;
  const request = await deps.db.paymentRequest.findUnique({
    where: { id: requestId },
    include: { agent: true },
  });
  if (!request)
    throw new OutboxDeliveryError(`Request ${requestId} no longer exists`, false, 'gone');
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
      // The version now, not at the submit: 1C's copy is the request as read here, and the
      // updates written since (delivered after this) carry later versions.
      version: request.version,
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
  const parsed = messageOf({ kind: onecKinds.requestDocument, payload: message.payload });
  if (parsed.kind !== onecKinds.requestDocument)
    throw new OutboxDeliveryError('not a document request', false, 'invalid');
  const payload = parsed.payload;
  const request = await deps.db.paymentRequest.findUnique({
    where: { id: payload.requestId },
    select: { onecRef: true },
  });
  if (!request) {
    throw new OutboxDeliveryError(`Request ${payload.requestId} no longer exists`, false, 'gone');
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
    throw new OutboxDeliveryError(error, true, 'waitsForEarlier');
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

/**
 * `onec.updateRequest`: tells 1C of a change made on the platform after the submit. 1C applies
 * an `updateId` once, so a redelivery after a lost answer changes nothing there; the outbox
 * delivers a request's messages in order, so 1C sees the changes as they were made.
 */
export async function deliverRequestUpdate(
  deps: OnecBridgeDeps,
  message: Pick<ClaimedOutboxMessage, 'payload'>,
  options: { signal?: AbortSignal } = {},
): Promise<{ applied: boolean; version: number }> {
  const parsed = messageOf({ kind: onecKinds.updateRequest, payload: message.payload });
  if (parsed.kind !== onecKinds.updateRequest)
    throw new OutboxDeliveryError('not a request update', false, 'invalid');
  const { requestId, at, ...update } = parsed.payload;
  const request = await deps.db.paymentRequest.findUnique({
    where: { id: requestId },
    select: { onecRef: true },
  });
  if (!request)
    throw new OutboxDeliveryError(`Request ${requestId} no longer exists`, false, 'gone');
  // Delivered in order behind the create call: only a dead create leaves this unset.
  if (!request.onecRef)
    throw new OutboxDeliveryError(
      'The request has not been created in 1C yet',
      true,
      'waitsForEarlier',
    );
  return deps.onec.updateRequest(
    request.onecRef,
    { ...update, platformId: requestId, at: new Date(at) },
    { signal: options.signal },
  );
}

/** The handlers of the ONEC target, for the outbox worker. */
export function onecOutboxHandlers(deps: OnecBridgeDeps): OutboxHandlerRegistry {
  return new OutboxHandlerRegistry()
    .register(onecKinds.createRequest, (message, context: OutboxHandlerContext) =>
      deliverCreateRequest(deps, message, { signal: context.signal }),
    )
    .register(onecKinds.requestDocument, (message, context: OutboxHandlerContext) =>
      deliverDocumentRequest(deps, message, {
        signal: context.signal,
        lastAttempt: context.lastAttempt,
      }),
    )
    .register(onecKinds.updateRequest, (message, context: OutboxHandlerContext) =>
      deliverRequestUpdate(deps, message, { signal: context.signal }),
    );
}
