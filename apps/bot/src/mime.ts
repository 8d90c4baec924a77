import type { UploadMimeType } from '@payreq/contracts';
import { allowedUploadMimeTypes } from '@payreq/contracts';

const allowed = new Set<string>(allowedUploadMimeTypes);

/** Other names Telegram clients (and the OSes they run on) give the same types. */
const aliases: Record<string, UploadMimeType> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-pdf': 'application/pdf',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/opus': 'audio/ogg',
  'audio/x-opus+ogg': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/zip-compressed': 'application/zip',
  'text/comma-separated-values': 'text/csv',
  'application/csv': 'text/csv',
  'text/x-csv': 'text/csv',
  'text/json': 'application/json',
  'application/x-msexcel': 'application/vnd.ms-excel',
  'application/excel': 'application/vnd.ms-excel',
  'application/x-excel': 'application/vnd.ms-excel',
  'application/doc': 'application/msword',
};

/** When Telegram only knows `application/octet-stream`, the file name tells. */
const byExtension: Record<string, UploadMimeType> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
};

const generic = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/**
 * The type the api accepts for a file, from Telegram's `mime_type` and the file name, or
 * null when the deal room does not take such files (the message is then kept without them).
 * The api checks the bytes against the type anyway.
 */
export function uploadMimeFor(
  declared: string | null | undefined,
  fileName: string | null | undefined,
): UploadMimeType | null {
  const mime = declared?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (allowed.has(mime)) return mime as UploadMimeType;
  const alias = aliases[mime];
  if (alias) return alias;
  if (mime === '' || generic.has(mime)) {
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1]?.toLowerCase();
    return extension ? (byExtension[extension] ?? null) : null;
  }
  return null;
}
