import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where file bytes live: content-addressed by sha256, so the same file stored twice is
 * kept once. Local disk by default (`LocalFileStore`); any S3-compatible object store
 * (`S3FileStore`, `./s3-file-store.ts`) implements the same interface. `createFileStore`
 * picks one from the api's settings (`FILE_STORE`).
 */
export interface FileStore {
  /** Stores the bytes (if not there yet) and returns their address. */
  put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }>;
  /** The whole file in memory (small files: documents to hash, to re-send). */
  get(key: string): Promise<Buffer>;
  /**
   * The file as a stream, for serving it without holding it whole. Resolves once the file
   * was found (a missing file rejects with `FileNotFoundError` before any byte is read).
   */
  stream(key: string): Promise<Readable>;
  has(key: string): Promise<boolean>;
}

/** No file under that key. */
export class FileNotFoundError extends Error {
  override readonly name = 'FileNotFoundError';
  constructor(readonly key: string) {
    super(`no stored file under ${key}`);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function keyFor(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

const KEY_PATTERN = /^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/;

/** Refuses anything but a key `keyFor` makes (no path or object-name tricks reach a store). */
export function assertStorageKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid storage key: ${key}`);
}

const isNotFound = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';

export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  /** The folder exists (or is made) and takes a file: a wrong folder stops the api at start. */
  async check(): Promise<void> {
    const probe = path.join(this.root, `.write-check-${randomUUID()}`);
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(probe, '');
      await rm(probe, { force: true });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(
        `the folder "${this.root}" cannot take files (${typeof code === 'string' ? code : (error as Error).message})`,
        { cause: error },
      );
    }
  }

  private pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, key);
  }

  async put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const key = keyFor(sha256);
    const target = this.pathOf(key);
    if (!(await this.has(key))) {
      await mkdir(path.dirname(target), { recursive: true });
      // Write aside and rename, so a reader never sees half a file.
      const temporary = `${target}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, bytes);
        await rename(temporary, target);
      } finally {
        await rm(temporary, { force: true });
      }
    }
    return { key, sha256, size: bytes.byteLength };
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isNotFound(error)) throw new FileNotFoundError(key);
      throw error;
    }
  }

  async stream(key: string): Promise<Readable> {
    // Opened first, so a missing file is an error here, not in the middle of an answer.
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if (isNotFound(error)) throw new FileNotFoundError(key);
      throw error;
    }
    return handle.createReadStream();
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

/** The settings `createFileStore` reads (a subset of the api's `ApiEnv`). */
export interface FileStoreSettings {
  FILE_STORE: 'disk' | 's3';
  FILE_STORAGE_DIR: string;
  S3_ENDPOINT?: string | undefined;
  S3_REGION: string;
  S3_BUCKET?: string | undefined;
  S3_PREFIX: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
}

/**
 * The store the settings name, checked before it is returned (a folder that takes a file; an S3
 * bucket that is there and accepts the credentials), so a wrong setting stops the api at start rather than at the first
 * upload. The S3 client is loaded only when it is used.
 */
export async function createFileStore(settings: FileStoreSettings): Promise<FileStore> {
  if (settings.FILE_STORE === 'disk') {
    const store = new LocalFileStore(settings.FILE_STORAGE_DIR);
    await store.check();
    return store;
  }
  if (!settings.S3_BUCKET) throw new Error('S3_BUCKET is required when FILE_STORE=s3');
  const { S3FileStore } = await import('./s3-file-store');
  const store = new S3FileStore({
    bucket: settings.S3_BUCKET,
    region: settings.S3_REGION,
    endpoint: settings.S3_ENDPOINT,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
    prefix: settings.S3_PREFIX,
    credentials:
      settings.S3_ACCESS_KEY_ID && settings.S3_SECRET_ACCESS_KEY
        ? {
            accessKeyId: settings.S3_ACCESS_KEY_ID,
            secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
          }
        : undefined,
  });
  await store.check();
  return store;
}
