import { Readable } from 'node:stream';

import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import type { FileStore } from './file-store';
import { FileNotFoundError, assertStorageKey, keyFor, sha256Hex } from './file-store';

export interface S3FileStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, Ceph RGW, Yandex Object Storage, …); unset: AWS S3. */
  endpoint?: string | undefined;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (most self-hosted stores). */
  forcePathStyle?: boolean;
  /** Unset: the SDK's default chain (AWS_* variables, a shared profile, an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Put before every key, e.g. `payreq/` in a shared bucket. */
  prefix?: string;
  /** Per request: connecting, and silence while sending or receiving. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * Files in an S3-compatible object store, under the same content addresses as on disk
 * (`sha256/ab/cd/<sha256>`, after the optional prefix). An object appears whole or not at
 * all, so there is nothing to write aside; two instances storing the same bytes at once
 * write the same object twice, harmlessly. Reads stream the object's body.
 */
export class S3FileStore implements FileStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3FileStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where the operation requires them: the SDK's newer default (a CRC32
      // trailer on every upload) is not understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
      },
    });
  }

  private objectKey(key: string): string {
    assertStorageKey(key);
    return `${this.prefix}${key}`;
  }

  /**
   * Fails unless the bucket exists and these credentials may read it (run at start): asks for
   * an object that is never there. "No such key" is the healthy answer; it needs only the
   * permissions the store uses anyway (s3:GetObject, and s3:ListBucket, without which S3
   * answers 403 instead of 404 for a missing object).
   */
  async check(): Promise<void> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}sha256/.probe` }),
      );
      (answer.Body as Readable | undefined)?.destroy();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NoSuchKey') return;
      const status = statusOf(error);
      const why =
        name === 'NoSuchBucket'
          ? 'it does not exist'
          : status === 403 || status === 401
            ? `access denied (${name}; check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY and the bucket policy)`
            : `${name}: ${(error as Error).message}`;
      throw new Error(`S3 bucket "${this.bucket}" is not usable: ${why}`, { cause: error });
    }
  }

  async put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const key = keyFor(sha256);
    if (!(await this.has(key))) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: 'application/octet-stream',
          Metadata: { sha256 },
        }),
      );
    }
    return { key, sha256, size: bytes.byteLength };
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.stream(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async stream(key: string): Promise<Readable> {
    const objectKey = this.objectKey(key);
    let body: unknown;
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }),
      );
      body = answer.Body;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') throw new FileNotFoundError(key);
      throw error;
    }
    // In Node the SDK hands over the HTTP response itself (a Readable); nothing is buffered.
    if (body instanceof Readable) return body;
    if (!body) return Readable.from([]);
    throw new Error('the S3 client answered without a Node stream');
  }

  async has(key: string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return true;
    } catch (error) {
      // A HEAD answer has no body: 404 is all it says (a missing bucket fails the PUT after).
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.client.destroy();
  }
}
