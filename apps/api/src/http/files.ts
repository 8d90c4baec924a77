import type { Readable } from 'node:stream';

import { ChatId, DocumentKind, UploadMimeType, displayRequestNumber } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { AppDeps, Context } from '../context';
import { createContext } from '../context';
import { AppError, forbidden, notFound, restError, unauthenticated } from '../errors';
import { loadAccess, requirePermission } from '../services/access';
import { saveAsset } from '../services/assets';
import { importTelegramExport } from '../services/chat-export';
import { requireChatRequestId } from '../services/chat-requests';
import type { BoundChat } from '../services/chats';
import { resolveBoundChat } from '../services/chats';
import { recordHistory } from '../services/history';
import { toDocumentView } from '../services/views';
import { transaction } from '../db';
import { sendStoredDocument } from './untrusted-file';
import { tellOnecOfDocument } from '../services/onec-updates';

const FileHeaders = z.object({
  'content-type': z
    .string()
    .transform((value) => value.split(';')[0]!.trim().toLowerCase())
    .pipe(UploadMimeType),
  'x-file-name': z
    .string()
    .max(1024)
    .transform((value) => decodeURIComponent(value))
    .pipe(
      z
        .string()
        .min(1)
        .max(255)
        .refine((name) => !/[\\/]/.test(name) && !name.includes('\0'), { error: 'invalid_type' }),
    )
    .optional(),
  'x-telegram-file-id': z.string().max(256).optional(),
  'x-telegram-file-unique-id': z.string().max(128).optional(),
  'x-document-kind': DocumentKind.optional(),
});

async function authenticate(
  deps: AppDeps,
  req: FastifyRequest,
): Promise<Context & { actor: Actor }> {
  const ctx = await createContext(deps, req);
  if (ctx.authError) throw ctx.authError;
  if (!ctx.actor) throw unauthenticated();
  return ctx as Context & { actor: Actor };
}

async function miniAppCaller(
  deps: AppDeps,
  req: FastifyRequest,
): Promise<{ ctx: Context & { actor: Actor }; chat: BoundChat }> {
  const ctx = await authenticate(deps, req);
  if (!ctx.telegram || (ctx.actor.kind !== 'user' && ctx.actor.kind !== 'agent'))
    throw unauthenticated('open the app from Telegram');
  return {
    ctx,
    chat: await resolveBoundChat(ctx.db, ctx.actor, ctx.telegram, deps.telegram.checkMembership),
  };
}

/** Reads what is left of a refused upload (up to a bound), so the client gets the answer rather than a reset. */
async function drain(body: unknown, maxBytes: number): Promise<void> {
  if (!body || typeof (body as Readable).resume !== 'function') return;
  const stream = body as Readable;
  if (stream.readableEnded || stream.destroyed) return;
  let seen = 0;
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) {
        stream.destroy();
        resolve();
      }
    });
    stream.once('end', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
    stream.resume();
  });
}

function fail(reply: FastifyReply, error: unknown, req: FastifyRequest): FastifyReply {
  const { status, body } = restError(
    error,
    req.headers['accept-language']?.startsWith('en') ? 'en' : 'ru',
  );
  if (status >= 500) req.log.error({ err: error }, 'file route failed');
  return reply.code(status).send(body);
}

/**
 * Binary routes that tRPC's JSON does not suit: files of the chat (bot), attachments and
 * the chat-export import (Mini App), and downloads. Each checks size and type, and writes
 * nothing when it refuses.
 */
