import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

import {
  ErrorBody,
  OnecDocumentResult,
  OnecOfferResult,
  OnecRequestView,
  OnecStatusResult,
} from '@payreq/contracts';
import { signOnecBody } from '@payreq/onec';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { runIdempotent } from '../src/rest/onec/idempotency';
import { buildOnecOpenApiDocument, serializeOnecOpenApiDocument } from '../src/rest/onec/spec';
import { committedOpenApiPath } from '../src/rest/onec/write-openapi';
import { keyFor } from '../src/storage/file-store';
import type { World } from '@payreq/testing';
import { completeForm, createWorld, hours } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, skipDb, startTestApi } from '../testing/harness';
import type { OnecCall } from '../testing/onec';
import {
  ONEC_API_KEY,
  ONEC_HMAC_SECRET,
  callOnec,
  createInHouseDraft,
  onecFootprint,
  resetDatabase,
  seedIntegration,
} from '../testing/onec';

const DOCUMENT_MAX_BYTES = 64 * 1024;

// Version 1: the fields of these requests never change, so every post is on current data.
const offerBody = (refKey = randomUUID()) => ({
  Ref_Key: refKey,
  version: 1,
  rate: '12.8456',
  feePercent: '1.5',
  fixedFee: '50.00',
  totalToPay: '16250000.00',
  settlementDays: 3,
  validUntil: '2030-06-30T23:59:59',
  comment: 'Расчёт 1С',
});

/** 409 TRANSITION_NOT_ALLOWED: a step the request's state does not allow, said in these words. */
function expectNotAllowed(answer: OnecCall, message: string): void {
  expect(answer.status).toBe(409);
  expect(answer.json).toEqual({ error: { code: 'TRANSITION_NOT_ALLOWED', message } });
}

