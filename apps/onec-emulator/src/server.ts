import { createHash, timingSafeEqual } from 'node:crypto';

import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { DocumentKind, onecGuid } from '@payreq/contracts';
import {
  OnecCreateRequestBody,
  OnecDocumentRequestBody,
  OnecUpdateRequestBody,
  onecRefHexToGuid,
} from '@payreq/onec';

import { EmulatorError } from './config';
import type { ResolvedEmulatorConfig } from './config';
import { consoleHtml } from './console';
import { FaultInput } from './faults';
import type { Faults } from './faults';
import type { EmulatorMetrics } from './metrics';
import type { Operator } from './operator';
import { deliveryView } from './operator';
import type { EmulatorStore } from './store';

export interface ServerDeps {
  config: ResolvedEmulatorConfig;
  store: EmulatorStore;
  operator: Operator;
  faults: Faults;
  metrics: EmulatorMetrics;
  /** Clears the state (store, faults, timers). */
  reset: () => void;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time HTTP Basic check. */
export function basicAuthMatches(
  header: string | undefined,
  username: string,
  password: string,
): boolean {
  if (!header || !/^basic\s+/i.test(header)) return false;
  const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(username));
  const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
  return userOk && passwordOk;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message } });
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new EmulatorError(400, 'VALIDATION_FAILED', issuesOf(parsed.error));
  return parsed.data;
}

