import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEmulator } from '../src';
import type { Emulator } from '../src';
import { metricSample, readMetrics } from '@payreq/testing';
import { basic, createBody, json, platformAnswer, startReceiver } from './helpers';

/**
 * The emulator's /healthz and /metrics over real HTTP, with a platform stand-in receiving
 * what the emulated 1C sends.
 */

const auth = basic('payreq', 'payreq');
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let emulator: Emulator;
let dataDir: string;

async function health() {
  const response = await fetch(`${emulator.origin}/healthz`);
  return {
    status: response.status,
    body: (await response.json()) as {
      status: string;
      service: string;
      requests: number;
      persistent: boolean;
      saveError: string | null;
      platform: {
        configured: boolean;
        deliveries: { pending: number; failed: number };
        lastCall: { status: number | null } | null;
      };
      fault: string;
    },
  };
}

const service = (pathname: string) => `${emulator.baseUrl}/hs/payreq/v1${pathname}`;
const post = (url: string, body: unknown, authorization = auth) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  receiver = await startReceiver((request, _index, res) => json(res, 200, platformAnswer(request)));
  dataDir = await mkdtemp(path.join(tmpdir(), 'onec-emulator-ops-'));
  emulator = createEmulator({
    username: 'payreq',
    password: 'payreq',
    platform: {
      url: receiver.url,
      apiKey: 'onec-api-key',
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    },
    autoGenerate: false,
    dataFile: path.join(dataDir, 'state', 'emulator.json'),
  });
  await emulator.start(0);
});

afterAll(async () => {
  await emulator?.stop().catch(() => undefined);
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the 1C emulator: /healthz and /metrics', () => {
  it('/healthz: 200 with what the emulated 1C holds and owes the platform', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      service: 'onec-emulator',
      requests: 0,
      persistent: true,
      saveError: null,
      platform: { configured: true, deliveries: { pending: 0, failed: 0 }, lastCall: null },
      fault: 'off',
    });
    // The test-control health stays as it was.
    expect(await (await fetch(`${emulator.origin}/__emulator/health`)).json()).toEqual({
      ok: true,
    });
  });

  it('/metrics: process metrics, calls served by route and status, calls to the platform by outcome', async () => {
    const before = await readMetrics(emulator.origin);
    expect(
      metricSample(before, 'process_cpu_user_seconds_total', { service: 'onec-emulator' }),
    ).toBeGreaterThan(0);
    for (const name of [
      'onec_emulator_http_requests_total',
      'onec_emulator_platform_calls_total',
      'onec_emulator_faults_injected_total',
      'onec_emulator_requests',
      'onec_emulator_deliveries',
    ])
      expect(before, name).toContain(`# TYPE ${name} `);

    // The platform creates a request (twice: idempotent), a wrong password, an unknown route.
    const platformId = crypto.randomUUID();
    expect((await post(service('/requests'), createBody(platformId))).status).toBe(201);
    expect((await post(service('/requests'), createBody(platformId))).status).toBe(200);
    expect((await post(service('/requests'), createBody(), basic('payreq', 'x'))).status).toBe(401);
    expect((await fetch(`${emulator.origin}/no/such/thing`)).status).toBe(404);
    // An injected fault.
    emulator.setFault({ mode: 'error500', count: 1 });
    expect((await post(service('/requests'), createBody())).status).toBe(500);

    // The operator sends an offer: 1C calls the platform, which takes it; then one it refuses.
    const offer = {
      rate: '92.5',
      feePercent: '1.5',
      fixedFee: '1500',
      settlementDays: 3,
      wait: true,
    };
    const sent = await post(`${emulator.baseUrl}/operator/api/requests/${platformId}/offer`, offer);
    expect(sent.status).toBe(200);
    receiver.setResponder((_request, _index, res) =>
      json(res, 409, { error: { code: 'VERSION_CONFLICT', message: 'no' } }),
    );
    await post(`${emulator.baseUrl}/operator/api/requests/${platformId}/offer`, offer);
    receiver.setResponder((request, _index, res) => json(res, 200, platformAnswer(request)));

    const after = await readMetrics(emulator.origin);
    const moved = (name: string, labels: Record<string, string>) =>
      metricSample(after, name, labels) - metricSample(before, name, labels);
    const requestsRoute = '/bank/hs/payreq/v1/requests';
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'POST',
        route: requestsRoute,
        status: '201',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'POST',
        route: requestsRoute,
        status: '200',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'POST',
        route: requestsRoute,
        status: '401',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'POST',
        route: requestsRoute,
        status: '500',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_http_requests_total', {
        method: 'POST',
        route: '/bank/operator/api/requests/:id/offer',
        status: '200',
      }),
    ).toBe(2);
    expect(moved('onec_emulator_faults_injected_total', { mode: 'error500' })).toBe(1);
    const offerRoute = '/onec/v1/requests/:id/offer';
    expect(
      moved('onec_emulator_platform_calls_total', {
        method: 'POST',
        route: offerRoute,
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      moved('onec_emulator_platform_calls_total', {
        method: 'POST',
        route: offerRoute,
        outcome: 'refused',
      }),
    ).toBe(1);
    expect(metricSample(after, 'onec_emulator_requests', { service: 'onec-emulator' })).toBe(1);
    expect(metricSample(after, 'onec_emulator_deliveries', { state: 'DELIVERED' })).toBe(1);
    expect(metricSample(after, 'onec_emulator_deliveries', { state: 'FAILED' })).toBe(1);

    const { body } = await health();
    expect(body).toMatchObject({
      requests: 1,
      platform: { deliveries: { pending: 0, failed: 1 }, lastCall: { status: 409 } },
    });
  });

  it('the platform out of reach is counted as no answer; the emulator itself stays healthy', async () => {
    const before = await readMetrics(emulator.origin);
    const platformId = crypto.randomUUID();
    expect((await post(service('/requests'), createBody(platformId))).status).toBe(201);
    await receiver.close();
    const sent = await post(`${emulator.baseUrl}/operator/api/requests/${platformId}/status`, {
      status: 'IN_PROGRESS',
      wait: true,
    });
    expect(sent.status).toBe(200);
    const after = await readMetrics(emulator.origin);
    expect(
      metricSample(after, 'onec_emulator_platform_calls_total', {
        route: '/onec/v1/requests/:id/status',
        outcome: 'no_answer',
      }) -
        metricSample(before, 'onec_emulator_platform_calls_total', {
          route: '/onec/v1/requests/:id/status',
          outcome: 'no_answer',
        }),
    ).toBe(2); // both attempts
    expect((await health()).status).toBe(200);
  });

  it('/healthz answers 503 when the data file cannot be written', async () => {
    // The folder of the data file turns into a file: every write of the state now fails.
    await rm(path.join(dataDir, 'state'), { recursive: true, force: true });
    await writeFile(path.join(dataDir, 'state'), 'not a folder');
    expect((await post(service('/requests'), createBody())).status).toBe(500);
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe('unhealthy');
    expect(body.saveError).toMatch(/EEXIST|ENOTDIR/);
    await rm(path.join(dataDir, 'state'), { force: true });
  });
});
