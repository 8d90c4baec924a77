import { createHash } from 'node:crypto';

import type { Prisma } from '@payreq/db';

import type { Db, Tx } from '../../db';
import { isUniqueViolation, transaction } from '../../db';
import { AppError } from '../../errors';

/**
 * Idempotent writes of the REST shim. The first answer to a key is stored in
 * `IdempotencyKey` in the same transaction as the change; a repeat with the same key and the
 * same body gets that answer back (same status, same JSON) and changes nothing; the same key
 * with another body is refused (409 IDEMPOTENCY_MISMATCH). Writers of one request are
 * serialised on the request row, so a concurrent duplicate waits for the first and then
 * finds its key; the primary key (scope, key) catches any other race, and the loser answers
 * with the winner's stored answer.
 */

export interface IdempotencyTicket {
  /** `onec:<integrationId>:<operation>:<requestId>`. */
  scope: string;
  key: string;
  /** sha256 of the body in canonical form (keys sorted): whitespace or key order do not matter. */
  requestHash: string;
}

export interface Answer {
  status: number;
  body: unknown;
}

export interface IdempotentAnswer extends Answer {
  /** True when this is the stored answer of an earlier call. */
  replayed: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(body ?? null)), 'utf8')
    .digest('hex');
}

/** The Idempotency-Key header: 1 to 200 printable ASCII characters. */
export function readIdempotencyKey(value: string | string[] | undefined): string | null {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return null;
  const key = header.trim();
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new AppError('VALIDATION_FAILED', {
      ru: 'Idempotency-Key: от 1 до 200 печатных символов ASCII (например, UUID)',
      en: 'Idempotency-Key must be 1 to 200 printable ASCII characters (a UUID, say)',
    });
  }
  return key;
}

const mismatch = (key: string) =>
  new AppError('IDEMPOTENCY_MISMATCH', {
    ru: `Ключ идемпотентности ${key} уже использован для другого тела запроса`,
    en: `The idempotency key ${key} was already used with a different body`,
  });

function replay(
  stored: { requestHash: string; status: number; response: Prisma.JsonValue },
  ticket: IdempotencyTicket,
): IdempotentAnswer {
  if (stored.requestHash !== ticket.requestHash) throw mismatch(ticket.key);
  return { status: stored.status, body: stored.response, replayed: true };
}

/** The stored answer for this key, if any (throws IDEMPOTENCY_MISMATCH for another body). */
export async function findStoredAnswer(
  db: Db | Tx,
  ticket: IdempotencyTicket,
): Promise<IdempotentAnswer | null> {
  const stored = await db.idempotencyKey.findUnique({
    where: { scope_key: { scope: ticket.scope, key: ticket.key } },
  });
  return stored ? replay(stored, ticket) : null;
}

/**
 * Runs `apply` once per key: in one transaction, locks the request row, returns the stored
 * answer if the key is known, else applies the change and stores its answer with it. A
 * refusal (an exception) stores nothing, so a corrected retry can succeed.
 */
export async function runIdempotent(
  db: Db,
  ticket: IdempotencyTicket,
  requestId: string,
  apply: (tx: Tx) => Promise<Answer>,
): Promise<IdempotentAnswer> {
  try {
    return await transaction(db, async (tx) => {
      await tx.$queryRaw`SELECT id FROM "PaymentRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
      const stored = await findStoredAnswer(tx, ticket);
      if (stored) return stored;
      const answer = await apply(tx);
      const row = await tx.idempotencyKey.create({
        data: {
          scope: ticket.scope,
          key: ticket.key,
          requestHash: ticket.requestHash,
          status: answer.status,
          response: JSON.parse(JSON.stringify(answer.body ?? null)) as Prisma.InputJsonValue,
        },
      });
      // Answer with what was stored (as the database returns it), so a replay is byte for byte the same.
      return { status: row.status, body: row.response, replayed: false };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const stored = await findStoredAnswer(db, ticket);
      if (stored) return stored;
    }
    throw error;
  }
}
