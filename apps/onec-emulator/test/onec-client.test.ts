import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { PaymentRequestFields } from '@payreq/contracts';

// The 1C client against the emulator the project carries, in-process: every test talks real HTTP.
import { createEmulator } from '../src/index';
import type { Emulator } from '../src/index';
import { completeFields } from '@payreq/testing';

import { json, startReceiver } from './helpers';
import { OnecError, createOnecClient, guidToOnecRefHex } from '@payreq/onec';
import type { OnecClientConfig, OnecCreateRequestInput, OnecRetryEvent } from '@payreq/onec';

const username = 'Интеграция';
const password = 'correct horse battery staple';

/** The emulator tests' form, with the optional address and desired date left empty. */
const fields: PaymentRequestFields = {
  ...completeFields,
  beneficiaryAddress: null,
  desiredDate: null,
};

const payload = (over: Partial<OnecCreateRequestInput> = {}): OnecCreateRequestInput => ({
  platformId: crypto.randomUUID(),
  number: 123,
  displayNumber: '№ 000123',
  fields,
  agent: { name: 'Иван Петров', telegramId: 100200300 },
  createdAt: new Date('2025-03-15T07:00:00Z'),
  version: 2,
  ...over,
});

let emulator: Emulator;
let baseUrl: string;

const client = (over: Partial<OnecClientConfig> = {}) =>
  createOnecClient({
    baseUrl,
    username,
    password,
    timeoutMs: 2_000,
    retries: { attempts: 4, baseDelayMs: 5, maxDelayMs: 40 },
    ...over,
  });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<OnecError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OnecError);
    return error as OnecError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emulator = createEmulator({ username, password, autoGenerate: false });
  baseUrl = await emulator.start();
});

afterEach(() => {
  emulator.reset();
});

afterAll(async () => {
  await emulator.stop();
});

describe('createRequest', () => {
  it('creates the request once: a retry with the same platformId gets the same Ref_Key', async () => {
    const onec = client();
    const body = payload();
    const first = await onec.createRequest(body);
    expect(first.created).toBe(true);
    expect(first.ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.number).toBe('ЗП00-000001');
    expect(first.url).toBe(
      `${baseUrl}/#e1cib/data/Document.${encodeURIComponent('ЗаявкаНаПлатеж')}?ref=${guidToOnecRefHex(first.ref)}`,
    );

    const second = await onec.createRequest(body);
    expect(second).toEqual({ ...first, created: false });
    expect(emulator.store.requests).toHaveLength(1);
    // createdAt went as Moscow wall-clock time.
    expect(emulator.store.requests[0]?.createdAt).toBe('2025-03-15T10:00:00');
    expect(emulator.store.requests[0]?.fields.payerName).toBe('ООО «Ромашка»');
  });

  it('converts createdAt in the configured zone and builds links on webClientUrl', async () => {
    const onec = client({
      timeZone: 'Europe/Berlin',
      webClientUrl: 'https://1c.bank.example/bank/',
      documentName: 'Заявка',
    });
    const created = await onec.createRequest(
      payload({ createdAt: new Date('2025-07-01T10:00:00Z') }),
    );
    expect(emulator.store.requests[0]?.createdAt).toBe('2025-07-01T12:00:00');
    expect(created.url).toBe(
      `https://1c.bank.example/bank/#e1cib/data/Document.%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B0?ref=${guidToOnecRefHex(created.ref)}`,
    );
  });

  it('refuses a bad payload before calling 1C', async () => {
    const error = await failure(client().createRequest(payload({ platformId: 'nope' })));
    expect(error.kind).toBe('protocol');
    expect(error.retryable).toBe(false);
    expect(error.attempts).toBe(0);
    expect(emulator.store.requests).toHaveLength(0);
  });
});

