import type { AnyRouter } from '@trpc/server';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { resolveResponse } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * tRPC on Fastify, as `fastifyTRPCPlugin` of `@trpc/server/adapters/fastify` does it (the same
 * `resolveResponse`, so the same wire format, errors and batching), with two costs of every
 * call taken out; measured with `pnpm bench --only=api-compare` (bench/README.md):
 *
 * - a JSON answer is read whole and sent as one body, not piped through a web stream into
 *   Fastify (streamed answers, asked for with `trpc-accept: application/jsonl`, still stream);
 * - the call's abort signal fires only if the client leaves before its answer is sent; the
 *   plugin aborts it after every answer, which builds a DOMException each time.
 */
export function registerTrpc<TRouter extends AnyRouter>(
  app: FastifyInstance,
  options: { prefix: string; trpcOptions: FastifyTRPCPluginOptions<TRouter>['trpcOptions'] },
): void {
  const { createContext, onError, ...rest } = options.trpcOptions;
  // tRPC parses the body itself: Fastify hands it over as text.
  app.register((scope, _opts, done) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, parsed) =>
      parsed(null, body),
    );
    scope.removeContentTypeParser('multipart/form-data');
    scope.addContentTypeParser('multipart/form-data', {}, (_req, body, parsed) =>
      parsed(null, body),
    );
    scope.all<{ Params: { path: string } }>(`${options.prefix}/:path`, async (req, reply) => {
      const response = await resolveResponse({
        ...rest,
        router: options.trpcOptions.router,
        req: toFetchRequest(req, reply),
        path: req.params.path,
        error: null,
        createContext: (inner) => createContext!({ req, res: reply, ...inner }),
        onError: (event) => onError?.({ ...event, req }),
      });
      reply.code(response.status);
      response.headers.forEach((value, name) => void reply.header(name, value));
      const json = response.headers.get('content-type')?.startsWith('application/json');
      // Streamed answers (jsonl batches, event streams) go out as tRPC writes them.
      if (!response.body || !json || response.headers.has('transfer-encoding'))
        return reply.send(response);
      return reply.send(await response.text());
    });
    done();
  });
}

function toFetchRequest(req: FastifyRequest, reply: FastifyReply): Request {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.append(name, value);
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers,
    signal: controller.signal,
  };
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined) {
    // JSON arrives as text; a multipart body is still the request's stream.
    init.body = typeof req.body === 'string' ? req.body : (req.raw as unknown as ReadableStream);
    init.duplex = 'half';
  }
  let url: URL;
  try {
    url = new URL(req.url, `${req.protocol}://${req.host}`);
  } catch {
    // A Host header no URL can hold: the path is all tRPC reads.
    url = new URL(req.url, 'http://localhost');
  }
  return new Request(url, init);
}