function guidParam(value: string, what = 'Ref_Key'): string {
  if (!onecGuid.safeParse(value).success) {
    throw new EmulatorError(
      400,
      'VALIDATION_FAILED',
      `${what} is not a GUID: ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

const html503 =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>503 Service Unavailable</title></head><body>\n<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.</p>\n</body></html>\n';
const html500 =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>500 Internal Server Error</title></head><body>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n</body></html>\n';
const text500 =
  '{ОбщийМодуль.ОбменСПлатформой.Модуль(128)}: Ошибка при вызове метода контекста (Записать)\n\tОбъект.Записать();\nпо причине:\nОшибка блокировки объекта. Объект уже заблокирован.';

const wait = z.union([z.boolean(), z.number().int().min(0).max(600_000)]).optional();
const WaitRequest = z.object({ wait });
/** The console and the CLI wait this long for the platform's answer, then show the call as PENDING. */
const DEFAULT_HTTP_WAIT_MS = 5_000;
const waitOf = (value: boolean | number | undefined) => value ?? DEFAULT_HTTP_WAIT_MS;

const OfferRequest = z.object({
  rate: z.union([z.string(), z.number()]),
  feePercent: z.union([z.string(), z.number()]),
  fixedFee: z.union([z.string(), z.number()]),
  totalToPay: z.union([z.string(), z.number()]).nullish(),
  settlementDays: z.coerce.number().int(),
  validUntil: z.string().nullish(),
  comment: z.string().nullish(),
  wait,
});
const StatusRequest = z.object({ status: z.string(), comment: z.string().nullish(), wait });
const PaymentStatusRequest = z.object({
  paymentStatus: z.string(),
  comment: z.string().nullish(),
  wait,
});
const DocumentRequest = z.object({
  kind: DocumentKind,
  documentRequestId: z.uuid().nullish(),
  wait,
});

export function buildServer(deps: ServerDeps): FastifyInstance {
  const { config, store, operator, faults } = deps;
  const app = Fastify({
    logger: config.logger,
    forceCloseConnections: true,
    bodyLimit: 10 * 1024 * 1024,
  });
  const slow = new WeakMap<FastifyRequest, number>();
  const startedAt = Date.now();

  // Every answer, by route template (404s: "unmatched") and status, for /metrics.
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.requestServed(request.method, request.routeOptions.url, reply.statusCode);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof EmulatorError)
      return sendError(reply, error.statusCode, error.code, error.message);
    if (error instanceof z.ZodError)
      return sendError(reply, 400, 'VALIDATION_FAILED', issuesOf(error));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', (error as Error).message);
    if (status === 415)
      return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', (error as Error).message);
    if (status >= 400 && status < 500)
      return sendError(reply, status, 'VALIDATION_FAILED', (error as Error).message);
    request.log.error(error);
    return sendError(reply, 500, 'INTERNAL', 'Internal error of the 1C emulator');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`),
  );

  const requireAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!basicAuthMatches(request.headers.authorization, config.username, config.password)) {
      reply.header('www-authenticate', 'Basic realm="1C:Enterprise", charset="UTF-8"');
      return sendError(reply, 401, 'UNAUTHENTICATED', 'Wrong 1C user name or password');
    }
  };

  // ----- the 1C HTTP service: {basePath}/hs/{root}/v1/... -----
  app.register(
    async (service) => {
      // The platform's calls carry their trace (W3C traceparent): logged, so one submit can be
      // followed from the Mini App to here.
      service.addHook('onRequest', async (request) => {
        const traceparent = request.headers.traceparent;
        if (typeof traceparent === 'string')
          request.log.info(
            { traceparent, trace_id: traceparent.split('-')[1], url: request.url },
            'call with a trace',
          );
      });
      service.addHook('onRequest', async (request, reply) => {
        const fault = faults.take();
        if (fault) {
          deps.metrics.faultInjected(fault.mode);
          switch (fault.mode) {
            case 'down':
              if (fault.behavior === 'reset') {
                reply.hijack();
                request.raw.socket.destroy();
                return reply;
              }
              return reply.code(503).type('text/html; charset=utf-8').send(html503);
            case 'error500':
              if (fault.body === 'json') return sendError(reply, 500, 'INTERNAL', text500);
              if (fault.body === 'html')
                return reply.code(500).type('text/html; charset=utf-8').send(html500);
              return reply.code(500).type('text/plain; charset=utf-8').send(text500);
            case 'malformed':
              return reply
                .code(200)
                .type('application/json; charset=utf-8')
                .send('{"Ref_Key": "3f2a');
            case 'throttle':
              reply.header('retry-after', String(fault.retryAfterSeconds));
              return sendError(
                reply,
                429,
                'TOO_MANY_REQUESTS',
                'Too many requests to the 1C service',
              );
            case 'slow':
              slow.set(request, fault.delayMs);
              break;
            default:
              break;
          }
        }
        return requireAuth(request, reply);
      });
      service.addHook('onSend', async (request, _reply, payload) => {
        const delay = slow.get(request);
        if (delay) await faults.sleep(delay);
        return payload;
      });

      service.post('/v1/requests', async (request, reply) => {
        const body = parseBody(OnecCreateRequestBody, request.body);
        const { request: stored, created } = operator.receiveRequest(body);
        return reply
          .code(created ? 201 : 200)
          .send({ Ref_Key: stored.ref, Number: stored.number, created });
      });

      service.get<{ Params: { ref: string } }>('/v1/requests/:ref', async (request) =>
        operator.requestState(guidParam(request.params.ref)),
      );

      /** A call about a request that makes something once: `createdCode` when new, else 200. */
      const requestCall = <Body>(
        call: string,
        schema: z.ZodType<Body>,
        createdCode: 201 | 202,
        receive: (ref: string, body: Body) => { answer: unknown; created: boolean },
      ) =>
        service.post<{ Params: { ref: string } }>(
          `/v1/requests/:ref/${call}`,
          async (request, reply) => {
            const ref = guidParam(request.params.ref);
            const { answer, created } = receive(ref, parseBody(schema, request.body));
            return reply.code(created ? createdCode : 200).send(answer);
          },
        );
      requestCall('documents', OnecDocumentRequestBody, 202, (ref, body) => {
        const { job, created } = operator.receiveDocumentRequest(ref, body);
        return { answer: { Ref_Key: job.ref, state: job.state, created }, created };
      });
      requestCall('updates', OnecUpdateRequestBody, 201, (ref, body) =>
        operator.receiveUpdate(ref, body),
      );

      // Unknown templates answer 404 after the auth check, as a 1C HTTP service does.
      service.all('/*', async (request, reply) =>
        sendError(
          reply,
          404,
          'NOT_FOUND',
          `No template for ${request.method} ${request.url.split('?')[0]}`,
        ),
      );
    },
    { prefix: `${config.basePath}/hs/${config.root}` },
  );

  // ----- the operator console and its API (same Basic auth) -----
  app.register(
    async (console) => {
      console.addHook('onRequest', requireAuth);
      const page = async (_request: FastifyRequest, reply: FastifyReply) =>
        reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(consoleHtml(config));
      // `{base}/` is where web-client links (`{base}/#e1cib/data/...`) land: the console reads the hash.
      console.get('/', page);
      console.get('/operator', page);

      console.get('/operator/api/requests', async () => ({ items: operator.listRequests() }));
      console.get<{ Params: { id: string } }>('/operator/api/requests/:id', async (request) =>
        operator.getRequest(request.params.id),
      );
      /** An operator's action on one request: its body checked, the platform's answer awaited. */
      const requestAction = <Body extends { wait?: boolean | number | undefined }>(
        action: string,
        schema: z.ZodType<Body>,
        act: (id: string, body: Body, options: { wait: boolean | number }) => unknown,
      ) =>
        console.post<{ Params: { id: string } }>(
          `/operator/api/requests/:id/${action}`,
          async (request) => {
            const body = parseBody(schema, request.body);
            return act(request.params.id, body, { wait: waitOf(body.wait) });
          },
        );
      requestAction('offer', OfferRequest, (id, { wait: _wait, validUntil, ...terms }, options) =>
        operator.sendOffer(id, { ...terms, validUntil: validUntil ?? null }, options),
      );
      requestAction('status', StatusRequest, (id, body, options) =>
        operator.setStatus(id, body.status, body.comment, options),
      );
      requestAction('payment-status', PaymentStatusRequest, (id, body, options) =>
        operator.setPaymentStatus(id, body.paymentStatus, body.comment, options),
      );
      requestAction('documents', DocumentRequest, (id, body, options) =>
        operator.generateDocument(id, body.kind, {
          documentRequestId: body.documentRequestId ?? null,
          ...options,
        }),
      );
      console.post<{ Params: { id: string } }>(
        '/operator/api/requests/:id/refresh',
        async (request) => operator.fetchPlatformRequest(request.params.id),
      );
      console.post<{ Params: { ref: string } }>(
        '/operator/api/jobs/:ref/fulfil',
        async (request) => {
          const body = parseBody(WaitRequest, request.body);
          return operator.fulfilJob(guidParam(request.params.ref, 'job'), {
            wait: waitOf(body.wait),
          });
        },
      );
      console.get<{ Params: { ref: string } }>(
        '/operator/api/documents/:ref/file',
        async (request, reply) => {
          const document = store.findDocument(guidParam(request.params.ref, 'document'));
          if (!document) throw new EmulatorError(404, 'NOT_FOUND', 'No such document');
          return reply
            .type(document.mime)
            .header(
              'content-disposition',
              `inline; filename*=UTF-8''${encodeURIComponent(document.fileName)}`,
            )
            .send(Buffer.from(document.contentBase64, 'base64'));
        },
      );
      console.get('/operator/api/deliveries', async () => ({
        items: store.deliveries.map(deliveryView),
      }));
      console.post('/operator/api/deliveries/retry', async () => ({
        items: await operator.retryFailed(),
      }));
      console.get('/operator/api/calls', async () => ({ items: store.calls }));
      console.get<{ Params: { hex: string } }>('/operator/api/link/:hex', async (request) => {
        let guid: string;
        try {
          guid = onecRefHexToGuid(request.params.hex);
        } catch (error) {
          throw new EmulatorError(400, 'VALIDATION_FAILED', (error as Error).message);
        }
        return operator.getRequest(guid);
      });
    },
    { prefix: config.basePath },
  );

  // ----- operations (no auth, like /__emulator: never expose the emulator publicly) -----
  app.get('/healthz', async (_request, reply) => {
    const deliveries = store.deliveries;
    const last = store.calls.at(-1) ?? null;
    const healthy = store.saveError === null;
    return reply
      .code(healthy ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: healthy ? 'ok' : 'unhealthy',
        service: 'onec-emulator',
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        requests: store.requests.length,
        persistent: store.file !== null,
        // The data file could not be written: what 1C did would be lost on a restart.
        saveError: store.saveError,
        platform: {
          configured: config.platform !== null,
          deliveries: {
            pending: deliveries.filter((d) => d.state === 'PENDING').length,
            failed: deliveries.filter((d) => d.state === 'FAILED').length,
          },
          lastCall: last && {
            at: last.startedAt,
            status: last.status,
            error: last.error,
          },
        },
        fault: faults.current.fault.mode,
      });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  // ----- test control (no auth: never expose the emulator publicly) -----
  app.get('/__emulator/health', async () => ({ ok: true }));
  app.get('/__emulator/faults', async () => faults.current);
  app.post('/__emulator/faults', async (request) =>
    faults.set(parseBody(FaultInput, request.body)),
  );
  app.post('/__emulator/reset', async () => {
    deps.reset();
    return { ok: true };
  });

  return app;
}