describe('requestDocument and getRequest', () => {
  it('queues a document job once per documentRequestId and shows it in the request', async () => {
    const onec = client();
    const { ref } = await onec.createRequest(payload());
    const documentRequestId = crypto.randomUUID();
    const job = await onec.requestDocument(ref, { kind: 'INVOICE', documentRequestId });
    expect(job).toMatchObject({ state: 'QUEUED', created: true });
    const again = await onec.requestDocument(ref, { kind: 'INVOICE', documentRequestId });
    expect(again).toEqual({ ...job, created: false });
    expect(emulator.store.jobs).toHaveLength(1);

    const state = await onec.getRequest(ref.toUpperCase());
    expect(state.Ref_Key).toBe(ref);
    expect(state.status).toBe('COLLECTING_OFFERS');
    expect(state.paymentStatus).toBe('NOT_PAID');
    expect(state.documentJobs).toEqual([
      expect.objectContaining({
        Ref_Key: job.jobRef,
        kind: 'INVOICE',
        documentRequestId,
        state: 'QUEUED',
      }),
    ]);
    expect(state.url).toBe(onec.linkFor(ref));
  });

  it('fails at once on 4xx: an unknown Ref_Key is NOT_FOUND, a reused id is IDEMPOTENCY_MISMATCH', async () => {
    const onec = client();
    const missing = await failure(
      onec.requestDocument(crypto.randomUUID(), {
        kind: 'ACT',
        documentRequestId: crypto.randomUUID(),
      }),
    );
    expect(missing).toMatchObject({
      kind: 'http',
      status: 404,
      code: 'NOT_FOUND',
      retryable: false,
      attempts: 1,
    });

    const { ref } = await onec.createRequest(payload());
    const documentRequestId = crypto.randomUUID();
    await onec.requestDocument(ref, { kind: 'ACT', documentRequestId });
    const mismatch = await failure(
      onec.requestDocument(ref, { kind: 'INVOICE', documentRequestId }),
    );
    expect(mismatch).toMatchObject({ status: 409, code: 'IDEMPOTENCY_MISMATCH', retryable: false });

    const badRef = await failure(onec.getRequest('12345'));
    expect(badRef).toMatchObject({ kind: 'protocol', attempts: 0 });
  });
});

describe('updateRequest', () => {
  it('applies each update once, in order, into the copy and its change log', async () => {
    const onec = client();
    const body = payload();
    const { ref } = await onec.createRequest(body);
    const edited = { ...fields, amount: '130000.00' };
    const edit = {
      updateId: crypto.randomUUID(),
      platformId: body.platformId,
      version: 3,
      at: new Date('2025-03-15T08:00:00Z'),
      by: { kind: 'client' as const, name: 'Иван' },
      comment: null,
      changes: [{ type: 'fields' as const, changed: ['amount' as const], fields: edited }],
    };
    expect(await onec.updateRequest(ref, edit)).toEqual({ applied: true, version: 3 });
    // A redelivery (the answer was lost) is answered and not applied again.
    expect(await onec.updateRequest(ref, edit)).toEqual({ applied: false, version: 3 });
    const cancel = {
      ...edit,
      updateId: crypto.randomUUID(),
      version: 4,
      by: { kind: 'agent' as const, name: 'Анна' },
      comment: 'Клиент передумал',
      changes: [{ type: 'cancelled' as const, from: 'COLLECTING_OFFERS' as const }],
    };
    expect(await onec.updateRequest(ref, cancel)).toEqual({ applied: true, version: 4 });

    const state = await onec.getRequest(ref);
    expect(state).toMatchObject({ version: 4, status: 'CANCELLED' });
    expect(state.fields.amount).toBe('130000.00');
    const view = emulator.operator.getRequest(ref);
    expect(view.cancelledBy).toEqual({ kind: 'agent', name: 'Анна' });
    expect(view.updates.map((u) => [u.version, u.deliveries, u.changes[0]!.type])).toEqual([
      [3, 2, 'fields'],
      [4, 1, 'cancelled'],
    ]);
    // Moscow wall-clock time, as every date 1C reads.
    expect(view.updates[0]!.at).toBe('2025-03-15T11:00:00');
  });

  it('refuses an update id reused for another update, and an unknown request', async () => {
    const onec = client();
    const body = payload();
    const { ref } = await onec.createRequest(body);
    const update = {
      updateId: crypto.randomUUID(),
      platformId: body.platformId,
      version: 3,
      at: '2025-03-15T11:00:00',
      by: { kind: 'client' as const, name: 'Иван' },
      comment: null,
      changes: [
        {
          type: 'paymentStatus' as const,
          from: 'NOT_PAID' as const,
          to: 'TEST_PAYMENT_SENT' as const,
        },
      ],
    };
    await onec.updateRequest(ref, update);
    const reused = await failure(onec.updateRequest(ref, { ...update, version: 5 }));
    expect([reused.status, reused.code]).toEqual([409, 'IDEMPOTENCY_MISMATCH']);
    const unknown = await failure(onec.updateRequest(crypto.randomUUID(), update));
    expect([unknown.status, unknown.code]).toEqual([404, 'NOT_FOUND']);
    expect(emulator.store.updates).toHaveLength(1);
  });
});

