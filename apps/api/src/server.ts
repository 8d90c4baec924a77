import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { AppDeps } from './context';
import { createContext } from './context';
import { registerBotDocumentRoutes } from './http/bot-documents';
import { registerFileRoutes } from './http/files';
import { registerMetrics } from './http/metrics';
import { registerPortalAuth } from './http/portal-auth';
import { registerPortalFiles } from './http/portal-files';
import type { RateLimitOptions } from './http/rate-limits';
import { defaultRateLimits, registerRateLimits } from './http/rate-limits';
import type { SecurityHeaderOptions } from './http/security-headers';
import { registerSecurityHeaders, telegramWebOrigins } from './http/security-headers';
import { restError, trpcCodeFor } from './errors';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Frontend } from './http/webapp';
import { registerFrontends } from './http/webapp';
import { registerOnecRest } from './rest/onec/routes';
import type { OnecRestOptions } from './rest/onec/routes';
import type { AppRouter } from './trpc/router';
import { registerTracing, requestIdOf } from './tracing';
import { registerTrpc } from './trpc/fastify-handler';
import { appRouter } from './trpc/router';

export interface ServerOptions {
  deps: Omit<AppDeps, 'logger'>;
  logger: FastifyBaseLogger;
  /** Largest request body, in bytes (1C posts documents as base64 JSON). */
  bodyLimit?: number;
  /** The REST shim for 1C (`/onec`): document size limit, 1C's time zone. */
  onec?: Partial<OnecRestOptions>;
  /** The built Mini App to serve (apps/webapp/dist); unset or missing: not served. */
  webappDistDir?: string | null;
  /** Security headers (who may frame the pages); default: Telegram's web clients. */
  security?: Partial<SecurityHeaderOptions>;
  /** Per-identity rate limits; default: on, with generous budgets. */
  rateLimits?: RateLimitOptions;
  /** Behind a proxy: the caller's address from X-Forwarded-For (rate limits of anonymous calls). */
  trustProxy?: boolean;
  /** Further built front ends under their own prefixes (`/portal/`); the Mini App is `/`. */
  frontends?: Frontend[];
}

/**
 * The api's HTTP server: tRPC for the Mini App, the bot and the platform UI under /trpc,
 * and /healthz. Other roads (REST for 1C, static Mini App) plug into the same instance.
 */
/**
 * Calls made over and over by machines, logged at debug rather than info: the bot claims
 * Telegram messages every poll (otherwise two thirds of the api's log), probes and scrapers
 * ask for /healthz and /metrics.
 */
export function isRoutineRequest(url: string): boolean {
  return (
    url.startsWith('/trpc/botOutbox.claim') || url === '/healthz' || url.startsWith('/metrics')
  );
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Logged by the tracing hooks instead, inside the request's span (tracing.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    // A batch of 10,000 chat messages is a few MB of JSON.
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    routerOptions: { maxParamLength: 5000 },
    trustProxy: options.trustProxy ?? false,
  });
  const deps: AppDeps = { ...options.deps, logger: options.logger };
  registerTracing(app, isRoutineRequest);

  await registerSecurityHeaders(app, {
    frameAncestors: options.security?.frameAncestors ?? telegramWebOrigins,
  });
  // Errors no route answered itself (a rate limit hit before tRPC ran, say): tRPC's shape on
  // its road, the contracts' REST shape elsewhere.
  app.setErrorHandler((error, req, reply) => {
    const locale = req.headers['accept-language']?.startsWith('en') ? 'en' : 'ru';
    const { status, body } = restError(error, locale);
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    if (!req.url.startsWith('/trpc/')) return reply.code(status).send(body);
    const code = trpcCodeFor[body.error.code];
    return reply.code(status).send({
      error: {
        message: body.error.message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: { code, httpStatus: status, appCode: body.error.code },
      },
    });
  });
  await registerRateLimits(app, deps, options.rateLimits ?? defaultRateLimits);

  app.get('/healthz', { config: { rateLimit: false } }, async (_req, reply) => {
    try {
      await deps.db.$queryRaw`SELECT 1`;
      return { status: 'ok' };
    } catch (error) {
      app.log.error({ err: error }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  registerMetrics(app, deps);
  await registerFileRoutes(app, deps);
  await registerBotDocumentRoutes(app, deps);
  await registerOnecRest(app, deps, options.onec);
  registerPortalAuth(app, deps);
  registerPortalFiles(app, deps);

  registerTrpc(app, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createContext(deps, req, res),
      onError({ error, path, type }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          app.log.error({ err: error.cause ?? error, path, type }, 'procedure failed');
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  await registerFrontends(app, [
    {
      name: 'Mini App',
      prefix: '/',
      distDir: options.webappDistDir,
      build: 'pnpm --filter @payreq/webapp build',
    },
    ...(options.frontends ?? []),
  ]);

  return app;
}
