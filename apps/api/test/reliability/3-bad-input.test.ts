import { randomUUID } from 'node:crypto';

import { signOnecBody } from '@payreq/onec';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { completeForm } from '../fixtures';
import type { TestApi } from '../harness';
import { TEST_BOT_SERVICE_TOKEN, dbKind, startTestApi } from '../harness';
import { ONEC_API_KEY, ONEC_HMAC_SECRET, createInHouseDraft, seedIntegration } from '../onec-support';
import { miniAppClient, signLaunch, tma } from '../telegram';
import { recordFigure } from './figures';
import type { WireBody } from './generators';
import { inParallel, junk, nearValidValue, wire } from './generators';
import type { DealRoom } from './support';
import { CHAT, dealRoom, people, rowCounts, rowsChanged, skipSuite } from './support';

const RUNS = Number(process.env.RELIABILITY_BAD_INPUT_RUNS ?? 10_000);
const CONCURRENCY = 24;

interface Answer {
  status: number;
  body: string;
}

describe.skipIf(skipSuite)(`bad input (${dbKind})`, () => {
  let api: TestApi;
  let room: DealRoom;

  beforeAll(async () => {
    api = await startTestApi();
    room = await dealRoom(api);
    await seedIntegration(api.prisma);
  });
  afterAll(async () => {
    await api?.close();
  });

  /**
   * Sends RUNS generated bodies to one boundary and checks: no 5xx, and the rows that changed
   * are exactly those the accepted calls account for (`expectedRows`), so nothing half-written.
   */
  async function bombard(
    name: string,
    bodies: fc.Arbitrary<WireBody>,
    send: (body: WireBody, index: number) => Promise<Response>,
    expectedRows: (answers: Answer[]) => number = () => 0,
  ) {
    const samples = fc.sample(bodies, { numRuns: RUNS, seed: 20261124 });
    const before = await rowCounts(api.prisma);
    const answers = await inParallel(samples.length, CONCURRENCY, async (index) => {
      const response = await send(samples[index]!, index);
      return { status: response.status, body: await response.text() };
    });
    const after = await rowCounts(api.prisma);
    const fiveXx = answers.filter((a) => a.status >= 500);
    const accepted = answers.filter((a) => a.status < 300).length;
    const partial = Math.abs(rowsChanged(before, after) - expectedRows(answers));
    const figure = recordFigure({
      name: `bad input: ${name}`,
      tried: samples.length,
      outcome: `4xx ${answers.length - accepted - fiveXx.length}, ok ${accepted}, 5xx ${fiveXx.length}`,
      rowsWritten: partial,
      target: '5xx 0, partial writes 0',
      pass: fiveXx.length === 0 && partial === 0 && samples.length >= 10_000,
      note: fiveXx.length
        ? `5xx e.g. ${fiveXx[0]!.status} ${fiveXx[0]!.body.slice(0, 300)}`
        : partial
          ? `rows ${JSON.stringify(before)} → ${JSON.stringify(after)}`
          : undefined,
    });
    expect(figure.note ?? '').toBe('');
    expect(figure.pass).toBe(true);
  }

  const trpcPost = (procedure: string, authorization: string) => (body: WireBody) =>
    fetch(`${api.url}/trpc/${procedure}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });

  const onecPost = (path: string) => (body: WireBody) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': ONEC_API_KEY,
        'x-signature': signOnecBody(body, ONEC_HMAC_SECRET),
        'idempotency-key': randomUUID(),
      },
      body,
    });

  const sumOf = (key: string) => (answers: Answer[]) =>
    answers
      .filter((a) => a.status < 300)
      .reduce((sum, a) => {
        const parsed = JSON.parse(a.body) as Record<string, unknown> & { result?: { data?: Record<string, unknown> } };
        const value = parsed.result?.data?.[key] ?? parsed[key];
        return sum + (typeof value === 'number' ? value : 0);
      }, 0);

  it('miniApp.save: no 5xx, no partial writes', async () => {
    const anna = miniAppClient(api.url, tma(signLaunch(people.linkedAgent, room.token)));
    const draft = await anna.miniApp.save.mutate({ fields: completeForm });
    // Every body carries a version that is not the current one (or none, or junk): nothing may be saved.
    const wrongVersion = fc.oneof(fc.integer({ min: draft.version + 1, max: 2 ** 31 }), junk);
    const bodies = wire(
      fc.oneof(
        fc.record({ version: wrongVersion, fields: nearValidValue(completeForm) }),
        nearValidValue({ version: draft.version + 1, fields: completeForm }),
      ),
    );
    await bombard('miniApp.save', bodies, trpcPost('miniApp.save', tma(signLaunch(people.client, room.token))));
  });

  it('requests.create: no 5xx, no partial writes', async () => {
    const token = api.tokenFor({ kind: 'user', id: room.world.client.id });
    // The deadline is always in the past or junk: nothing may be created.
    const badDeadline = fc.oneof(
      fc.date({ min: new Date('1970-01-01'), max: new Date(Date.now() - 60_000), noInvalidDate: true }).map((d) => d.toISOString()),
      junk,
    );
    const bodies = wire(
      fc.oneof(
        fc.record({ fields: nearValidValue(completeForm), offersDeadline: badDeadline }),
        nearValidValue({ fields: completeForm, offersDeadline: new Date(0).toISOString(), source: 'API' }),
      ),
    );
    await bombard('requests.create', bodies, trpcPost('requests.create', `Bearer ${token}`));
  });

  it('1C /offer, /status, /documents: no 5xx, no partial writes', async () => {
    const accepted = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    await api.prisma.paymentRequest.update({ where: { id: accepted.id }, data: { status: 'OFFER_ACCEPTED' } });
    const cancelled = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    await api.prisma.paymentRequest.update({ where: { id: cancelled.id }, data: { status: 'CANCELLED' } });
    const offer = { Ref_Key: randomUUID(), rate: '12.8', feePercent: '1', fixedFee: '0', totalToPay: '16000000', settlementDays: 2, validUntil: '2030-06-30T23:59:59', comment: 'c' };
    // Offers are refused once one is accepted; a cancelled request takes no status; the documents' request does not exist.
    await bombard('1C /offer', wire(nearValidValue(offer)), onecPost(`/onec/v1/requests/${accepted.id}/offer`));
    await bombard(
      '1C /status',
      wire(nearValidValue({ status: 'IN_PROGRESS', paymentStatus: 'PAYMENT_RECEIVED', comment: 'c' })),
      onecPost(`/onec/v1/requests/${cancelled.id}/status`),
    );
    const document = { Ref_Key: randomUUID(), kind: 'INVOICE', fileName: 'a.pdf', mime: 'application/pdf', contentBase64: Buffer.from('%PDF-1.7\n').toString('base64'), number: '1', date: '2030-03-15T11:25:00' };
    await bombard('1C /documents', wire(nearValidValue(document)), onecPost(`/onec/v1/requests/${randomUUID()}/documents`));
  });

  it('bot.saveMessages: no 5xx, and rows only for the messages accepted', async () => {
    const message = { messageId: 1, authorTelegramId: people.client.id, authorName: 'Иван', text: 'привет', date: 1795168800, kind: 'text' };
    let next = 1_000;
    const bodies = wire(
      fc.oneof(
        fc.array(nearValidValue(message), { minLength: 1, maxLength: 3 }).map((messages) => ({
          chatId: CHAT,
          messages: messages.map((m) => {
            next += 1;
            return m && typeof m === 'object' && !Array.isArray(m) && (m as { messageId?: unknown }).messageId === 1 ? { ...m, messageId: next } : m;
          }),
        })),
        nearValidValue({ chatId: CHAT, messages: [message] }),
      ),
    );
    await bombard('bot.saveMessages', bodies, trpcPost('bot.saveMessages', `Bearer ${TEST_BOT_SERVICE_TOKEN}`), sumOf('inserted'));
  });

  it('uploads: random bytes with random declared types — no 5xx, an asset only per file stored', async () => {
    const magic = fc.constantFrom('', '%PDF-1.7\n', '\x89PNG\r\n\x1a\n', '\xff\xd8\xff\xe0', 'PK\x03\x04', 'MZ\x90\x00', 'GIF89a', '<?xml version="1.0"?>');
    const types = fc.oneof(
      fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'application/zip', 'text/plain', 'application/octet-stream', 'application/x-msdownload', 'image/svg+xml', 'text/html', ''),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    const uploads = fc.sample(fc.tuple(magic, fc.uint8Array({ maxLength: 512 }), types), { numRuns: RUNS, seed: 7 });
    await bombard(
      'uploads (bot assets)',
      fc.constant(Buffer.alloc(0)),
      (_body, index) => {
        const [prefix, bytes, type] = uploads[index]!;
        return fetch(`${api.url}/bot/v1/chats/${CHAT}/assets`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
            ...(type ? { 'content-type': type } : {}),
            'x-file-name': encodeURIComponent(`f${index}`),
          },
          body: Buffer.concat([Buffer.from(prefix, 'latin1'), bytes]),
        });
      },
      (answers) => answers.filter((a) => a.status === 201).length,
    );
  });

  it('chat exports: random JSON — no 5xx, rows only for the messages imported', async () => {
    const exportMessage = { id: 1, type: 'message', date: '2026-11-20T10:00:00', date_unixtime: '1795168800', from: 'Иван', from_id: `user${people.client.id}`, text: 'привет', text_entities: [] };
    const bodies = wire(
      fc.oneof(
        nearValidValue({ name: 'Сделка', type: 'private_supergroup', id: 1987654321, messages: [exportMessage] }),
        fc.array(nearValidValue(exportMessage), { maxLength: 3 }).map((messages) => ({ name: 'Сделка', type: 'private_supergroup', id: 1987654321, messages })),
      ),
    );
    await bombard(
      'chat export',
      bodies,
      (body) =>
        fetch(`${api.url}/miniapp/v1/chat-export`, {
          method: 'POST',
          headers: { authorization: tma(signLaunch(people.linkedAgent, room.token)), 'content-type': 'application/json' },
          body,
        }),
      sumOf('inserted'),
    );
  });
});
