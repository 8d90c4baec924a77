import { DeliveryFailureReason } from '@payreq/contracts';
import type { DeliveryFailure } from '@payreq/contracts';
import type { OutboxMessage } from '@payreq/db';

import type { Db, Tx } from '../db';

/**
 * The outbox's state machine over `OutboxMessage` rows, as plain functions on the database,
 * so the in-process worker (1C) and a remote consumer (the Telegram bot, through tRPC) share
 * one implementation:
 *
 *   PENDING --claim--> PENDING + lease --complete--> DELIVERED
 *                                     \--fail-----> PENDING (later) | DEAD --requeue--> PENDING
 *
 * - Per `aggregateKey`, only the oldest PENDING row is claimable: messages of one request
 *   (or one chat) are delivered in the order they were written.
 * - A claim is a lease (`lockedBy`, `lockedUntil`): another worker skips the row until the
 *   lease expires, so a crashed worker's message is picked up again (at least once).
 * - Only the lease holder may complete or fail a row.
 */

export type OutboxTargetName = 'ONEC' | 'TELEGRAM';

export type OutboxId = bigint | number | string;

/** A claimed message: the caller holds its lease until `lockedUntil`. */
export type ClaimedOutboxMessage = OutboxMessage & { lockedBy: string; lockedUntil: Date };

