import type { UploadMimeType, UploadResult } from '@payreq/contracts';

import type { Db } from '../db';
import { AppError } from '../errors';
import type { FileStore } from '../storage/file-store';
import { sha256Hex } from '../storage/file-store';
import { describeContent, mimeMatchesContent } from './mime';

/** A refusal that says what the file was declared as and what its bytes are. */
export function mismatchedType(mime: string, bytes: Uint8Array): AppError {
  const found = describeContent(bytes);
  return new AppError('UNSUPPORTED_MEDIA_TYPE', {
    ru: `Содержимое файла не соответствует типу ${mime}: по байтам это ${found.ru}`,
    en: `The file's content does not match its type ${mime}: its bytes are ${found.en}`,
  });
}

/**
 * Stores a file of the chat, content-addressed: the same bytes are kept once and get the
 * same asset. Bytes go to the store before the row, so a row never points at nothing.
 */
export async function saveAsset(
  db: Db,
  files: FileStore,
  input: {
    bytes: Uint8Array;
    mime: UploadMimeType;
    fileName?: string | null;
    telegramFileId?: string | null;
    telegramFileUniqueId?: string | null;
  },
): Promise<UploadResult> {
  if (!mimeMatchesContent(input.mime, input.bytes)) throw mismatchedType(input.mime, input.bytes);
  const sha256 = sha256Hex(input.bytes);
  const existing = await db.asset.findUnique({ where: { sha256 } });
  if (existing) {
    return {
      assetId: existing.id,
      sha256,
      size: existing.size,
      mime: existing.mime,
      deduplicated: true,
    };
  }
  const stored = await files.put(input.bytes);
  const asset = await db.asset.upsert({
    where: { sha256 },
    create: {
      sha256,
      storageKey: stored.key,
      mime: input.mime,
      size: stored.size,
      fileName: input.fileName ?? null,
      telegramFileId: input.telegramFileId ?? null,
      telegramFileUniqueId: input.telegramFileUniqueId ?? null,
    },
    update: {},
  });
  return { assetId: asset.id, sha256, size: asset.size, mime: asset.mime, deduplicated: false };
}
