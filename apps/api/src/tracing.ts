import { randomUUID } from 'node:crypto';

import {
  SpanStatusCode,
  currentTraceparent,
  inTrace,
  otelContext,
  startServerSpan,
} from '@payreq/telemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The api's part of the trace (see @payreq/telemetry): a server span per request, continuing
 * the caller's `traceparent`; the `traceparent` an outbox row keeps; the row's delivery in
 * that trace. The outbox and the server call these in one place each.
 */

/** A request id the caller sent (`x-request-id`), when it is a sane one; else a new one. */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * The span of every request; the rest of the request (body, handler, hooks, logs) runs in it.
 * Its two log lines (Fastify's own would come before the span) are written here, in the span,
 * so they carry the trace and request ids too; `routine` requests are logged at debug.
 */
export function registerTracing(
  app: FastifyInstance,
  routine: (url: string) => boolean = () => false,
): void {
  const spans = new WeakMap<FastifyRequest, ReturnType<typeof startServerSpan>['span']>();
  app.addHook('onRequest', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    // tRPC's one route: the procedure is the name (a bounded set).
    const name = route.startsWith('/trpc/') ? req.url.split('?')[0]! : route;
    const { span, context } = startServerSpan(`${req.method} ${name}`, req.headers, req.id, {
      'http.request.method': req.method,
      'http.route': route,
      'url.path': req.url.split('?')[0],
    });
    spans.set(req, span);
    reply.header('x-request-id', req.id);
    // The body's stream events and the response's fire outside this call: bound to the span.
    otelContext.bind(context, req.raw);
    otelContext.bind(context, reply.raw);
    otelContext.with(context, () => {
      const level = routine(req.url) ? 'debug' : 'info';
      req.log[level]({ req }, 'incoming request');
      done();
    });
  });
  app.addHook('onResponse', (req, reply, done) => {
    const span = spans.get(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    const level = routine(req.url) ? 'debug' : 'info';
    req.log[level]({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });
}

/** What `enqueueOutbox` keeps with each row: the trace of the change that wrote it. */
export const outboxTraceparent = (): string | null => currentTraceparent();

/** A delivery of one outbox row, in the trace of the change that wrote it. */
export function inOutboxTrace<T>(
  message: {
    id: bigint;
    kind: string;
    target: string;
    attempts: number;
    traceparent: string | null;
  },
  deliver: () => Promise<T>,
): Promise<T> {
  return inTrace(
    message.traceparent,
    `outbox ${message.kind}`,
    {
      'payreq.outbox.id': message.id.toString(),
      'payreq.outbox.target': message.target,
      'payreq.outbox.attempt': message.attempts,
    },
    deliver,
  );
}
