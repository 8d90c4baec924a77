/** Small helpers to describe uploaded files the way Telegram does. */

export interface ImageInfo {
  format: 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';
  width: number;
  height: number;
}

/** Reads the pixel size from a JPEG/PNG/GIF/WebP/BMP header; undefined if not an image. */
export function sniffImage(bytes: Uint8Array): ImageInfo | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    b.length >= 24 &&
    b.readUInt32BE(0) === 0x89504e47 &&
    b.toString('latin1', 12, 16) === 'IHDR'
  ) {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (
    b.length >= 10 &&
    (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')
  ) {
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 26 && b.toString('latin1', 0, 2) === 'BM') {
    return { format: 'bmp', width: b.readInt32LE(18), height: Math.abs(b.readInt32LE(22)) };
  }
  if (
    b.length >= 30 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP'
  ) {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X')
      return { format: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8 ')
      return {
        format: 'webp',
        width: b.readUInt16LE(26) & 0x3fff,
        height: b.readUInt16LE(28) & 0x3fff,
      };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < b.length) {
      if (b[offset] !== 0xff) {
        offset += 1;
        continue;
      }
      const marker = b[offset + 1] ?? 0;
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2;
        continue;
      }
      const length = b.readUInt16BE(offset + 2);
      const isSof =
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof)
        return {
          format: 'jpeg',
          height: b.readUInt16BE(offset + 5),
          width: b.readUInt16BE(offset + 7),
        };
      offset += 2 + length;
    }
    return undefined;
  }
  return undefined;
}

/**
 * Whether the bytes are a JPEG (SOI + a marker: FF D8 FF). Telegram keeps every photo as a JPEG
 * (`photo_<unique>.jpg`): its clients compress a picture sent as a photo to JPEG before upload.
 */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * A real baseline JPEG of the given size, all mid-grey: one grey channel, every 8x8 block a zero
 * DC difference and an end-of-block, each a one-bit Huffman code (about 4 KB a megapixel).
 * What a photo holds when it is described by its size only.
 */
export function blankJpeg(width: number, height: number): Buffer {
  const w = Math.max(1, Math.min(65535, Math.round(width)));
  const h = Math.max(1, Math.min(65535, Math.round(height)));
  const segment = (marker: number, body: number[]): number[] => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  // One symbol (0) with a 1-bit code: DC category 0 (no change), AC end-of-block.
  const oneCodeTable = (tableClass: number): number[] => [
    (tableClass << 4) | 0,
    1,
    ...Array<number>(15).fill(0),
    0,
  ];
  const head = [
    0xff,
    0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.1
    ...segment(0xdb, [0, ...Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, oneCodeTable(0)),
    ...segment(0xc4, oneCodeTable(1)),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
  ];
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
  const bits = blocks * 2;
  const data = Buffer.alloc(Math.ceil(bits / 8));
  // The last byte is padded with 1-bits, as the standard asks (never a whole 0xFF).
  if (bits % 8 !== 0) data[data.length - 1] = (1 << (8 - (bits % 8))) - 1;
  return Buffer.concat([Buffer.from(head), data, Buffer.from([0xff, 0xd9])]);
}

/** Telegram's photo size ladder: 90, 320, 800, 1280, 2560 px on the longer side. */
export function photoSizeLadder(
  width: number,
  height: number,
): Array<{ width: number; height: number }> {
  const longest = Math.max(width, height, 1);
  const sizes: Array<{ width: number; height: number }> = [];
  for (const limit of [90, 320, 800, 1280, 2560]) {
    if (limit >= longest) break;
    const scale = limit / longest;
    sizes.push({
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
    });
  }
  const scale = Math.min(1, 2560 / longest);
  sizes.push({ width: Math.round(width * scale), height: Math.round(height * scale) });
  return sizes;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  zip: 'application/zip',
  json: 'application/json',
  xml: 'application/xml',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  p7s: 'application/pkcs7-signature',
  sig: 'application/pgp-signature',
};

/** MIME type from the file name extension (Telegram ignores the multipart part's type). */
export function mimeTypeFor(fileName: string | undefined): string | undefined {
  const ext = /\.([a-zA-Z0-9]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  if (ext === undefined) return undefined;
  return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}

export function extensionFor(
  fileName: string | undefined,
  mimeType: string | undefined,
  fallback: string,
): string {
  const ext = /\.([a-zA-Z0-9]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  if (ext) return ext;
  const fromMime = Object.entries(MIME_BY_EXTENSION).find(([, m]) => m === mimeType)?.[0];
  return fromMime ?? fallback;
}
