import type { IncomingMessage } from 'node:http';
import type { BotApiError } from './errors';
import { badRequest } from './errors';

/** A file part of a multipart/form-data request. */
export interface UploadedFile {
  fileName: string;
  bytes: Buffer;
  contentType?: string;
}

export type InputFileRef =
  | { kind: 'upload'; file: UploadedFile }
  | { kind: 'file_id'; fileId: string }
  | { kind: 'url'; url: string };

/** Bot API upload limit for bots (multipart bodies). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/**
 * Parameters of one Bot API call, from the query string, a JSON body, an urlencoded body or a
 * multipart body, accessed with Telegram's lenient coercions (numbers and booleans as strings,
 * JSON-serialized objects as strings).
 */
export class ApiParams {
  constructor(
    readonly fields: Record<string, unknown>,
    readonly files: Map<string, UploadedFile> = new Map(),
  ) {}

  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  string(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  int(name: string, error?: () => BotApiError): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isSafeInteger(n)) throw error ? error() : badRequest(`invalid ${name} specified`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 1) return true;
    if (value === false || value === 0) return false;
    if (typeof value === 'string') return ['true', '1', 'yes', 'on'].includes(value.toLowerCase());
    return Boolean(value);
  }

  /** A JSON-serialized parameter (object in a JSON body, string elsewhere). */
  json(name: string, error?: () => BotApiError): unknown {
    const value = this.fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw error ? error() : badRequest(`can't parse ${name} JSON object`);
    }
  }

  /** chat_id as Telegram accepts it: integer or "@username" (or a numeric string). */
  chatId(name = 'chat_id'): number | string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return value;
    if (typeof value === 'string')
      return /^\s*-?\d+\s*$/.test(value) ? Number(value) : value.trim();
    throw badRequest('chat not found');
  }

  /** An InputFile or String param: an uploaded part, `attach://name`, a file_id or a URL. */
  inputFile(name: string): InputFileRef | undefined {
    const upload = this.files.get(name);
    if (upload) return { kind: 'upload', file: upload };
    const value = this.string(name);
    if (value === undefined || value === '') return undefined;
    if (value.startsWith('attach://')) {
      const attached = this.files.get(value.slice('attach://'.length));
      if (!attached) throw badRequest(`wrong HTTP URL specified`);
      return { kind: 'upload', file: attached };
    }
    if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
    return { kind: 'file_id', fileId: value };
  }

  /** For the call log: fields as sent, files replaced by their name and size. */
  summary(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.fields };
    for (const [name, file] of this.files)
      out[name] = { file_name: file.fileName, size: file.bytes.length };
    return out;
  }
}

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limit) throw new BodyTooLargeError();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses query string + body (JSON, urlencoded or multipart) into ApiParams. */
export async function parseParams(
  query: URLSearchParams,
  contentType: string | undefined,
  body: Buffer,
): Promise<ApiParams> {
  const fields: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  for (const [key, value] of query) fields[key] = value;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return new ApiParams(fields, files);
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      Object.assign(fields, parsed);
    else throw badRequest("can't parse JSON object");
  } else if (type === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) fields[key] = value;
  } else if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://localhost/', {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body,
      }).formData();
    } catch {
      throw badRequest("can't parse multipart/form-data request");
    }
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        fields[key] = value;
      } else {
        const file: UploadedFile = {
          fileName: value.name,
          bytes: Buffer.from(await value.arrayBuffer()),
        };
        if (value.type) file.contentType = value.type;
        files.set(key, file);
      }
    }
  }
  return new ApiParams(fields, files);
}
