import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { completeForm, createWorld, telegramPeople } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import {
  TEST_BOT_SERVICE_TOKEN,
  dbKind,
  failureOf,
  footprint,
  skipDb,
  startTestApi,
} from '../testing/harness';
import type { TelegramUser } from '../testing/telegram';
import {
  attachFile,
  botClient,
  miniAppClient,
  registerDealRoom,
  signLaunch,
  tma,
} from '../testing/telegram';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The bank's agent and the client, as Telegram knows them. */
const { anna, ivan } = telegramPeople;
const boris: TelegramUser = { id: 7000000002, first_name: 'Борис', language_code: 'ru' };
const stranger: TelegramUser = { id: 5999999999, first_name: 'Mallory', language_code: 'en' };

const CHAT = -1001987654321;
const OTHER_CHAT = -1001111111111;

describe.skipIf(skipDb)(`Mini App api with Telegram identity (${dbKind})`, () => {
  let api: TestApi;
  let world: World;
  let token: string;
  let otherToken: string;

  const as = (user: TelegramUser, startParam: string | null = token) =>
    miniAppClient(api.url, tma(signLaunch(user, startParam)));

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    api.clock.reset();
    await api.prisma.$executeRawUnsafe(
      'TRUNCATE "Tenant", "User", "Agent", "PaymentRequest", "Offer", "RequestHistory", "OutboxMessage", "TelegramChat", "ChatMessage", "Asset", "Document", "IdempotencyKey" CASCADE',
    );
    world = await createWorld(api.prisma);
    // Anna (whitelisted) adds the bot to the deal room; Ivan and Boris are members.
    token = await registerDealRoom(api.url, {
      id: CHAT,
      title: 'Сделка Ромашка',
      by: anna,
      members: [ivan, boris],
    });
    otherToken = await registerDealRoom(api.url, {
      id: OTHER_CHAT,
      title: 'Другая сделка',
      by: boris,
      botIsAdmin: false,
    });
  });

  describe('identity', () => {
    it('refuses forged, foreign, expired, future and missing init data with 401 and writes nothing', async () => {
      const before = await footprint(api.prisma);
      const good = signLaunch(stranger, token);
      const hash = /hash=([0-9a-f]+)/.exec(good)![1]!;
      const forged = good.replace(hash, (hash[0] === 'a' ? 'b' : 'a') + hash.slice(1));
      const tampered = good.replace(encodeURIComponent('Mallory'), encodeURIComponent('Mallory2'));
      const cases = {
        forged,
        tampered,
        wrongBot: signLaunch(stranger, token, {
          botToken: '999:another-bot-token-of-someone-else-xx',
        }),
        expired: signLaunch(stranger, token, { authDate: new Date(Date.now() - 2 * 3600 * 1000) }),
        future: signLaunch(stranger, token, { authDate: new Date(Date.now() + 3600 * 1000) }),
        noHash: good.replace(/&?hash=[0-9a-f]+/, ''),
      };
      for (const [name, initData] of Object.entries(cases)) {
        const failure = await failureOf(
          miniAppClient(api.url, tma(initData)).miniApp.session.query(),
        );
        expect(failure, name).toMatchObject({ httpStatus: 401, appCode: 'UNAUTHENTICATED' });
      }
      expect(await failureOf(miniAppClient(api.url, null).miniApp.session.query())).toMatchObject({
        httpStatus: 401,
      });
      expect(
        await failureOf(
          miniAppClient(api.url, 'Bearer not-the-service-token').bot.chatSummary.query({
            chatId: CHAT,
          }),
        ),
      ).toMatchObject({
        httpStatus: 401,
      });
      expect(await footprint(api.prisma)).toEqual(before);
    });

    it('creates a client on first contact and tells agents by the whitelist', async () => {
      const newcomer: TelegramUser = {
        id: 5000000055,
        first_name: 'Ольга',
        last_name: 'Кузнецова',
        language_code: 'en',
      };
      await botClient(api.url).bot.membership.mutate({
        chatId: CHAT,
        joined: [{ telegramId: newcomer.id, name: 'Ольга' }],
      });
      const first = await as(newcomer).miniApp.session.query();
      expect(first.me).toMatchObject({
        role: 'CLIENT',
        name: 'Ольга Кузнецова',
        telegramId: newcomer.id,
        permissions: ['application.create'],
      });
      expect(first.me.settings.locale).toBe('en');
      await as(newcomer).miniApp.session.query();
      expect(await api.prisma.user.count({ where: { telegramId: BigInt(newcomer.id) } })).toBe(1);
      // A known platform user keeps the name the platform has for them.
      const client = await as(ivan).miniApp.session.query();
      expect(client.me).toMatchObject({
        role: 'CLIENT',
        name: 'Ivan Petrov',
        userId: world.client.id,
      });
      expect(client.chat).toEqual({ id: CHAT, title: 'Сделка Ромашка' });
      const agent = await as(anna).miniApp.session.query();
      expect(agent.me).toMatchObject({
        role: 'AGENT',
        agentId: world.anna.id,
        tenant: { isMaster: true },
      });
    });

    it('takes agent rights away at once when an agent is deactivated, and no client rights come instead', async () => {
      const draft = await as(anna).miniApp.save.mutate({ fields: completeForm });
      await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: false } });
      // A former agent still in the group is neither its agent nor its client. Her first call
      // as one records her as a person (a user row without rights), as any first contact does.
      expect(await failureOf(as(anna).miniApp.session.query())).toMatchObject({ httpStatus: 403 });
      const before = await footprint(api.prisma);
      expect(await failureOf(as(anna).miniApp.session.query())).toMatchObject({ httpStatus: 403 });
      expect(
        await failureOf(
          as(anna).miniApp.setStatus.mutate({
            status: 'COLLECTING_OFFERS',
            version: draft.version,
          }),
        ),
      ).toMatchObject({
        httpStatus: 403,
      });
      expect(
        await failureOf(
          as(anna).miniApp.save.mutate({ version: draft.version, fields: { comment: 'x' } }),
        ),
      ).toMatchObject({ httpStatus: 403 });
      expect(await footprint(api.prisma)).toEqual(before);
    });
  });

  describe('chat binding', () => {
    it('refuses a non-member, another chat’s token, a guessed or revoked token — saying nothing of the chat', async () => {
      await as(anna).miniApp.save.mutate({ fields: { payerName: 'Секретная компания' } });
      const refusals = [
        await failureOf(as(stranger).miniApp.session.query()),
        await failureOf(as(ivan, otherToken).miniApp.session.query()),
        await failureOf(as(ivan, 'A'.repeat(32)).miniApp.session.query()),
        await failureOf(as(ivan, null).miniApp.session.query()),
      ];
      await botClient(api.url).bot.revokeLaunchTokens.mutate({ chatId: CHAT });
      refusals.push(await failureOf(as(ivan).miniApp.session.query()));
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({ httpStatus: 403, appCode: 'FORBIDDEN' });
        expect(JSON.stringify(refusal)).not.toMatch(/Секретная|Ромашка|1987654321/);
      }
    });

    it('follows a group upgraded to a supergroup', async () => {
      await as(ivan).miniApp.save.mutate({ fields: { payerName: 'ООО «Ромашка»' } });
      await botClient(api.url).bot.migrateChat.mutate({
        fromChatId: CHAT,
        toChatId: -1002000000001,
      });
      const session = await as(ivan).miniApp.session.query();
      expect(session.chat?.id).toBe(-1002000000001);
      expect(session.request?.fields.payerName).toBe('ООО «Ромашка»');
      expect(session.request?.telegramChatId).toBe(-1002000000001);
    });

    it('forgets a member who left', async () => {
      await botClient(api.url).bot.membership.mutate({ chatId: CHAT, left: [ivan.id] });
      expect(await failureOf(as(ivan).miniApp.session.query())).toMatchObject({ httpStatus: 403 });
    });
  });

  describe('procedures × roles', () => {
    type Role = 'client' | 'linkedAgent' | 'otherAgent' | 'stranger';
    const users: Record<Role, TelegramUser> = {
      client: ivan,
      linkedAgent: anna,
      otherAgent: boris,
      stranger,
    };
    const ok = true;
    const no = false;
    // The roles and transitions of docs/domain.md for a Telegram request of the bank, from the Mini App.
    const table: {
      name: string;
      state: 'none' | 'DRAFT' | 'OFFER_ACCEPTED';
      allowed: Record<Role, boolean>;
      call: (c: ReturnType<typeof as>, version: number) => Promise<unknown>;
    }[] = [
      {
        name: 'session',
        state: 'DRAFT',
        allowed: { client: ok, linkedAgent: ok, otherAgent: ok, stranger: no },
        call: (c) => c.miniApp.session.query(),
      },
      {
        name: 'create',
        state: 'none',
        allowed: { client: ok, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c) => c.miniApp.save.mutate({ fields: { payerName: 'X' } }),
      },
      {
        name: 'edit',
        state: 'DRAFT',
        allowed: { client: ok, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c, v) => c.miniApp.save.mutate({ version: v, fields: { comment: 'edited' } }),
      },
      {
        name: 'submit',
        state: 'DRAFT',
        allowed: { client: no, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c, v) => c.miniApp.setStatus.mutate({ status: 'COLLECTING_OFFERS', version: v }),
      },
      {
        name: 'cancel draft',
        state: 'DRAFT',
        allowed: { client: ok, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c, v) => c.miniApp.setStatus.mutate({ status: 'CANCELLED', version: v }),
      },
      {
        name: 'edit after acceptance',
        state: 'OFFER_ACCEPTED',
        allowed: { client: no, linkedAgent: no, otherAgent: no, stranger: no },
        call: (c, v) => c.miniApp.save.mutate({ version: v, fields: { comment: 'late' } }),
      },
      {
        name: 'status in progress',
        state: 'OFFER_ACCEPTED',
        allowed: { client: no, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c, v) => c.miniApp.setStatus.mutate({ status: 'IN_PROGRESS', version: v }),
      },
      {
        name: 'test payment sent',
        state: 'OFFER_ACCEPTED',
        allowed: { client: ok, linkedAgent: ok, otherAgent: no, stranger: no },
        call: (c) => c.miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_SENT' }),
      },
    ];

    async function prepare(state: 'none' | 'DRAFT' | 'OFFER_ACCEPTED'): Promise<number> {
      if (state === 'none') return 1;
      const draft = await as(anna).miniApp.save.mutate({ fields: completeForm });
      if (state === 'DRAFT') return draft.version;
      const open = await as(anna).miniApp.setStatus.mutate({
        status: 'COLLECTING_OFFERS',
        version: draft.version,
      });
      // 1C's offer arrives (the REST shim is tested on its own): accepted automatically.
      await api.prisma.$transaction(async (tx) => {
        const offer = await tx.offer.create({
          data: {
            requestId: open.id,
            agentId: world.anna.id,
            rate: '12.8',
            feePercent: '1',
            fixedFee: '0',
            totalToPay: '16000000',
            settlementDays: 2,
            source: 'ONEC',
            status: 'ACCEPTED',
          },
        });
        await tx.paymentRequest.update({
          where: { id: open.id },
          data: { status: 'OFFER_ACCEPTED', version: { increment: 1 } },
        });
        return offer;
      });
      return open.version + 1;
    }

    const cases = table.flatMap((row) =>
      (Object.keys(users) as Role[]).map((role) => [row.name, role, row] as const),
    );

    it.each(cases)('%s as %s', async (_name, role, row) => {
      const version = await prepare(row.state);
      // A person's first contact records them (a stranger becomes a user without rights): what
      // is watched is what the attempt itself writes.
      await as(users[role])
        .miniApp.session.query()
        .catch(() => undefined);
      const before = await footprint(api.prisma);
      const attempt = row.call(as(users[role]), version);
      if (row.allowed[role]) {
        await expect(attempt).resolves.toBeDefined();
      } else {
        const failure = await failureOf(attempt);
        expect([403, 409]).toContain(failure.httpStatus);
        expect(await footprint(api.prisma)).toEqual(before);
      }
    });

    it('offers "completed" only once the payout is done, and completes then', async () => {
      const accepted = await prepare('OFFER_ACCEPTED');
      let view = await as(anna).miniApp.setStatus.mutate({
        status: 'IN_PROGRESS',
        version: accepted,
      });
      expect(view.next.statuses).toEqual(['CANCELLED']);
      for (const paymentStatus of ['PAYMENT_SENT', 'PAYMENT_RECEIVED', 'PAYOUT_DONE'] as const) {
        expect(view.next.statuses, view.paymentStatus).not.toContain('COMPLETED');
        view = await as(anna).miniApp.setPaymentStatus.mutate({ paymentStatus });
      }
      expect(view.next.statuses).toEqual(['COMPLETED', 'CANCELLED']);
      view = await as(anna).miniApp.setStatus.mutate({
        status: 'COMPLETED',
        version: view.version,
      });
      expect(view.status).toBe('COMPLETED');
    });
  });

  describe('the deal', () => {
    it('lets the client fill, the agent submit once to 1C, and keeps one request per chat', async () => {
      const created = await as(ivan).miniApp.save.mutate({
        fields: { payerName: 'ООО «Ромашка»', amount: '1250000' },
      });
      expect(created).toMatchObject({
        source: 'TELEGRAM',
        pipeline: 'TELEGRAM',
        inHouse: true,
        agentId: world.anna.id,
        status: 'DRAFT',
      });
      // The first save tells the group its request exists, once (later saves say nothing).
      const announceCreated = { target: 'TELEGRAM', kind: 'telegram.requestCreated' } as const;
      expect(await api.prisma.outboxMessage.findMany({ where: announceCreated })).toEqual([
        expect.objectContaining({
          aggregateKey: `chat:${CHAT}`,
          payload: {
            requestId: created.id,
            chatId: CHAT,
            by: { kind: 'client', name: 'Ivan Petrov' },
          },
        }),
      ]);
      const filled = await as(anna).miniApp.save.mutate({
        version: created.version,
        fields: completeForm,
      });
      expect(await api.prisma.outboxMessage.count({ where: announceCreated })).toBe(1);

      // The next steps come from the domain's tables, per caller.
      expect(filled.next).toEqual({
        statuses: ['COLLECTING_OFFERS', 'CANCELLED'],
        paymentStatuses: [],
      });
      expect((await as(ivan).miniApp.session.query()).request?.next).toEqual({
        statuses: ['CANCELLED'],
        paymentStatuses: [],
      });
      // Another agent does not see someone else's draft at all.
      expect((await as(boris).miniApp.session.query()).request).toBeNull();

      const stale = await failureOf(
        as(ivan).miniApp.save.mutate({ version: created.version, fields: { comment: 'stale' } }),
      );
      expect(stale).toMatchObject({ httpStatus: 409, appCode: 'VERSION_CONFLICT' });
      // Without a version the second save cannot create a second request either.
      expect(
        await failureOf(as(ivan).miniApp.save.mutate({ fields: { comment: 'x' } })),
      ).toMatchObject({ httpStatus: 400 });

      expect(
        await failureOf(
          as(ivan).miniApp.setStatus.mutate({
            status: 'COLLECTING_OFFERS',
            version: filled.version,
          }),
        ),
      ).toMatchObject({ httpStatus: 403 });
      const submitted = await as(anna).miniApp.setStatus.mutate({
        status: 'COLLECTING_OFFERS',
        version: filled.version,
      });
      expect(submitted.status).toBe('COLLECTING_OFFERS');

      const outbox = await api.prisma.outboxMessage.findMany({ where: { target: 'ONEC' } });
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({
        kind: 'onec.createRequest',
        payload: { requestId: submitted.id },
      });
      expect(
        await api.prisma.outboxMessage.count({
          where: { target: 'TELEGRAM', kind: 'telegram.statusChanged' },
        }),
      ).toBe(1);
      expect(await api.prisma.paymentRequest.count()).toBe(1);

      // 1C answered: the link is for the bank's people, not for the client.
      await api.prisma.paymentRequest.update({
        where: { id: submitted.id },
        data: {
          onecRef: 'f8a4c7f1-a3b4-11e7-80c2-000c29f5fc0b',
          onecUrl: 'https://1c.bank.local/base/#e1cib/data/Document.X?ref=80c2',
        },
      });
      expect((await as(anna).miniApp.session.query()).request).toMatchObject({
        onecUrl: expect.stringContaining('e1cib'),
        onecRef: expect.any(String),
      });
      expect((await as(boris).miniApp.session.query()).request).toMatchObject({
        onecUrl: expect.stringContaining('e1cib'),
      });
      expect((await as(ivan).miniApp.session.query()).request).toMatchObject({
        onecUrl: null,
        onecRef: null,
      });

      // The client sees the agent's edits and the status; the client cannot move it on.
      const clientView = await as(ivan).miniApp.session.query();
      expect(clientView.request?.status).toBe('COLLECTING_OFFERS');
      expect(clientView.me.permissions).not.toContain('application.setStatus');
    });
  });

  describe('documents from 1C', () => {
    it('lets the linked agent ask 1C for a document once submitted, through the outbox; nobody else', async () => {
      const draft = await as(anna).miniApp.save.mutate({ fields: completeForm });
      expect(
        await failureOf(as(anna).miniApp.requestDocument.mutate({ kind: 'INVOICE' })),
      ).toMatchObject({ httpStatus: 403 });
      await as(anna).miniApp.setStatus.mutate({
        status: 'COLLECTING_OFFERS',
        version: draft.version,
      });
      const before = await footprint(api.prisma);
      expect(
        await failureOf(as(ivan).miniApp.requestDocument.mutate({ kind: 'INVOICE' })),
      ).toMatchObject({ httpStatus: 403 });
      expect(await footprint(api.prisma)).toEqual(before);

      const queue = await as(anna).miniApp.requestDocument.mutate({ kind: 'INVOICE' });
      expect(queue).toEqual([
        expect.objectContaining({ kind: 'INVOICE', state: 'QUEUED', requestedBy: 'Anna (bank)' }),
      ]);
      const outbox = await api.prisma.outboxMessage.findMany({
        where: { kind: 'onec.requestDocument' },
      });
      expect(outbox).toHaveLength(1);
      expect(outbox[0]!.payload).toMatchObject({
        documentRequestId: queue[0]!.id,
        kind: 'INVOICE',
      });
      expect((await as(ivan).miniApp.session.query()).request?.documentRequests).toHaveLength(1);
    });

    it('asks 1C for a document from the group as the linked agent who sent /document; others are refused, writing nothing', async () => {
      const bot = botClient(api.url).bot;
      const ask = (telegramUserId: number, kind: 'INVOICE' | 'ACT' | null, commandId: string) =>
        bot.requestDocument.mutate({ chatId: CHAT, telegramUserId, kind, commandId });

      expect(await ask(anna.id, 'INVOICE', 'message:1')).toEqual({
        outcome: 'refused',
        reason: 'NO_REQUEST',
        locale: 'ru',
      });
      const draft = await as(anna).miniApp.save.mutate({ fields: completeForm });
      expect(await ask(anna.id, 'INVOICE', 'message:2')).toMatchObject({
        outcome: 'refused',
        reason: 'NOT_ALLOWED_NOW',
      });
      await as(anna).miniApp.setStatus.mutate({
        status: 'COLLECTING_OFFERS',
        version: draft.version,
      });

      await as(stranger)
        .miniApp.session.query()
        .catch(() => undefined); // the stranger's first contact, which records them
      const before = await footprint(api.prisma);
      // The client, another whitelisted agent, a stranger, a deactivated agent: refused.
      for (const who of [ivan.id, boris.id, stranger.id]) {
        expect(await ask(who, 'INVOICE', `message:${who}`)).toMatchObject({
          outcome: 'refused',
          reason: 'NOT_LINKED_AGENT',
        });
      }
      expect(
        await bot.requestDocument.mutate({
          chatId: -1009999999999,
          telegramUserId: anna.id,
          kind: 'INVOICE',
          commandId: 'message:3',
        }),
      ).toMatchObject({ outcome: 'refused', reason: 'NOT_REGISTERED' });
      // Asking whether she may (for the keyboard) writes nothing either.
      expect(await ask(anna.id, null, 'message:5')).toMatchObject({
        outcome: 'allowed',
        displayNumber: expect.stringMatching(/^№ \d{6}$/),
      });
      expect(await footprint(api.prisma)).toEqual(before);
      await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: false } });
      const whileInactive = await footprint(api.prisma);
      expect(await ask(anna.id, 'INVOICE', 'message:4')).toMatchObject({
        reason: 'NOT_LINKED_AGENT',
      });
      expect(await footprint(api.prisma)).toEqual(whileInactive);
      await api.prisma.agent.update({ where: { id: world.anna.id }, data: { active: true } });

      const queued = await ask(anna.id, 'ACT', 'callback:abc123');
      expect(queued).toMatchObject({ outcome: 'queued', kind: 'ACT', repeated: false });
      // Telegram delivers the same button press again: still one document request.
      expect(await ask(anna.id, 'ACT', 'callback:abc123')).toMatchObject({
        outcome: 'queued',
        repeated: true,
      });
      const requests = await api.prisma.documentRequest.findMany();
      expect(requests).toEqual([
        expect.objectContaining({ kind: 'ACT', state: 'QUEUED', requestedBy: 'Anna (bank)' }),
      ]);
      // The same queue as the Mini App's: the outbox message for 1C and the history row.
      const outbox = await api.prisma.outboxMessage.findMany({
        where: { kind: 'onec.requestDocument' },
      });
      expect(outbox.map((row) => row.payload)).toEqual([
        expect.objectContaining({ documentRequestId: requests[0]!.id, kind: 'ACT' }),
      ]);
      expect((await as(anna).miniApp.session.query()).request?.documentRequests).toEqual([
        expect.objectContaining({ id: requests[0]!.id, kind: 'ACT' }),
      ]);
    });
  });

  describe('messages', () => {
    const message = (id: number, text: string, editDate?: number) => ({
      messageId: id,
      authorTelegramId: ivan.id,
      authorName: 'Иван Петров',
      text,
      date: 1795168800 + id,
      ...(editDate ? { editDate } : {}),
    });

    it('saves 10,000 messages twice as 10,000 rows, and an edit updates the row', async () => {
      const bot = botClient(api.url);
      const batch = Array.from({ length: 10_000 }, (_, index) =>
        message(index + 1, `сообщение ${index + 1}`),
      );
      const first = await bot.bot.saveMessages.mutate({ chatId: CHAT, messages: batch });
      expect(first).toEqual({ received: 10_000, inserted: 10_000, updated: 0, unchanged: 0 });
      const second = await bot.bot.saveMessages.mutate({ chatId: CHAT, messages: batch });
      expect(second).toEqual({ received: 10_000, inserted: 0, updated: 0, unchanged: 10_000 });
      expect(await api.prisma.chatMessage.count({ where: { chatId: BigInt(CHAT) } })).toBe(10_000);

      const edited = await bot.bot.saveMessage.mutate({
        chatId: CHAT,
        message: message(42, 'исправлено', 1795200000),
      });
      expect(edited).toMatchObject({ inserted: 0, updated: 1 });
      const row = await api.prisma.chatMessage.findUniqueOrThrow({
        where: { chatId_messageId: { chatId: BigInt(CHAT), messageId: 42 } },
      });
      expect(row.text).toBe('исправлено');
      expect(row.editDate?.toISOString()).toBe(new Date(1795200000 * 1000).toISOString());
      expect(await api.prisma.chatMessage.count({ where: { chatId: BigInt(CHAT) } })).toBe(10_000);
      expect((await bot.bot.chatSummary.query({ chatId: CHAT })).messages).toBe(10_000);
    }, 60_000);

    it('keeps every character of a message as sent; half an emoji becomes U+FFFD, not an error', async () => {
      const bot = botClient(api.url);
      const texts = [
        'emoji 👍🏽, кириллица, "кавычки", \\ и \\u0041 как текст',
        'C:\\ud800\\files — a backslash before "ud800" is text, not an escape',
        'перенос\nстроки\tи таб',
        'cut emoji \ud83d',
        '\ude00 low half first',
      ];
      const result = await bot.bot.saveMessages.mutate({
        chatId: CHAT,
        messages: texts.map((text, index) => message(90_001 + index, text)),
      });
      expect(result).toMatchObject({ received: 5, inserted: 5 });
      const rows = await api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(CHAT), messageId: { gte: 90_001, lte: 90_005 } },
        orderBy: { messageId: 'asc' },
      });
      expect(rows.map((row) => row.text)).toEqual([
        texts[0],
        texts[1],
        texts[2],
        'cut emoji \ufffd',
        '\ufffd low half first',
      ]);
      expect(rows[0]!.authorName).toBe('Иван Петров');
      expect(rows[0]!.date.toISOString()).toBe(
        new Date((1795168800 + 90_001) * 1000).toISOString(),
      );
    });

    it('makes a writer a member of the chat', async () => {
      const newcomer: TelegramUser = { id: 5000000077, first_name: 'Пётр' };
      expect(await failureOf(as(newcomer).miniApp.session.query())).toMatchObject({
        httpStatus: 403,
      });
      await botClient(api.url).bot.saveMessage.mutate({
        chatId: CHAT,
        message: { ...message(1, 'привет'), authorTelegramId: newcomer.id },
      });
      expect((await as(newcomer).miniApp.session.query()).me.role).toBe('CLIENT');
    });

    it('imports a Telegram Desktop export for the chat’s agent only, and re-imports idempotently', async () => {
      const exportJson = await readFile(path.join(here, 'samples/telegram-desktop-export.json'));
      const upload = (user: TelegramUser, body: Buffer | string) =>
        fetch(`${api.url}/miniapp/v1/chat-export`, {
          method: 'POST',
          headers: {
            authorization: tma(signLaunch(user, token)),
            'content-type': 'application/json',
          },
          body,
        });
      // The sample's id 1987654321 is this chat (-1001987654321).
      const first = await upload(anna, exportJson);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({
        received: 9,
        inserted: 9,
        updated: 0,
        unchanged: 0,
        skipped: 0,
      });
      const again = await upload(anna, exportJson);
      expect(await again.json()).toMatchObject({ inserted: 0, unchanged: 9 });

      const rows = await api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(CHAT) },
        orderBy: { messageId: 'asc' },
      });
      expect(rows.map((r) => r.kind)).toEqual([
        'service',
        'service',
        'text',
        'text',
        'document',
        'photo',
        'voice',
        'text',
        'other',
      ]);
      expect(rows[3]).toMatchObject({
        text: 'Здравствуйте! Пришлите, пожалуйста, инвойс и контракт, заполним заявку.',
        replyToMessageId: 3,
      });
      expect(rows[3]!.editDate?.toISOString()).toBe('2026-11-20T10:03:10.000Z');
      expect(rows[4]).toMatchObject({ text: 'Инвойс', authorTelegramId: BigInt(ivan.id) });

      expect((await upload(ivan, exportJson)).status).toBe(403);
      const broken = await upload(
        anna,
        exportJson.toString('utf8').replace('"id": 9,', '"id": "nine",'),
      );
      expect(broken.status).toBe(400);
      const otherChat = await upload(
        anna,
        exportJson.toString('utf8').replace('1987654321', '1111111111'),
      );
      expect(otherChat.status).toBe(403);
      expect(await api.prisma.chatMessage.count({ where: { chatId: BigInt(CHAT) } })).toBe(9);
    });
  });

  describe('uploads', () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const post = (body: Buffer, mime: string, fileName = 'invoice.pdf') =>
      fetch(`${api.url}/bot/v1/chats/${CHAT}/assets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
          'content-type': mime,
          'x-file-name': encodeURIComponent(fileName),
        },
        body,
      });

    it('stores a file once by its content, and refuses oversized or mismatched ones storing nothing', async () => {
      const first = await post(pdf, 'application/pdf', 'Счёт №1.pdf');
      expect(first.status).toBe(201);
      const saved = (await first.json()) as { assetId: string; sha256: string };
      const again = await post(pdf, 'application/pdf');
      expect(again.status).toBe(200);
      expect(((await again.json()) as { assetId: string }).assetId).toBe(saved.assetId);
      expect(
        await api.prisma.asset.findUniqueOrThrow({ where: { id: saved.assetId } }),
      ).toMatchObject({ fileName: 'Счёт №1.pdf', size: pdf.length });

      const assetsBefore = await api.prisma.asset.count();
      const tooBig = await post(Buffer.concat([pdf, Buffer.alloc(1024 * 1024)]), 'application/pdf');
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      const mismatched = await post(Buffer.from('MZ\x90\x00 this is an exe'), 'application/pdf');
      expect(mismatched.status).toBe(415);
      const unknownType = await post(pdf, 'application/x-msdownload');
      expect(unknownType.status).toBe(400);
      expect(await api.prisma.asset.count()).toBe(assetsBefore);
    });

    it('lets members attach files to the request and download documents, nobody else', async () => {
      const draft = await as(ivan).miniApp.save.mutate({ fields: { payerName: 'ООО «Ромашка»' } });
      const attach = (user: TelegramUser) =>
        attachFile(api.url, tma(signLaunch(user, token)), {
          bytes: pdf,
          fileName: 'контракт.pdf',
          kind: 'CONTRACT',
        });
      const attached = await attach(ivan);
      expect(attached.status).toBe(201);
      const document = (await attached.json()) as { id: string; kind: string; fileName: string };
      expect(document).toMatchObject({ kind: 'CONTRACT', fileName: 'контракт.pdf' });
      expect((await attach(stranger)).status).toBe(403);

      const download = (user: TelegramUser) =>
        fetch(`${api.url}/miniapp/v1/documents/${document.id}`, {
          headers: { authorization: tma(signLaunch(user, token)) },
        });
      const file = await download(anna);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
      expect((await download(stranger)).status).toBe(403);
      const view = await as(ivan).miniApp.session.query();
      expect(view.request?.documents.map((d) => d.fileName)).toEqual(['контракт.pdf']);
      expect(draft.id).toBe(view.request?.id);
    });
  });
});
