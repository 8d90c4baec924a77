import type { FastifyInstance } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { AppDeps } from '../context';

/**
 * Prometheus metrics: the process's own (memory, event loop, GC) and, read from the
 * database at scrape time, what operators watch — outbox backlog and dead letters, and
 * requests by status.
 */
export function registerMetrics(app: FastifyInstance, deps: AppDeps): void {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'payreq-api' });
  collectDefaultMetrics({ register: registry });

  const outbox = new Gauge({
    name: 'payreq_outbox_messages',
    help: 'Outbox messages by target and state (DEAD ones need an operator).',
    labelNames: ['target', 'state'] as const,
    registers: [registry],
  });
  const requests = new Gauge({
    name: 'payreq_requests',
    help: 'Payment requests by status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });

  app.get('/metrics', { config: { rateLimit: false } }, async (_req, reply) => {
    const [byOutbox, byStatus] = await Promise.all([
      deps.db.outboxMessage.groupBy({ by: ['target', 'state'], _count: { _all: true } }),
      deps.db.paymentRequest.groupBy({ by: ['status'], _count: { _all: true } }),
    ]);
    outbox.reset();
    for (const row of byOutbox)
      outbox.set({ target: row.target, state: row.state }, row._count._all);
    requests.reset();
    for (const row of byStatus) requests.set({ status: row.status }, row._count._all);
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}
