import { displayRequestNumber } from '@payreq/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppDeps } from '../context';
import { createContext } from '../context';
import { forbidden, notFound, restError, unauthenticated } from '../errors';

/**
 * `GET /bot/v1/documents/:documentId` (service token): the bytes of a stored document, for
 * the bot to post it into the deal room (`telegram.document` outbox messages). The answer
 * carries the document's own mime type and file name, and its kind for the caption.
 */
export async function registerBotDocumentRoutes(
  app: FastifyInstance,
  deps: AppDeps,
): Promise<void> {
  app.get('/bot/v1/documents/:documentId', async (req, reply) => {
    try {
      const ctx = await createContext(deps, req);
      if (ctx.authError) throw ctx.authError;
      if (!ctx.actor) throw unauthenticated();
      if (ctx.actor.kind !== 'bot') throw forbidden();
      const { documentId } = z.object({ documentId: z.uuid() }).parse(req.params);
      const document = await deps.db.document.findUnique({
        where: { id: documentId },
        include: {
          asset: { select: { storageKey: true, size: true } },
          request: { select: { id: true, number: true } },
        },
      });
      if (!document) throw notFound('document');
      // Streamed from the store (disk or S3), never held whole.
      const file = await deps.files.stream(document.asset.storageKey);
      const name = encodeURIComponent(document.fileName);
      return reply
        .header('content-type', document.mime)
        .header('content-disposition', `attachment; filename*=UTF-8''${name}`)
        .header('cache-control', 'no-store')
        .header('x-file-name', name)
        .header('x-document-kind', document.kind)
        .header('x-document-sha256', document.sha256)
        .header('x-request-id', document.request.id)
        .header(
          'x-request-number',
          encodeURIComponent(displayRequestNumber(document.request.number)),
        )
        .header('content-length', String(document.asset.size))
        .send(file);
    } catch (error) {
      const { status, body } = restError(
        error,
        req.headers['accept-language']?.startsWith('en') ? 'en' : 'ru',
      );
      if (status >= 500) req.log.error({ err: error }, 'bot document route failed');
      return reply.code(status).send(body);
    }
  });
}