describe('what a real 1C writes for empty values', () => {
  it('reads the empty date, "", the nil GUID, 0 and JSON numbers as no value or as decimals', async () => {
    const ref = crypto.randomUUID();
    const nil = '00000000-0000-0000-0000-000000000000';
    // As ЗаписатьJSON writes a 1C object: a Дата is never null, a Число is a number, an empty
    // string attribute is "", an empty reference is the nil GUID; Формат(0, "ЧДЦ=2") is "".
    const infobase = await startReceiver((_request, _index, response) =>
      json(response, 200, {
        Ref_Key: ref,
        Number: 'ЗП00-000001',
        Date: '2025-03-15T10:00:02',
        platformId: crypto.randomUUID(),
        platformNumber: 123,
        displayNumber: '№ 000123',
        createdAt: '2025-03-15T10:00:00',
        fields,
        agent: { name: 'Иван Петров', telegramId: 0 },
        version: 3,
        status: 'OFFER_ACCEPTED',
        paymentStatus: 'NOT_PAID',
        offers: [
          {
            Ref_Key: crypto.randomUUID(),
            rate: 92.5,
            feePercent: 0,
            fixedFee: '',
            totalToPay: '11562500.00',
            settlementDays: 0,
            validUntil: '0001-01-01T00:00:00',
            comment: '',
            Date: '2025-03-15T11:20:00',
          },
        ],
        documents: [
          {
            Ref_Key: crypto.randomUUID(),
            kind: 'INVOICE',
            Number: 'СЧ-000001',
            Date: '2025-03-15T11:25:00',
            fileName: 'Счёт.pdf',
            mime: 'application/pdf',
            size: 100,
            sha256: 'a'.repeat(64),
            documentRequestId: nil,
          },
        ],
        documentJobs: [
          {
            Ref_Key: crypto.randomUUID(),
            kind: 'ACT',
            documentRequestId: crypto.randomUUID(),
            state: 'QUEUED',
            document_Key: nil,
            error: '',
          },
        ],
      }),
    );
    try {
      const state = await client({ baseUrl: `${infobase.url}/bank` }).getRequest(ref);
      expect(state.agent).toEqual({ name: 'Иван Петров', telegramId: null });
      expect(state.offers[0]).toMatchObject({
        rate: '92.5',
        feePercent: '0',
        fixedFee: '0',
        totalToPay: '11562500.00',
        validUntil: null,
        comment: null,
      });
      expect(state.documents[0]!.documentRequestId).toBeNull();
      expect(state.documentJobs[0]).toMatchObject({ document_Key: null, error: null });
    } finally {
      await infobase.close();
    }
  });
});

