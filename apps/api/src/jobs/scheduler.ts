import type { FastifyBaseLogger } from 'fastify';

import type { Db } from '../db';
import { expireOverdueRequests } from './expire-deadlines';

/** Runs the time-based jobs of the standard pipeline on an interval. */
export function startJobs(options: { db: Db; logger: FastifyBaseLogger; intervalMs: number }): {
  stop(): Promise<void>;
} {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = expireOverdueRequests(options.db, new Date())
      .then((expired) => {
        if (expired.length > 0)
          options.logger.info({ expired }, 'expired requests past their offers deadline');
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'deadline job failed'))
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
