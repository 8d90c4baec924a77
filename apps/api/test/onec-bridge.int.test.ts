import { createHash } from 'node:crypto';

import type { Actor } from '@payreq/domain';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Emulator } from '@payreq/onec-emulator';
import type { OutboxWorker } from '../src/outbox';
import { outboxSignal } from '../src/outbox/signal';
import { requestDocumentGeneration } from '../src/services/documents';
import type { World } from '@payreq/testing';
import { createWorld, operatorOffer } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, failureOf, skipDb, startTestApi } from '../testing/harness';
import {
  createInHouseDraft,
  resetDatabase,
  seedIntegration,
  startEmulator,
  startOnecWorker,
  until,
} from '../testing/onec';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(skipDb)(`the 1C bridge against the emulator (${dbKind})`, () => {
  let api: TestApi;
  let emulator: Emulator;
  let world: World;
  let workers: OutboxWorker[] = [];
  let asAnna: ReturnType<TestApi['client']>;
  let received: Map<string, number>;

  beforeAll(async () => {
    api = await startTestApi();
    emulator = await startEmulator(api);
  });
  afterAll(async () => {
    await emulator?.stop();
    await api?.close();
  });
  beforeEach(async () => {
    await resetDatabase(api.prisma);
    emulator.reset();
    world = await createWorld(api.prisma);
    await seedIntegration(api.prisma);
    asAnna = api.client(api.tokenFor({ kind: 'agent', id: world.anna.id }));
    // Every "create the request" call 1C receives, by our request id.
    received = new Map();
    const receive = emulator.operator.receiveRequest.bind(emulator.operator);
    vi.spyOn(emulator.operator, 'receiveRequest').mockImplementation((body) => {
      received.set(body.platformId, (received.get(body.platformId) ?? 0) + 1);
      return receive(body);
    });
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    emulator.setFault({ mode: 'off' });
    await emulator.operator.idle();
    vi.restoreAllMocks();
  });

  const worker = (options?: Parameters<typeof startOnecWorker>[2]) => {
    const started = startOnecWorker(api, emulator, options);
    workers.push(started);
    return started;
  };

  /** Anna, the bank's agent, as the services see her when she acts in the Mini App. */
  const annaActor = (): Actor => ({
    kind: 'agent',
    agentId: world.anna.id,
    userId: null,
    telegramId: Number(world.anna.telegramId),
    name: 'Anna (bank)',
    tenantId: world.bank.id,
    tenantIsMaster: true,
  });

  async function submitted() {
    const draft = await createInHouseDraft(api.prisma, world);
    const view = await asAnna.requests.submit.mutate({
      requestId: draft.id,
      version: draft.version,
    });
    expect(view).toMatchObject({ status: 'COLLECTING_OFFERS', inHouse: true, onecUrl: null });
    return view;
  }

  const onecRefOf = (requestId: string) =>
    until(
      async () =>
        (await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: requestId } })).onecRef,
      `request ${requestId} to be created in 1C`,
    );

  it('a submit over HTTP wakes the process’s 1C workers once it has committed; a read does not', async () => {
    const woken: number[] = [];
    const unsubscribe = outboxSignal.onWritten('ONEC', () => woken.push(Date.now()));
    try {
      const view = await submitted();
      expect(woken).toHaveLength(1);
      // The wake came after the commit: the message it announces is there to be claimed.
      expect(
        await api.prisma.outboxMessage.count({
          where: { kind: 'onec.createRequest', aggregateKey: `request:${view.id}` },
        }),
      ).toBe(1);
      await asAnna.requests.get.query({ requestId: view.id });
      expect(woken).toHaveLength(1);
    } finally {
      unsubscribe();
    }
  });

  it('runs the loop: submit → 1C → offer accepted → in progress → documents to the chat', async () => {
    worker();
    const view = await submitted();
    const requestId = view.id;

    // The worker creates the request in 1C and stores 1C's reference and link.
    const onecRef = await onecRefOf(requestId);
    const inOnec = emulator.store.requests.filter((r) => r.platformId === requestId);
    expect(inOnec).toHaveLength(1);
    expect(inOnec[0]).toMatchObject({ ref: onecRef, platformNumber: view.number });
    expect(inOnec[0]!.fields.beneficiarySwift).toBe('BKCHCNBJ45A');
    expect(inOnec[0]!.agent).toEqual({
      name: 'Anna (bank)',
      telegramId: Number(world.anna.telegramId),
    });
    const linked = await asAnna.requests.get.query({ requestId });
    expect(linked.onecRef).toBe(onecRef);
    expect(linked.onecUrl).toMatch(
      /^https:\/\/1c\.bank\.example\/bank\/#e1cib\/data\/Document\..+\?ref=[0-9a-f]{32}$/,
    );
    // The history says the request went to 1C, by 1C (never its reference, a code people cannot read).
    expect(
      linked.history.some(
        (entry) => entry.change.type === 'sentToOnec' && entry.actor.kind === 'onec',
      ),
    ).toBe(true);

    // The operator computes the offer in 1C: it becomes Anna's offer and is accepted at once.
    const { offer, delivery } = await emulator.operator.sendOffer(requestId, operatorOffer);
    expect(delivery).toMatchObject({ state: 'DELIVERED', lastStatus: 201 });
    const accepted = await asAnna.requests.get.query({ requestId });
    expect(accepted).toMatchObject({ status: 'OFFER_ACCEPTED', readOnly: true });
    expect(accepted.offers).toHaveLength(1);
    expect(accepted.acceptedOffer).toMatchObject({
      source: 'ONEC',
      agentId: world.anna.id,
      rate: '12.85',
      feePercent: '1.5',
      fixedFee: '50.00',
      status: 'ACCEPTED',
      // 18:00 in Moscow (UTC+3), no zone in 1C's date.
      validUntil: '2030-12-31T15:00:00.000Z',
    });
    expect((delivery.response as { offerId: string }).offerId).toBe(accepted.acceptedOffer!.id);
    expect(
      (await api.prisma.offer.findUniqueOrThrow({ where: { id: accepted.acceptedOffer!.id } }))
        .onecRef,
    ).toBe(offer.ref);
    expect(
      await failureOf(
        asAnna.requests.update.mutate({
          requestId,
          version: accepted.version,
          fields: { comment: 'late' },
        }),
      ),
    ).toMatchObject({ httpStatus: 409, appCode: 'READ_ONLY' });
    expect(
      await api.prisma.outboxMessage.count({
        where: { kind: 'telegram.offerAccepted', aggregateKey: `chat:${view.telegramChatId}` },
      }),
    ).toBe(1);

    // The operator confirms the data: in progress; then a payment step.
    expect((await emulator.operator.setStatus(requestId, 'IN_PROGRESS')).delivery).toMatchObject({
      state: 'DELIVERED',
      lastStatus: 200,
    });
    expect(
      (await emulator.operator.setPaymentStatus(requestId, 'PAYMENT_SENT')).delivery.state,
    ).toBe('DELIVERED');
    expect(await asAnna.requests.get.query({ requestId })).toMatchObject({
      status: 'IN_PROGRESS',
      paymentStatus: 'PAYMENT_SENT',
    });

    // 1C generates an invoice: stored byte for byte, and queued for the deal-room chat.
    const sent = await emulator.operator.generateDocument(requestId, 'INVOICE');
    expect(sent.delivery).toMatchObject({ state: 'DELIVERED', lastStatus: 201 });
    const stored = await api.prisma.document.findUniqueOrThrow({
      where: { onecId: sent.document.ref },
      include: { asset: true },
    });
    expect(stored).toMatchObject({
      requestId,
      kind: 'INVOICE',
      source: 'ONEC',
      mime: 'application/pdf',
      fileName: sent.document.fileName,
      sha256: sent.document.sha256,
      size: sent.document.size,
    });
    const bytes = await api.files.get(stored.asset.storageKey);
    expect(sha256(bytes)).toBe(sent.document.sha256);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const chatMessage = await api.prisma.outboxMessage.findFirstOrThrow({
      where: { kind: 'telegram.document', target: 'TELEGRAM' },
    });
    expect(chatMessage).toMatchObject({
      aggregateKey: `chat:${view.telegramChatId}`,
      state: 'PENDING',
    });
    expect(chatMessage.payload).toEqual({
      requestId,
      chatId: view.telegramChatId,
      documentId: stored.id,
    });

    // Anna asks 1C for an act from the Mini App: queued → sent to 1C → 1C posts it → fulfilled.
    const anna = annaActor();
    const queue = await requestDocumentGeneration(
      { db: api.prisma, actor: anna, now: () => new Date() },
      { requestId, kind: 'ACT' },
    );
    expect(queue).toEqual([
      expect.objectContaining({ kind: 'ACT', state: 'QUEUED', requestedBy: 'Anna (bank)' }),
    ]);
    const fulfilled = await until(async () => {
      const row = await api.prisma.documentRequest.findUniqueOrThrow({
        where: { id: queue[0]!.id },
      });
      return row.state === 'FULFILLED' ? row : null;
    }, 'the act to come back from 1C');
    const act = await api.prisma.document.findUniqueOrThrow({
      where: { id: fulfilled.documentId! },
    });
    expect(act).toMatchObject({ kind: 'ACT', source: 'ONEC', requestId });
    const job = emulator.store.jobs.find((j) => j.documentRequestId === queue[0]!.id);
    expect(job).toMatchObject({ kind: 'ACT', requestRef: onecRef });
    const final = await asAnna.requests.get.query({ requestId });
    expect(final.documents.map((d) => d.kind)).toEqual(['INVOICE', 'ACT']);
    expect(final.documentRequests).toEqual([
      expect.objectContaining({ state: 'FULFILLED', documentId: act.id }),
    ]);
    expect(await api.prisma.outboxMessage.count({ where: { kind: 'telegram.document' } })).toBe(2);
  });

  it('loses nothing while 1C is down, and creates the request exactly once when it is back', async () => {
    emulator.setFault({ mode: 'down' });
    worker();
    const { id: requestId } = await submitted();
    const waiting = await until(async () => {
      const row = await api.prisma.outboxMessage.findFirstOrThrow({
        where: { kind: 'onec.createRequest' },
      });
      return row.attempts >= 3 ? row : null;
    }, 'a few failed attempts');
    expect(waiting.state).toBe('PENDING');
    expect(waiting.lastError).toMatch(/Cannot reach 1C/);
    expect(waiting).toMatchObject({ failureReason: 'unreachable', failureStatus: null });
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(waiting.createdAt.getTime());
    expect(
      (await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: requestId } })).onecRef,
    ).toBeNull();
    expect(received.size).toBe(0);

    emulator.setFault({ mode: 'off' });
    const onecRef = await onecRefOf(requestId);
    expect(
      emulator.store.requests.filter((r) => r.platformId === requestId).map((r) => r.ref),
    ).toEqual([onecRef]);
    expect(received.get(requestId)).toBe(1);
    // The delivery stores 1C's reference first, then the worker marks the message delivered.
    const delivered = await until(async () => {
      const row = await api.prisma.outboxMessage.findFirstOrThrow({
        where: { kind: 'onec.createRequest' },
      });
      return row.state === 'PENDING' ? null : row;
    }, 'the message to be marked delivered');
    expect(delivered).toMatchObject({ state: 'DELIVERED', lastError: null, failureReason: null });
    expect(
      emulator.store.requests.filter((r) => r.platformId === requestId).map((r) => r.ref),
    ).toEqual([onecRef]);
  });

  it('never creates two requests in 1C when an answer is lost (timeout, then the idempotent retry)', async () => {
    // 1C processes the call but answers after our timeout; the retry finds the same document.
    emulator.setFault({ mode: 'slow', delayMs: 1_200, count: 1 });
    worker({ timeoutMs: 400 });
    const { id: requestId } = await submitted();
    const onecRef = await onecRefOf(requestId);
    expect(received.get(requestId)).toBe(2);
    expect(
      emulator.store.requests.filter((r) => r.platformId === requestId).map((r) => r.ref),
    ).toEqual([onecRef]);
  });

  it('two workers racing on one database deliver each message exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const draft = await createInHouseDraft(api.prisma, world);
      await asAnna.requests.submit.mutate({ requestId: draft.id, version: draft.version });
      ids.push(draft.id);
    }
    worker({ workerId: 'instance-a' });
    worker({ workerId: 'instance-b' });
    for (const id of ids) await onecRefOf(id);
    await until(
      async () =>
        (await api.prisma.outboxMessage.count({
          where: { target: 'ONEC', state: 'DELIVERED' },
        })) === 6,
      'all deliveries recorded',
    );
    expect([...received.entries()].sort()).toEqual(ids.map((id) => [id, 1] as const).sort());
    expect(emulator.store.requests).toHaveLength(6);
    const rows = await api.prisma.outboxMessage.findMany({ where: { target: 'ONEC' } });
    expect(rows.every((row) => row.attempts === 1 && row.state === 'DELIVERED')).toBe(true);
  });

  it('parks a message that keeps failing as DEAD, lists it for the bank’s agents, and requeues it', async () => {
    emulator.setFault({ mode: 'error500', count: 1_000, body: 'text' });
    worker({ maxAttempts: 3 });
    const { id: requestId } = await submitted();
    const dead = await until(
      async () =>
        api.prisma.outboxMessage.findFirst({
          where: { kind: 'onec.createRequest', state: 'DEAD' },
        }),
      'the message to die',
    );
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toMatch(/1C answered POST .* with 500/);
    expect(dead).toMatchObject({ failureReason: 'unavailable', failureStatus: 500 });

    const list = await asAnna.outbox.dead.query({ target: 'ONEC' });
    expect(list.items).toEqual([
      expect.objectContaining({
        id: dead.id.toString(),
        kind: 'onec.createRequest',
        aggregateKey: `request:${requestId}`,
        payload: { requestId },
        state: 'DEAD',
        attempts: 3,
        failureReason: 'unavailable',
        failureStatus: 500,
      }),
    ]);
    const asZoe = api.client(api.tokenFor({ kind: 'agent', id: world.zoe.id }));
    expect(await failureOf(asZoe.outbox.dead.query({}))).toMatchObject({
      httpStatus: 403,
      appCode: 'FORBIDDEN',
    });
    const asClient = api.client(api.tokenFor({ kind: 'user', id: world.client.id }));
    expect(
      await failureOf(asClient.outbox.requeue.mutate({ id: dead.id.toString() })),
    ).toMatchObject({
      httpStatus: 403,
    });

    emulator.setFault({ mode: 'off' });
    const requeued = await asAnna.outbox.requeue.mutate({ id: dead.id.toString() });
    expect(requeued).toMatchObject({ state: 'PENDING', attempts: 0 });
    await onecRefOf(requestId);
    expect((await asAnna.outbox.dead.query({})).items).toEqual([]);
    expect(await failureOf(asAnna.outbox.requeue.mutate({ id: dead.id.toString() }))).toMatchObject(
      {
        httpStatus: 404,
        appCode: 'NOT_FOUND',
      },
    );
  });

  it('says from the first failure that sending to 1C is delayed, and requeues a given-up request from its page', async () => {
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { isAdmin: true } });
    emulator.setFault({ mode: 'error500', count: 1_000, body: 'text' });
    worker({ maxAttempts: 3, retry: { baseDelayMs: 300, maxDelayMs: 300 } });
    const { id: requestId } = await submitted();

    // Failing and tried again: the administrators see it before the attempts run out.
    const delayed = await until(async () => {
      const list = await asAnna.admin.delayedMessages.query();
      return list.length > 0 ? list : null;
    }, 'a delayed message');
    expect(delayed).toEqual([
      expect.objectContaining({
        target: 'ONEC',
        kind: 'onec.createRequest',
        about: expect.stringMatching(/^№ \d{6}$/),
        request: { id: requestId, pipeline: 'TELEGRAM' },
        failure: expect.objectContaining({ reason: 'unavailable', status: 500 }),
        nextAttemptAt: expect.any(String),
      }),
    ]);
    expect(delayed[0]!.attempts).toBeGreaterThanOrEqual(1);
    const whileDelayed = (await asAnna.portal.request.query({ requestId })).onecSync;
    expect(whileDelayed).toMatchObject({ pending: 1, dead: 0, failure: null });
    expect(whileDelayed.delayed?.failure).toMatchObject({ reason: 'unavailable', status: 500 });

    // Given up: no longer delayed, dead on the request's page.
    await until(
      async () =>
        api.prisma.outboxMessage.findFirst({
          where: { kind: 'onec.createRequest', state: 'DEAD' },
        }),
      'the message to die',
    );
    expect(await asAnna.admin.delayedMessages.query()).toEqual([]);
    expect((await asAnna.portal.request.query({ requestId })).onecSync).toMatchObject({
      pending: 0,
      dead: 1,
      failure: { reason: 'unavailable', status: 500 },
      delayed: null,
    });

    // Sending again is the administrators'.
    const asBoris = api.client(api.tokenFor({ kind: 'agent', id: world.boris.id }));
    expect(await failureOf(asBoris.admin.requeueRequest.mutate({ requestId }))).toMatchObject({
      httpStatus: 403,
    });
    emulator.setFault({ mode: 'off' });
    expect(await asAnna.admin.requeueRequest.mutate({ requestId })).toEqual({ requeued: 1 });
    await onecRefOf(requestId);
    expect((await asAnna.portal.request.query({ requestId })).onecSync).toEqual({
      pending: 0,
      dead: 0,
      failure: null,
      delayed: null,
    });
    expect(await failureOf(asAnna.admin.requeueRequest.mutate({ requestId }))).toMatchObject({
      httpStatus: 404,
      appCode: 'NOT_FOUND',
    });
  });

  it('parks a call 1C refuses (4xx) at once and marks the document request FAILED', async () => {
    worker();
    const { id: requestId } = await submitted();
    await onecRefOf(requestId);
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    // A worker with the wrong 1C password: 401 is not retryable.
    worker({ password: 'wrong' });
    const anna = annaActor();
    const [queued] = await requestDocumentGeneration(
      { db: api.prisma, actor: anna, now: () => new Date() },
      { requestId, kind: 'INVOICE' },
    );
    const failed = await until(async () => {
      const row = await api.prisma.documentRequest.findUniqueOrThrow({ where: { id: queued!.id } });
      return row.state === 'FAILED' ? row : null;
    }, 'the document request to fail');
    expect(failed.error).toMatch(/401 UNAUTHENTICATED/);
    // The handler marks the document request before the worker records the outcome of the
    // attempt, so the DEAD row follows a moment later.
    const parked = await until(async () => {
      const row = await api.prisma.outboxMessage.findFirstOrThrow({
        where: { kind: 'onec.requestDocument' },
      });
      return row.state === 'PENDING' ? null : row;
    }, 'the outbox message to be parked');
    expect(parked).toMatchObject({
      state: 'DEAD',
      attempts: 1,
      failureReason: 'refused',
      failureStatus: 401,
    });
    expect(failed.error).not.toMatch(/wrong/);
  });
});
