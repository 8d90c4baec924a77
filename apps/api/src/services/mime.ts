import type { UploadMimeType, onecDocumentMimeTypes } from '@payreq/contracts';

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  signature.every((byte, index) => bytes[offset + index] === byte);

type Family =
  'pdf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'mp4' | 'ogg' | 'mp3' | 'zip' | 'ole' | 'text';

/** What the first bytes say a file is, whatever its name or declared type claims. */
export function sniffFamily(bytes: Uint8Array): Family | null {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'webp';
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return 'mp4';
  if (startsWith(bytes, [0x4f, 0x67, 0x67, 0x53])) return 'ogg';
  if (
    startsWith(bytes, [0x49, 0x44, 0x33]) ||
    (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)
  )
    return 'mp3';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (isUtf8Text(bytes)) return 'text';
  return null;
}

function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Every type a file may be declared as: uploads, chat files and 1C's documents. */
export type DeclaredMimeType = UploadMimeType | (typeof onecDocumentMimeTypes)[number];

/** XML is text whose first thing (after a byte-order mark and blanks) is a tag. */
type DeclaredFamily = Family | 'xml';

const familyOf: Record<DeclaredMimeType, DeclaredFamily> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'application/msword': 'ole',
  'application/vnd.ms-excel': 'ole',
  'text/plain': 'text',
  'text/csv': 'text',
  'application/json': 'text',
  'application/xml': 'xml',
};

/** A declared type is believed only when the bytes agree with it. */
export function mimeMatchesContent(mime: DeclaredMimeType, bytes: Uint8Array): boolean {
  if (bytes.byteLength === 0) return false;
  const family = familyOf[mime];
  if (family === 'xml') {
    const head = new TextDecoder().decode(bytes.subarray(0, 64));
    return sniffFamily(bytes) === 'text' && /^\uFEFF?\s*</.test(head);
  }
  return sniffFamily(bytes) === family;
}

const familyWords: Record<Family, { ru: string; en: string }> = {
  pdf: { ru: 'PDF', en: 'a PDF' },
  png: { ru: 'изображение PNG', en: 'a PNG image' },
  jpeg: { ru: 'изображение JPEG', en: 'a JPEG image' },
  gif: { ru: 'изображение GIF', en: 'a GIF image' },
  webp: { ru: 'изображение WebP', en: 'a WebP image' },
  mp4: { ru: 'видео MP4', en: 'an MP4 video' },
  ogg: { ru: 'аудио OGG', en: 'OGG audio' },
  mp3: { ru: 'аудио MP3', en: 'MP3 audio' },
  zip: { ru: 'архив ZIP (или файл Office)', en: 'a ZIP archive (or an Office file)' },
  ole: { ru: 'старый файл Office (DOC/XLS)', en: 'an old Office file (DOC/XLS)' },
  text: { ru: 'текст', en: 'text' },
};

/** What the bytes are, in words, for a refusal that says why. */
export function describeContent(bytes: Uint8Array): { ru: string; en: string } {
  if (bytes.byteLength === 0) return { ru: 'пустой файл', en: 'empty' };
  const family = sniffFamily(bytes);
  return family
    ? familyWords[family]
    : { ru: 'двоичные данные неизвестного вида', en: 'binary data of no known kind' };
}
