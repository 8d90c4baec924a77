import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where file bytes live: content-addressed by sha256, so the same file stored twice is
 * kept once. Local disk by default; an S3-compatible store implements the same interface.
 */
export interface FileStore {
  /** Stores the bytes (if not there yet) and returns their address. */
  put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function keyFor(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key))
      throw new Error(`invalid storage key: ${key}`);
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
    return readFile(this.pathOf(key));
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }
}
