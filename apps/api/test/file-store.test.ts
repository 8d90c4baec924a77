import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadEnv } from '../src/env';
import type { FileStore } from '../src/storage/file-store';
import {
  FileNotFoundError,
  LocalFileStore,
  createFileStore,
  keyFor,
  sha256Hex,
} from '../src/storage/file-store';
import { S3FileStore } from '../src/storage/s3-file-store';
import type { TestS3Server } from './s3-server';
import { s3StoreOptions, startTestS3 } from './s3-server';

/**
 * One behaviour, two places: every test below runs against the local-disk store and against
 * the S3 store talking the S3 protocol to a real server (s3rver) over HTTP.
 */
interface Subject {
  store: FileStore;
  /** How many files the backing store holds (read behind the store's back). */
  count(): Promise<number>;
  close(): Promise<void>;
}

const subjects: Array<{ name: string; start(): Promise<Subject> }> = [
  {
    name: 'local disk',
    async start() {
      const root = await mkdtemp(path.join(tmpdir(), 'payreq-files-'));
      return {
        store: new LocalFileStore(root),
        async count() {
          const entries = await readdir(root, { recursive: true, withFileTypes: true });
          return entries.filter((entry) => entry.isFile()).length;
        },
        close: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'S3',
    async start() {
      const s3 = await startTestS3();
      const store = new S3FileStore(s3StoreOptions(s3, { prefix: 'payreq/' }));
      await store.check();
      return {
        store,
        count: async () => (await s3.keys('payreq/')).length,
        async close() {
          store.destroy();
          await s3.close();
        },
      };
    },
  },
];

async function drain(stream: NodeJS.ReadableStream): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

describe.each(subjects)('file store: $name', ({ start }) => {
  let subject: Subject;
  let store: FileStore;
  beforeAll(async () => {
    subject = await start();
    store = subject.store;
  });
  afterAll(() => subject?.close());

  it('stores bytes under their sha256 address and gives the same bytes back', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index)); // every byte value
    const stored = await store.put(bytes);
    const sha256 = sha256Hex(bytes);
    expect(stored).toEqual({ key: keyFor(sha256), sha256, size: 256 });
    expect(stored.key).toMatch(/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    expect(await store.has(stored.key)).toBe(true);
    expect((await store.get(stored.key)).equals(bytes)).toBe(true);
    expect((await drain(await store.stream(stored.key))).bytes.equals(bytes)).toBe(true);
  });

  it('keeps the same content once, however often and however concurrently it is stored', async () => {
    const before = await subject.count();
    const bytes = randomBytes(50_000);
    const first = await store.put(bytes);
    const again = await store.put(Buffer.from(bytes));
    const racing = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
    for (const result of [again, ...racing]) expect(result).toEqual(first);
    expect(await subject.count()).toBe(before + 1);
    expect((await store.get(first.key)).equals(bytes)).toBe(true);

    const other = await store.put(randomBytes(10));
    expect(other.key).not.toBe(first.key);
    expect(await subject.count()).toBe(before + 2);
  });

  it('stores an empty file', async () => {
    const stored = await store.put(new Uint8Array(0));
    expect(stored.size).toBe(0);
    expect(stored.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect((await store.get(stored.key)).length).toBe(0);
    expect((await drain(await store.stream(stored.key))).bytes.length).toBe(0);
  });

  it('streams a large file in pieces, byte for byte', async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 17);
    const { key, sha256 } = await store.put(bytes);
    const { bytes: read, chunks } = await drain(await store.stream(key));
    expect(read.length).toBe(bytes.length);
    expect(sha256Hex(read)).toBe(sha256);
    expect(chunks).toBeGreaterThan(1);
  });

  it('says plainly when a file is not there', async () => {
    const missing = keyFor(sha256Hex(randomBytes(32)));
    expect(await store.has(missing)).toBe(false);
    await expect(store.get(missing)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(store.stream(missing)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('refuses keys it did not make (no path or object-name tricks)', async () => {
    const real = await store.put(Buffer.from('secret'));
    for (const key of [
      '../../../etc/passwd',
      `${real.key}/../../x`,
      `/${real.key}`,
      real.key.toUpperCase(),
      `sha256/00/00/${'0'.repeat(63)}`,
      '',
    ]) {
      await expect(store.get(key), key).rejects.toThrow(/invalid storage key/);
      await expect(store.stream(key), key).rejects.toThrow(/invalid storage key/);
      await expect(store.has(key), key).rejects.toThrow(/invalid storage key/);
    }
  });
});

describe('S3 store: what the operator gets wrong', () => {
  let s3: TestS3Server;
  beforeAll(async () => {
    s3 = await startTestS3();
  });
  afterAll(() => s3?.close());

  const storeWith = (options: Partial<ConstructorParameters<typeof S3FileStore>[0]>) =>
    new S3FileStore(s3StoreOptions(s3, options));

  it('a missing bucket or wrong credentials stop the api at start, saying which', async () => {
    await expect(storeWith({ bucket: 'no-such-bucket' }).check()).rejects.toThrow(
      'S3 bucket "no-such-bucket" is not usable: it does not exist',
    );
    const wrongSecret = storeWith({
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' },
    });
    const refused = await wrongSecret.check().then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(refused?.message).toMatch(/is not usable: access denied/);
    expect(refused?.message).not.toContain('not-the-secret');
    // A refusal is never taken for "not there": storing through it fails instead.
    await expect(wrongSecret.has(keyFor(sha256Hex(Buffer.from('x'))))).rejects.toThrow();
    await expect(wrongSecret.put(Buffer.from('x'))).rejects.toThrow();
  });

  it('FILE_STORE=s3 is chosen by configuration alone, and checked', async () => {
    const env = loadEnv({
      FILE_STORE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: 'eu-central-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: 'env/',
    });
    const store = await createFileStore(env);
    expect(store).toBeInstanceOf(S3FileStore);
    const stored = await store.put(Buffer.from('через настройки'));
    expect((await store.get(stored.key)).toString('utf8')).toBe('через настройки');
    expect(await s3.keys('env/')).toEqual([`env/${stored.key}`]);
    (store as S3FileStore).destroy();

    await expect(createFileStore({ ...env, S3_BUCKET: 'no-such-bucket' })).rejects.toThrow(
      /does not exist/,
    );
    expect(await createFileStore(loadEnv({ FILE_STORAGE_DIR: tmpdir() }))).toBeInstanceOf(
      LocalFileStore,
    );
  });

  it('a folder that cannot take files stops the api at start, named, and is left as it was', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'payreq-files-'));
    try {
      // A file where the folder should be: nothing can be written below it, even as root.
      const notAFolder = path.join(dir, 'not-a-folder');
      await writeFile(notAFolder, 'a file');
      await expect(
        createFileStore(loadEnv({ FILE_STORAGE_DIR: path.join(notAFolder, 'files') })),
      ).rejects.toThrow(/the folder ".*not-a-folder\/files" cannot take files \(ENOTDIR\)/);
      // The check leaves nothing behind where it could write.
      await createFileStore(loadEnv({ FILE_STORAGE_DIR: path.join(dir, 'new') }));
      expect(await readdir(path.join(dir, 'new'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the settings are validated: a bucket is required, keys come in pairs, secrets are not echoed', () => {
    expect(() => loadEnv({ FILE_STORE: 's3' })).toThrow(/S3_BUCKET: required when FILE_STORE=s3/);
    expect(() =>
      loadEnv({ FILE_STORE: 's3', S3_BUCKET: 'files', S3_SECRET_ACCESS_KEY: 'hush-hush-secret' }),
    ).toThrow(/S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither/);
    try {
      loadEnv({ FILE_STORE: 's3', S3_BUCKET: 'files', S3_SECRET_ACCESS_KEY: 'hush-hush-secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hush-hush-secret');
    }
    expect(() => loadEnv({ FILE_STORE: 'ftp' })).toThrow(/FILE_STORE/);
    expect(() => loadEnv({ FILE_STORE: 's3', S3_BUCKET: 'Bad_Bucket!' })).toThrow(/S3_BUCKET/);
    // Empty variables (`X=` in .env files) count as unset.
    expect(loadEnv({ S3_ENDPOINT: '', S3_BUCKET: '' })).toMatchObject({
      FILE_STORE: 'disk',
      S3_FORCE_PATH_STYLE: false,
    });
  });
});
