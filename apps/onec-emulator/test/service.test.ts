import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  OnecCreateRequestAnswer,
  OnecDocumentJobAnswer,
  OnecErrorBody,
  OnecRequestState,
} from '@payreq/onec';

import { createEmulator } from '../src';
import type { Emulator } from '../src';
import { basic, createBody } from './helpers';

const auth = basic('payreq', 'секрет');
let emulator: Emulator;
let service: string;

const post = (path: string, body: unknown, authorization: string | null = auth) =>
  fetch(`${service}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = (path: string, authorization: string | null = auth) =>
  fetch(`${service}${path}`, { headers: authorization ? { authorization } : {} });

beforeAll(async () => {
  emulator = createEmulator({ username: 'payreq', password: 'секрет', autoGenerate: false });
  const baseUrl = await emulator.start();
  service = `${baseUrl}/hs/payreq`;
});
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

describe('the 1C HTTP service contract', () => {
  it('asks for HTTP Basic and refuses wrong credentials with a JSON error', async () => {
    for (const authorization of [
      null,
      basic('payreq', 'wrong'),
      basic('other', 'секрет'),
      'Bearer x',
    ]) {
      const response = await post('/v1/requests', createBody(), authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="1C:Enterprise"/);
      expect(OnecErrorBody.parse(await response.json()).error.code).toBe('UNAUTHENTICATED');
    }
    expect(emulator.store.requests).toHaveLength(0);
  });

  it('creates a request idempotently on platformId', async () => {
    const body = createBody();
    const first = await post('/v1/requests', body);
    expect(first.status).toBe(201);
    const created = OnecCreateRequestAnswer.parse(await first.json());
    expect(created).toMatchObject({ Number: 'ЗП00-000001', created: true });

    const second = await post('/v1/requests', body);
    expect(second.status).toBe(200);
    expect(OnecCreateRequestAnswer.parse(await second.json())).toEqual({
      ...created,
      created: false,
    });

    const other = OnecCreateRequestAnswer.parse(
      await (await post('/v1/requests', createBody())).json(),
    );
    expect(other.Ref_Key).not.toBe(created.Ref_Key);
    expect(other.Number).toBe('ЗП00-000002');
    expect(emulator.store.requests).toHaveLength(2);
  });

  it('validates the body', async () => {
    const response = await post('/v1/requests', {
      ...createBody(),
      createdAt: '2025-03-15T10:00:00Z',
    });
    expect(response.status).toBe(400);
    const { error } = OnecErrorBody.parse(await response.json());
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('createdAt');

    const broken = await post('/v1/requests', '{"platformId":');
    expect(broken.status).toBe(400);
    expect(OnecErrorBody.parse(await broken.json()).error.code).toBe('VALIDATION_FAILED');
  });

  it('queues document requests (202), repeats them (200) and refuses a reused id (409)', async () => {
    const { Ref_Key } = OnecCreateRequestAnswer.parse(
      await (await post('/v1/requests', createBody())).json(),
    );
    const documentRequestId = crypto.randomUUID();
    const first = await post(`/v1/requests/${Ref_Key}/documents`, {
      kind: 'INVOICE',
      documentRequestId,
    });
    expect(first.status).toBe(202);
    const job = OnecDocumentJobAnswer.parse(await first.json());
    expect(job).toMatchObject({ state: 'QUEUED', created: true });

    const again = await post(`/v1/requests/${Ref_Key}/documents`, {
      kind: 'INVOICE',
      documentRequestId,
    });
    expect(again.status).toBe(200);
    expect(OnecDocumentJobAnswer.parse(await again.json())).toEqual({ ...job, created: false });

    const mismatch = await post(`/v1/requests/${Ref_Key}/documents`, {
      kind: 'ACT',
      documentRequestId,
    });
    expect(mismatch.status).toBe(409);

    const unknown = await post(`/v1/requests/${crypto.randomUUID()}/documents`, {
      kind: 'ACT',
      documentRequestId: crypto.randomUUID(),
    });
    expect(unknown.status).toBe(404);
    const wrongKind = await post(`/v1/requests/${Ref_Key}/documents`, {
      kind: 'POSTCARD',
      documentRequestId,
    });
    expect(wrongKind.status).toBe(400);
  });

  it('shows the request as 1C sees it', async () => {
    const body = createBody();
    const { Ref_Key } = OnecCreateRequestAnswer.parse(
      await (await post('/v1/requests', body)).json(),
    );
    const response = await get(`/v1/requests/${Ref_Key}`);
    expect(response.status).toBe(200);
    const state = OnecRequestState.parse(await response.json());
    expect(state).toMatchObject({
      Ref_Key,
      platformId: body.platformId,
      platformNumber: 123,
      displayNumber: '№ 000123',
      createdAt: '2025-03-15T10:00:00',
      status: 'COLLECTING_OFFERS',
      paymentStatus: 'NOT_PAID',
      offers: [],
      documents: [],
    });
    expect(state.fields).toEqual(body.fields);
    expect((await get(`/v1/requests/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await get('/v1/requests/not-a-guid')).status).toBe(400);
    expect((await get(`/v1/requests/${Ref_Key}`, null)).status).toBe(401);
  });

  it('checks auth before saying a template does not exist', async () => {
    expect((await get('/v2/whatever', null)).status).toBe(401);
    const response = await get('/v2/whatever');
    expect(response.status).toBe(404);
    expect(OnecErrorBody.parse(await response.json()).error.code).toBe('NOT_FOUND');
  });
});

