import { ClaimedTelegramMessage } from '@payreq/contracts';
import { beforeEach, describe, expect, it } from 'vitest';

import { completeForm, createWorld, storeOnecDocument } from '@payreq/testing';
import { dbKind, skipDb } from '../testing/harness';
import { useTestApi } from '../testing/suite';
import type { TelegramUser } from '../testing/telegram';
import { botClient, miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const CHAT = -1001987654321;
/** The bot's own Telegram id (its token's first part). */
const BOT_ID = 7999999999;

/** The bot↔api contract of the outbox: what a claim hands out, and what it never does. */
describe.skipIf(skipDb)(`the Telegram outbox, as the bot claims it (${dbKind})`, () => {
  const api = useTestApi();
  let token: string;

  beforeEach(async () => {
    await createWorld(api.prisma);
    token = await registerDealRoom(api.url, { id: CHAT, title: 'Сделка', by: anna });
  });

  it('hands out each message of the contract with the card to word it: no further call needed', async () => {
    const app = miniAppClient(api.url, tma(signLaunch(anna, token)));
    const draft = await app.miniApp.save.mutate({ fields: completeForm });
    await app.miniApp.setStatus.mutate({ status: 'COLLECTING_OFFERS', version: draft.version });
    // A chat's messages go out one at a time, in order: the request's creation, then its submit.
    const bot = botClient(api.url);
    const first = await bot.botOutbox.claim.mutate({ limit: 10 });
    expect(first.messages.map((m) => m.message.kind)).toEqual(['telegram.requestCreated']);
    await bot.botOutbox.complete.mutate({ id: first.messages[0]!.id });
    const { messages } = await bot.botOutbox.claim.mutate({ limit: 10 });
    const statusChange = messages.find((m) => m.message.kind === 'telegram.statusChanged');
    expect(statusChange).toBeDefined();
    expect(ClaimedTelegramMessage.parse(statusChange)).toMatchObject({
      message: {
        target: 'TELEGRAM',
        kind: 'telegram.statusChanged',
        payload: {
          requestId: draft.id,
          chatId: CHAT,
          from: 'DRAFT',
          to: 'COLLECTING_OFFERS',
          by: { kind: 'agent', name: 'Anna (bank)' },
        },
      },
      card: {
        requestId: draft.id,
        displayNumber: draft.displayNumber,
        chatId: CHAT,
        locale: 'ru',
        inHouse: true,
        amount: '1250000.00',
        currency: 'CNY',
        agentName: 'Anna (bank)',
      },
    });
  });

  it('a delivered message joins the deal room’s archive once; a document with its own file', async () => {
    const app = miniAppClient(api.url, tma(signLaunch(anna, token)));
    const draft = await app.miniApp.save.mutate({ fields: completeForm });
    const bot = botClient(api.url);
    const posted = (messageId: number, text: string) => ({
      messageId,
      authorTelegramId: BOT_ID,
      authorName: 'Сделки банка',
      text,
      date: 1_800_000_000,
    });
    const archive = () =>
      api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(CHAT) },
        orderBy: { messageId: 'asc' },
      });

    const [created] = (await bot.botOutbox.claim.mutate({ limit: 10 })).messages;
    // Another worker's report (its lease is not this row's) writes nothing.
    await expect(
      bot.botOutbox.complete.mutate({
        id: created!.id,
        workerId: 'another-bot',
        telegramMessageId: 500,
        chatId: CHAT,
        message: posted(500, 'Заявка создана'),
      }),
    ).resolves.toEqual({ completed: false });
    expect(await archive()).toEqual([]);
    const report = {
      id: created!.id,
      telegramMessageId: 500,
      chatId: CHAT,
      message: posted(500, 'Заявка создана'),
    };
    await expect(bot.botOutbox.complete.mutate(report)).resolves.toEqual({ completed: true });
    // Reported again (the answer was lost on the way): still one row.
    await bot.botOutbox.complete.mutate(report);
    expect(
      (await archive()).map((row) => [row.messageId, row.authorName, row.text, row.source]),
    ).toEqual([[500, 'Сделки банка', 'Заявка создана', 'bot']]);
    // Writing there does not make the bot one of the room's members.
    expect(
      await api.prisma.chatMember.count({
        where: { chatId: BigInt(CHAT), telegramUserId: BigInt(BOT_ID) },
      }),
    ).toBe(0);

    // A document from 1C: its row in the archive is the document's own file.
    const document = await storeOnecDocument(api.prisma, api.files, {
      requestId: draft.id,
      bytes: Buffer.from('%PDF-1.4\n'),
      fileName: 'Счёт.pdf',
    });
    await api.prisma.outboxMessage.create({
      data: {
        target: 'TELEGRAM',
        kind: 'telegram.document',
        aggregateKey: `chat:${CHAT}`,
        payload: { requestId: draft.id, chatId: String(CHAT), documentId: document.id },
      },
    });
    const [delivery] = (await bot.botOutbox.claim.mutate({ limit: 10 })).messages;
    expect(delivery!.message.kind).toBe('telegram.document');
    await bot.botOutbox.complete.mutate({
      id: delivery!.id,
      telegramMessageId: 501,
      chatId: CHAT,
      message: { ...posted(501, 'Счёт на оплату'), kind: 'document', fileName: 'Счёт.pdf' },
    });
    const [, filed] = await archive();
    expect(filed).toMatchObject({ messageId: 501, kind: 'document', assetId: document.assetId });
    expect(
      (await api.prisma.document.findUniqueOrThrow({ where: { id: document.id } }))
        .telegramMessageId,
    ).toBe(501);
  });

  it('a message delivered to a person’s private chat is archived nowhere', async () => {
    const app = miniAppClient(api.url, tma(signLaunch(anna, token)));
    await app.miniApp.save.mutate({ fields: completeForm });
    const bot = botClient(api.url);
    const [created] = (await bot.botOutbox.claim.mutate({ limit: 10 })).messages;
    await bot.botOutbox.complete.mutate({
      id: created!.id,
      telegramMessageId: 12,
      chatId: anna.id,
      message: {
        messageId: 12,
        authorName: 'Сделки банка',
        text: 'Напоминание',
        date: 1_800_000_000,
      },
    });
    expect(await api.prisma.chatMessage.count()).toBe(0);
  });

  it('parks a row that is no message of the contract as dead, with the reason, and never hands it out', async () => {
    const stray = await api.prisma.outboxMessage.create({
      data: {
        target: 'TELEGRAM',
        kind: 'telegram.somethingNew',
        aggregateKey: `chat:${CHAT}`,
        payload: { chatId: CHAT },
      },
    });
    const { messages } = await botClient(api.url).botOutbox.claim.mutate({ limit: 10 });
    expect(messages).toEqual([]);
    const parked = await api.prisma.outboxMessage.findUniqueOrThrow({ where: { id: stray.id } });
    expect(parked.state).toBe('DEAD');
    expect(parked.lastError).toMatch(/not a Telegram message of the contract/);
    expect(parked.failureReason).toBe('invalid');
  });
});
