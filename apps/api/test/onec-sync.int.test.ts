import { OnecOutboxMessage, TelegramOutboxMessage } from '@payreq/contracts';
import type { HistoryEntry } from '@payreq/contracts';
import { announcementText, createFormatter, historyText } from '@payreq/i18n';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Emulator } from '@payreq/onec-emulator';
import { completeForm } from '@payreq/testing';
import type { OutboxWorker } from '../src/outbox';
import { claimTelegramDeliveries, completeTelegramDelivery } from '../src/services/telegram-outbox';
import type { World } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, skipDb } from '../testing/harness';
import { portalClient, portalSignIn, websiteLogin } from '../testing/portal';
import {
  createInHouseDraft,
  seedIntegration,
  startEmulator,
  startOnecWorker,
  testLogger,
  until,
} from '../testing/onec';
import {
  attachFile,
  botClient,
  miniAppClient,
  registerDealRoom,
  saveChatFile,
  signLaunch,
  tma,
} from '../testing/telegram';
import { useTestApiWithWorld } from '../testing/suite';

const ru = createFormatter('ru');
const terms = { rate: '12.85', feePercent: '1.5', fixedFee: '50.00', settlementDays: 3 };

/**
 * After the submit 1C keeps a copy of the request: every change made on the platform reaches it
 * through the outbox, once and in order, and 1C's posts computed on fields changed since are
 * refused. Real api, real database, the emulator as 1C over HTTP.
 */