/** A small but real PDF header and some bytes, as base64. */
function fileOf(size: number, seed = 'x'): { bytes: Buffer; base64: string; sha256: string } {
  const bytes = Buffer.alloc(size, seed);
  bytes.write('%PDF-1.7\n', 0, 'latin1');
  return {
    bytes,
    base64: bytes.toString('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

const documentBody = (base64: string, extra: Record<string, unknown> = {}) => ({
  Ref_Key: randomUUID(),
  kind: 'INVOICE',
  fileName: 'Счёт на оплату СЧ-000001.pdf',
  mime: 'application/pdf',
  contentBase64: base64,
  number: 'СЧ-000001',
  date: '2030-03-15T11:25:00',
  ...extra,
});

describe.skipIf(skipDb)(`the REST shim for 1C (${dbKind})`, () => {
  let api: TestApi;
  let world: World;
  let requestId: string;
  const base = (id = requestId) => `/onec/v1/requests/${id}`;

  beforeAll(async () => {
    api = await startTestApi(undefined, { onec: { documentMaxBytes: DOCUMENT_MAX_BYTES } });
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    await resetDatabase(api.prisma);
    world = await createWorld(api.prisma);
    await seedIntegration(api.prisma);
    requestId = (await createInHouseDraft(api.prisma, world, 'COLLECTING_OFFERS')).id;
  });

  it('reads a request', async () => {
    const answer = await callOnec(api, 'GET', base());
    expect(answer.status).toBe(200);
    const view = OnecRequestView.parse(answer.json);
    expect(view).toMatchObject({
      id: requestId,
      status: 'COLLECTING_OFFERS',
      inHouse: true,
      onecRef: null,
      agent: { id: world.anna.id, name: 'Anna (bank)' },
      acceptedOfferId: null,
    });
    expect(view.fields.amount).toBe('1250000.00');
  });

  it('accepts an offer once: a repeat (same key, or Ref_Key alone) answers the same; another offer is refused', async () => {
    const body = offerBody();
    const key = randomUUID();
    const first = await callOnec(api, 'POST', `${base()}/offer`, { body, idempotencyKey: key });
    expect(first.status).toBe(201);
    const result = OnecOfferResult.parse(first.json);
    expect(result).toMatchObject({ requestId, status: 'OFFER_ACCEPTED', offerStatus: 'ACCEPTED' });
    const after = await onecFootprint(api.prisma);

    const again = await callOnec(api, 'POST', `${base()}/offer`, { body, idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Another key but the same 1C calculation: the offer already made.
    const sameRef = await callOnec(api, 'POST', `${base()}/offer`, {
      body,
      idempotencyKey: randomUUID(),
    });
    expect(sameRef.status).toBe(200);
    expect(sameRef.json).toEqual(first.json);
    // No key at all: the Ref_Key is the key.
    const byRef = await callOnec(api, 'POST', `${base()}/offer`, { body });
    expect(byRef.json).toEqual(first.json);
    expect(await onecFootprint(api.prisma)).toEqual({ ...after, keys: after.keys + 2 });

    const mismatch = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...body, totalToPay: '1.00' },
      idempotencyKey: key,
    });
    expect(mismatch.status).toBe(409);
    expect(ErrorBody.parse(mismatch.json).error.code).toBe('IDEMPOTENCY_MISMATCH');

    // The calculation edited in 1C and posted again under a new key: the accepted terms stand,
    // and 1C is told so rather than answered as if its new terms were taken.
    const unchanged = await onecFootprint(api.prisma);
    const edited = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...body, rate: '99', totalToPay: '12000000.00' },
      idempotencyKey: randomUUID(),
    });
    expect(edited.status).toBe(409);
    expect(ErrorBody.parse(edited.json).error).toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringContaining('already accepted with other terms'),
    });
    expect(await onecFootprint(api.prisma)).toEqual(unchanged);
    // The same terms written otherwise are the same terms.
    const rewritten = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...body, rate: '12.845600', fixedFee: 50 },
      idempotencyKey: randomUUID(),
    });
    expect(rewritten.status).toBe(200);
    expect(rewritten.json).toEqual(first.json);

    const before = await onecFootprint(api.prisma);
    const second = await callOnec(api, 'POST', `${base()}/offer`, {
      body: offerBody(),
      idempotencyKey: randomUUID(),
    });
    expectNotAllowed(second, 'Offers are taken only while the request is collecting offers');
    expect(await onecFootprint(api.prisma)).toEqual(before);

    const offers = await api.prisma.offer.findMany({ where: { requestId } });
    expect(offers).toEqual([
      expect.objectContaining({
        id: result.offerId,
        source: 'ONEC',
        status: 'ACCEPTED',
        agentId: world.anna.id,
        onecRef: body.Ref_Key,
      }),
    ]);
    expect(offers[0]!.validUntil?.toISOString()).toBe('2030-06-30T20:59:59.000Z');
  });

  it('applies concurrent duplicates once; the others answer the winner’s answer', async () => {
    const body = offerBody();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        callOnec(api, 'POST', `${base()}/offer`, { body, idempotencyKey: key }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => JSON.stringify(a.json))).size).toBe(1);
    expect(await api.prisma.offer.count()).toBe(1);
    expect(await api.prisma.idempotencyKey.count()).toBe(1);
    expect(
      await api.prisma.outboxMessage.count({ where: { kind: 'telegram.offerAccepted' } }),
    ).toBe(1);

    const file = fileOf(2048);
    const doc = documentBody(file.base64);
    const documents = await Promise.all(
      Array.from({ length: 4 }, () => callOnec(api, 'POST', `${base()}/documents`, { body: doc })),
    );
    expect(documents.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(await api.prisma.document.count()).toBe(1);
    expect(await api.prisma.outboxMessage.count({ where: { kind: 'telegram.document' } })).toBe(1);
  });

  it('lets the loser of a race on one idempotency key answer with the winner’s stored answer', async () => {
    // No request row to queue on: the primary key of IdempotencyKey decides.
    const ticket = {
      scope: `onec:test:race:${randomUUID()}`,
      key: randomUUID(),
      requestHash: 'a'.repeat(64),
    };
    let applied = 0;
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, n) =>
        runIdempotent(api.prisma, ticket, randomUUID(), async () => {
          applied += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { status: 201, body: { winner: n } };
        }),
      ),
    );
    const stored = await api.prisma.idempotencyKey.findUniqueOrThrow({
      where: { scope_key: { scope: ticket.scope, key: ticket.key } },
    });
    expect(answers.every((answer) => answer.status === 201)).toBe(true);
    expect(answers.map((answer) => answer.body)).toEqual(Array(4).fill(stored.response));
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
  });

  it('refuses a post on fields changed since with STALE_VERSION, and a post without a version', async () => {
    // The client edits a field: the fields are now at version 2.
    await api.prisma.paymentRequest.update({
      where: { id: requestId },
      data: { amount: '1300000.00', version: 2, fieldsVersion: 2 },
    });
    const before = await onecFootprint(api.prisma);
    const body = offerBody();
    const stale = await callOnec(api, 'POST', `${base()}/offer`, { body });
    expect(stale.status).toBe(409);
    expect(ErrorBody.parse(stale.json)).toEqual({
      error: {
        code: 'STALE_VERSION',
        message:
          'Computed on version 1 of the request, but its fields have changed since (now version 2): take the updates and compute again',
        currentVersion: 2,
      },
    });
    // 1C retries the same post: refused the same way, and the agent is told once.
    expect((await callOnec(api, 'POST', `${base()}/offer`, { body })).status).toBe(409);
    const notes = await api.prisma.requestHistory.findMany({
      where: { requestId, field: 'onecStaleRefused' },
    });
    expect(notes.map((note) => [note.actorKind, note.toValue])).toEqual([
      ['onec', { what: 'offer', key: `Ref_Key:${body.Ref_Key}` }],
    ]);
    // Nothing else is written: no offer, no key, the request as it was.
    expect(await onecFootprint(api.prisma)).toEqual({ ...before, history: before.history + 1 });

    const status = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, status: 'CANCELLED' },
      idempotencyKey: randomUUID(),
    });
    expect([status.status, ErrorBody.parse(status.json).error.code]).toEqual([
      409,
      'STALE_VERSION',
    ]);
    // Required, and never one the request has not had.
    const missing = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...offerBody(), version: undefined },
    });
    expect(missing.status).toBe(400);
    expect(ErrorBody.parse(missing.json).error.issues?.map((issue) => issue.path)).toEqual([
      'version',
    ]);
    const future = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...offerBody(), version: 9 },
    });
    expect([future.status, ErrorBody.parse(future.json).error.code]).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    // On the current version the terms are taken, and the answer names the version after them.
    const current = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...offerBody(), version: 2 },
    });
    expect(current.status).toBe(201);
    expect(OnecOfferResult.parse(current.json)).toMatchObject({
      status: 'OFFER_ACCEPTED',
      version: 3,
    });
  });

  it('sets statuses through the transition tables; refusals change nothing', async () => {
    await callOnec(api, 'POST', `${base()}/offer`, { body: offerBody() });

    const noKey = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, status: 'IN_PROGRESS' },
    });
    expect(noKey.status).toBe(400);
    expect(ErrorBody.parse(noKey.json).error.message).toMatch(/idempotency-key header is required/);

    const key = randomUUID();
    const body = {
      version: 1,
      status: 'IN_PROGRESS',
      paymentStatus: 'PAYMENT_SENT',
      comment: 'Проверено',
    };
    const done = await callOnec(api, 'POST', `${base()}/status`, { body, idempotencyKey: key });
    expect(done.status).toBe(200);
    expect(OnecStatusResult.parse(done.json)).toMatchObject({
      requestId,
      status: 'IN_PROGRESS',
      paymentStatus: 'PAYMENT_SENT',
    });
    const again = await callOnec(api, 'POST', `${base()}/status`, { body, idempotencyKey: key });
    expect(again.json).toEqual(done.json);
    const history = await api.prisma.requestHistory.findMany({
      where: { requestId, actorKind: 'onec' },
      orderBy: { id: 'asc' },
    });
    expect(history.map((h) => [h.field, h.toValue])).toEqual([
      ['offer', expect.any(String)],
      ['status', 'OFFER_ACCEPTED'],
      ['paymentStatus', 'PAYMENT_SENT'],
      ['status', 'IN_PROGRESS'],
    ]);
    expect(
      await api.prisma.outboxMessage.count({ where: { kind: 'telegram.statusChanged' } }),
    ).toBe(1);

    const before = await onecFootprint(api.prisma);
    const refused = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, status: 'COMPLETED' },
      idempotencyKey: randomUUID(),
    });
    expectNotAllowed(refused, 'A request can be completed only after the payout is done');
    // Asked for in Russian (the kit and the emulator do, to show the operator), in Russian.
    for (const acceptLanguage of ['ru', 'ru-RU,ru;q=0.9,en;q=0.8']) {
      const inRussian = await callOnec(api, 'POST', `${base()}/status`, {
        body: { version: 1, status: 'COMPLETED' },
        idempotencyKey: randomUUID(),
        acceptLanguage,
      });
      expectNotAllowed(inRussian, 'Заявку можно завершить только после выплаты');
    }
    const inEnglish = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, status: 'COMPLETED' },
      idempotencyKey: randomUUID(),
      acceptLanguage: 'en-US,ru;q=0.5',
    });
    expectNotAllowed(inEnglish, 'A request can be completed only after the payout is done');
    // Both in one call: the payment step is rolled back with the refused status.
    const half = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, paymentStatus: 'PAYMENT_RECEIVED', status: 'COMPLETED' },
      idempotencyKey: randomUUID(),
    });
    expect(half.status).toBe(409);
    expect(await onecFootprint(api.prisma)).toEqual(before);
  });

  it('stores a document once, with its bytes, and fulfils the document request it answers', async () => {
    await api.prisma.paymentRequest.update({
      where: { id: requestId },
      data: { status: 'IN_PROGRESS' },
    });
    const documentRequest = await api.prisma.documentRequest.create({
      data: { requestId, kind: 'INVOICE', requestedBy: 'Anna (bank)', state: 'SENT' },
    });
    const file = fileOf(10_000);
    // 1C's Base64Строка() breaks lines every 76 characters.
    const wrapped = file.base64.replace(/(.{76})/g, '$1\r\n');
    const body = documentBody(wrapped, { documentRequestId: documentRequest.id });
    const first = await callOnec(api, 'POST', `${base()}/documents`, {
      body,
      idempotencyKey: randomUUID(),
    });
    expect(first.status).toBe(201);
    const result = OnecDocumentResult.parse(first.json);
    expect(result).toMatchObject({
      requestId,
      sha256: file.sha256,
      size: file.bytes.length,
      documentRequest: 'FULFILLED',
    });
    expect(await api.files.get(keyFor(file.sha256))).toEqual(file.bytes);
    expect(
      await api.prisma.document.findUniqueOrThrow({ where: { id: result.documentId } }),
    ).toMatchObject({
      source: 'ONEC',
      onecId: body.Ref_Key,
      kind: 'INVOICE',
      fileName: 'Счёт на оплату СЧ-000001.pdf',
      mime: 'application/pdf',
      size: 10_000,
      sha256: file.sha256,
    });
    expect(
      await api.prisma.documentRequest.findUniqueOrThrow({ where: { id: documentRequest.id } }),
    ).toMatchObject({
      state: 'FULFILLED',
      documentId: result.documentId,
    });
    const chat = await api.prisma.outboxMessage.findFirstOrThrow({
      where: { kind: 'telegram.document' },
    });
    expect(chat.payload).toMatchObject({ requestId, documentId: result.documentId });

    const after = await onecFootprint(api.prisma);
    const again = await callOnec(api, 'POST', `${base()}/documents`, { body });
    expect(again.json).toEqual(first.json);
    expect(again.status).toBe(200);
    // The same bytes under another 1C document: one asset, two documents.
    const copy = await callOnec(api, 'POST', `${base()}/documents`, {
      body: documentBody(file.base64, { kind: 'ACT' }),
    });
    expect(copy.status).toBe(201);
    expect(OnecDocumentResult.parse(copy.json).documentRequest).toBeNull();
    expect(await api.prisma.asset.count()).toBe(1);
    expect(await api.prisma.document.count()).toBe(2);
    expect((await onecFootprint(api.prisma)).assets).toBe(after.assets);

    // A document request fulfilled before keeps its document, and 1C is told; one the request
    // does not have is said to be unknown. The documents are kept all the same.
    const second = await callOnec(api, 'POST', `${base()}/documents`, {
      body: documentBody(fileOf(2_000).base64, { documentRequestId: documentRequest.id }),
    });
    expect(second.status).toBe(201);
    expect(OnecDocumentResult.parse(second.json).documentRequest).toBe('FULFILLED_BY_ANOTHER');
    expect(
      await api.prisma.documentRequest.findUniqueOrThrow({ where: { id: documentRequest.id } }),
    ).toMatchObject({ state: 'FULFILLED', documentId: result.documentId });
    const unknown = await callOnec(api, 'POST', `${base()}/documents`, {
      body: documentBody(fileOf(3_000).base64, { documentRequestId: randomUUID() }),
    });
    expect(unknown.status).toBe(201);
    expect(OnecDocumentResult.parse(unknown.json).documentRequest).toBe('UNKNOWN');
    expect(await api.prisma.document.count()).toBe(4);
  });

  it('takes what 1C writes for empty values: "" for zero fees, the empty date, "" texts, the nil GUID', async () => {
    // Формат(0, "ЧДЦ=2") is "", an empty Дата is 0001-01-01T00:00:00, an empty string attribute is "".
    const refused = await callOnec(api, 'POST', `${base()}/offer`, {
      body: { ...offerBody(), rate: '' },
    });
    expect(refused.status).toBe(400);
    // A rate of zero makes no sense: "" stays refused there, and says why.
    expect(
      new Set(ErrorBody.parse(refused.json).error.issues?.map((i) => JSON.stringify(i))),
    ).toEqual(
      new Set([
        JSON.stringify({
          path: 'rate',
          message: 'Rate: a positive number with at most 6 decimals',
        }),
      ]),
    );

    const body = {
      ...offerBody(),
      feePercent: 0,
      fixedFee: '',
      validUntil: '0001-01-01T00:00:00',
      comment: '',
    };
    const offer = await callOnec(api, 'POST', `${base()}/offer`, { body });
    expect(offer.status, JSON.stringify(offer.json)).toBe(201);
    const stored = await api.prisma.offer.findUniqueOrThrow({
      where: { id: OnecOfferResult.parse(offer.json).offerId },
    });
    expect({
      feePercent: stored.feePercent.toString(),
      fixedFee: stored.fixedFee.toString(),
      validUntil: stored.validUntil,
      comment: stored.comment,
    }).toEqual({ feePercent: '0', fixedFee: '0', validUntil: null, comment: null });

    const status = await callOnec(api, 'POST', `${base()}/status`, {
      body: { version: 1, status: 'IN_PROGRESS', paymentStatus: '', comment: '' },
      idempotencyKey: randomUUID(),
    });
    expect(status.status, JSON.stringify(status.json)).toBe(200);
    expect(OnecStatusResult.parse(status.json)).toMatchObject({
      status: 'IN_PROGRESS',
      paymentStatus: 'NOT_PAID',
    });

    const file = fileOf(300);
    const document = await callOnec(api, 'POST', `${base()}/documents`, {
      body: documentBody(file.base64.replace(/(.{76})/g, '$1\r\n'), {
        documentRequestId: '00000000-0000-0000-0000-000000000000',
        number: '',
        date: '0001-01-01T00:00:00',
      }),
    });
    expect(document.status, JSON.stringify(document.json)).toBe(201);
    const history = await api.prisma.requestHistory.findFirstOrThrow({
      where: { requestId, field: 'document' },
    });
    // Neither a number nor a date was recorded: 1C sent none.
    expect(Object.keys(history.toValue as object).sort()).toEqual(['fileName', 'id', 'kind']);
    expect(OnecDocumentResult.parse(document.json).sha256).toBe(file.sha256);
  });

  it('refuses wrong keys, bad signatures, unknown requests, malformed bodies and oversized files, writing nothing', async () => {
    const before = await onecFootprint(api.prisma);
    const body = offerBody();
    const expectError = async (
      call: Promise<{ status: number; json: Record<string, unknown> }>,
      status: number,
      code: string,
      message?: RegExp,
    ) => {
      const answer = await call;
      expect(answer.status, JSON.stringify(answer.json)).toBe(status);
      const error = ErrorBody.parse(answer.json).error;
      expect(error.code).toBe(code);
      if (message) expect(error.message).toMatch(message);
      return error;
    };

    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body, apiKey: null }),
      401,
      'UNAUTHENTICATED',
      /Missing x-api-key/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body, apiKey: 'not-the-key-000000000000' }),
      401,
      'UNAUTHENTICATED',
      /Unknown or inactive API key/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body, secret: null }),
      401,
      'UNAUTHENTICATED',
      /Missing x-signature/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body, secret: 'another-secret-0123456789' }),
      401,
      'UNAUTHENTICATED',
      /Wrong x-signature/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body, signature: 'zz' }),
      401,
      'UNAUTHENTICATED',
    );
    // Signed for other bytes (e.g. re-serialised): refused.
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, {
        rawBody: JSON.stringify(body, null, 1),
        signature: signOnecBody(JSON.stringify(body), ONEC_HMAC_SECRET),
      }),
      401,
      'UNAUTHENTICATED',
    );
    await api.prisma.integration.updateMany({ data: { active: false } });
    await expectError(callOnec(api, 'GET', base()), 401, 'UNAUTHENTICATED');
    await api.prisma.integration.updateMany({ data: { active: true } });

    await expectError(
      callOnec(api, 'POST', `${base(randomUUID())}/offer`, { body }),
      404,
      'NOT_FOUND',
      /request was not found/,
    );
    await expectError(callOnec(api, 'GET', base('not-a-uuid')), 400, 'VALIDATION_FAILED');
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { rawBody: '{"Ref_Key": ' }),
      400,
      'VALIDATION_FAILED',
      /not valid JSON/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { rawBody: '', contentType: 'application/json' }),
      400,
      'VALIDATION_FAILED',
      /empty/,
    );
    const invalid = await expectError(
      callOnec(api, 'POST', `${base()}/offer`, { body: { ...body, rate: '-1', extra: true } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(invalid.issues?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['rate', '']),
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/status`, { body: {}, idempotencyKey: randomUUID() }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/nothing`, { body: {} }),
      404,
      'NOT_FOUND',
      /No such route/,
    );
    // A GET to a wrong path answers the same shape (not the web server's own 404).
    for (const wrong of [`${base()}/`, `${base()}/offers`])
      await expectError(callOnec(api, 'GET', wrong), 404, 'NOT_FOUND', /No such route/);

    // Oversized: over the decoded limit, and over the body limit itself.
    const big = fileOf(DOCUMENT_MAX_BYTES + 1, 'b');
    await expectError(
      callOnec(api, 'POST', `${base()}/documents`, { body: documentBody(big.base64) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(await api.files.has(keyFor(big.sha256))).toBe(false);
    const huge = fileOf(DOCUMENT_MAX_BYTES * 4, 'h');
    // Refused before it is read whole, and said with the same limit.
    await expectError(
      callOnec(api, 'POST', `${base()}/documents`, { body: documentBody(huge.base64) }),
      413,
      'PAYLOAD_TOO_LARGE',
      new RegExp(`^The file is larger than the allowed ${DOCUMENT_MAX_BYTES} bytes$`),
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/offer`, {
        body: { ...offerBody(), comment: 'x'.repeat(300_000) },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
      /^The body is larger than the allowed 262144 bytes$/,
    );
    await expectError(
      callOnec(api, 'POST', `${base()}/documents`, { body: documentBody('not base64!') }),
      400,
      'VALIDATION_FAILED',
      /base64/,
    );

    // A request that is not the bank's in-house one: 1C may not touch it.
    const standard = await api.prisma.paymentRequest.create({
      data: {
        ...completeForm,
        direction: 'OUTGOING',
        tenantId: world.clientTenant.id,
        clientUserId: world.client.id,
        source: 'PLATFORM_UI',
        status: 'COLLECTING_OFFERS',
        offersDeadline: new Date(Date.now() + hours(24)),
      },
    });
    const afterStandard = await onecFootprint(api.prisma);
    await expectError(callOnec(api, 'GET', base(standard.id)), 403, 'FORBIDDEN');
    await expectError(
      callOnec(api, 'POST', `${base(standard.id)}/offer`, { body }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      callOnec(api, 'POST', `${base(standard.id)}/documents`, {
        body: documentBody(fileOf(100).base64),
      }),
      403,
      'FORBIDDEN',
    );

    expect(await onecFootprint(api.prisma)).toEqual(afterStandard);
    expect({
      ...afterStandard,
      requests: afterStandard.requests - 1,
      versions: afterStandard.versions.filter((v) => v.id !== standard.id),
    }).toEqual(before);
  });

  it('takes unsigned calls when the integration has no secret', async () => {
    await seedIntegration(api.prisma, null);
    const answer = await callOnec(api, 'GET', base(), { secret: null, apiKey: ONEC_API_KEY });
    expect(answer.status).toBe(200);
  });

  it('publishes the OpenAPI document (equal to the committed copy) and a readable page', async () => {
    // Compared as data: the committed file may be formatted by prettier.
    const generated: unknown = JSON.parse(serializeOnecOpenApiDocument());
    const committed: unknown = JSON.parse(readFileSync(committedOpenApiPath, 'utf8'));
    expect(
      isDeepStrictEqual(committed, generated),
      'apps/api/docs/onec-openapi.json is out of date: run `pnpm --filter @payreq/api openapi:write` ' +
        '(the script runs `tsx src/rest/onec/write-openapi.ts`) and commit the file',
    ).toBe(true);

    const served = await fetch(`${api.url}/onec/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(buildOnecOpenApiDocument());

    // The reference page: Swagger UI on that document (drawn in Chromium by onec-docs-page.test.ts).
    const page = await fetch(`${api.url}/onec/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('docs/assets/swagger-ui-bundle.js');
    // Nothing is loaded from elsewhere.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