describe('errors and retries', () => {
  it('reports wrong credentials clearly, without retrying and without the password', async () => {
    const retries: OnecRetryEvent[] = [];
    const wrong = 'wrong-password-123';
    const error = await failure(
      client({ password: wrong, onRetry: (event) => retries.push(event) }).createRequest(payload()),
    );
    expect(error).toMatchObject({
      kind: 'http',
      status: 401,
      code: 'UNAUTHENTICATED',
      retryable: false,
      attempts: 1,
    });
    expect(error.message).toContain('401');
    expect(error.message).toContain('POST /bank/hs/payreq/v1/requests');
    const token = Buffer.from(`${username}:${wrong}`).toString('base64');
    for (const text of [error.message, JSON.stringify(error), String(error.stack)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(token);
      expect(text).not.toContain('Basic ');
    }
    expect(retries).toHaveLength(0);
  });

  it('retries 500s (plain text from 1C) and succeeds', async () => {
    emulator.setFault({ mode: 'error500', count: 2 });
    const retries: OnecRetryEvent[] = [];
    const created = await client({ onRetry: (event) => retries.push(event) }).createRequest(
      payload(),
    );
    expect(created.created).toBe(true);
    expect(retries.map((r) => [r.attempt, r.error.status])).toEqual([
      [1, 500],
      [2, 500],
    ]);
    expect(emulator.faults.current.hits).toBe(2);
    expect(emulator.store.requests).toHaveLength(1);
  });

  it('gives up after the configured attempts with a readable 500 from an HTML page', async () => {
    emulator.setFault({ mode: 'error500', count: 10, body: 'html' });
    const error = await failure(client().createRequest(payload()));
    expect(error).toMatchObject({
      kind: 'http',
      status: 500,
      retryable: true,
      attempts: 4,
      code: null,
    });
    expect(error.message).toContain('Internal Server Error');
    expect(error.message).not.toContain('<h1>');
    expect(error.message).toContain('after 4 attempts');
  });

  it('keeps the code of a JSON error body', async () => {
    emulator.setFault({ mode: 'error500', count: 10, body: 'json' });
    const error = await failure(
      client({ retries: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).createRequest(payload()),
    );
    expect(error).toMatchObject({ kind: 'http', status: 500, code: 'INTERNAL', attempts: 2 });
  });

  it('turns a reset connection ("down") into a network error after retrying', async () => {
    emulator.setFault({ mode: 'down' });
    const retries: OnecRetryEvent[] = [];
    const error = await failure(
      client({ onRetry: (event) => retries.push(event) }).createRequest(payload()),
    );
    expect(error).toMatchObject({ kind: 'network', status: null, retryable: true, attempts: 4 });
    expect(retries).toHaveLength(3);
    expect(emulator.store.requests).toHaveLength(0);
  });

  it('retries a 503 from the web server in front of 1C', async () => {
    emulator.setFault({ mode: 'down', behavior: '503', count: 1 });
    await expect(client().createRequest(payload())).resolves.toMatchObject({ created: true });
  });

  it('reports connection refused as a network error', async () => {
    const port = await freePort();
    const error = await failure(
      createOnecClient({
        baseUrl: `http://127.0.0.1:${port}/bank`,
        username,
        password,
        retries: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      }).createRequest(payload()),
    );
    expect(error).toMatchObject({ kind: 'network', retryable: true, attempts: 3 });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(password);
  });

  it('times out a slow 1C, and the idempotent retry finds the document the slow call made', async () => {
    emulator.setFault({ mode: 'slow', delayMs: 1_500 });
    const error = await failure(
      client({
        timeoutMs: 400,
        retries: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      }).createRequest(payload()),
    );
    expect(error).toMatchObject({ kind: 'timeout', status: null, retryable: true, attempts: 2 });
    expect(error.message).toContain('400 ms');

    emulator.setFault({ mode: 'slow', delayMs: 1_500, count: 1 });
    const body = payload();
    const created = await client({ timeoutMs: 400 }).createRequest(body);
    // The first attempt was processed but answered too late; the retry got the same document.
    expect(created.created).toBe(false);
    expect(emulator.store.findRequestByPlatformId(body.platformId)?.ref).toBe(created.ref);
  });

  it('treats a malformed answer as a protocol error, not a success', async () => {
    emulator.setFault({ mode: 'malformed', count: 1 });
    const error = await failure(client().createRequest(payload()));
    expect(error).toMatchObject({ kind: 'protocol', status: 200, retryable: false, attempts: 1 });
    expect(error.message).toContain('not JSON');
  });

  it('honours Retry-After on 429, and hands a long one back to the caller', async () => {
    emulator.setFault({ mode: 'throttle', count: 1, retryAfterSeconds: 0 });
    const retries: OnecRetryEvent[] = [];
    await client({ onRetry: (event) => retries.push(event) }).createRequest(payload());
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, delayMs: 0 })]);

    emulator.setFault({ mode: 'throttle', count: 1, retryAfterSeconds: 30 });
    const error = await failure(client().createRequest(payload()));
    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      retryable: true,
      attempts: 1,
      retryAfterMs: 30_000,
    });
  });

  it('stops when the caller aborts', async () => {
    emulator.setFault({ mode: 'slow', delayMs: 1_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(client().createRequest(payload(), { signal: controller.signal })).rejects.toThrow(
      'shutting down',
    );
  });
});

describe('config', () => {
  it('refuses credentials in the URL without echoing them', () => {
    expect(() =>
      createOnecClient({
        baseUrl: 'http://user:topsecret@127.0.0.1/bank',
        username: 'u',
        password: 'p',
      }),
    ).toThrow(/must not contain credentials/);
    try {
      createOnecClient({
        baseUrl: 'http://user:topsecret@127.0.0.1/bank',
        username: 'u',
        password: 'p',
      });
    } catch (error) {
      expect(String(error)).not.toContain('topsecret');
    }
    expect(() =>
      createOnecClient({
        baseUrl: 'http://h/bank',
        username: 'u',
        password: 'p',
        timeZone: 'Nowhere/City',
      }),
    ).toThrow(/time zone/);
  });

  it('has the documented defaults', () => {
    expect(
      createOnecClient({ baseUrl: 'http://h/bank/', username: 'u', password: 'p' }).config,
    ).toEqual({
      baseUrl: 'http://h/bank',
      root: 'payreq',
      username: 'u',
      webClientUrl: 'http://h/bank',
      documentName: 'ЗаявкаНаПлатеж',
      timeZone: 'Europe/Moscow',
      timeoutMs: 10_000,
      retries: { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 },
    });
  });
});