describe.skipIf(skipDb)(`1C hears of every change after the submit (${dbKind})`, () => {
  const suite = useTestApiWithWorld();
  let api: TestApi;
  let emulator: Emulator;
  let world: World;
  let workers: OutboxWorker[] = [];

  beforeAll(async () => {
    api = suite.api;
    emulator = await startEmulator(api);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    world = suite.world;
    emulator.reset();
    await seedIntegration(api.prisma);
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    emulator.setFault({ mode: 'off' });
    await emulator.operator.idle();
  });

  /** An in-house deal-room request with Ivan (the client) in its chat, submitted by Anna. */
  async function submittedRequest() {
    const draft = await createInHouseDraft(api.prisma, world);
    await api.prisma.chatMember.create({
      data: {
        chatId: draft.telegramChatId!,
        telegramUserId: world.client.telegramId!,
        name: 'Ivan Petrov',
      },
    });
    const asAnna = api.client(api.tokenFor({ kind: 'agent', id: world.anna.id }));
    const asIvan = api.client(api.tokenFor({ kind: 'user', id: world.client.id }));
    const submitted = await asAnna.requests.submit.mutate({
      requestId: draft.id,
      version: draft.version,
    });
    return { requestId: draft.id, submitted, asAnna, asIvan };
  }

  const onecMessages = async (requestId: string) =>
    api.prisma.outboxMessage.findMany({
      where: { target: 'ONEC', aggregateKey: `request:${requestId}` },
      orderBy: { id: 'asc' },
    });

  const allDelivered = (requestId: string) =>
    until(async () => {
      const rows = await onecMessages(requestId);
      return rows.every((row) => row.state === 'DELIVERED') && rows;
    }, `every 1C message of ${requestId} to be delivered`);

  /** What the bot would post in the group for each TELEGRAM message of the request, in order. */
  async function groupTexts(): Promise<string[]> {
    const texts: string[] = [];
    for (;;) {
      const claimed = await claimTelegramDeliveries(api.prisma, {
        workerId: 'test-bot',
        limit: 10,
        leaseMs: 30_000,
        now: new Date(),
        logger: testLogger,
      });
      if (claimed.length === 0) return texts;
      for (const item of claimed) {
        const message = TelegramOutboxMessage.parse(item.message);
        if (message.kind !== 'telegram.document' && item.card)
          texts.push(announcementText(message, item.card, ru));
        await completeTelegramDelivery(
          api.prisma,
          { id: item.id, workerId: 'test-bot' },
          new Date(),
        );
      }
    }
  }

  it('submit, edit, stale offer, payment steps, work started, cancel: 1C holds the latest, each update once, in order', async () => {
    // Short client timeouts: a late answer from 1C is a lost one, and the outbox delivers again.
    workers.push(startOnecWorker(api, emulator, { timeoutMs: 400 }));
    const { requestId, submitted, asAnna, asIvan } = await submittedRequest();
    const copy = () => emulator.store.findRequestByPlatformId(requestId);
    await until(async () => copy(), '1C to hold the request');
    expect(copy()!.version).toBe(submitted.version);

    // 1C is down for a while; meanwhile the client changes the amount.
    emulator.setFault({ mode: 'down' });
    const edited = await asIvan.requests.update.mutate({
      requestId,
      version: submitted.version,
      fields: { amount: '1300000.00' },
    });
    expect(edited.version).toBe(submitted.version + 1);
    await until(
      async () => emulator.faults.current.hits >= 2 && true,
      'the platform to try 1C more than once while it is down',
    );

    // 1C's operator computes terms on the amount 1C still has: refused, nothing written.
    const footprint = async () => ({
      request: await api.prisma.paymentRequest.findUniqueOrThrow({
        where: { id: requestId },
        select: { version: true, status: true, paymentStatus: true, fieldsVersion: true },
      }),
      offers: await api.prisma.offer.count({ where: { requestId } }),
      outbox: await api.prisma.outboxMessage.count(),
    });
    const before = await footprint();
    const stale = await emulator.operator.sendOffer(requestId, terms);
    expect(stale.delivery).toMatchObject({ state: 'FAILED', lastStatus: 409 });
    expect(stale.delivery.response).toMatchObject({
      error: { code: 'STALE_VERSION', currentVersion: edited.version },
    });
    expect(await footprint()).toEqual(before);
    // The operator sees why, in the platform's words.
    expect(emulator.store.findOffer(stale.offer.ref)!.refusal).toBe(
      `он сделан по версии ${submitted.version} заявки, а её данные с тех пор изменились (сейчас версия ${edited.version}). Повторите по данным этой версии, когда она придёт из платформы.`,
    );
    // The agent is told in the Mini App, in words (once, however often 1C retries the post).
    const told = (await asAnna.requests.get.query({ requestId })).history.filter(
      (entry) => entry.change.type === 'onecStaleRefused',
    );
    expect(told).toHaveLength(1);
    expect(historyText(told[0]!.change, ru)).toBe(
      '1С прислал расчёт по прежним данным заявки — он не принят. 1С получит изменения и пришлёт новый расчёт',
    );

    // 1C is back: the edit arrives, and terms on the current version are taken.
    emulator.setFault({ mode: 'off' });
    await until(async () => copy()!.fields.amount === '1300000.00', 'the edit to reach 1C');
    expect(copy()!.version).toBe(edited.version);
    const current = await emulator.operator.sendOffer(requestId, terms);
    expect(current.delivery.state).toBe('DELIVERED');
    expect((await asAnna.requests.get.query({ requestId })).status).toBe('OFFER_ACCEPTED');

    // The client marks the test payment; 1C applies it but its answer comes too late, so the
    // platform delivers it again: 1C answers the repeat without applying it twice.
    emulator.setFault({ mode: 'slow', delayMs: 1_500, count: 1 });
    await asIvan.requests.setPaymentStatus.mutate({
      requestId,
      paymentStatus: 'TEST_PAYMENT_SENT',
    });
    await allDelivered(requestId);
    expect(copy()!.paymentStatus).toBe('TEST_PAYMENT_SENT');

    // The bank confirms the test payment in 1C, with a comment.
    const confirmed = await emulator.operator.setPaymentStatus(
      requestId,
      'TEST_PAYMENT_CONFIRMED',
      'Тестовый платёж пришёл',
    );
    expect(confirmed.delivery.state).toBe('DELIVERED');

    // 1C is down again while the deal goes on on the platform: Anna starts the work, the client
    // sends the payment, the bank marks it received. Queued, then delivered in the order made.
    emulator.setFault({ mode: 'down' });
    await asAnna.requests.setStatus.mutate({ requestId, status: 'IN_PROGRESS' });
    await asIvan.requests.setPaymentStatus.mutate({ requestId, paymentStatus: 'PAYMENT_SENT' });
    await asAnna.requests.setPaymentStatus.mutate({
      requestId,
      paymentStatus: 'PAYMENT_RECEIVED',
    });
    await until(
      async () => emulator.faults.current.hits >= 1 && true,
      'the platform to find 1C down again',
    );
    emulator.setFault({ mode: 'off' });

    // Anna cancels the request: 1C shows it cancelled, and by whom.
    const cancelled = await asAnna.requests.setStatus.mutate({ requestId, status: 'CANCELLED' });
    const rows = await allDelivered(requestId);
    expect(copy()).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: { kind: 'agent', name: 'Anna (bank)' },
      paymentStatus: 'PAYMENT_RECEIVED',
      version: cancelled.version,
      fields: cancelled.fields,
    });

    // The change log: the edit, the client's mark, the work started, the payment sent and
    // received, the cancellation; 1C's own post is not echoed back. Each applied once, in the
    // order made, the first mark delivered twice.
    const updates = emulator.operator.getRequest(requestId).updates;
    expect(
      updates.map((update) => [
        update.by.kind,
        update.changes.map((c) => ('to' in c ? `${c.type}:${c.to}` : c.type)),
      ]),
    ).toEqual([
      ['client', ['fields']],
      ['client', ['paymentStatus:TEST_PAYMENT_SENT']],
      ['agent', ['status:IN_PROGRESS']],
      ['client', ['paymentStatus:PAYMENT_SENT']],
      ['agent', ['paymentStatus:PAYMENT_RECEIVED']],
      ['agent', ['cancelled']],
    ]);
    expect(updates.map((update) => update.version)).toEqual(
      [...updates.map((update) => update.version)].sort((a, b) => a - b),
    );
    expect(new Set(updates.map((update) => update.updateId)).size).toBe(6);
    expect(updates[1]!.deliveries).toBeGreaterThanOrEqual(2);
    expect(updates[0]!.changes[0]).toMatchObject({ type: 'fields', changed: ['amount'] });
    // What the outbox wrote is what 1C applied: one message per change, all delivered.
    const sent = rows
      .map((row) =>
        OnecOutboxMessage.parse({ target: 'ONEC', kind: row.kind, payload: row.payload }),
      )
      .filter((message) => message.kind === 'onec.updateRequest');
    expect(sent.map((message) => message.payload.updateId)).toEqual(
      updates.map((update) => update.updateId),
    );

    // 1C's status comment is kept: in the Mini App's history, the portal's and the group's message.
    const confirmationIn = (history: HistoryEntry[]) =>
      history.find(
        (entry) =>
          entry.change.type === 'paymentStatus' && entry.change.to === 'TEST_PAYMENT_CONFIRMED',
      )!;
    const confirmation = confirmationIn((await asAnna.requests.get.query({ requestId })).history);
    expect(confirmation.actor.kind).toBe('onec');
    expect(historyText(confirmation.change, ru)).toBe(
      'Оплата: «Тестовый платёж получен». Комментарий: Тестовый платёж пришёл',
    );
    const portal = portalClient(
      api.url,
      (await portalSignIn(api.url, websiteLogin({ id: world.anna.telegramId, first_name: 'Anna' })))
        .token!,
    );
    const inPortal = confirmationIn(
      (await portal.portal.request.query({ requestId })).request.history,
    );
    expect(inPortal).toEqual(confirmation);
    const group = await groupTexts();
    expect(
      group.filter((text) => text.includes('Комментарий: Тестовый платёж пришёл')),
    ).toHaveLength(1);
  });

  it('refuses a status 1C decided before the fields changed; the edit still reaches 1C', async () => {
    workers.push(startOnecWorker(api, emulator));
    const { requestId, submitted, asIvan } = await submittedRequest();
    await until(
      async () => emulator.store.findRequestByPlatformId(requestId),
      '1C to hold the request',
    );
    emulator.setFault({ mode: 'down' });
    await asIvan.requests.update.mutate({
      requestId,
      version: submitted.version,
      fields: { purpose: 'Оплата по контракту № 16' },
    });
    // 1C (still on the submit's version) cancels: refused as stale, the request stays as it is.
    const refused = await emulator.operator.setStatus(requestId, 'CANCELLED', 'Нет лимита');
    expect(refused.delivery).toMatchObject({ state: 'FAILED', lastStatus: 409 });
    expect(refused.delivery.response).toMatchObject({ error: { code: 'STALE_VERSION' } });
    const row = await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(row.status).toBe('COLLECTING_OFFERS');
    // 1C shows the status the platform kept, and its operator why the post was refused.
    expect(emulator.store.findRequestByPlatformId(requestId)).toMatchObject({
      status: 'COLLECTING_OFFERS',
      statusRefusal: expect.stringMatching(
        new RegExp(
          `^он сделан по версии ${submitted.version} заявки, а её данные с тех пор изменились`,
        ),
      ),
    });
    emulator.setFault({ mode: 'off' });
    await allDelivered(requestId);
    expect(emulator.store.findRequestByPlatformId(requestId)!.fields.purpose).toBe(
      'Оплата по контракту № 16',
    );
    // Decided again on the data 1C now has: taken, and the refusal no longer shown.
    const taken = await emulator.operator.setStatus(requestId, 'CANCELLED', 'Нет лимита');
    expect(taken.delivery.state).toBe('DELIVERED');
    expect(emulator.store.findRequestByPlatformId(requestId)).toMatchObject({
      status: 'CANCELLED',
      statusRefusal: null,
    });
  });

  it('tells 1C of a file attached after the submit (Mini App, portal), and not of one before', async () => {
    workers.push(startOnecWorker(api, emulator));
    const chatId = -1001555000111;
    const anna = { id: Number(world.anna.telegramId), first_name: 'Anna', language_code: 'ru' };
    const ivan = { id: Number(world.client.telegramId), first_name: 'Ivan', language_code: 'ru' };
    const bot = botClient(api.url);
    const launchToken = await registerDealRoom(api.url, {
      id: chatId,
      title: 'Сделка',
      by: anna,
      members: [ivan],
    });
    const asAnna = miniAppClient(api.url, tma(signLaunch(anna, launchToken)));
    const attach = (fileName: string) =>
      attachFile(api.url, tma(signLaunch(ivan, launchToken)), {
        bytes: Buffer.from(`%PDF-1.7\n% ${fileName}\ntrailer <<>>\n%%EOF\n`),
        fileName,
        kind: 'CONTRACT',
      });
    const draft = await asAnna.miniApp.save.mutate({
      fields: { ...completeForm, direction: 'OUTGOING' },
    });
    expect((await attach('before.pdf')).status).toBe(201);
    const submitted = await asAnna.miniApp.setStatus.mutate({
      status: 'COLLECTING_OFFERS',
      version: draft.version,
    });
    const copy = () => emulator.store.findRequestByPlatformId(submitted.id);
    await until(async () => copy(), '1C to hold the request');
    const after = await attach('after.pdf');
    expect(after.status).toBe(201);
    const document = (await after.json()) as { id: string; sha256: string; size: number };

    // A file sent in the deal room, made the request's invoice by Anna in the portal.
    const invoice = Buffer.from('%PDF-1.7\n% invoice from the chat\ntrailer <<>>\n%%EOF\n');
    const assetId = await saveChatFile(api.url, chatId, {
      bytes: invoice,
      fileName: 'Счёт 17.pdf',
    });
    await bot.bot.saveMessage.mutate({
      chatId,
      message: {
        messageId: 4,
        authorName: 'Ivan',
        kind: 'document',
        assetId,
        date: Math.floor(Date.now() / 1000),
      },
    });
    const portal = portalClient(
      api.url,
      (await portalSignIn(api.url, websiteLogin({ id: anna.id, first_name: 'Anna' }))).token!,
    );
    const [message] = (await portal.portal.chat.page.query({ requestId: submitted.id })).messages;
    const fromChat = await portal.portal.chat.attach.mutate({
      requestId: submitted.id,
      messageKey: message!.key,
      kind: 'INVOICE',
    });

    await allDelivered(submitted.id);
    const told = (
      id: string,
      kind: string,
      fileName: string,
      file: { size: number; sha256: string },
    ) => ({
      type: 'document',
      documentId: id,
      kind,
      fileName,
      mime: 'application/pdf',
      size: file.size,
      sha256: file.sha256,
    });
    expect(copy()!.platformDocuments).toEqual([
      told(document.id, 'CONTRACT', 'after.pdf', document),
      told(fromChat.id, 'INVOICE', 'Счёт 17.pdf', fromChat),
    ]);
    expect(emulator.operator.getRequest(submitted.id).updates).toEqual([
      expect.objectContaining({
        by: { kind: 'client', name: 'Ivan Petrov' },
        version: submitted.version,
      }),
      expect.objectContaining({
        by: { kind: 'agent', name: 'Anna (bank)' },
        version: submitted.version,
      }),
    ]);
  });
});
