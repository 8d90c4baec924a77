import type { Readable } from 'node:stream';

import { opensInPlace } from '@payreq/contracts';
import type { FastifyReply } from 'fastify';

import type { FileStore } from '../storage/file-store';

/** `filename="..."` for old clients (ASCII only), `filename*` with the real name. */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * A file that came from outside (an upload, a chat, 1C), as the platform serves it to browsers:
 * never sniffed, in a CSP sandbox (no script, no same-origin rights even if rendered), inline only
 * for the contracts' `inlineSafeMimeTypes` and as `application/octet-stream` otherwise, so that a blob the Mini App
 * makes of the answer is a download too.
 */
export function sendUntrustedFile(
  reply: FastifyReply,
  file: { mime: string; fileName: string; size: number; body: Readable | Buffer },
  options: { cacheControl?: string } = {},
): FastifyReply {
  const inline = opensInPlace(file.mime);
  return reply
    .header('content-type', inline ? file.mime.toLowerCase() : 'application/octet-stream')
    .header(
      'content-disposition',
      contentDisposition(inline ? 'inline' : 'attachment', file.fileName),
    )
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    )
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', options.cacheControl ?? 'private, max-age=3600')
    .header('content-length', String(file.size))
    .send(file.body);
}

/** A request's document (from 1C or a chat file kept as one), streamed from the store as untrusted. */
export async function sendStoredDocument(
  reply: FastifyReply,
  files: FileStore,
  document: { mime: string; fileName: string; asset: { size: number; storageKey: string } },
): Promise<FastifyReply> {
  return sendUntrustedFile(reply, {
    mime: document.mime,
    fileName: document.fileName,
    size: document.asset.size,
    body: await files.stream(document.asset.storageKey),
  });
}
