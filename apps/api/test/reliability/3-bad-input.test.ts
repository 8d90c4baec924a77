import { randomUUID } from 'node:crypto';

import { signOnecBody } from '@payreq/onec';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { completeForm } from '@payreq/testing';
import { TEST_BOT_SERVICE_TOKEN, dbKind } from '../../testing/harness';
import { ONEC_API_KEY, ONEC_HMAC_SECRET, createInHouseDraft } from '../../testing/onec';
import { miniAppClient, signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import type { WireBody } from '@payreq/testing/generators';
import { inParallel, junk, nearValidValue, wire } from '@payreq/testing/generators';
import {
  CHAT,
  describeRowChanges,
  onecOffer,
  people,
  rowCountChange,
  rowsChanged,
  skipSuite,
  snapshotRows,
  useDealRoom,
} from './support';

/**
 * Bodies per call site. Each boundary gets at least 10,000 in all on PostgreSQL, the production
 * database (tRPC: 4,000 + 2,000 + 4,000; 1C REST: 4,000 + 3,000 + 3,000; uploads and chat
 * exports: 10,000 each). PGlite runs a tenth of each (the validation is the same code; the
 * database is what differs) to keep the suite within a few minutes on 2 cores;
 * RELIABILITY_BAD_INPUT_SCALE=1 runs the full counts there too.
 */
function runsFor(onPostgres: number): number {
  const scale = Number(
    process.env.RELIABILITY_BAD_INPUT_SCALE ?? (dbKind === 'postgres' ? '1' : '0.1'),
  );
  return Math.max(1, Math.round(onPostgres * scale));
}
const CONCURRENCY = 24;

/** The boundaries the issue names; the bot's updates are bombarded by the bot's own suite. */
type Boundary = 'tRPC' | '1C REST' | 'uploads' | 'chat exports';
const totals = new Map<
  Boundary,
  { tried: number; fiveXx: number; partial: number; planned: number }
>();

interface Answer {
  status: number;
  body: string;
  index: number;
}

/** A short, printable description of a body (lone surrogates and control characters escaped). */
function describeBody(body: WireBody): string {
  const text = typeof body === 'string' ? body : `bytes:${body.toString('hex')}`;
  return JSON.stringify(
    text.length > 300 ? `${text.slice(0, 300)}…(${text.length})` : text,
  ).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

describe.skipIf(skipSuite)(`bad input (${dbKind})`, () => {
  const { api, room } = useDealRoom({ onec: true });

  afterAll(() => {
    // One line per boundary: what the target (≥10,000 bodies, 5xx 0, partial 0) reads.
    for (const [boundary, total] of totals) {
      recordFigure({
        name: `bad input total: ${boundary}`,
        tried: total.tried,
        outcome: `5xx ${total.fiveXx}`,
        rowsWritten: total.partial,
        target: `5xx 0, partial writes 0, ≥${total.planned} bodies`,
        pass: total.fiveXx === 0 && total.partial === 0 && total.tried >= total.planned,
      });
    }
  });

  /**
   * Sends RUNS generated bodies to one boundary and checks: no 5xx, and nothing half-written:
   * no row written at all (inserted, deleted or changed in place) where every call must be
   * refused, and where some may be accepted, exactly the rows they account for (`expectedRows`).
   */
  async function bombard(
    name: string,
    boundary: Boundary,
    count: number,
    bodies: fc.Arbitrary<WireBody>,
    send: (body: WireBody, index: number) => Promise<Response>,
    expectedRows?: (answers: Answer[]) => number,
    derivedTables: readonly string[] = [],
  ) {
    const planned = runsFor(count);
    const samples = fc.sample(bodies, { numRuns: planned, seed: 20261124 });
    const before = await snapshotRows(api.prisma);
    const started = Date.now();
    const answers = await inParallel(samples.length, CONCURRENCY, async (index) => {
      const response = await send(samples[index]!, index);
      return { status: response.status, body: await response.text(), index };
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const after = await snapshotRows(api.prisma);
    const fiveXx = answers.filter((a) => a.status >= 500);
    const accepted = answers.filter((a) => a.status < 300).length;
    // Without accepted calls, any row written counts, changed in place too; with them, the rows
    // that appeared or vanished must be those the accepted calls inserted.
    const partial = expectedRows
      ? Math.abs(rowCountChange(before, after, derivedTables) - expectedRows(answers))
      : rowsChanged(before, after);
    const total = totals.get(boundary) ?? { tried: 0, fiveXx: 0, partial: 0, planned: 0 };
    totals.set(boundary, {
      tried: total.tried + samples.length,
      fiveXx: total.fiveXx + fiveXx.length,
      partial: total.partial + partial,
      planned: total.planned + planned,
    });
    const figure = recordFigure({
      name: `bad input: ${boundary}: ${name}`,
      tried: samples.length,
      outcome: `(${seconds} s) 4xx ${answers.length - accepted - fiveXx.length}, ok ${accepted}, 5xx ${fiveXx.length}`,
      rowsWritten: partial,
      target: `5xx 0, partial writes 0, ≥${planned} bodies`,
      pass: fiveXx.length === 0 && partial === 0 && samples.length >= planned,
      note: fiveXx.length
        ? `5xx e.g. ${fiveXx[0]!.status} for ${describeBody(samples[fiveXx[0]!.index]!)}`
        : partial
          ? `rows written: ${describeRowChanges(before, after)}; the accepted calls account for ${expectedRows?.(answers) ?? 0}`
          : undefined,
    });
    expect(figure.note ?? '').toBe('');
    expect(figure.pass).toBe(true);
  }

  /** `bombard` for a tRPC mutation, posted as `authorization`. */
  const bombardProcedure = (
    procedure: string,
    count: number,
    bodies: fc.Arbitrary<WireBody>,
    authorization: string,
    expectedRows?: (answers: Answer[]) => number,
    derivedTables?: readonly string[],
  ) =>
    bombard(
      procedure,
      'tRPC',
      count,
      bodies,
      (body) =>
        fetch(`${api.url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body,
        }),
      expectedRows,
      derivedTables,
    );

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
        const parsed = JSON.parse(a.body) as Record<string, unknown> & {
          result?: { data?: Record<string, unknown> };
        };
        const value = parsed.result?.data?.[key] ?? parsed[key];
        return sum + (typeof value === 'number' ? value : 0);
      }, 0);

  /** The earlier texts of edited messages: the database's trigger writes them with an update. */
  const messageEdits = ['ChatMessageEdit'];
  /**
   * And the authors of the bot's accepted messages become the room's members, in the same
   * statement as the messages (the answer does not count them).
   */
  const messageEditsAndAuthors = ['ChatMessageEdit', 'ChatMember'];

  it('the measure of rows written sees a row changed in place, not only one added', async () => {
    const before = await snapshotRows(api.prisma);
    const chat = await api.prisma.telegramChat.findUniqueOrThrow({ where: { id: BigInt(CHAT) } });
    await api.prisma.telegramChat.update({ where: { id: chat.id }, data: { title: 'renamed' } });
    const changed = await snapshotRows(api.prisma);
    await api.prisma.telegramChat.update({ where: { id: chat.id }, data: { title: chat.title } });
    expect(rowsChanged(before, before)).toBe(0);
    expect(rowsChanged(before, changed)).toBe(1);
    expect(rowCountChange(before, changed)).toBe(0);
    expect(describeRowChanges(before, changed)).toBe('TelegramChat +1 −1');
  });

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
    await bombardProcedure(
      'miniApp.save',
      4_000,
      bodies,
      tma(signLaunch(people.client, room.token)),
    );
  });

  it('requests.create: no 5xx, no partial writes', async () => {
    const token = api.tokenFor({ kind: 'user', id: room.world.client.id });
    // The deadline is always in the past or junk: nothing may be created.
    const badDeadline = fc.oneof(
      fc
        .date({
          min: new Date('1970-01-01'),
          max: new Date(Date.now() - 60_000),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      junk,
    );
    const bodies = wire(
      fc.oneof(
        fc.record({ fields: nearValidValue(completeForm), offersDeadline: badDeadline }),
        nearValidValue({
          fields: completeForm,
          offersDeadline: new Date(0).toISOString(),
          source: 'API',
        }),
      ),
    );
    await bombardProcedure('requests.create', 2_000, bodies, `Bearer ${token}`);
  });

  it('1C /offer, /status, /documents: no 5xx, no partial writes', async () => {
    const accepted = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    await api.prisma.paymentRequest.update({
      where: { id: accepted.id },
      data: { status: 'OFFER_ACCEPTED' },
    });
    const cancelled = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    await api.prisma.paymentRequest.update({
      where: { id: cancelled.id },
      data: { status: 'CANCELLED' },
    });
    const offer = {
      ...onecOffer(1),
      validUntil: '2030-06-30T23:59:59',
      comment: 'c',
    };
    // Offers are refused once one is accepted; a cancelled request takes no status; the documents' request does not exist.
    await bombard(
      '/offer',
      '1C REST',
      4_000,
      wire(nearValidValue(offer)),
      onecPost(`/onec/v1/requests/${accepted.id}/offer`),
    );
    await bombard(
      '/status',
      '1C REST',
      3_000,
      wire(
        nearValidValue({
          version: 1,
          status: 'IN_PROGRESS',
          paymentStatus: 'PAYMENT_RECEIVED',
          comment: 'c',
        }),
      ),
      onecPost(`/onec/v1/requests/${cancelled.id}/status`),
    );
    const document = {
      Ref_Key: randomUUID(),
      kind: 'INVOICE',
      fileName: 'a.pdf',
      mime: 'application/pdf',
      contentBase64: Buffer.from('%PDF-1.7\n').toString('base64'),
      number: '1',
      date: '2030-03-15T11:25:00',
    };
    await bombard(
      '/documents',
      '1C REST',
      3_000,
      wire(nearValidValue(document)),
      onecPost(`/onec/v1/requests/${randomUUID()}/documents`),
    );
  });

  it('bot.saveMessages: no 5xx, and rows only for the messages accepted', async () => {
    const message = {
      messageId: 1,
      authorTelegramId: people.client.id,
      authorName: 'Иван',
      text: 'привет',
      date: 1795168800,
      kind: 'text',
    };
    let next = 1_000;
    const bodies = wire(
      fc.oneof(
        fc.array(nearValidValue(message), { minLength: 1, maxLength: 3 }).map((messages) => ({
          chatId: CHAT,
          messages: messages.map((m) => {
            next += 1;
            return m &&
              typeof m === 'object' &&
              !Array.isArray(m) &&
              (m as { messageId?: unknown }).messageId === 1
              ? { ...m, messageId: next }
              : m;
          }),
        })),
        nearValidValue({ chatId: CHAT, messages: [message] }),
      ),
    );
    await bombardProcedure(
      'bot.saveMessages',
      4_000,
      bodies,
      `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
      sumOf('inserted'),
      messageEditsAndAuthors,
    );
  });

  it('uploads: random bytes with random declared types — no 5xx, an asset only per file stored', async () => {
    const magic = fc.constantFrom(
      '',
      '%PDF-1.7\n',
      '\x89PNG\r\n\x1a\n',
      '\xff\xd8\xff\xe0',
      'PK\x03\x04',
      'MZ\x90\x00',
      'GIF89a',
      '<?xml version="1.0"?>',
    );
    const types = fc.oneof(
      fc.constantFrom(
        'application/pdf',
        'image/png',
        'image/jpeg',
        'application/zip',
        'text/plain',
        'application/octet-stream',
        'application/x-msdownload',
        'image/svg+xml',
        'text/html',
        '',
      ),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    const uploads = fc.sample(fc.tuple(magic, fc.uint8Array({ maxLength: 512 }), types), {
      numRuns: runsFor(10_000),
      seed: 7,
    });
    await bombard(
      'bot assets',
      'uploads',
      10_000,
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
    const exportMessage = {
      id: 1,
      type: 'message',
      date: '2026-11-20T10:00:00',
      date_unixtime: '1795168800',
      from: 'Иван',
      from_id: `user${people.client.id}`,
      text: 'привет',
      text_entities: [],
    };
    const bodies = wire(
      fc.oneof(
        nearValidValue({
          name: 'Сделка',
          type: 'private_supergroup',
          id: 1987654321,
          messages: [exportMessage],
        }),
        fc.array(nearValidValue(exportMessage), { maxLength: 3 }).map((messages) => ({
          name: 'Сделка',
          type: 'private_supergroup',
          id: 1987654321,
          messages,
        })),
      ),
    );
    await bombard(
      'result.json',
      'chat exports',
      10_000,
      bodies,
      (body) =>
        fetch(`${api.url}/miniapp/v1/chat-export`, {
          method: 'POST',
          headers: {
            authorization: tma(signLaunch(people.linkedAgent, room.token)),
            'content-type': 'application/json',
          },
          body,
        }),
      sumOf('inserted'),
      messageEdits,
    );
  });
});
