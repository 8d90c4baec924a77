import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

import { OnecDocumentResult } from '@payreq/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FileStore } from '../src/storage/file-store';
import { keyFor } from '../src/storage/file-store';
import { S3FileStore } from '../src/storage/s3-file-store';
import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { TEST_BOT_SERVICE_TOKEN, dbKind, skipDb, startTestApi } from '../testing/harness';
import { callOnec, createInHouseDraft, seedIntegration } from '../testing/onec';
import type { TestS3Server } from './s3-server';
import { s3StoreOptions, startTestS3 } from './s3-server';

/**
 * A GET on its own connection (closed after the answer, so the api stops at once after it),
 * counting the pieces the body came in.
 */
function get(url: string, headers: Record<string, string>) {
  return new Promise<{
    status: number;
    headers: IncomingHttpHeaders;
    body: Buffer;
    chunks: number;
  }>((resolve, reject) => {
    request(url, { headers, agent: false }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (chunk: Buffer) => parts.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(parts),
          chunks: parts.length,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The api with each file store: a document 1C posts is stored once by its content, and the bot
 * downloads it streamed from the store, byte for byte.
 */
const stores: Array<{ name: string; open(s3: TestS3Server): Promise<FileStore | undefined> }> = [
  // The harness's default: local disk in a temporary folder it removes on close.
  { name: 'local disk', open: async () => undefined },
  {
    name: 'S3',
    open: async (s3) => {
      const store = new S3FileStore(s3StoreOptions(s3));
      await store.check();
      return store;
    },
  },
];

describe.skipIf(skipDb).each(stores)(`documents through the api (${dbKind}): $name`, (subject) => {
  let s3: TestS3Server;
  let api: TestApi;

  beforeAll(async () => {
    s3 = await startTestS3();
    api = await startTestApi(undefined, {
      files: await subject.open(s3),
      onec: { documentMaxBytes: 4 * 1024 * 1024 },
    });
  });
  afterAll(async () => {
    await api?.close();
    if (api?.files instanceof S3FileStore) api.files.destroy();
    await s3?.close();
  });

  it('1C posts a document, the bot downloads the same bytes streamed from the store', async () => {
    const world = await createWorld(api.prisma);
    await seedIntegration(api.prisma);
    const request = await createInHouseDraft(api.prisma, world, 'COLLECTING_OFFERS');
    const bytes = Buffer.concat([
      Buffer.from('%PDF-1.7\n', 'latin1'),
      randomBytes(3 * 1024 * 1024),
    ]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    const posted = await callOnec(api, 'POST', `/onec/v1/requests/${request.id}/documents`, {
      body: {
        Ref_Key: randomUUID(),
        kind: 'INVOICE',
        fileName: 'Счёт на оплату СЧ-000042.pdf',
        mime: 'application/pdf',
        contentBase64: bytes.toString('base64'),
        number: 'СЧ-000042',
        date: '2030-03-15T11:25:00',
      },
    });
    expect(posted.status).toBe(201);
    const result = OnecDocumentResult.parse(posted.json);
    expect(result).toMatchObject({ sha256, size: bytes.length });
    expect(await api.files.has(keyFor(sha256))).toBe(true);
    if (api.files instanceof S3FileStore) expect(await s3.keys()).toEqual([keyFor(sha256)]);

    const download = await get(`${api.url}/bot/v1/documents/${result.documentId}`, {
      authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-length']).toBe(String(bytes.length));
    expect(download.headers['x-document-sha256']).toBe(sha256);
    expect(download.chunks).toBeGreaterThan(1);
    expect(download.body.equals(bytes)).toBe(true);
  });
});