export async function registerFileRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const uploadLimit = deps.telegram.uploadMaxBytes;

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: uploadLimit },
      (_req, body, done) => done(null, body),
    );
    scope.setErrorHandler((error, req, reply) => fail(reply, error, req));

    /** The bot saves a chat's photo, document, voice or video; content-addressed. */
    scope.post('/bot/v1/chats/:chatId/assets', async (req, reply) => {
      const ctx = await authenticate(deps, req);
      if (ctx.actor.kind !== 'bot') throw forbidden();
      const { chatId } = z.object({ chatId: ChatId }).parse(req.params);
      const headers = FileHeaders.parse(req.headers);
      const chat = await deps.db.telegramChat.findUnique({
        where: { id: BigInt(chatId) },
        select: { id: true },
      });
      if (!chat) throw notFound('chat');
      const result = await saveAsset(deps.db, deps.files, {
        bytes: req.body as Buffer,
        mime: headers['content-type'],
        fileName: headers['x-file-name'] ?? null,
        telegramFileId: headers['x-telegram-file-id'] ?? null,
        telegramFileUniqueId: headers['x-telegram-file-unique-id'] ?? null,
      });
      return reply.code(result.deduplicated ? 200 : 201).send(result);
    });

    /** A file attached to the chat's request in the Mini App. */
    scope.post('/miniapp/v1/attachments', async (req, reply) => {
      const { ctx, chat } = await miniAppCaller(deps, req);
      const headers = FileHeaders.parse(req.headers);
      const requestId = await requireChatRequestId(ctx, chat);
      const access = await loadAccess(deps.db, ctx.actor, requestId);
      requirePermission(access, 'application.edit');
      const asset = await saveAsset(deps.db, deps.files, {
        bytes: req.body as Buffer,
        mime: headers['content-type'],
        fileName: headers['x-file-name'] ?? null,
      });
      const document = await transaction(deps.db, async (tx) => {
        const created = await tx.document.create({
          data: {
            requestId,
            kind: headers['x-document-kind'] ?? 'OTHER',
            fileName: headers['x-file-name'] ?? `attachment-${asset.sha256.slice(0, 8)}`,
            mime: asset.mime,
            size: asset.size,
            sha256: asset.sha256,
            assetId: asset.assetId,
            source: 'UPLOAD',
          },
        });
        await recordHistory(
          tx,
          requestId,
          ctx.actor,
          [{ field: 'document', from: null, to: created.fileName }],
          deps.now(),
        );
        await tellOnecOfDocument(tx, ctx.actor, access.pipeline, created, deps.now());
        return created;
      });
      return reply.code(201).send(toDocumentView(document));
    });
  });

  await app.register(async (scope) => {
    // The export is streamed straight into the importer, never buffered whole.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.setErrorHandler(async (error, req, reply) => {
      await drain(req.body, deps.telegram.exportMaxBytes);
      return fail(reply, error, req);
    });

    scope.post('/miniapp/v1/chat-export', async (req, reply) => {
      const { chat } = await miniAppCaller(deps, req);
      if (!chat.isChatAgent) {
        throw new AppError('FORBIDDEN', {
          ru: 'Загрузить историю чата может только агент этого чата',
          en: 'Only the chat’s agent may import its history',
        });
      }
      const result = await importTelegramExport(deps.db, chat.chatId, req.body as Readable, {
        maxBytes: deps.telegram.exportMaxBytes,
      });
      return reply.send(result);
    });
  });

  app.get('/miniapp/v1/documents/:documentId', async (req, reply) => {
    try {
      const { ctx, chat } = await miniAppCaller(deps, req);
      const { documentId } = z.object({ documentId: z.uuid() }).parse(req.params);
      const document = await deps.db.document.findUnique({
        where: { id: documentId },
        include: { asset: true, request: true },
      });
      if (!document || document.request.telegramChatId !== chat.chatId) throw notFound('document');
      const access = await loadAccess(deps.db, ctx.actor, document.requestId);
      requirePermission(access, 'documents.view');
      // Streamed from the store (disk or S3), never held whole; served as untrusted content.
      reply.header(
        'x-request-number',
        encodeURIComponent(displayRequestNumber(document.request.number)),
      );
      return sendStoredDocument(reply, deps.files, document);
    } catch (error) {
      return fail(reply, error, req);
    }
  });
}
