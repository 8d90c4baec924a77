import { OnecRequestParams, onecHeaders } from '@payreq/contracts';
import type { OnecDocumentBody, OnecOfferBody, OnecStatusBody } from '@payreq/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AppDeps } from '../../context';
import type { Tx } from '../../db';
import { AppError, restError } from '../../errors';
import {
  checkOnecDocumentPost,
  putOnecDocumentFile,
  storeOnecDocumentInTx,
} from '../../services/documents';
import type { OnecActor } from '../../services/onec-inbound';
import {
  acceptOnecOfferInTx,
  applyOnecStatusInTx,
  getOnecRequestView,
  withStaleNote,
} from '../../services/onec-inbound';
import { authenticateOnec } from './auth';
import { docsContentSecurityPolicy, loadDocsFiles } from './docs-page';
import type { Answer, IdempotencyTicket, IdempotentAnswer } from './idempotency';
import { bodyHash, findStoredAnswer, readIdempotencyKey, runIdempotent } from './idempotency';
import type { OnecOperationId, OnecOperationSpec } from './spec';
import { buildOnecOpenApiDocument, fastifyPath, onecOperations, onecRestPrefix } from './spec';

export interface OnecRestOptions {
  /** Largest decoded document 1C may post (ONEC_DOCUMENT_MAX_BYTES). */
  documentMaxBytes: number;
  /** The 1C server's time zone: 1C's dates carry none (ONEC_TIMEZONE). */
  timeZone: string;
}

export const defaultOnecRestOptions: OnecRestOptions = {
  documentMaxBytes: 20 * 1024 * 1024,
  timeZone: 'Europe/Moscow',
};

/** Body limit of the document route: base64 of the largest file (4/3, some line breaks) plus the JSON around it. */
export function documentBodyLimit(documentMaxBytes: number): number {
  return Math.ceil(Math.ceil(documentMaxBytes / 3) * 4 * 1.1) + 64 * 1024;
}

const JSON_BODY_LIMIT = 256 * 1024;

function isBodyTooLarge(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';
}

/** A body over its route's limit, said with the limit (the file's, for a document). */
function tooLarge(req: FastifyRequest, options: OnecRestOptions): AppError {
  if (req.routeOptions.url?.endsWith('/documents'))
    return new AppError('PAYLOAD_TOO_LARGE', {
      ru: `Файл больше допустимых ${options.documentMaxBytes} байт`,
      en: `The file is larger than the allowed ${options.documentMaxBytes} bytes`,
    });
  return new AppError('PAYLOAD_TOO_LARGE', {
    ru: `Тело запроса больше допустимых ${JSON_BODY_LIMIT} байт`,
    en: `The body is larger than the allowed ${JSON_BODY_LIMIT} bytes`,
  });
}

interface CallContext {
  req: FastifyRequest;
  actor: OnecActor;
  requestId: string;
  /** The body as sent (JSON), and as the schema made it. */
  json: unknown;
  body: unknown;
}

function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new AppError('VALIDATION_FAILED', {
      ru: 'Пустое тело запроса: ожидается объект JSON',
      en: 'The body is empty: a JSON object is expected',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', {
      ru: `Тело запроса — не JSON: ${(error as Error).message}`,
      en: `The body is not valid JSON: ${(error as Error).message}`,
    });
  }
}

const idempotencyRequired = () =>
  new AppError('VALIDATION_FAILED', {
    ru: `Нужен заголовок Idempotency-Key (${onecHeaders.idempotencyKey}): один ключ на операцию, тот же при повторах`,
    en: `The ${onecHeaders.idempotencyKey} header is required: one key per operation, the same on every retry`,
  });

function ticketFor(spec: OnecOperationSpec, call: CallContext): IdempotencyTicket {
  let key = readIdempotencyKey(call.req.headers[onecHeaders.idempotencyKey]);
  if (!key && spec.idempotency === 'headerOrRefKey') {
    const refKey = (call.body as { Ref_Key?: string }).Ref_Key;
    key = refKey ? `Ref_Key:${refKey.toLowerCase()}` : null;
  }
  if (!key) throw idempotencyRequired();
  return {
    scope: `onec:${call.actor.integrationId}:${spec.id}:${call.requestId}`,
    key,
    requestHash: bodyHash(call.json),
  };
}

type Handler = (call: CallContext, spec: OnecOperationSpec) => Promise<IdempotentAnswer>;

function handlers(deps: AppDeps, options: OnecRestOptions): Record<OnecOperationId, Handler> {
  const created = (spec: OnecOperationSpec, isNew: boolean) => (isNew ? spec.successStatus : 200);
  /**
   * A write computed on a version of the request (an offer, a status): idempotent on its key, and
   * a refusal for stale fields is noted in the history once, for the agent to see.
   */
  const versionedWrite = (
    call: CallContext,
    spec: OnecOperationSpec,
    what: 'offer' | 'status',
    write: (tx: Tx) => Promise<Answer>,
  ) => {
    const ticket = ticketFor(spec, call);
    const post = { requestId: call.requestId, what, key: ticket.key, now: deps.now() };
    return withStaleNote(deps.db, call.actor, post, () =>
      runIdempotent(deps.db, ticket, call.requestId, write),
    );
  };
  return {
    async getRequest(call) {
      const view = await getOnecRequestView(deps.db, call.actor, call.requestId);
      return { status: 200, body: view, replayed: false };
    },

    async postOffer(call, spec) {
      const body = call.body as OnecOfferBody;
      return versionedWrite(call, spec, 'offer', async (tx) => {
        const { created: isNew, result } = await acceptOnecOfferInTx(
          tx,
          call.actor,
          call.requestId,
          body,
          { now: deps.now(), timeZone: options.timeZone },
        );
        return { status: created(spec, isNew), body: result };
      });
    },

    async postStatus(call, spec) {
      const body = call.body as OnecStatusBody;
      return versionedWrite(call, spec, 'status', async (tx) => ({
        status: spec.successStatus,
        body: await applyOnecStatusInTx(tx, call.actor, call.requestId, body, deps.now()),
      }));
    },

    async postDocument(call, spec) {
      const body = call.body as OnecDocumentBody;
      const ticket = ticketFor(spec, call);
      // A retry is answered before anything is written; so is a refusal.
      const stored = await findStoredAnswer(deps.db, ticket);
      if (stored) return stored;
      await checkOnecDocumentPost(deps.db, call.actor, call.requestId);
      const file = await putOnecDocumentFile(deps.files, body, options.documentMaxBytes);
      return runIdempotent(deps.db, ticket, call.requestId, async (tx) => {
        const { created: isNew, result } = await storeOnecDocumentInTx(
          tx,
          call.actor,
          call.requestId,
          { body, file },
          { now: deps.now(), warn: (obj, msg) => call.req.log.warn(obj, msg) },
        );
        return { status: created(spec, isNew), body: result };
      });
    },
  };
}

