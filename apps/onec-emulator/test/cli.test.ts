import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OnecOfferBody } from '@payreq/contracts';

import { createEmulator } from '../src';
import type { Emulator } from '../src';
import { runCli } from '../src/cli-core';
import { loadCliEnv, loadEnv } from '../src/env';
import { createBody, json, platformAnswer, startReceiver } from './helpers';

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let emulator: Emulator;

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    loadCliEnv({
      ONEC_EMULATOR_URL: emulator.baseUrl,
      ONEC_EMULATOR_USERNAME: 'op',
      ONEC_EMULATOR_PASSWORD: 'pw',
    }),
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err };
}

beforeAll(async () => {
  receiver = await startReceiver((request, _index, res) => json(res, 200, platformAnswer(request)));
  emulator = createEmulator({
    username: 'op',
    password: 'pw',
    platform: { url: receiver.url, apiKey: 'k' },
  });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

describe('the CLI', () => {
  it('lists, offers, sets statuses and sends documents over HTTP', async () => {
    expect(await cli('list')).toMatchObject({ code: 0, out: 'No requests yet.\n' });
    const platformId = crypto.randomUUID();
    const { request } = emulator.operator.receiveRequest(createBody(platformId));

    const list = await cli('list');
    expect(list.out).toContain(request.ref);
    expect(list.out).toContain('ООО «Ромашка»');

    const offer = await cli(
      'offer',
      platformId,
      '--rate',
      '92.5',
      '--fee-percent',
      '1.5',
      '--fixed-fee',
      '1500',
      '--total',
      '11737437.50',
      '--days',
      '3',
    );
    expect(offer.code).toBe(0);
    expect(JSON.parse(offer.out).delivery.state).toBe('DELIVERED');
    expect(OnecOfferBody.parse(JSON.parse(receiver.received.at(-1)!.rawBody)).totalToPay).toBe(
      '11737437.50',
    );

    expect((await cli('status', request.ref, 'IN_PROGRESS')).code).toBe(0);
    expect((await cli('payment-status', request.ref, 'PAYMENT_RECEIVED')).code).toBe(0);
    expect(JSON.parse((await cli('document', request.ref, 'INVOICE')).out).document.kind).toBe(
      'INVOICE',
    );
    expect(receiver.received.map((r) => r.path.split('/').at(-1))).toEqual([
      'offer',
      'status',
      'status',
      'documents',
    ]);
    expect(JSON.parse((await cli('show', platformId)).out)).toMatchObject({
      status: 'IN_PROGRESS',
      paymentStatus: 'PAYMENT_RECEIVED',
    });
  });

  it('sets faults and explains mistakes', async () => {
    expect(JSON.parse((await cli('fault', 'error500', '--count', '2')).out)).toMatchObject({
      fault: { mode: 'error500' },
      remaining: 2,
    });
    expect((await cli('fault', 'off')).code).toBe(0);
    expect(await cli('status', crypto.randomUUID(), 'IN_PROGRESS')).toMatchObject({
      code: 1,
      err: expect.stringContaining('HTTP 404'),
    });
    expect(await cli('offer', crypto.randomUUID())).toMatchObject({
      code: 1,
      err: expect.stringContaining('Missing --rate'),
    });
    expect(await cli('frobnicate')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Unknown command'),
    });
    expect((await cli()).code).toBe(2);
  });
});

describe('env', () => {
  it('has the documented defaults and refuses nonsense', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      ONEC_EMULATOR_PORT: 4020,
      ONEC_EMULATOR_BASE_PATH: '/bank',
      ONEC_EMULATOR_ROOT: 'payreq',
      ONEC_EMULATOR_PLATFORM_URL: 'http://127.0.0.1:3000',
      ONEC_EMULATOR_AUTO_GENERATE: true,
      ONEC_EMULATOR_TIME_ZONE: 'Europe/Moscow',
    });
    expect(env.ONEC_EMULATOR_HMAC_SECRET).toBeUndefined();
    expect(
      loadEnv({ ONEC_EMULATOR_HMAC_SECRET: '', ONEC_EMULATOR_AUTO_GENERATE: '0' }),
    ).toMatchObject({
      ONEC_EMULATOR_AUTO_GENERATE: false,
    });
    expect(() => loadEnv({ ONEC_EMULATOR_PORT: 'abc' })).toThrow(/ONEC_EMULATOR_PORT/);
    expect(() => loadEnv({ ONEC_EMULATOR_BASE_PATH: 'bank' })).toThrow(/ONEC_EMULATOR_BASE_PATH/);
  });
});
