import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import S3rver from '@20minutes/s3rver';

import type { S3FileStore } from '../src/storage/s3-file-store';

/** s3rver's built-in account: it checks every request's signature against these. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3Server {
  /** `http://127.0.0.1:<port>`: path-style addressing. */
  endpoint: string;
  bucket: string;
  /**
   * The object keys in the bucket under `prefix`, read from the server's folder. (Not with
   * ListObjects: s3rver signs bucket-level paths without the trailing slash the AWS SDK signs,
   * so it refuses them; object-level requests, all the store makes, are checked correctly.)
   */
  keys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

type S3StoreOptions = ConstructorParameters<typeof S3FileStore>[0];

/** The options of a store on this server (path-style, s3rver's account), with `overrides`. */
export function s3StoreOptions(
  s3: TestS3Server,
  overrides: Partial<S3StoreOptions> = {},
): S3StoreOptions {
  return {
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
    ...overrides,
  };
}

const OBJECT_SUFFIX = '._S3rver_object';

/**
 * An S3-compatible server in this process (s3rver: the S3 REST protocol with SigV4 checks,
 * objects kept in a temporary folder), with one empty bucket. A stand-in for MinIO or AWS, as
 * the Telegram test server stands in for Telegram.
 */
export async function startTestS3(bucket = 'payreq-files'): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'payreq-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async keys(prefix = '') {
      const root = path.join(directory, bucket);
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile() && entry.name.endsWith(OBJECT_SUFFIX))
        .map((entry) =>
          path
            .relative(root, path.join(entry.parentPath, entry.name.slice(0, -OBJECT_SUFFIX.length)))
            .split(path.sep)
            .join('/'),
        )
        .filter((key) => key.startsWith(prefix))
        .sort();
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
