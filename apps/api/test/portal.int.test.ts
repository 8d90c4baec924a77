import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { TEST_BOT_TOKEN, completeForm, createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, failureOf, footprint, skipDb, startTestApi } from '../testing/harness';
import { PORTAL_COOKIE, portalClient, portalSignIn, websiteLogin } from '../testing/portal';
import type { TelegramUser } from '../testing/telegram';
import { botClient, miniAppClient, saveChatFile, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };
const CHAT = -1001987654321;
const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const at = (minute: number) => Math.floor(Date.UTC(2026, 11, 1, 9, minute) / 1000);

/**
 * The portal's reading of the platform: the requests list (search, filters, paging), a request's
 * page, a deal room's chat archive (paging back, polling, search) with its files, and a chat file
 * turned into a document of the request, seen in the Mini App.
 */
describe.skipIf(skipDb)(`portal: requests and deal rooms (${dbKind})`, () => {
  let api: TestApi;
  let world: World;
  let launchToken: string;
  let requestId: string;
  let annaToken: string;

  const bot = () => botClient(api.url);
  /** The bot saves a chat's file as it does for a document sent in the group. */
  const uploadInvoice = () => saveChatFile(api.url, CHAT, { bytes: pdf, fileName: 'Счёт 17.pdf' });
  /** Иван sends the invoice in the group: the archive's message for it. */
  const invoiceInChat = async (messageId: number) => {
    const assetId = await uploadInvoice();
    await bot().bot.saveMessage.mutate({
      chatId: CHAT,
      message: { messageId, authorName: 'Иван', kind: 'document', assetId, date: at(3) },
    });
    const [message] = (await portal().portal.chat.page.query({ requestId })).messages;
    return message!;
  };
  const portal = (token = annaToken) => portalClient(api.url, token);
  const signIn = async (telegramId: bigint) =>
    (await portalSignIn(api.url, websiteLogin({ id: telegramId, first_name: 'X' }))).token!;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());
  beforeEach(async () => {
    api.clock.reset();
    await api.prisma.$executeRawUnsafe(
      'TRUNCATE "Tenant", "User", "Agent", "PaymentRequest", "Offer", "RequestHistory", "OutboxMessage", "TelegramChat", "ChatMessage", "Asset", "Document", "IdempotencyKey" CASCADE',
    );
    world = await createWorld(api.prisma);
    const registered = await bot().bot.registerChat.mutate({
      chat: { id: CHAT, type: 'supergroup', title: 'Сделка Ромашка' },
      addedBy: { telegramId: anna.id, name: 'Анна' },
      botIsAdmin: true,
    });
    if (!registered.registered) throw new Error('registration refused');
    launchToken = registered.launchToken;
    await bot().bot.membership.mutate({
      chatId: CHAT,
      joined: [{ telegramId: ivan.id, name: 'Иван Петров' }],
    });
    const draft = await miniAppClient(
      api.url,
      tma(signLaunch(ivan, launchToken)),
    ).miniApp.save.mutate({
      fields: completeForm,
    });
    requestId = draft.id;
    annaToken = await signIn(world.anna.telegramId);
  });

  it('lists requests by number, client, INN and amount, filters them, and pages on the server', async () => {
    const number = (await api.prisma.paymentRequest.findUniqueOrThrow({ where: { id: requestId } }))
      .number;
    const found = async (search: string) =>
      (await portal().portal.requests.query({ search })).items.map((item) => item.id);
    // A draft of a deal room is the agent's to see.
    expect(await found(String(number))).toEqual([requestId]);
    expect(await found(`№ ${String(number).padStart(6, '0')}`)).toEqual([requestId]);
    expect(await found(completeForm.payerTaxId.slice(0, 6))).toEqual([requestId]);
    expect(await found(completeForm.payerName.slice(0, 5).toLowerCase())).toEqual([requestId]);
    expect(await found(completeForm.amount)).toEqual([requestId]);
    expect(await found('Несуществующая')).toEqual([]);
    expect(
      (await portal().portal.requests.query({ paymentStatus: ['PAYOUT_DONE'] })).items,
    ).toEqual([]);
    expect(
      (await portal().portal.requests.query({ agentId: world.anna.id })).items.map((i) => i.id),
    ).toEqual([requestId]);
    expect((await portal().portal.requests.query({ agentId: world.boris.id })).items).toEqual([]);
    const tooMany = await failureOf(portal().portal.requests.query({ limit: 101 }));
    expect(tooMany.httpStatus).toBe(400);
  });

  it('opens a request’s page with its permissions and the state of its sending to 1C', async () => {
    const page = await portal().portal.request.query({ requestId });
    expect(page.request.id).toBe(requestId);
    expect(page.hasChat).toBe(true);
    expect(page.permissions).toContain('application.submit');
    expect(page.onecSync).toEqual({ pending: 0, dead: 0, failure: null, delayed: null });
    // Another tenant's agent does not see a bank draft.
    const zoe = await signIn(world.zoe.telegramId);
    expect((await failureOf(portal(zoe).portal.request.query({ requestId }))).httpStatus).toBe(403);
  });

  it('marks what the platform’s bot wrote in the room as its own, in a page and in a poll', async () => {
    const botTelegramId = Number(TEST_BOT_TOKEN.split(':')[0]);
    const since = (await portal().portal.chat.page.query({ requestId })).pollCursor;
    await bot().bot.saveMessage.mutate({
      chatId: CHAT,
      message: {
        messageId: 1,
        authorTelegramId: ivan.id,
        authorName: 'Иван',
        text: 'Готово',
        date: at(1),
      },
    });
    await bot().bot.savePostedMessage.mutate({
      chatId: CHAT,
      message: {
        messageId: 2,
        authorTelegramId: botTelegramId,
        authorName: 'Сделки банка',
        text: 'Заявка создана',
        date: at(2),
      },
    });
    const marks = (messages: Array<{ messageId: number; byBot: boolean }>) =>
      messages.map((m) => [m.messageId, m.byBot]);
    const page = await portal().portal.chat.page.query({ requestId });
    expect(marks(page.messages)).toEqual([
      [1, false],
      [2, true],
    ]);
    const polled = await portal().portal.chat.poll.query({ requestId, since });
    expect(marks(polled.messages)).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('says of a file it does not keep that it was not kept, not show its name as the message', async () => {
    await bot().bot.saveMessages.mutate({
      chatId: CHAT,
      messages: [
        // The mirror writes a file's name as the text of a file sent without a caption.
        { messageId: 1, authorName: 'Иван', kind: 'photo', text: 'photo_AQADx1.jpg', date: at(1) },
        {
          messageId: 2,
          authorName: 'Иван',
          kind: 'document',
          text: 'архив.zip',
          fileName: 'архив.zip',
          fileTooBig: true,
          date: at(2),
        },
      ],
    });
    const files = (await portal().portal.chat.page.query({ requestId })).messages.map((m) => [
      m.text,
      m.file,
    ]);
    expect(files).toEqual([
      [null, expect.objectContaining({ available: false, tooBig: false })],
      [null, expect.objectContaining({ fileName: 'архив.zip', available: false, tooBig: true })],
    ]);
  });

  it('shows the mirrored chat in order, with edits, replies, forwards, albums, files and joins, paged back', async () => {
    const assetId = await uploadInvoice();
    await bot().bot.saveMessages.mutate({
      chatId: CHAT,
      messages: [
        {
          messageId: 1,
          kind: 'service',
          text: '[invite_members] Иван Петров',
          date: at(0),
          authorName: 'Анна',
        },
        {
          messageId: 2,
          authorTelegramId: ivan.id,
          authorName: 'Иван',
          text: 'Здравствуйте',
          date: at(1),
        },
        {
          messageId: 3,
          authorTelegramId: anna.id,
          authorName: 'Анна',
          text: 'Пришлите счёт',
          date: at(2),
          replyToMessageId: 2,
        },
        {
          messageId: 4,
          authorTelegramId: ivan.id,
          authorName: 'Иван',
          kind: 'document',
          assetId,
          date: at(3),
        },
        {
          messageId: 5,
          authorName: 'Иван',
          text: 'Переслано',
          date: at(4),
          forwardedFrom: { kind: 'user', name: 'Поставщик' },
        },
        {
          messageId: 6,
          authorName: 'Иван',
          kind: 'photo',
          assetId,
          mediaGroupId: 'album-1',
          date: at(5),
        },
        {
          messageId: 7,
          authorName: 'Иван',
          kind: 'photo',
          assetId,
          mediaGroupId: 'album-1',
          date: at(5),
        },
      ],
    });
    // An edit comes later: the earlier text is kept.
    await bot().bot.saveMessage.mutate({
      chatId: CHAT,
      message: {
        messageId: 2,
        authorTelegramId: ivan.id,
        authorName: 'Иван',
        text: 'Добрый день',
        date: at(1),
        editDate: at(9),
      },
    });

    const page = await portal().portal.chat.page.query({ requestId, limit: 4 });
    expect(page.chatTitle).toBe('Сделка Ромашка');
    expect(page.canAttach).toBe(true);
    expect(page.messages.map((m) => m.messageId)).toEqual([4, 5, 6, 7]);
    expect(page.messages[0]!.file).toMatchObject({
      fileName: 'Счёт 17.pdf',
      mime: 'application/pdf',
      available: true,
      attachedAs: [],
    });
    expect(page.messages[1]!.forwardedFrom).toEqual({ name: 'Поставщик', kind: 'user' });
    expect(page.messages[2]!.mediaGroupId).toBe('album-1');
    const older = await portal().portal.chat.page.query({
      requestId,
      limit: 4,
      before: page.olderCursor,
    });
    expect(older.messages.map((m) => m.messageId)).toEqual([1, 2, 3]);
    expect(older.olderCursor).toBeNull();
    expect(older.messages[0]!.service).toEqual({ type: 'joined', names: 'Иван Петров' });
    expect(older.messages[1]).toMatchObject({
      text: 'Добрый день',
      earlierTexts: [{ text: 'Здравствуйте' }],
    });
    expect(older.messages[2]!.replyTo).toEqual({
      messageId: 2,
      authorName: 'Иван',
      text: 'Добрый день',
    });

    const search = await portal().portal.chat.page.query({ requestId, search: 'СЧЁТ' });
    expect(search.messages.map((m) => m.messageId)).toEqual([3]);

    // Polling: what was written since, and the few seconds before (merged by key by the client).
    const soon = await portal().portal.chat.poll.query({ requestId, since: page.pollCursor });
    expect(soon.messages.map((m) => m.messageId)).toContain(2);
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const quiet = await portal().portal.chat.poll.query({ requestId, since: soon.pollCursor });
    const later = await portal().portal.chat.poll.query({ requestId, since: quiet.pollCursor });
    expect(later.messages).toEqual([]);
    await bot().bot.saveMessage.mutate({
      chatId: CHAT,
      message: { messageId: 8, authorName: 'Анна', text: 'Новое', date: at(10) },
    });
    const fresh = await portal().portal.chat.poll.query({ requestId, since: later.pollCursor });
    expect(fresh.messages.map((m) => m.messageId)).toEqual([8]);

    // The file downloads through the untrusted-file rules; strangers get nothing.
    const key = page.messages[0]!.key;
    const file = await fetch(`${api.url}/portal/files/chat/${key}`, {
      headers: { cookie: `${PORTAL_COOKIE}=${annaToken}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf);
    const zoe = await signIn(world.zoe.telegramId);
    const refused = await fetch(`${api.url}/portal/files/chat/${key}`, {
      headers: { cookie: `${PORTAL_COOKIE}=${zoe}` },
    });
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
    const anonymous = await fetch(`${api.url}/portal/files/chat/${key}`);
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();
  }, 20_000);

  it('reads a deal room before its request exists: its agent only, files too, until the form is saved', async () => {
    const ROOM = -1001987650002;
    const room = await bot().bot.registerChat.mutate({
      chat: { id: ROOM, type: 'supergroup', title: 'Новая сделка' },
      addedBy: { telegramId: anna.id, name: 'Анна' },
      botIsAdmin: true,
    });
    if (!room.registered) throw new Error('registration refused');
    await bot().bot.saveMessage.mutate({
      chatId: ROOM,
      message: { messageId: 1, authorName: 'Иван', text: 'Когда начнём?', date: at(4) },
    });
    const assetId = await saveChatFile(api.url, ROOM, { bytes: pdf, fileName: 'Договор.pdf' });
    await bot().bot.saveMessage.mutate({
      chatId: ROOM,
      message: { messageId: 2, authorName: 'Иван', kind: 'document', assetId, date: at(5) },
    });

    // Listed for the agent who added the bot; the room with a request is listed as a request.
    const listed = await portal().portal.roomsBeforeRequest.query({});
    expect(listed.items).toEqual([
      {
        chatId: ROOM,
        title: 'Новая сделка',
        addedAt: expect.any(String),
        lastMessageAt: new Date(at(5) * 1000).toISOString(),
      },
    ]);
    expect(listed.nextCursor).toBeNull();

    const page = await portal().portal.chat.page.query({ chatId: ROOM });
    expect(page.chatTitle).toBe('Новая сделка');
    expect(page.requestId).toBeNull();
    // No request yet, so nothing to turn a file into a document of.
    expect(page.canAttach).toBe(false);
    expect(page.messages.map((m) => [m.messageId, m.text, m.file?.fileName ?? null])).toEqual([
      [1, 'Когда начнём?', null],
      [2, null, 'Договор.pdf'],
    ]);
    await bot().bot.saveMessage.mutate({
      chatId: ROOM,
      message: { messageId: 3, authorName: 'Анна', text: 'Завтра', date: at(6) },
    });
    const polled = await portal().portal.chat.poll.query({ chatId: ROOM, since: page.pollCursor });
    expect(polled.messages.map((m) => m.messageId)).toContain(3);
    const fileKey = page.messages[1]!.key;
    const file = await fetch(`${api.url}/portal/files/chat/${fileKey}`, {
      headers: { cookie: `${PORTAL_COOKIE}=${annaToken}` },
    });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf);

    // Private like the draft that follows: the bank's other agents and other tenants see nothing.
    for (const other of [world.boris.telegramId, world.zoe.telegramId]) {
      const token = await signIn(other);
      expect((await portal(token).portal.roomsBeforeRequest.query({})).items).toEqual([]);
      const refused = await failureOf(portal(token).portal.chat.page.query({ chatId: ROOM }));
      expect([refused.httpStatus, refused.appCode]).toEqual([404, 'NOT_FOUND']);
      const poll = await failureOf(
        portal(token).portal.chat.poll.query({ chatId: ROOM, since: page.pollCursor }),
      );
      expect(poll.httpStatus).toBe(404);
      const download = await fetch(`${api.url}/portal/files/chat/${fileKey}`, {
        headers: { cookie: `${PORTAL_COOKIE}=${token}` },
      });
      expect(download.status).toBe(404);
      await download.arrayBuffer();
    }

    // A room is named by its request or by its chat, one of the two.
    for (const input of [{ requestId, chatId: ROOM }, {}]) {
      const wrong = await failureOf(portal().portal.chat.page.query(input));
      expect(wrong.httpStatus).toBe(400);
      expect(wrong.message).toMatch(/requestId.*chatId/);
    }
    const badCursor = await failureOf(portal().portal.roomsBeforeRequest.query({ cursor: 'x' }));
    expect(badCursor.httpStatus).toBe(400);

    // Named by its chat, a room with a request is read under the request's rules.
    const withRequest = await portal().portal.chat.page.query({ chatId: CHAT });
    expect([withRequest.requestId, withRequest.canAttach]).toEqual([requestId, true]);

    // Once someone saves the form, the room has its request and leaves the list.
    await bot().bot.membership.mutate({
      chatId: ROOM,
      joined: [{ telegramId: ivan.id, name: 'Иван Петров' }],
    });
    const draft = await miniAppClient(
      api.url,
      tma(signLaunch(ivan, room.launchToken)),
    ).miniApp.save.mutate({ fields: { payerName: 'ООО «Новая»' } });
    expect((await portal().portal.roomsBeforeRequest.query({})).items).toEqual([]);
    const now = await portal().portal.chat.page.query({ chatId: ROOM });
    expect([now.requestId, now.canAttach, now.messages.length]).toEqual([draft.id, true, 3]);
  });

  it('pages the rooms before their request, newest first', async () => {
    // One after another: the database stamps each room when the bot joins it.
    for (const [index, id] of [-1001987650011, -1001987650012, -1001987650013].entries()) {
      await bot().bot.registerChat.mutate({
        chat: { id, type: 'group', title: `Сделка ${index + 1}` },
        addedBy: { telegramId: anna.id, name: 'Анна' },
        botIsAdmin: false,
      });
    }
    const first = await portal().portal.roomsBeforeRequest.query({ limit: 2 });
    expect(first.items.map((item) => item.title)).toEqual(['Сделка 3', 'Сделка 2']);
    const second = await portal().portal.roomsBeforeRequest.query({
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map((item) => item.title)).toEqual(['Сделка 1']);
    expect(second.nextCursor).toBeNull();
  });

  it('turns a chat file into the request’s invoice once, in the history and the Mini App; others may not', async () => {
    const message = await invoiceInChat(4);

    const boris = await signIn(world.boris.telegramId);
    const before = await footprint(api.prisma);
    const colleague = await failureOf(
      portal(boris).portal.chat.attach.mutate({
        requestId,
        messageKey: message.key,
        kind: 'INVOICE',
      }),
    );
    expect(colleague.httpStatus).toBe(403);
    expect(colleague.message).toMatch(/только её агент/);
    expect(await footprint(api.prisma)).toEqual(before);
    expect(await api.prisma.document.count()).toBe(0);

    const document = await portal().portal.chat.attach.mutate({
      requestId,
      messageKey: message.key,
      kind: 'INVOICE',
    });
    expect(document).toMatchObject({ kind: 'INVOICE', source: 'CHAT', fileName: 'Счёт 17.pdf' });
    await portal().portal.chat.attach.mutate({
      requestId,
      messageKey: message.key,
      kind: 'INVOICE',
    });
    expect(await api.prisma.document.count()).toBe(1);
    // Not asked to: the group is not told.
    expect(
      await api.prisma.outboxMessage.count({ where: { kind: 'telegram.chatFileAdded' } }),
    ).toBe(0);

    const [again] = (await portal().portal.chat.page.query({ requestId })).messages;
    expect(again!.file!.attachedAs).toEqual(['INVOICE']);
    const view = (await portal().portal.request.query({ requestId })).request;
    expect(view.documents.map((d) => [d.fileName, d.kind, d.source])).toEqual([
      ['Счёт 17.pdf', 'INVOICE', 'CHAT'],
    ]);
    expect(view.history.at(-1)!.change).toMatchObject({
      type: 'document',
      source: 'CHAT',
      kind: 'INVOICE',
    });
    // The Mini App shows it among the request's documents.
    const session = await miniAppClient(
      api.url,
      tma(signLaunch(anna, launchToken)),
    ).miniApp.session.query();
    expect(session.request!.documents.map((d) => d.fileName)).toEqual(['Счёт 17.pdf']);
    const downloaded = await fetch(`${api.url}/portal/files/documents/${document.id}`, {
      headers: { cookie: `${PORTAL_COOKIE}=${annaToken}` },
    });
    expect(Buffer.from(await downloaded.arrayBuffer())).toEqual(pdf);
  });

  it('names a chat file as its own message did, though its bytes came first under another name', async () => {
    const first = await uploadInvoice();
    const second = await saveChatFile(api.url, CHAT, {
      bytes: pdf,
      fileName: 'Платёжное поручение 1245.pdf',
    });
    // One stored file per content: the asset keeps the first name.
    expect(second).toBe(first);
    await bot().bot.saveMessages.mutate({
      chatId: CHAT,
      messages: [
        {
          messageId: 30,
          authorName: 'Банк',
          kind: 'document',
          assetId: first,
          fileName: 'Счёт 17.pdf',
          date: at(3),
        },
        {
          messageId: 31,
          authorName: 'Иван',
          kind: 'document',
          assetId: second,
          fileName: 'Платёжное поручение 1245.pdf',
          date: at(4),
        },
        {
          messageId: 32,
          authorName: 'Иван',
          kind: 'document',
          assetId: second,
          fileName: 'П-п 1246.pdf',
          text: 'вот платёжка',
          date: at(5),
        },
      ],
    });
    const { messages } = await portal().portal.chat.page.query({ requestId });
    const shown = (messageId: number) => {
      const message = messages.find((m) => m.messageId === messageId)!;
      return [message.file?.fileName, message.text];
    };
    expect(shown(30)).toEqual(['Счёт 17.pdf', null]);
    expect(shown(31)).toEqual(['Платёжное поручение 1245.pdf', null]);
    expect(shown(32)).toEqual(['П-п 1246.pdf', 'вот платёжка']);

    const key = messages.find((m) => m.messageId === 31)!.key;
    const document = await portal().portal.chat.attach.mutate({
      requestId,
      messageKey: key,
      kind: 'OTHER',
    });
    expect(document.fileName).toBe('Платёжное поручение 1245.pdf');
    const downloaded = await fetch(`${api.url}/portal/files/chat/${key}`, {
      headers: { cookie: `${PORTAL_COOKIE}=${annaToken}` },
    });
    expect(downloaded.status).toBe(200);
    expect(decodeURIComponent(downloaded.headers.get('content-disposition') ?? '')).toContain(
      'Платёжное поручение 1245.pdf',
    );
  });

  it('does not add a file the platform’s bot posted: it is 1C’s document, the request’s already', async () => {
    const assetId = await uploadInvoice();
    await bot().bot.savePostedMessage.mutate({
      chatId: CHAT,
      message: {
        messageId: 5,
        authorTelegramId: Number(TEST_BOT_TOKEN.split(':')[0]),
        authorName: 'Сделки банка',
        kind: 'document',
        assetId,
        date: at(3),
      },
    });
    const [posted] = (await portal().portal.chat.page.query({ requestId })).messages;
    expect(posted).toMatchObject({ byBot: true, file: expect.anything() });
    const before = await footprint(api.prisma);
    const refused = await failureOf(
      portal().portal.chat.attach.mutate({ requestId, messageKey: posted!.key, kind: 'ACT' }),
    );
    expect(refused.httpStatus).toBe(400);
    expect(refused.message).toMatch(/прислал бот платформы/);
    expect(await footprint(api.prisma)).toEqual(before);
    expect(await api.prisma.document.count()).toBe(0);
  });

  it('announces an added chat file in the group when asked, in answer to the file, once', async () => {
    const message = await invoiceInChat(9);
    // What the group was told before (the request's creation) is out of the way.
    await api.prisma.outboxMessage.updateMany({
      where: { target: 'TELEGRAM' },
      data: { state: 'DELIVERED' },
    });
    const attach = () =>
      portal().portal.chat.attach.mutate({
        requestId,
        messageKey: message.key,
        kind: 'CONTRACT',
        announce: true,
      });
    const document = await attach();
    await attach();
    const { messages } = await bot().botOutbox.claim.mutate({ limit: 10, workerId: 'test' });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toMatchObject({
      kind: 'telegram.chatFileAdded',
      payload: {
        requestId,
        chatId: CHAT,
        documentId: document.id,
        by: { kind: 'agent', name: 'Anna (bank)' },
        replyTo: 9,
      },
    });
    // The bot words it from the card: the file's name and kind, never an id.
    expect(messages[0]!.card!.document).toMatchObject({
      kind: 'CONTRACT',
      fileName: 'Счёт 17.pdf',
    });
  });

  it('exports the whole audit history, not only its latest page, as CSV and JSON', async () => {
    await api.prisma.agent.update({ where: { id: world.anna.id }, data: { isAdmin: true } });
    let version = (await portal().portal.request.query({ requestId })).request.version;
    for (let edit = 1; edit <= 24; edit += 1) {
      const saved = await portal().requests.update.mutate({
        requestId,
        version,
        fields: { comment: edit === 24 ? 'Срочно, "до пятницы"' : `правка ${edit}` },
      });
      version = saved.version;
    }
    const recorded = await api.prisma.requestHistory.count({ where: { requestId } });
    // More than a view's page of history (20): the export must read back the rest.
    expect(recorded).toBe(25);
    const json = await portal().admin.exportHistory.query({ requestId, format: 'json' });
    expect(json.mime).toBe('application/json');
    const entries = (
      JSON.parse(json.content) as { entries: { at: string; atText: string; what: string }[] }
    ).entries;
    expect(entries).toHaveLength(recorded);
    // The file's reader may be anywhere: its times are Moscow's and say so; `at` stays ISO.
    expect(entries[0]!.atText).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d МСК$/);
    expect(entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Oldest first: the request's creation, then every edit in order.
    expect(entries[0]!.what).toBe('Заявка создана');
    expect(entries.at(-1)!.what).toBe('Комментарий: правка 23 → Срочно, "до пятницы"');
    const csv = await portal().admin.exportHistory.query({ requestId, format: 'csv' });
    expect(csv.fileName).toMatch(/^payment-request-\d{6}-history\.csv$/);
    const lines = csv.content.trimEnd().split('\r\n');
    expect(lines).toHaveLength(recorded + 1);
    expect(lines[0]).toBe('\uFEFFКогда,Кто,Что');
    expect(lines[1]).toMatch(/^"\d\d\.\d\d\.\d{4}, \d\d:\d\d МСК",/);
    // A comma or a quote in a cell is quoted as spreadsheets read it.
    expect(lines.at(-1)).toMatch(/,"Комментарий: правка 23 → Срочно, ""до пятницы"""$/);
  });

  it('takes a request’s actions from its page through the shared procedures and rules', async () => {
    const page = await portal().portal.request.query({ requestId });
    // Анна's draft: submitted from the portal as from the Mini App (the group hears it, 1C too).
    const submitted = await portal().requests.setStatus.mutate({
      requestId,
      status: 'COLLECTING_OFFERS',
      version: page.request.version,
    });
    expect(submitted.status).toBe('COLLECTING_OFFERS');
    const outbox = await api.prisma.outboxMessage.findMany({ select: { kind: true } });
    expect(outbox.map((row) => row.kind)).toEqual(
      expect.arrayContaining(['telegram.statusChanged', 'onec.createRequest']),
    );
    const after = await portal().portal.request.query({ requestId });
    expect(after.request.history.at(-1)!.actor).toMatchObject({ kind: 'agent' });
    expect(after.permissions).toContain('documents.generate');

    // A stale version is refused and changes nothing.
    const before = await footprint(api.prisma);
    const stale = await failureOf(
      portal().requests.setStatus.mutate({
        requestId,
        status: 'CANCELLED',
        version: page.request.version,
      }),
    );
    expect(stale.httpStatus).toBe(409);
    // A payment step the domain does not allow yet (no accepted offer) is refused too.
    const early = await failureOf(
      portal().requests.setPaymentStatus.mutate({ requestId, paymentStatus: 'PAYMENT_RECEIVED' }),
    );
    expect([403, 409]).toContain(early.httpStatus);
    expect(await footprint(api.prisma)).toEqual(before);

    // A document asked of 1C from the portal joins the request's queue and the outbox.
    const queue = await portal().portal.requestDocument.mutate({ requestId, kind: 'INVOICE' });
    expect(queue.map((item) => [item.kind, item.state, item.requestedBy])).toEqual([
      ['INVOICE', 'QUEUED', 'Anna (bank)'],
    ]);
    expect(await api.prisma.outboxMessage.count({ where: { kind: 'onec.requestDocument' } })).toBe(
      1,
    );
    // A colleague who is not the request's agent may not.
    const boris = await signIn(world.boris.telegramId);
    const refused = await failureOf(
      portal(boris).portal.requestDocument.mutate({ requestId, kind: 'ACT' }),
    );
    expect(refused.httpStatus).toBe(403);
    expect(await api.prisma.documentRequest.count()).toBe(1);
  });
});
