import type { Db } from '../db';
import type { ApiEnv } from '../env';
import { seedOnecIntegration } from '../rest/onec/auth';
import {
  createOnecClientFromEnv,
  onecDeliveryBudgetMs,
  onecOutboxHandlers,
} from '../services/onec-outbound';
import type { OutboxLogger } from './store';
import { outboxSignal } from './signal';
import { OutboxWorker } from './worker';

export interface OnecBridge {
  worker: OutboxWorker | null;
  /** Stops the worker after the delivery in flight. */
  stop(): Promise<void>;
}

/**
 * The 1C bridge of one api process: seeds the integration 1C calls the REST shim with
 * (key stored hashed) and, when OUTBOX_WORKER_ENABLED, starts the worker that delivers the
 * ONEC outbox. Several api instances may run it against one database.
 */
export async function startOnecBridge(input: {
  env: ApiEnv;
  db: Db;
  logger: OutboxLogger;
  now?: () => Date;
}): Promise<OnecBridge> {
  const { env, db, logger } = input;
  const integration = await seedOnecIntegration(db, {
    name: 'onec',
    apiKey: env.ONEC_INBOUND_API_KEY,
    hmacSecret: env.ONEC_INBOUND_HMAC_SECRET ?? null,
  });
  logger.info(
    { integration: integration.name, signed: Boolean(env.ONEC_INBOUND_HMAC_SECRET) },
    '1C integration ready',
  );
  if (!env.OUTBOX_WORKER_ENABLED) return { worker: null, stop: async () => {} };

  const onec = createOnecClientFromEnv(env, logger);
  const worker = new OutboxWorker({
    db,
    target: 'ONEC',
    handlers: onecOutboxHandlers({ db, onec, now: input.now ?? (() => new Date()), logger }),
    logger,
    pollMs: env.OUTBOX_POLL_MS,
    // Renewed while a delivery runs: short, so a killed instance's messages are taken over
    // within it.
    leaseMs: env.OUTBOX_LEASE_MS,
    // The worst delivery: the client's attempts and its pauses between them.
    deliveryTimeoutMs: onecDeliveryBudgetMs(onec) + 5_000,
    retry: { maxAttempts: env.OUTBOX_MAX_ATTEMPTS },
    now: input.now,
  }).start();
  const unsubscribe = outboxSignal.onWritten('ONEC', () => worker.wake());
  return {
    worker,
    stop: () => {
      unsubscribe();
      return worker.stop();
    },
  };
}
