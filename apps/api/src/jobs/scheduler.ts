import type { FastifyBaseLogger } from 'fastify';

import type { Db } from '../db';
import { sendDeadlineReminders } from './deadline-reminders';
import { expireOverdueRequests } from './expire-deadlines';
import type { RetentionPolicy } from './prune-retention';
import { pruneExpiredRecords } from './prune-retention';

/** How often the retention job runs: it has days of slack, once an hour is plenty. */
const pruneEveryMs = 3600_000;

/** Runs the time-based jobs on an interval: the standard pipeline's deadlines and reminders, and retention. */
export function startJobs(options: {
  db: Db;
  logger: FastifyBaseLogger;
  intervalMs: number;
  retention: RetentionPolicy;
}): {
  stop(): Promise<void>;
} {
  let running: Promise<void> | null = null;
  let lastPrune = 0;
  const prune = async (now: Date) => {
    if (now.getTime() - lastPrune < pruneEveryMs) return;
    lastPrune = now.getTime();
    const pruned = await pruneExpiredRecords(options.db, now, options.retention);
    if (pruned.outboxMessages > 0 || pruned.idempotencyKeys > 0)
      options.logger.info(pruned, 'pruned delivered outbox messages and old idempotency keys');
  };
  const tick = () => {
    if (running) return;
    const now = new Date();
    running = expireOverdueRequests(options.db, now)
      .then((expired) => {
        if (expired.length > 0)
          options.logger.info({ expired }, 'expired requests past their offers deadline');
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'deadline job failed'))
      .then(() => sendDeadlineReminders(options.db, now))
      .then((sent) => {
        if (sent > 0) options.logger.info({ sent }, 'sent offers deadline reminders');
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'reminder job failed'))
      .then(() => prune(now))
      .catch((error: unknown) => options.logger.error({ err: error }, 'retention job failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
