import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

import { signOnecBody } from '@payreq/onec';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../src/logger';
import { completeForm } from '@payreq/testing';
import type { TestApi } from '../../testing/harness';
import {
  TEST_BOT_SERVICE_TOKEN,
  TEST_BOT_TOKEN,
  TEST_TOKEN_SECRET,
  dbKind,
  startTestApi,
} from '../../testing/harness';
import {
  ONEC_API_KEY,
  ONEC_HMAC_SECRET,
  createInHouseDraft,
  seedIntegration,
} from '../../testing/onec';
import { signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import { inParallel, nearValidValue, wire } from '@payreq/testing/generators';
import type { DealRoom } from './support';
import { CHAT, dealRoom, people, skipSuite } from './support';

/** The api as the harness builds it, but logging at trace level through the api's own logger into a buffer. */
async function startLoggedApi(lines: string[]): Promise<TestApi> {
  const logger = createLogger('trace');
  // The api's logger, redaction and all; only its destination is swapped for a buffer.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = sink;
  return startTestApi(dbKind, { logger });
}

describe.skipIf(skipSuite)(`secrets in logs and answers (${dbKind})`, () => {
  const lines: string[] = [];
  let api: TestApi;
  let room: DealRoom;

  beforeAll(async () => {
    api = await startLoggedApi(lines);
    room = await dealRoom(api);
    await seedIntegration(api.prisma);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('never writes the bot token, the service token, 1C credentials or session tokens to a log line or an answer', async () => {
    const platformToken = api.tokenFor({ kind: 'user', id: room.world.client.id });
    const validLaunch = signLaunch(people.client, room.token);
    const launchHash = new URLSearchParams(validLaunch).get('hash')!;
    const secrets: Record<string, string> = {
      'bot token': TEST_BOT_TOKEN,
      'bot token (secret part)': TEST_BOT_TOKEN.split(':')[1]!,
      'bot service token': TEST_BOT_SERVICE_TOKEN,
      '1C API key': ONEC_API_KEY,
      '1C HMAC secret': ONEC_HMAC_SECRET,
      'platform token secret': TEST_TOKEN_SECRET,
      'platform session token': platformToken.slice(3),
      'init data hash': launchHash,
    };
    const answers: string[] = [];
    const keep = async (response: Promise<Response>) => {
      const r = await response;
      answers.push(`${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`);
    };
    const request = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    const trpc = (procedure: string, authorization: string, body: string) =>
      keep(
        fetch(`${api.url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body,
        }),
      );
    const onec = (p: string, body: string, headers: Record<string, string>) =>
      keep(
        fetch(`${api.url}${p}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
            ...headers,
          },
          body,
        }),
      );

    const bodies = fc.sample(wire(nearValidValue({ version: 99, fields: completeForm })), {
      numRuns: 300,
      seed: 1,
    });
    const offers = fc.sample(
      wire(
        nearValidValue({
          Ref_Key: randomUUID(),
          version: 1,
          rate: '1',
          feePercent: '1',
          fixedFee: '0',
          totalToPay: '1',
          settlementDays: 1,
        }),
      ),
      { numRuns: 200, seed: 2 },
    );
    const calls: (() => Promise<void>)[] = [
      // valid and invalid Mini App calls, forged init data, a wrong bot token
      ...bodies.map((body) => () => trpc('miniApp.save', tma(validLaunch), String(body))),
      ...bodies
        .slice(0, 100)
        .map(
          (body, i) => () =>
            trpc(
              'miniApp.save',
              tma(validLaunch.replace(launchHash, launchHash.replace(/.$/, i % 2 ? '0' : '1'))),
              String(body),
            ),
        ),
      () =>
        trpc(
          'miniApp.save',
          tma(signLaunch(people.client, room.token, { botToken: `${TEST_BOT_TOKEN}x` })),
          '{}',
        ),
      () =>
        keep(
          fetch(`${api.url}/trpc/miniApp.session`, {
            headers: { authorization: tma(validLaunch) },
          }),
        ),
      // the bot with the right and a wrong service token, platform calls with a good and a broken session token
      () =>
        trpc(
          'bot.saveMessages',
          `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
          JSON.stringify({ chatId: CHAT, messages: [{ messageId: 1, text: 'x', date: 'junk' }] }),
        ),
      () => trpc('bot.saveMessages', `Bearer ${TEST_BOT_SERVICE_TOKEN}x`, '{}'),
      () =>
        trpc(
          'requests.create',
          `Bearer ${platformToken}`,
          JSON.stringify({ fields: { amount: 'x' } }),
        ),
      () => trpc('requests.create', `Bearer ${platformToken}x`, '{}'),
      () =>
        keep(
          fetch(`${api.url}/bot/v1/chats/${CHAT}/assets`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
              'content-type': 'application/pdf',
            },
            body: Buffer.from('MZ not a pdf'),
          }),
        ),
      // 1C: bad bodies signed right, wrong keys and signatures
      ...offers.map(
        (body) => () =>
          onec(`/onec/v1/requests/${request.id}/offer`, String(body), {
            'x-api-key': ONEC_API_KEY,
            'x-signature': signOnecBody(body, ONEC_HMAC_SECRET),
          }),
      ),
      ...Array.from(
        { length: 50 },
        (_, i) => () =>
          onec(
            `/onec/v1/requests/${request.id}/status`,
            '{"status":"IN_PROGRESS"}',
            i % 2
              ? {
                  'x-api-key': `${ONEC_API_KEY}${i}`,
                  'x-signature': signOnecBody('{}', ONEC_HMAC_SECRET),
                }
              : {
                  'x-api-key': ONEC_API_KEY,
                  'x-signature': signOnecBody(
                    '{"status":"IN_PROGRESS"}',
                    `${ONEC_HMAC_SECRET}${i}`,
                  ),
                },
          ),
      ),
    ];
    await inParallel(calls.length, 8, (i) => calls[i]!());

    const found: string[] = [];
    let occurrences = 0;
    for (const [name, secret] of Object.entries(secrets)) {
      for (const [where, texts] of [
        ['log', lines],
        ['answer', answers],
      ] as const) {
        const hits = texts.filter((text) => text.includes(secret));
        occurrences += hits.length;
        if (hits.length)
          found.push(`${name} in ${hits.length} ${where} line(s), e.g. ${hits[0]!.slice(0, 300)}`);
      }
    }
    const figure = recordFigure({
      name: 'secrets in logs/answers',
      tried: calls.length,
      outcome: `scanned ${lines.length} log lines, ${answers.length} answers, ${Object.keys(secrets).length} secrets`,
      rowsWritten: 0,
      target: 'occurrences 0',
      pass: occurrences === 0 && lines.length > calls.length,
      note: occurrences ? `occurrences ${occurrences}: ${found.join(' ; ')}` : `occurrences 0`,
    });
    expect(found).toEqual([]);
    expect(lines.length).toBeGreaterThan(calls.length);
    expect(figure.pass).toBe(true);
  });
});
