import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { AppDeps } from '../context';
import { createContext } from '../context';
import { notFound, restError, unauthenticated } from '../errors';
import { loadAccess, requirePermission } from '../services/access';
import { chatFileFor } from '../services/chat-archive';
import { sendStoredDocument, sendUntrustedFile } from './untrusted-file';

/**
 * Files in the portal, for whoever is signed in (the session cookie): a deal room's chat files
 * (photos shown in place, the rest downloaded) for the bank's agents, and a request's documents
 * for anyone its permissions let see them (its client too). Both are content from outside and
 * go out through `sendUntrustedFile`, as in the Mini App.
 */
export function registerPortalFiles(app: FastifyInstance, deps: AppDeps): void {
  const signedInOf = async (req: Parameters<typeof createContext>[1]) => {
    const ctx = await createContext(deps, req);
    if (ctx.authError) throw ctx.authError;
    if (ctx.actor?.kind !== 'agent' && ctx.actor?.kind !== 'user') throw unauthenticated();
    return ctx.actor;
  };
  const agentOf = async (req: Parameters<typeof createContext>[1]) => {
    const actor = await signedInOf(req);
    if (actor.kind !== 'agent') throw unauthenticated();
    return actor;
  };
  const fail = (
    error: unknown,
    req: { headers: Record<string, unknown>; log: { error: (o: object, m: string) => void } },
  ) => {
    const locale = String(req.headers['accept-language'] ?? '').startsWith('en') ? 'en' : 'ru';
    const answer = restError(error, locale);
    if (answer.status >= 500) req.log.error({ err: error }, 'portal file failed');
    return answer;
  };

  app.get('/portal/files/chat/:key', async (req, reply) => {
    try {
      const actor = await agentOf(req);
      const { key } = z.object({ key: z.uuid() }).parse(req.params);
      const file = await chatFileFor(deps.db, actor, key);
      return sendUntrustedFile(reply, { ...file, body: await deps.files.stream(file.storageKey) });
    } catch (error) {
      const { status, body } = fail(error, req);
      return reply.code(status).send(body);
    }
  });

  app.get('/portal/files/documents/:documentId', async (req, reply) => {
    try {
      const actor = await signedInOf(req);
      const { documentId } = z.object({ documentId: z.uuid() }).parse(req.params);
      const document = await deps.db.document.findUnique({
        where: { id: documentId },
        include: { asset: true },
      });
      if (!document) throw notFound('document');
      const access = await loadAccess(deps.db, actor, document.requestId);
      requirePermission(access, 'documents.view');
      return sendStoredDocument(reply, deps.files, document);
    } catch (error) {
      const { status, body } = fail(error, req);
      return reply.code(status).send(body);
    }
  });
}