/**
 * The language of an error's `message`: English unless the call asks for Russian
 * (`Accept-Language: ru`), as 1C does to show its operator why a post was refused.
 */
const messageLocaleOf = (req: FastifyRequest): 'ru' | 'en' =>
  /^\s*ru\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'ru' : 'en';

function sendError(req: FastifyRequest, reply: FastifyReply, error: unknown, operation?: string) {
  const { status, body } = restError(error, messageLocaleOf(req));
  if (status >= 500) {
    req.log.error({ err: error, operation }, '1C call failed');
  } else {
    // 1C's operators read these lines when a call is refused; the log stays in English.
    req.log.warn(
      { operation, status, code: body.error.code },
      `1C call refused: ${restError(error, 'en').body.error.message}`,
    );
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * The REST shim for 1C under `/onec`: plain Fastify routes over the same services as tRPC,
 * driven by the operation table in spec.ts (which also makes the OpenAPI document), rather
 * than an OpenAPI adapter for tRPC, whose handler parses the body itself (the HMAC needs the exact raw
 * bytes, checked before anything is parsed), answers errors in its own shape
 * (`{ message, code, issues }` instead of the contracts' `{ error: { code, message } }`) and
 * documents that shape. Also serves the OpenAPI document (`/onec/openapi.json`) and a
 * reference page of it drawn by Swagger UI (`/onec/docs`, files from our origin).
 */
export async function registerOnecRest(
  app: FastifyInstance,
  deps: AppDeps,
  input: Partial<OnecRestOptions> = {},
): Promise<void> {
  const options: OnecRestOptions = { ...defaultOnecRestOptions, ...input };
  const run = handlers(deps, options);
  const document = buildOnecOpenApiDocument();
  const documentJson = JSON.stringify(document, null, 2);
  const docs = loadDocsFiles(document.info.title);

  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      // Any content type (1C may omit or vary it): the body is read as bytes and parsed after auth.
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) =>
        done(null, body),
      );
      scope.setErrorHandler((error, req, reply) =>
        sendError(req, reply, isBodyTooLarge(error) ? tooLarge(req, options) : error),
      );
      const noSuchRoute = (req: FastifyRequest, reply: FastifyReply) =>
        sendError(
          req,
          reply,
          new AppError('NOT_FOUND', {
            ru: `Нет такого адреса: ${req.method} ${req.url.split('?')[0]}`,
            en: `No such route: ${req.method} ${req.url.split('?')[0]}`,
          }),
        );
      scope.setNotFoundHandler(noSuchRoute);
      // The Mini App's `GET /*` (its pages) would otherwise take a wrong GET here and answer with
      // the web server's own 404 body, not 1C's error shape.
      scope.get('/*', noSuchRoute);

      scope.get('/openapi.json', async (_req, reply) =>
        reply.type('application/json; charset=utf-8').send(documentJson),
      );
      scope.get('/docs', async (_req, reply) =>
        reply
          .header('content-security-policy', docsContentSecurityPolicy)
          .header('cache-control', 'no-cache')
          .type(docs.page.type)
          .send(docs.page.body),
      );
      scope.get<{ Params: { file: string } }>('/docs/assets/:file', async (req, reply) => {
        const file = docs.assets.get(req.params.file);
        if (!file) return reply.callNotFound();
        return reply
          .header('content-security-policy', docsContentSecurityPolicy)
          .header('cache-control', 'public, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .type(file.type)
          .send(file.body);
      });

      for (const spec of onecOperations) {
        scope.route({
          method: spec.method,
          url: fastifyPath(spec.path),
          bodyLimit:
            spec.id === 'postDocument'
              ? documentBodyLimit(options.documentMaxBytes)
              : JSON_BODY_LIMIT,
          handler: async (req, reply) => {
            try {
              const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
              const actor = await authenticateOnec(deps.db, req.headers, raw);
              const requestId = OnecRequestParams.parse(req.params).requestId.toLowerCase();
              const json = spec.body ? parseJson(raw) : undefined;
              const body = spec.body ? spec.body.parse(json) : undefined;
              const answer = await run[spec.id]({ req, actor, requestId, json, body }, spec);
              if (answer.replayed) reply.header('idempotent-replayed', 'true');
              return reply
                .code(answer.status)
                .type('application/json; charset=utf-8')
                .send(answer.body);
            } catch (error) {
              return sendError(req, reply, error, spec.id);
            }
          },
        });
      }
    },
    { prefix: onecRestPrefix },
  );
}
