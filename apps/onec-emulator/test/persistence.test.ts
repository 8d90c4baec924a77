import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { onecHeaders } from '@payreq/contracts';
import { createOnecClient } from '@payreq/onec';

import { computeTotalToPay, createEmulator } from '../src';
import { createBody, json, platformAnswer, startReceiver } from './helpers';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'onec-emulator-'));
  dirs.push(dir);
  return path.join(dir, 'state', 'onec.json');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the data file', () => {
  it('keeps requests across a restart, so a repeated create still finds its document', async () => {
    const dataFile = tempFile();
    const first = createEmulator({ username: 'u', password: 'p', dataFile });
    const baseUrl = await first.start();
    const body = { ...createBody(), createdAt: new Date() };
    const created = await createOnecClient({ baseUrl, username: 'u', password: 'p' }).createRequest(
      body,
    );
    await first.stop();
    expect(JSON.parse(readFileSync(dataFile, 'utf8')).requests).toHaveLength(1);

    const second = createEmulator({ username: 'u', password: 'p', dataFile });
    const again = await createOnecClient({
      baseUrl: await second.start(),
      username: 'u',
      password: 'p',
    }).createRequest(body);
    try {
      expect(again).toMatchObject({ ref: created.ref, number: created.number, created: false });
      expect(second.store.requests).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('resumes an unsent call after a restart with the same idempotency key and body', async () => {
    const dataFile = tempFile();
    const receiver = await startReceiver((_request, _index, res) =>
      json(res, 503, { error: { code: 'INTERNAL', message: 'down' } }),
    );
    const platform = {
      url: receiver.url,
      apiKey: 'k',
      retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 50 },
    };
    try {
      const first = createEmulator({ username: 'u', password: 'p', dataFile, platform });
      await first.start();
      const platformId = crypto.randomUUID();
      first.operator.receiveRequest(createBody(platformId));
      const { delivery } = await first.operator.setStatus(platformId, 'IN_PROGRESS', null, {
        wait: 100,
      });
      expect(delivery.state).toBe('PENDING');
      await first.stop();
      const failedAttempts = receiver.received.length;
      expect(failedAttempts).toBeGreaterThan(0);

      receiver.setResponder((request, _index, res) => json(res, 200, platformAnswer(request)));
      const second = createEmulator({ username: 'u', password: 'p', dataFile, platform });
      await second.start();
      await second.operator.idle();
      await second.stop();
      expect(second.store.deliveries[0]).toMatchObject({ state: 'DELIVERED' });
      const keys = new Set(receiver.received.map((r) => r.headers[onecHeaders.idempotencyKey]));
      const bodies = new Set(receiver.received.map((r) => r.rawBody));
      expect([keys.size, bodies.size]).toEqual([1, 1]);
      // The restarted emulator needed one more attempt, with the same key and bytes.
      expect(second.store.calls).toHaveLength(1);
      expect(second.store.calls[0]?.status).toBe(200);
      expect(second.store.calls[0]?.attempt).toBeGreaterThan(1);
    } finally {
      await receiver.close();
    }
  });
});

describe('computeTotalToPay', () => {
  it('computes amount × rate × (1 + fee %) + fixed fee exactly, rounding half up', () => {
    expect(
      computeTotalToPay({ amount: '125000.00', rate: '92.5', feePercent: '1.5', fixedFee: '1500' }),
    ).toBe('11737437.50');
    expect(computeTotalToPay({ amount: '0.01', rate: '0.5', feePercent: '0', fixedFee: '0' })).toBe(
      '0.01',
    );
    expect(computeTotalToPay({ amount: '0.01', rate: '0.4', feePercent: '0', fixedFee: '0' })).toBe(
      '0.00',
    );
    expect(
      computeTotalToPay({
        amount: '999999999999.99',
        rate: '100.123456',
        feePercent: '2.25',
        fixedFee: '0.99',
      }),
    ).toBe('102376233759999.97');
  });
});