export interface OutboxRetryPolicy {
  /** After this many attempts (the failing one included) a message is parked as DEAD. */
  maxAttempts: number;
  /** Backoff base: the n-th retry waits about baseDelayMs · 2^(n-1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultOutboxRetryPolicy: OutboxRetryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 1_000,
  maxDelayMs: 30 * 60_000,
};

/** The little of a logger the outbox needs (pino and Fastify's logger fit). */
export interface OutboxLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

type OutboxDb = Db | Tx;

const MAX_ERROR_LENGTH = 2_000;

function toId(id: OutboxId): bigint {
  if (typeof id === 'bigint') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return BigInt(id);
  if (typeof id === 'string' && /^\d{1,19}$/.test(id)) return BigInt(id);
  throw new TypeError(`Invalid outbox message id: ${String(id)}`);
}

/** One line of text for `lastError`: no stack, bounded. */
export function describeOutboxError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const line = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/** The last failure of a row as the portal shows it; null when it has not failed. */
export function deliveryFailureOf(
  row: Pick<OutboxMessage, 'lastError' | 'failureReason' | 'failureStatus'>,
): DeliveryFailure | null {
  if (row.lastError === null) return null;
  const reason = DeliveryFailureReason.safeParse(row.failureReason);
  return {
    reason: reason.success ? reason.data : null,
    status: row.failureStatus,
    detail: row.lastError,
  };
}

/**
 * Exponential backoff with jitter: a random delay in [ceiling/2, ceiling], where
 * ceiling = min(maxDelayMs, baseDelayMs · 2^(attempts-1)). Half is kept so a retry is never
 * immediate; the other half spreads the retries of many messages after an outage.
 */
export function outboxBackoffMs(
  attempts: number,
  policy: Pick<OutboxRetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface ClaimOptions {
  target: OutboxTargetName;
  /** Who claims: written to `lockedBy`; only this worker may then complete or fail the rows. */
  workerId: string;
  limit: number;
  /** How long the claim holds; a delivery must finish (or be abandoned) within it. */
  leaseMs: number;
  now: Date;
}

/**
 * Claims up to `limit` due messages of one target for a worker, oldest first, at most one
 * per aggregate (the oldest PENDING of its aggregate). One statement: the candidate rows
 * are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers (several api instances on one
 * PostgreSQL) never claim the same row; the attempt is counted at claim time, so a worker
 * that dies mid-delivery still uses up an attempt.
 */
export async function claimOutboxBatch(
  db: OutboxDb,
  options: ClaimOptions,
): Promise<ClaimedOutboxMessage[]> {
  const limit = Math.max(1, Math.floor(options.limit));
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const claimed = await db.$queryRaw<{ id: bigint }[]>`
    UPDATE "OutboxMessage" AS m
    SET "lockedBy" = ${options.workerId},
        "lockedUntil" = ${leaseUntil},
        "attempts" = m."attempts" + 1
    WHERE m."id" IN (
      SELECT c."id"
      FROM "OutboxMessage" AS c
      WHERE c."target" = ${options.target}::"OutboxTarget"
        AND c."state" = 'PENDING'
        AND c."nextAttemptAt" <= ${options.now}
        AND (c."lockedUntil" IS NULL OR c."lockedUntil" <= ${options.now})
        AND NOT EXISTS (
          SELECT 1 FROM "OutboxMessage" AS p
          WHERE p."aggregateKey" = c."aggregateKey"
            AND p."state" = 'PENDING'
            AND p."id" < c."id"
        )
      ORDER BY c."id"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    AND m."state" = 'PENDING'
    RETURNING m."id"`;
  if (claimed.length === 0) return [];
  const rows = await db.outboxMessage.findMany({
    where: { id: { in: claimed.map((row) => BigInt(row.id)) }, lockedBy: options.workerId },
    orderBy: { id: 'asc' },
  });
  return rows.filter(
    (row): row is ClaimedOutboxMessage => row.lockedBy !== null && row.lockedUntil !== null,
  );
}

/**
 * Extends the leases a worker holds on messages it is still delivering. Rows it no longer
 * holds (the lease ran out and another worker took them) are left alone. Returns how many
 * leases were extended.
 */
export async function renewOutboxLeases(
  db: OutboxDb,
  ids: readonly OutboxId[],
  workerId: string,
  options: { until: Date },
): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await db.outboxMessage.updateMany({
    where: { id: { in: ids.map(toId) }, lockedBy: workerId, state: 'PENDING' },
    data: { lockedUntil: options.until },
  });
  return count;
}

/**
 * Marks a claimed message delivered. `result` (what the receiver answered, e.g. a Telegram
 * message id) is kept in the payload under `deliveryResult`. Returns false when the worker no
 * longer holds the lease (it expired and another worker took the message): the row is left
 * to its new holder.
 */
export async function completeOutbox(
  db: OutboxDb,
  id: OutboxId,
  workerId: string,
  result?: unknown,
  options: { now?: Date } = {},
): Promise<boolean> {
  const messageId = toId(id);
  const now = options.now ?? new Date();
  let payload: object | undefined;
  if (result !== undefined) {
    const row = await db.outboxMessage.findFirst({
      where: { id: messageId, state: 'PENDING', lockedBy: workerId },
      select: { payload: true },
    });
    if (!row) return false;
    const base =
      row.payload && typeof row.payload === 'object' && !Array.isArray(row.payload)
        ? row.payload
        : { value: row.payload };
    payload = { ...base, deliveryResult: JSON.parse(JSON.stringify(result ?? null)) as unknown };
  }
  const { count } = await db.outboxMessage.updateMany({
    where: { id: messageId, state: 'PENDING', lockedBy: workerId },
    data: {
      state: 'DELIVERED',
      deliveredAt: now,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      failureReason: null,
      failureStatus: null,
      ...(payload ? { payload } : {}),
    },
  });
  return count === 1;
}

export interface OutboxFailure {
  /** What went wrong, for `lastError` and the log (never put secrets in it). */
  error: string;
  /** The same in a word the portal can say in the operator's language (null: not said). */
  reason: DeliveryFailureReason | null;
  /** The receiver's HTTP status, when it answered. */
  status?: number | null;
  /** False: trying again cannot help (a 4xx): the message is parked as DEAD at once. */
  retryable: boolean;
  /** The receiver asked to wait at least this long (Retry-After). */
  retryAfterMs?: number | null;
}

export type FailOutcome =
  { state: 'PENDING'; attempts: number; nextAttemptAt: Date } | { state: 'DEAD'; attempts: number };

export interface FailOptions extends Partial<OutboxRetryPolicy> {
  now?: Date;
  /** Where the DEAD line is written. */
  logger?: OutboxLogger;
  random?: () => number;
}

/**
 * Records a failed delivery of a claimed message: schedules the next attempt with backoff
 * and jitter, or parks the message as DEAD when the failure is not retryable or the attempts
 * are used up (one structured warn line: id, kind, target, attempts, error). A DEAD message
 * is never dropped: `listDeadOutbox` shows it and `requeueDead` sends it again. Returns null
 * when the worker no longer holds the lease.
 */
export async function failOutbox(
  db: OutboxDb,
  id: OutboxId,
  workerId: string,
  failure: OutboxFailure,
  options: FailOptions = {},
): Promise<FailOutcome | null> {
  const messageId = toId(id);
  const policy = { ...defaultOutboxRetryPolicy, ...stripUndefined(options) };
  const now = options.now ?? new Date();
  const row = await db.outboxMessage.findFirst({
    where: { id: messageId, state: 'PENDING', lockedBy: workerId },
    select: { id: true, kind: true, target: true, aggregateKey: true, attempts: true },
  });
  if (!row) return null;
  const lastError = describeOutboxError(failure.error);
  const recorded = {
    lastError,
    failureReason: failure.reason,
    failureStatus: failure.status ?? null,
  };
  const dead = !failure.retryable || row.attempts >= policy.maxAttempts;
  if (dead) {
    const { count } = await db.outboxMessage.updateMany({
      where: { id: messageId, state: 'PENDING', lockedBy: workerId },
      data: { state: 'DEAD', ...recorded, lockedBy: null, lockedUntil: null },
    });
    if (count !== 1) return null;
    options.logger?.warn(
      {
        outboxId: row.id.toString(),
        kind: row.kind,
        target: row.target,
        aggregateKey: row.aggregateKey,
        attempts: row.attempts,
        retryable: failure.retryable,
        reason: failure.reason,
        error: lastError,
      },
      'outbox message is dead: delivery gave up (requeue it with outbox.requeue)',
    );
    return { state: 'DEAD', attempts: row.attempts };
  }
  const backoff = outboxBackoffMs(row.attempts, policy, options.random);
  const delay = Math.max(backoff, failure.retryAfterMs ?? 0);
  const nextAttemptAt = new Date(now.getTime() + delay);
  const { count } = await db.outboxMessage.updateMany({
    where: { id: messageId, state: 'PENDING', lockedBy: workerId },
    data: { ...recorded, nextAttemptAt, lockedBy: null, lockedUntil: null },
  });
  if (count !== 1) return null;
  return { state: 'PENDING', attempts: row.attempts, nextAttemptAt };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}

/**
 * Sends a DEAD message again: PENDING, attempts from zero, due now, its failure cleared (it is
 * in the log's dead line; a new failure is recorded anew). Returns the row, or null when there
 * is no DEAD message with that id.
 */
export async function requeueDead(
  db: OutboxDb,
  id: OutboxId,
  options: { now?: Date } = {},
): Promise<OutboxMessage | null> {
  // One UPDATE … RETURNING: the row as requeued, before a worker can claim it.
  const [row] = await db.$queryRaw<OutboxMessage[]>`
    UPDATE "OutboxMessage"
    SET "state" = 'PENDING', "attempts" = 0, "nextAttemptAt" = ${options.now ?? new Date()},
        "lockedBy" = NULL, "lockedUntil" = NULL,
        "lastError" = NULL, "failureReason" = NULL, "failureStatus" = NULL
    WHERE "id" = ${toId(id)} AND "state" = 'DEAD'
    RETURNING *`;
  return row ?? null;
}

/**
 * Sends every DEAD message of one aggregate to one target again, oldest first (they are
 * delivered in order). Returns how many.
 */
export async function requeueDeadOf(
  db: OutboxDb,
  aggregateKey: string,
  target: OutboxTargetName,
  options: { now?: Date } = {},
): Promise<number> {
  const { count } = await db.outboxMessage.updateMany({
    where: { aggregateKey, target, state: 'DEAD' },
    data: {
      state: 'PENDING',
      attempts: 0,
      nextAttemptAt: options.now ?? new Date(),
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      failureReason: null,
      failureStatus: null,
    },
  });
  return count;
}

/**
 * Failing and tried again: PENDING with the failure of an attempt recorded (a first attempt
 * still running has none; a requeue clears it), oldest first.
 */
export const delayedOutboxWhere = { state: 'PENDING', lastError: { not: null } } as const;

/** PENDING messages that have failed at least once and are tried again, oldest first. */
export async function listDelayedOutbox(
  db: OutboxDb,
  options: { limit?: number } = {},
): Promise<OutboxMessage[]> {
  return db.outboxMessage.findMany({
    where: delayedOutboxWhere,
    orderBy: { id: 'asc' },
    take: Math.min(Math.max(options.limit ?? 50, 1), 500),
  });
}

export interface ListDeadOptions {
  target?: OutboxTargetName;
  limit?: number;
  /** The id of the last message of the previous page. */
  afterId?: OutboxId | null;
}

/** DEAD messages, oldest first. */
export async function listDeadOutbox(
  db: OutboxDb,
  options: ListDeadOptions = {},
): Promise<OutboxMessage[]> {
  return db.outboxMessage.findMany({
    where: {
      state: 'DEAD',
      ...(options.target ? { target: options.target } : {}),
      ...(options.afterId !== undefined && options.afterId !== null
        ? { id: { gt: toId(options.afterId) } }
        : {}),
    },
    orderBy: { id: 'asc' },
    take: Math.min(Math.max(options.limit ?? 50, 1), 500),
  });
}
