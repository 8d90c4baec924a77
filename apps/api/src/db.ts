import type { Prisma, PrismaClient } from '@payreq/db';

import type { OutboxTargetName } from './outbox/store';
import { outboxSignal } from './outbox/signal';

/** The database handle services work with. */
export type Db = PrismaClient;
/** A handle inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;

/**
 * Runs `work` in one interactive transaction (Prisma's `$transaction`). Once it has committed,
 * this process's outbox workers are woken for the messages it wrote (`enqueueOutbox`), so they
 * go out at once rather than at the next poll. Every transaction of the api goes through here
 * (lint forbids `$transaction` elsewhere).
 */
export async function transaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  options?: Parameters<Db['$transaction']>[1],
): Promise<T> {
  let written: ReadonlySet<OutboxTargetName> = new Set();
  // eslint-disable-next-line no-restricted-syntax -- the one place transactions start
  const result = await db.$transaction((tx) => {
    written = outboxSignal.watch(tx);
    return work(tx);
  }, options);
  for (const target of written) outboxSignal.notify(target);
  return result;
}

/**
 * A unique constraint refused the write (Prisma's P2002; through the driver adapter the code
 * can come as the adapter's error kind instead).
 */
export function isUniqueViolation(error: unknown): boolean {
  const known = error as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
  };
  return (
    known?.code === 'P2002' ||
    known?.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation'
  );
}