describe('fault injection over HTTP', () => {
  const setFault = (fault: unknown) =>
    fetch(`${emulator.origin}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });

  it('answers 500 (text as 1C does) for the next N calls, then recovers', async () => {
    expect((await setFault({ mode: 'error500', count: 2 })).status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const response = await post('/v1/requests', createBody());
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toContain('Ошибка при вызове метода контекста');
    }
    expect((await post('/v1/requests', createBody())).status).toBe(201);
    expect(emulator.store.requests).toHaveLength(1);
  });

  it('is down: 503 from the web server, or a destroyed socket', async () => {
    await setFault({ mode: 'down', behavior: '503' });
    const response = await post('/v1/requests', createBody());
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('Service Unavailable');

    await setFault({ mode: 'down' });
    await expect(post('/v1/requests', createBody())).rejects.toThrow();
    const current = (await fetch(`${emulator.origin}/__emulator/faults`).then((r) => r.json())) as {
      fault: { mode: string };
    };
    expect(current.fault.mode).toBe('down');

    await setFault({ mode: 'off' });
    expect((await post('/v1/requests', createBody())).status).toBe(201);
  });

  it('answers late in slow mode, and malformed JSON in malformed mode', async () => {
    await setFault({ mode: 'slow', delayMs: 300, count: 1 });
    const started = Date.now();
    expect((await post('/v1/requests', createBody())).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    await setFault({ mode: 'malformed' });
    const malformed = await post('/v1/requests', createBody());
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
  });

  it('refuses an unknown fault and resets everything', async () => {
    expect((await setFault({ mode: 'explode' })).status).toBe(400);
    await post('/v1/requests', createBody());
    await setFault({ mode: 'down' });
    expect((await fetch(`${emulator.origin}/__emulator/reset`, { method: 'POST' })).status).toBe(
      200,
    );
    expect(emulator.store.requests).toHaveLength(0);
    expect(emulator.faults.current.fault.mode).toBe('off');
  });
});

describe('operator console', () => {
  it('is behind the same Basic auth and serves the page and the API', async () => {
    const base = emulator.baseUrl;
    expect((await fetch(`${base}/operator`)).status).toBe(401);
    const page = await fetch(`${base}/operator`, { headers: { authorization: auth } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('1С:Предприятие — эмулятор');
    expect((await fetch(`${base}/`, { headers: { authorization: auth } })).status).toBe(200);

    const { Ref_Key } = OnecCreateRequestAnswer.parse(
      await (await post('/v1/requests', createBody())).json(),
    );
    const list = (await (
      await fetch(`${base}/operator/api/requests`, { headers: { authorization: auth } })
    ).json()) as {
      items: Array<{ ref: string; url: string }>;
    };
    expect(list.items).toEqual([
      expect.objectContaining({ ref: Ref_Key, payerName: 'ООО «Ромашка»' }),
    ]);
    const hex = list.items[0]!.url.split('ref=')[1];
    const byLink = (await (
      await fetch(`${base}/operator/api/link/${hex}`, { headers: { authorization: auth } })
    ).json()) as {
      ref: string;
    };
    expect(byLink.ref).toBe(Ref_Key);

    // This emulator has no platform configured: operator actions say so.
    const offer = await fetch(`${base}/operator/api/requests/${Ref_Key}/offer`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ rate: '90', feePercent: '1', fixedFee: '0', settlementDays: 1 }),
    });
    expect(offer.status).toBe(503);
    expect(OnecErrorBody.parse(await offer.json()).error.code).toBe('PLATFORM_NOT_CONFIGURED');
    expect(emulator.store.offers).toHaveLength(0);
  });
});
