import { miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { TelegramUser } from '@payreq/api/testing/telegram';
import type { BotMessageRecord } from '@payreq/telegram-testkit';
import { parseTelegramLink } from '@payreq/telegram-testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import type { BotApp } from '../src/bot';
import { createBot } from '../src/bot';
import { loadConfig } from '../src/env';
import { completeForm, telegramPeople } from '@payreq/testing';
import type { Stack } from './stack';
import {
  BOT_NAME,
  BOT_USERNAME,
  enqueueDeadlineReminder,
  MINI_APP,
  WEBAPP_URL,
  eventually,
  jpeg,
  ogg,
  pdf,
  sha256,
  queueOnecDocument,
  startStack,
  freePort,
} from './stack';

const anna: TelegramUser & { username: string } = {
  id: 7000000001,
  first_name: 'Анна',
  last_name: 'Смирнова',
  language_code: 'ru',
  username: 'anna_bank',
};
const { boris, ivan } = telegramPeople;
const olga: TelegramUser = { id: 5000000002, first_name: 'Ольга', language_code: 'ru' };
const mallory: TelegramUser = { id: 5999999999, first_name: 'Mallory', language_code: 'en' };

let stack: Stack;

const welcomeOf = (records: BotMessageRecord[]) =>
  records.find((record) => JSON.stringify(record.replyMarkup ?? {}).includes('startapp='));

function launchUrlOf(record: BotMessageRecord): string {
  const markup = record.replyMarkup as {
    inline_keyboard: Array<Array<{ url?: string; web_app?: unknown }>>;
  };
  const button = markup.inline_keyboard.flat().find((b) => b.url);
  if (!button?.url) throw new Error('no url button');
  expect(markup.inline_keyboard.flat().some((b) => b.web_app !== undefined)).toBe(false);
  return button.url;
}

/**
 * A group of an agent (Anna: the bank, in-house; Boris: a partner agent) and Ivan (client),
 * the bot added by the agent as admin; returns the chat and its launch token.
 */
async function openDealRoom(title: string, options: { agent?: TelegramUser } = {}) {
  const { tg, token } = stack;
  const agent = options.agent ?? anna;
  const group = tg.createGroup({ by: agent.id, title, members: [ivan.id] });
  tg.addBot(group.id, token, { by: agent.id, asAdmin: true });
  const welcome = await tg.waitForBotMessage(group.id, {
    bot: token,
    predicate: (r) => welcomeOf([r]) !== undefined,
  });
  const url = new URL(launchUrlOf(welcome));
  const launchToken = url.searchParams.get('startapp')!;
  // Ivan was in the group before the bot: the platform learns he is a member when he writes.
  tg.sendText({ from: ivan.id, chat: group.id, text: 'Здравствуйте!' });
  await stack.mirrored();
  return { chatId: group.id, welcome, url, launchToken };
}

const asUser = (user: TelegramUser, launchToken: string) =>
  miniAppClient(stack.api.url, tma(signLaunch(user, launchToken)));

/** The chat's request, filled in and submitted by its agent. */
/** The platform's copy of a chat message (null until the bot has mirrored it). */
const savedMessage = (chatId: number, message: { message_id: number }) =>
  stack.api.prisma.chatMessage.findUnique({
    where: { chatId_messageId: { chatId: BigInt(chatId), messageId: message.message_id } },
  });

/** The platform's record of `user` in the chat (their status as the bot last reported it). */
const membership = (chatId: number, user: TelegramUser) =>
  stack.api.prisma.chatMember.findUnique({
    where: { chatId_telegramUserId: { chatId: BigInt(chatId), telegramUserId: BigInt(user.id) } },
  });

async function requestInChat(
  chat: { chatId: number; launchToken: string },
  by: TelegramUser = anna,
) {
  const agent = asUser(by, chat.launchToken);
  const draft = await agent.miniApp.save.mutate({ fields: completeForm });
  const submitted = await agent.miniApp.setStatus.mutate({
    status: 'COLLECTING_OFFERS',
    version: draft.version,
  });
  return { agent, request: submitted };
}

async function outboxSettled(chatId: number) {
  return eventually(async () => {
    const rows = await stack.api.prisma.outboxMessage.findMany({
      where: { target: 'TELEGRAM', aggregateKey: `chat:${chatId}` },
    });
    return rows.length > 0 && rows.every((row) => row.state !== 'PENDING') ? rows : undefined;
  }, `outbox of chat ${chatId} to settle`);
}

beforeAll(async () => {
  stack = await startStack();
  const { tg, api } = stack;
  for (const user of [anna, boris, ivan, olga, mallory]) {
    const input: Parameters<typeof tg.createUser>[0] = { id: user.id, first_name: user.first_name };
    if (user.last_name) input.last_name = user.last_name;
    if (user.language_code) input.language_code = user.language_code;
    tg.createUser(input);
  }
  const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
  await api.prisma.agent.create({
    data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
  });
  // A partner agent (not the bank): his Telegram requests are not in-house, and his own offer is accepted at once.
  const partner = await api.prisma.tenant.create({ data: { name: 'Партнёр' } });
  await api.prisma.agent.create({
    data: { name: 'Борис Агентов', tenantId: partner.id, telegramId: BigInt(boris.id) },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('deal room registration', () => {
  it('a whitelisted agent adds the bot: the chat is registered and the welcome carries a working Mini App link', async () => {
    const { tg, api, token } = stack;
    const group = tg.createGroup({ by: anna.id, title: 'Сделка Ромашка', members: [ivan.id] });
    tg.addBot(group.id, token, { by: anna.id });
    const welcome = await tg.waitForBotMessage(group.id, { bot: token });

    const chat = await api.prisma.telegramChat.findUnique({ where: { id: BigInt(group.id) } });
    expect(chat).toMatchObject({ title: 'Сделка Ромашка', botIsAdmin: false });
    expect(welcome.text).toContain('Открыть заявку');
    // Not an admin yet: privacy mode would hide the members' messages.
    expect(welcome.text).toContain('администратором');

    const link = launchUrlOf(welcome);
    expect(link).toMatch(
      new RegExp(`^https://t\\.me/${BOT_USERNAME}/${MINI_APP}\\?startapp=[A-Za-z0-9_-]{16,64}$`),
    );
    const parsed = parseTelegramLink(link);
    expect(parsed).toMatchObject({ botUsername: BOT_USERNAME, appShortName: MINI_APP });
    const launchToken = new URL(link).searchParams.get('startapp')!;
    expect(
      await api.prisma.launchToken.findUnique({ where: { token: launchToken } }),
    ).toMatchObject({
      chatId: BigInt(group.id),
    });

    // Olga joins later: the bot reports her, and the Mini App opened with the link knows her chat.
    await stack.mirrored();
    tg.addMember(group.id, olga.id, { by: anna.id });
    await stack.mirrored();
    const session = await asUser(olga, launchToken).miniApp.session.query();
    expect(session.chat).toEqual({ id: group.id, title: 'Сделка Ромашка' });
    expect(session.me.role).toBe('CLIENT');

    // Telegram's own launch through the link (signed by the test server with the same bot token).
    const opened = tg.openLink({ user: olga.id, link, chat: group.id });
    if (opened.kind !== 'miniapp') throw new Error('expected a Mini App launch');
    expect(opened.launch.params.start_param).toBe(launchToken);
    const viaTelegram = await miniAppClient(
      api.url,
      tma(opened.launch.initData),
    ).miniApp.session.query();
    expect(viaTelegram.chat?.id).toBe(group.id);

    // Someone outside the chat with the same link gets nothing.
    await expect(asUser(mallory, launchToken).miniApp.session.query()).rejects.toThrow();

    // Promoted to admin later: the api learns it, the bot thanks.
    tg.promoteBot(group.id, token, { by: anna.id });
    await tg.waitForBotMessage(group.id, {
      bot: token,
      predicate: (r) => r.text?.includes('Спасибо') === true,
    });
    await eventually(
      async () =>
        (await api.prisma.telegramChat.findUnique({ where: { id: BigInt(group.id) } }))?.botIsAdmin,
      'botIsAdmin',
    );

    // Olga leaves (service message and, the bot being admin now, a chat_member update): the link stops working for her.
    tg.removeMember(group.id, olga.id);
    await stack.mirrored();
    expect(await membership(group.id, olga)).toMatchObject({ status: 'LEFT' });
    await expect(asUser(olga, launchToken).miniApp.session.query()).rejects.toThrow();
    // A member promoted by the owner is recorded as an admin (chat_member update).
    tg.promote(group.id, ivan.id, { by: anna.id });
    await stack.mirrored();
    expect(await membership(group.id, ivan)).toMatchObject({ status: 'ADMIN' });
  });

  it('a stranger adds the bot: it says why, leaves, and nothing is registered', async () => {
    const { tg, api, token } = stack;
    tg.createUser({ id: 5888888888, first_name: 'Eve', language_code: 'en' });
    const group = tg.createGroup({ by: 5888888888, title: 'Random group', members: [mallory.id] });
    tg.addBot(group.id, token, { by: 5888888888 });
    const refusal = await tg.waitForBotMessage(group.id, { bot: token });
    expect(refusal.text).toMatch(/only a bank manager/);
    await eventually(() => tg.hasBotLeft(group.id, token), 'the bot to leave');
    expect(refusal.replyMarkup).toBeUndefined();
    expect(await api.prisma.telegramChat.count({ where: { id: BigInt(group.id) } })).toBe(0);
    expect(await api.prisma.launchToken.count({ where: { chatId: BigInt(group.id) } })).toBe(0);
  });
});

describe('mirroring', () => {
  it('text, edit, reply, photo, album, voice: each held once, files with their bytes', async () => {
    const { tg, api } = stack;
    const { chatId } = await openDealRoom('Сделка Лютик');
    const first = tg.sendText({ from: ivan.id, chat: chatId, text: 'Добрый день' });
    const reply = tg.sendText({
      from: anna.id,
      chat: chatId,
      text: 'Здравствуйте, Иван',
      replyTo: first.message_id,
    });
    tg.editText({
      from: ivan.id,
      chat: chatId,
      messageId: first.message_id,
      text: 'Добрый день! Счёт ниже',
    });
    const photoBytes = jpeg();
    const photo = tg.sendPhoto({
      from: ivan.id,
      chat: chatId,
      bytes: photoBytes,
      caption: 'Скан паспорта сделки',
    });
    const albumFiles = [jpeg(), jpeg(), pdf('invoice')];
    const album = tg.sendAlbum({
      from: ivan.id,
      chat: chatId,
      caption: 'Документы по контракту',
      items: [
        { type: 'photo', bytes: albumFiles[0] },
        { type: 'photo', bytes: albumFiles[1] },
        {
          type: 'document',
          fileName: 'Инвойс 42.pdf',
          bytes: albumFiles[2],
          mimeType: 'application/pdf',
        },
      ],
    });
    const voiceBytes = ogg();
    const voice = tg.sendVoice({ from: ivan.id, chat: chatId, bytes: voiceBytes });
    await stack.mirrored({ timeoutMs: 15_000 });

    const rows = await api.prisma.chatMessage.findMany({
      where: {
        chatId: BigInt(chatId),
        kind: { not: 'service' },
        messageId: { gte: first.message_id },
      },
      include: { asset: true },
      orderBy: { messageId: 'asc' },
    });
    const ids = [first, reply, photo, ...album, voice].map((m) => m.message_id);
    expect(rows.map((row) => row.messageId)).toEqual(ids);

    const byId = new Map(rows.map((row) => [row.messageId, row]));
    expect(byId.get(first.message_id)).toMatchObject({
      text: 'Добрый день! Счёт ниже',
      authorTelegramId: BigInt(ivan.id),
      authorName: 'Иван Петров',
    });
    expect(byId.get(first.message_id)!.editDate).not.toBeNull();
    expect(byId.get(reply.message_id)).toMatchObject({
      replyToMessageId: first.message_id,
      editDate: null,
    });

    const photoRow = byId.get(photo.message_id)!;
    expect(photoRow).toMatchObject({ kind: 'photo', text: 'Скан паспорта сделки' });
    expect(photoRow.asset).toMatchObject({ mime: 'image/jpeg', sha256: sha256(photoBytes) });
    expect(sha256(await api.files.get(photoRow.asset!.storageKey))).toBe(sha256(photoBytes));

    const albumRows = album.map((m) => byId.get(m.message_id)!);
    expect(new Set(albumRows.map((row) => row.mediaGroupId)).size).toBe(1);
    expect(albumRows[0]!.mediaGroupId).toBe(album[0]!.media_group_id);
    expect(albumRows.map((row) => row.kind)).toEqual(['photo', 'photo', 'document']);
    for (const [index, row] of albumRows.entries()) {
      expect(row.asset?.sha256).toBe(sha256(albumFiles[index]!));
      expect(sha256(await api.files.get(row.asset!.storageKey))).toBe(sha256(albumFiles[index]!));
    }
    expect(albumRows[2]!.asset).toMatchObject({
      mime: 'application/pdf',
      fileName: 'Инвойс 42.pdf',
    });

    expect(byId.get(voice.message_id)).toMatchObject({ kind: 'voice' });
    expect(byId.get(voice.message_id)!.asset).toMatchObject({
      mime: 'audio/ogg',
      sha256: sha256(voiceBytes),
    });

    // The same edit delivered again changes nothing; rows stay one per message.
    expect(
      await api.prisma.chatMessage.count({
        where: { chatId: BigInt(chatId), messageId: first.message_id },
      }),
    ).toBe(1);
  });

  it('a file over 20 MB is recorded as too big; a type the deal room does not take is kept without its file', async () => {
    const { tg } = stack;
    const { chatId } = await openDealRoom('Сделка Ландыш');
    const big = tg.sendDocument({
      from: ivan.id,
      chat: chatId,
      fileName: 'Архив сканов.zip',
      size: 25 * 1024 * 1024,
    });
    const exe = tg.sendDocument({
      from: ivan.id,
      chat: chatId,
      fileName: 'setup.exe',
      mimeType: 'application/x-msdownload',
      bytes: Buffer.from('MZ\x90\x00binary', 'latin1'),
    });
    await stack.mirrored({ timeoutMs: 15_000 });
    expect(await savedMessage(chatId, big)).toMatchObject({
      kind: 'document',
      fileTooBig: true,
      assetId: null,
      text: 'Архив сканов.zip',
    });
    expect(await savedMessage(chatId, exe)).toMatchObject({
      kind: 'document',
      fileTooBig: false,
      assetId: null,
      text: 'setup.exe',
    });
    // The bot never asked Telegram for the big file.
    expect(
      stack.tg
        .calls({ method: 'getFile' })
        .some((call) => call.params.file_id === big.document?.file_id),
    ).toBe(false);
  });

  it('messages of chats that are not deal rooms are ignored', async () => {
    const { tg, api, token } = stack;
    // Bob (not an agent) creates a group with the bot in it and writes at once.
    tg.createUser({ id: 5777777777, first_name: 'Bob' });
    tg.setPrivacyMode(token, false);
    try {
      const botId = tg.getBot(token).id;
      const group = tg.createGroup({ by: 5777777777, title: 'Not a deal room', members: [botId] });
      tg.sendText({ from: 5777777777, chat: group.id, text: 'hello, bot' });
      await stack.mirrored();
      await eventually(() => tg.hasBotLeft(group.id, token), 'the bot to leave');
      expect(await api.prisma.telegramChat.count({ where: { id: BigInt(group.id) } })).toBe(0);
      expect(await api.prisma.chatMessage.count({ where: { chatId: BigInt(group.id) } })).toBe(0);
    } finally {
      tg.setPrivacyMode(token, true);
    }
  });

  it('the api restarting delays mirroring and never drops it: the update waits in the journal', async () => {
    const { tg, api, token, proxy } = stack;
    const { chatId } = await openDealRoom('Сделка Ромашка 2');
    proxy.down = true;
    try {
      const message = tg.sendText({
        from: ivan.id,
        chat: chatId,
        text: 'Пока api перезапускается',
      });
      // Journaled and acknowledged: Telegram no longer holds it, the api does not have it yet.
      await tg.waitForUpdatesConsumed(token);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stack.app.journal?.stats().pending).toBe(1);
      expect(
        await api.prisma.chatMessage.count({
          where: { chatId: BigInt(chatId), messageId: message.message_id },
        }),
      ).toBe(0);
      proxy.down = false;
      await eventually(
        () => stack.app.journal?.stats().pending === 0,
        'the journal to drain',
        20_000,
      );
      expect(
        await api.prisma.chatMessage.count({
          where: { chatId: BigInt(chatId), messageId: message.message_id },
        }),
      ).toBe(1);
    } finally {
      proxy.down = false;
    }
  });

  it('a burst of chat is saved a run at a time: one api call per run of plain messages, files and joins between them in order', async () => {
    const { tg, api, proxy } = stack;
    const { chatId } = await openDealRoom('Сделка Пион');
    const before = proxy.requests.length;
    // Sent in one tick: Telegram hands them to the bot as one getUpdates batch.
    const first = Array.from({ length: 20 }, (_, i) =>
      tg.sendText({ from: i % 2 ? anna.id : ivan.id, chat: chatId, text: `Сообщение ${i + 1}` }),
    );
    tg.editText({
      from: ivan.id,
      chat: chatId,
      messageId: first[2]!.message_id,
      text: 'Исправлено',
    });
    const photoBytes = jpeg();
    const photo = tg.sendPhoto({ from: ivan.id, chat: chatId, bytes: photoBytes });
    const joined = tg.addMember(chatId, olga.id, { by: anna.id });
    const second = Array.from({ length: 10 }, (_, i) =>
      tg.sendText({ from: olga.id, chat: chatId, text: `Ольга ${i + 1}` }),
    );
    await stack.mirrored({ timeoutMs: 15_000 });

    const calls = proxy.requests.slice(before).filter((call) => call.includes('/trpc/bot.save'));
    expect(calls.filter((call) => call.endsWith('bot.saveMessages'))).toHaveLength(2);
    // The photo's row, and the join (its own step: membership first, then its service row).
    expect(calls.filter((call) => call.endsWith('bot.saveMessage'))).toHaveLength(2);

    const rows = await api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chatId), messageId: { gte: first[0]!.message_id } },
      include: { asset: true },
      orderBy: { messageId: 'asc' },
    });
    expect(rows.map((row) => row.messageId)).toEqual(
      [...first, photo, joined, ...second].map((m) => m.message_id),
    );
    expect(rows[0]).toMatchObject({ text: 'Сообщение 1', authorTelegramId: BigInt(ivan.id) });
    expect(rows[1]).toMatchObject({ text: 'Сообщение 2', authorTelegramId: BigInt(anna.id) });
    expect(rows[2]!.text).toBe('Исправлено');
    expect(rows[2]!.editDate).not.toBeNull();
    expect(rows[20]!.asset?.sha256).toBe(sha256(photoBytes));
    expect(rows[21]).toMatchObject({ kind: 'service' });
    expect(rows.at(-1)).toMatchObject({ text: 'Ольга 10', authorName: 'Ольга' });
    expect(await membership(chatId, olga)).toMatchObject({ status: 'MEMBER' });
  });

  it('a run the api refuses as a whole (a proxy’s body limit) is saved one message at a time', async () => {
    const { tg, api, proxy } = stack;
    const { chatId } = await openDealRoom('Сделка Астра');
    const before = proxy.requests.length;
    // Each message fits under the limit; the five together do not.
    proxy.maxBodyBytes = 16 * 1024;
    try {
      const sent = Array.from({ length: 5 }, (_, i) =>
        tg.sendText({
          from: ivan.id,
          chat: chatId,
          text: `${i + 1} ${'длинный текст '.repeat(200)}`,
        }),
      );
      await stack.mirrored({ timeoutMs: 15_000 });
      const calls = proxy.requests.slice(before).filter((call) => call.includes('/trpc/bot.save'));
      expect(calls).toEqual([
        'POST /trpc/bot.saveMessages',
        ...sent.map(() => 'POST /trpc/bot.saveMessage'),
      ]);
      const rows = await api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(chatId), messageId: { in: sent.map((m) => m.message_id) } },
        orderBy: { messageId: 'asc' },
      });
      expect(rows.map((row) => row.text!.split(' ')[0])).toEqual(['1', '2', '3', '4', '5']);
    } finally {
      proxy.maxBodyBytes = null;
    }
  });

  it('a group upgraded to a supergroup keeps its deal room, request and link', async () => {
    const { tg, api, token } = stack;
    const { chatId, launchToken } = await openDealRoom('Сделка Василёк', { agent: boris });
    const { request } = await requestInChat({ chatId, launchToken }, boris);
    await outboxSettled(chatId);
    const before = tg.sendText({ from: ivan.id, chat: chatId, text: 'До миграции' });
    const supergroup = tg.upgradeToSupergroup(chatId, { by: boris.id });
    expect(supergroup.id).not.toBe(chatId);
    await stack.mirrored();
    const after = tg.sendText({ from: ivan.id, chat: supergroup.id, text: 'После миграции' });
    await stack.mirrored();

    expect(
      await api.prisma.telegramChat.findUnique({ where: { id: BigInt(chatId) } }),
    ).toMatchObject({
      migratedToChatId: BigInt(supergroup.id),
    });
    expect(
      await api.prisma.telegramChat.findUnique({ where: { id: BigInt(supergroup.id) } }),
    ).toMatchObject({
      type: 'supergroup',
      title: 'Сделка Василёк',
    });
    expect(await api.prisma.paymentRequest.findUnique({ where: { id: request.id } })).toMatchObject(
      {
        telegramChatId: BigInt(supergroup.id),
      },
    );
    // Messages keep the id they were written under; the new ones are under the supergroup's.
    expect(await savedMessage(chatId, before)).toMatchObject({ text: 'До миграции' });
    expect(await savedMessage(supergroup.id, after)).toMatchObject({ text: 'После миграции' });
    // The old button still opens the same deal room, now the supergroup.
    const session = await asUser(ivan, launchToken).miniApp.session.query();
    expect(session.chat?.id).toBe(supergroup.id);
    expect(session.request?.id).toBe(request.id);

    // And announcements go to the supergroup.
    await acceptOffer(request.id);
    await tg.waitForBotMessage(supergroup.id, {
      bot: token,
      predicate: (r) => r.text?.includes('предложение принято') === true,
    });
  });
});

async function agentId(user: TelegramUser = boris): Promise<string> {
  const agent = await stack.api.prisma.agent.findUniqueOrThrow({
    where: { telegramId: BigInt(user.id) },
  });
  return agent.id;
}

/** The linked (partner) agent's offer: accepted at once on a Telegram request. */
async function acceptOffer(requestId: string, validUntil?: string) {
  await stack.api
    .client(stack.api.tokenFor({ kind: 'agent', id: await agentId(boris) }))
    .offers.submit.mutate({
      requestId,
      terms: {
        rate: '12.8456',
        feePercent: '1.5',
        fixedFee: '50.00',
        totalToPay: '16107050.00',
        settlementDays: 3,
        ...(validUntil ? { validUntil } : {}),
      },
    });
}

/** Intl groups digits with (narrow) no-break spaces. */
const plain = (text: string | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');

describe('delivery of the outbox', () => {
  it('the agent submitting an in-house request is announced as «Новая in-house заявка»', async () => {
    const { tg, token } = stack;
    const chat = await openDealRoom('Сделка Пион');
    const { request } = await requestInChat(chat);
    const submitted = await tg.waitForBotMessage(chat.chatId, {
      bot: token,
      predicate: (r) => r.text?.includes('Новая in-house заявка') === true,
    });
    expect(plain(submitted.text)).toBe(
      [
        `Заявка ${request.displayNumber}: статус «Новая in-house заявка»`,
        'Было: «Черновик»',
        'Изменил(а): Анна Смирнова',
        'Сумма: 1 250 000,00 CNY',
      ].join('\n'),
    );
    const rows = await outboxSettled(chat.chatId);
    expect(rows.map((row) => [row.kind, row.state])).toEqual([
      ['telegram.requestCreated', 'DELIVERED'],
      ['telegram.statusChanged', 'DELIVERED'],
    ]);
  });

  it('the first save is confirmed in the group once, in words, before anything else of the request', async () => {
    const { tg, token } = stack;
    const chat = await openDealRoom('Сделка Лилия');
    const before = tg.botMessages(chat.chatId, { bot: token }).length;
    const client = asUser(ivan, chat.launchToken);
    const draft = await client.miniApp.save.mutate({ fields: { payerName: 'ООО «Лилия»' } });
    await client.miniApp.save.mutate({ version: draft.version, fields: { amount: '1000' } });
    await outboxSettled(chat.chatId);
    const after = tg.botMessages(chat.chatId, { bot: token }).slice(before);
    expect(after.map((record) => record.text)).toEqual([
      `Заявка ${draft.displayNumber} создана. Её заполняют и проверяют в приложении: кнопка «Открыть заявку» выше.`,
    ]);
  });

  it('the client filling the last required field is told to the group once; the agent’s own filling is not', async () => {
    const { tg, token } = stack;
    const chat = await openDealRoom('Сделка Астра');
    const before = tg.botMessages(chat.chatId, { bot: token }).length;
    const client = asUser(ivan, chat.launchToken);
    const { purpose, ...allButPurpose } = completeForm;
    const draft = await client.miniApp.save.mutate({ fields: allButPurpose });
    const filled = await client.miniApp.save.mutate({
      version: draft.version,
      fields: { purpose },
    });
    // A later edit of the filled draft tells nobody again.
    await client.miniApp.save.mutate({ version: filled.version, fields: { comment: 'Срочно' } });
    await outboxSettled(chat.chatId);
    expect(
      tg
        .botMessages(chat.chatId, { bot: token })
        .slice(before)
        .map((r) => r.text),
    ).toEqual([
      `Заявка ${draft.displayNumber} создана. Её заполняют и проверяют в приложении: кнопка «Открыть заявку» выше.`,
      `Заявка ${draft.displayNumber}: Иван Петров заполнил(а) все обязательные поля. Агент может проверить заявку и отправить её в 1С: кнопка «Открыть заявку» выше.`,
    ]);

    // The agent filling it themselves: only the creation is said.
    const own = await openDealRoom('Сделка Гербера');
    const ownBefore = tg.botMessages(own.chatId, { bot: token }).length;
    await asUser(anna, own.launchToken).miniApp.save.mutate({ fields: completeForm });
    const rows = await outboxSettled(own.chatId);
    expect(rows.map((row) => row.kind)).toEqual(['telegram.requestCreated']);
    expect(tg.botMessages(own.chatId, { bot: token }).slice(ownBefore)).toHaveLength(1);
  });

  it('status changes, the accepted offer and payment steps appear in the chat once each, in order', async () => {
    const { tg, token } = stack;
    const chat = await openDealRoom('Сделка Ирис', { agent: boris });
    const { request } = await requestInChat(chat, boris);
    await acceptOffer(request.id, '2030-12-31T12:00:00Z');
    const offer = await tg.waitForBotMessage(chat.chatId, {
      bot: token,
      predicate: (r) => r.text?.includes('предложение принято') === true,
    });
    expect(plain(offer.text)).toBe(
      [
        `Заявка ${request.displayNumber}: предложение принято`,
        'Сумма платежа: 1 250 000,00 CNY',
        'Курс: 12,8456 RUB/CNY',
        'Комиссия: 1,5 %',
        'Фикс. комиссия: 50,00 RUB',
        'Итого к оплате: 16 107 050,00 RUB',
        'Срок (дней): 3',
        'Действует до: 31.12.2030, 15:00 МСК',
      ].join('\n'),
    );

    await asUser(ivan, chat.launchToken).miniApp.setPaymentStatus.mutate({
      paymentStatus: 'TEST_PAYMENT_SENT',
    });
    const paid = await tg.waitForBotMessage(chat.chatId, {
      bot: token,
      predicate: (r) => r.text?.includes('Тестовый платёж отправлен') === true,
    });
    expect(paid.text).toBe(
      `Заявка ${request.displayNumber}: Тестовый платёж отправлен\nСтатус оплаты был: «Не оплачена»\nОтметил(а): Иван Петров`,
    );

    const rows = await outboxSettled(chat.chatId);
    expect(rows.every((row) => row.state === 'DELIVERED')).toBe(true);
    const texts = tg.botMessages(chat.chatId, { bot: token }).map((r) => r.text ?? '');
    const order = [
      'статус «Сбор предложений»',
      'предложение принято',
      'Тестовый платёж отправлен',
    ].map((word) => {
      expect(texts.filter((t) => t.includes(word))).toHaveLength(1);
      return texts.findIndex((t) => t.includes(word));
    });
    expect([...order].sort((x, y) => x - y)).toEqual(order);

    // The room's archive holds what the bot said there, as the chat shows it: the welcome and
    // each announcement (Telegram never sends a bot its own messages; the bot files them itself).
    await stack.mirrored();
    const archived = await stack.api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chat.chatId), authorName: BOT_NAME },
      orderBy: { messageId: 'asc' },
    });
    expect(archived.map((row) => [row.messageId, row.kind, row.text])).toEqual(
      tg.botMessages(chat.chatId, { bot: token }).map((r) => [r.messageId, 'text', r.text]),
    );
  });

  it('a document from 1C is posted as a file with its bytes, name and kind', async () => {
    const { tg, api, token } = stack;
    const chat = await openDealRoom('Сделка Тюльпан');
    const { request } = await requestInChat(chat);
    await outboxSettled(chat.chatId);
    const bytes = pdf('Счёт на оплату №42');
    const { document } = await queueOnecDocument(
      api,
      { requestId: request.id, chatId: chat.chatId },
      { bytes, fileName: 'Счёт №42.pdf' },
    );
    stack.app.delivery?.poke();
    const posted = await tg.waitForBotMessage(chat.chatId, {
      bot: token,
      predicate: (r) => r.method === 'sendDocument',
    });
    expect(posted.caption).toBe(`Счёт на оплату — заявка ${request.displayNumber}`);
    expect(posted.files).toHaveLength(1);
    expect(posted.files[0]!.fileName).toBe('Счёт №42.pdf');
    expect(sha256(posted.files[0]!.bytes!)).toBe(sha256(bytes));
    await eventually(
      async () =>
        (await api.prisma.document.findUnique({ where: { id: document.id } }))
          ?.telegramMessageId === posted.messageId,
      'Document.telegramMessageId',
    );
    const rows = await outboxSettled(chat.chatId);
    expect(rows.every((row) => row.state === 'DELIVERED')).toBe(true);
    // In the room's archive it is the document's own file, not a second copy of its bytes.
    const archived = await savedMessage(chat.chatId, { message_id: posted.messageId });
    expect(archived).toMatchObject({
      kind: 'document',
      authorName: BOT_NAME,
      text: posted.caption,
      assetId: document.assetId,
    });
  });

  it('under 429 (retry_after) and 5xx every message arrives exactly once; a lost answer is never resent', async () => {
    const { tg, api, token } = stack;
    const chat = await openDealRoom('Сделка Астра', { agent: boris });
    const { request } = await requestInChat(chat, boris);
    await acceptOffer(request.id);
    await outboxSettled(chat.chatId);
    const before = tg.botMessages(chat.chatId, { bot: token }).length;

    onTestFinished(() => tg.clearFaults());
    tg.injectFault({ kind: 'rateLimit', method: 'sendMessage', retryAfter: 30 });
    tg.injectFault({ kind: 'internalError', method: 'sendMessage' });
    tg.injectFault({ kind: 'badGateway', method: 'sendMessage', html: true });
    tg.injectFault({ kind: 'rateLimit', method: 'sendMessage', retryAfter: 2 });

    const client = asUser(ivan, chat.launchToken);
    const agent = asUser(boris, chat.launchToken);
    await client.miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_SENT' });
    await agent.miniApp.setPaymentStatus.mutate({ paymentStatus: 'TEST_PAYMENT_CONFIRMED' });
    await client.miniApp.setPaymentStatus.mutate({ paymentStatus: 'PAYMENT_SENT' });
    await agent.miniApp.setPaymentStatus.mutate({ paymentStatus: 'PAYMENT_RECEIVED' });

    // The first 429 asked for 30 s: the outbox must not try again before that.
    const limited = await eventually(async () => {
      const row = await api.prisma.outboxMessage.findFirst({
        where: {
          aggregateKey: `chat:${chat.chatId}`,
          state: 'PENDING',
          lastError: { startsWith: '429' },
        },
      });
      return row ?? undefined;
    }, 'the 429 to be recorded');
    expect(limited.nextAttemptAt.getTime() - api.clock.now().getTime()).toBeGreaterThan(25_000);
    expect(limited).toMatchObject({ failureReason: 'rateLimited', failureStatus: 429 });

    // Time passes (the api's clock), faster than the wall clock.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pending = await api.prisma.outboxMessage.findMany({
        where: { aggregateKey: `chat:${chat.chatId}`, state: 'PENDING' },
        orderBy: { id: 'asc' },
      });
      if (pending.length === 0) break;
      if (Date.now() > deadline) throw new Error('deliveries did not finish');
      const head = pending[0]!;
      const wait = head.nextAttemptAt.getTime() - api.clock.now().getTime();
      if (wait > 0 && head.lockedBy === null) api.clock.advance(wait + 10);
      stack.app.delivery?.poke();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    api.clock.reset();

    const rows = await api.prisma.outboxMessage.findMany({
      where: { aggregateKey: `chat:${chat.chatId}` },
    });
    expect(rows.every((row) => row.state === 'DELIVERED')).toBe(true);
    const fired = tg.faults().fired.filter((fault) => fault.method === 'sendMessage');
    expect(fired.map((fault) => fault.kind)).toEqual([
      'rateLimit',
      'internalError',
      'badGateway',
      'rateLimit',
    ]);
    const after = tg
      .botMessages(chat.chatId, { bot: token })
      .slice(before)
      .map((r) => r.text ?? '');
    expect(after).toHaveLength(4);
    for (const word of [
      'Тестовый платёж отправлен',
      'Тестовый платёж получен',
      'Платёж отправлен',
      'Платёж получен',
    ]) {
      expect(after.filter((text) => text.split('\n')[0]!.endsWith(word))).toHaveLength(1);
    }

    // The answer to a posted message is lost: it is not posted again (parked as DEAD, with the reason).
    tg.injectFault({ kind: 'dropResponse', method: 'sendMessage' });
    await agent.miniApp.setPaymentStatus.mutate({ paymentStatus: 'PAYOUT_DONE' });
    const dead = await eventually(
      async () =>
        (await api.prisma.outboxMessage.findFirst({
          where: { aggregateKey: `chat:${chat.chatId}`, state: 'DEAD' },
        })) ?? undefined,
      'the unknown outcome to be parked',
    );
    expect(dead.lastError).toMatch(/outcome unknown/);
    expect(dead.failureReason).toBe('outcomeUnknown');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const payout = tg
      .botMessages(chat.chatId, { bot: token })
      .filter((r) => r.text?.includes('Выплата произведена'));
    expect(payout).toHaveLength(1);
  });
});

describe('documents from the group', () => {
  it('the linked agent asks 1C for a document with /document or its keyboard; others are refused politely, writing nothing', async () => {
    const { tg, api, token } = stack;
    const chat = await openDealRoom('Сделка Астра');
    const says = (predicate: (text: string) => boolean, count = 1) =>
      tg.waitForBotMessage(chat.chatId, {
        bot: token,
        predicate: (r) => predicate(r.text ?? ''),
        count,
      });
    const documentRequests = () =>
      api.prisma.documentRequest.findMany({ orderBy: { createdAt: 'asc' } });

    tg.sendText({ from: anna.id, chat: chat.chatId, text: '/doc' });
    await says((text) => text.startsWith('В этом чате пока нет заявки'));

    const { request } = await requestInChat(chat);
    await outboxSettled(chat.chatId);
    const before = (await documentRequests()).length;

    // The client: a polite refusal, and nothing queued.
    tg.sendText({ from: ivan.id, chat: chat.chatId, text: '/document invoice' });
    await says((text) => text.includes('может только менеджер банка, который ведёт эту сделку'));
    expect(await documentRequests()).toHaveLength(before);

    // Addressed to another bot: not ours to answer.
    tg.sendText({ from: anna.id, chat: chat.chatId, text: '/document@other_bot invoice' });
    // The agent, with a kind (Russian word, addressed to this bot): asked at once.
    tg.sendText({ from: anna.id, chat: chat.chatId, text: `/document@${BOT_USERNAME} счёт` });
    const queued = await says((text) => text.startsWith('Запрос в 1С отправлен'));
    expect(queued.text).toBe(
      `Запрос в 1С отправлен: «Счёт на оплату» по заявке ${request.displayNumber} (запросил(а): Анна Смирнова). Документ придёт в этот чат, когда 1С его подготовит.`,
    );
    expect((await documentRequests()).map((row) => row.kind)).toEqual(['INVOICE']);

    // Without a kind: a keyboard of kinds.
    tg.sendText({ from: anna.id, chat: chat.chatId, text: '/doc' });
    const keyboard = await says((text) => text.startsWith('Какой документ запросить из 1С'));
    expect(keyboard.text).toBe(
      `Какой документ запросить из 1С по заявке ${request.displayNumber}?`,
    );
    const buttons = (
      keyboard.replyMarkup as { inline_keyboard: Array<Array<{ text: string }>> }
    ).inline_keyboard.flat();
    expect(buttons.map((button) => button.text)).toEqual([
      'Счёт на оплату',
      'Договор',
      'Акт',
      'Отчёт агента',
      'Подтверждение SWIFT (MT103)',
      'Квитанция',
      'Другой документ',
    ]);

    // Ivan presses a button: only he sees the refusal.
    const ivanPress = tg.pressButton({
      from: ivan.id,
      chat: chat.chatId,
      messageId: keyboard.messageId,
      text: 'Акт',
    });
    const refusal = await tg.waitForCallbackAnswer(ivanPress.callbackQueryId);
    expect(refusal).toMatchObject({ show_alert: true });
    expect(refusal.text).toContain('может только менеджер банка');
    expect(await documentRequests()).toHaveLength(1);

    const annaPress = tg.pressButton({
      from: anna.id,
      chat: chat.chatId,
      messageId: keyboard.messageId,
      text: 'Акт',
    });
    expect(await tg.waitForCallbackAnswer(annaPress.callbackQueryId)).toMatchObject({
      text: 'Запрошено в 1С: Акт',
    });
    await says((text) => text.startsWith('Запрос в 1С отправлен: «Акт»'));
    const rows = await documentRequests();
    expect(rows.map((row) => [row.kind, row.requestedBy])).toEqual([
      ['INVOICE', 'Анна Смирнова'],
      ['ACT', 'Анна Смирнова'],
    ]);
    // The same queue as the Mini App's: one message to 1C per document, and the agent sees both there.
    const toOnec = await api.prisma.outboxMessage.findMany({
      where: { kind: 'onec.requestDocument', aggregateKey: `request:${request.id}` },
    });
    expect(toOnec).toHaveLength(2);
    const session = await asUser(anna, chat.launchToken).miniApp.session.query();
    expect(session.request?.documentRequests.map((row) => row.kind).sort()).toEqual([
      'ACT',
      'INVOICE',
    ]);
    // The commands are chat messages like any other: mirrored.
    const mirrored = await api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chat.chatId), text: { startsWith: '/doc' } },
    });
    expect(mirrored).toHaveLength(5);
    // Nothing was said to the command addressed to another bot.
    await tg.waitForUpdatesConsumed(token);
    expect(
      tg.botMessages(chat.chatId, { bot: token }).filter((r) => r.text?.startsWith('Запрос в 1С')),
    ).toHaveLength(2);
    // The bot's answers are in the room's archive too (Telegram never sends a bot its own
    // messages), by the bot's name, with the same message ids as in the chat.
    await stack.mirrored();
    const answers = tg
      .botMessages(chat.chatId, { bot: token })
      .filter((r) => r.text?.startsWith('Запрос в 1С') || r.text?.startsWith('Какой документ'));
    const archived = await api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chat.chatId), messageId: { in: answers.map((r) => r.messageId) } },
      orderBy: { messageId: 'asc' },
    });
    expect(archived.map((row) => [row.messageId, row.authorName, row.text])).toEqual(
      answers.map((r) => [r.messageId, BOT_NAME, r.text]),
    );
    // The bot is not one of the room's members for having written there.
    expect(
      await api.prisma.chatMember.count({
        where: { chatId: BigInt(chat.chatId), telegramUserId: BigInt(tg.getBot(token).id) },
      }),
    ).toBe(0);

    // The api down: the press is answered all the same (try again), and nothing is queued.
    stack.proxy.down = true;
    try {
      const unanswered = tg.pressButton({
        from: anna.id,
        chat: chat.chatId,
        messageId: keyboard.messageId,
        text: 'Квитанция',
      });
      const later = await tg.waitForCallbackAnswer(unanswered.callbackQueryId, {
        timeoutMs: 30_000,
      });
      expect(later).toMatchObject({ show_alert: true });
      expect(later.text).toContain('Попробуйте ещё раз');
    } finally {
      stack.proxy.down = false;
    }
    expect(await documentRequests()).toHaveLength(2);
  });
});

describe('private chat', () => {
  it('/start explains the bot and opens the Mini App; agents also get the board', async () => {
    const { tg, token } = stack;
    tg.startBot(ivan.id, token);
    const toClient = await tg.waitForBotMessage(ivan.id, { bot: token });
    expect(toClient.text).toContain('Здравствуйте! Я бот банка');
    expect(toClient.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'Открыть приложение', web_app: { url: WEBAPP_URL } }]],
    });

    tg.startBot(mallory.id, token);
    const inEnglish = await tg.waitForBotMessage(mallory.id, { bot: token });
    expect(inEnglish.text).toContain('deal-room bot');

    tg.startBot(anna.id, token);
    const toAgent = await tg.waitForBotMessage(anna.id, { bot: token });
    expect(toAgent.replyMarkup).toEqual({
      inline_keyboard: [
        [{ text: 'Открыть приложение', web_app: { url: WEBAPP_URL } }],
        [{ text: 'Доска заявок', web_app: { url: `${WEBAPP_URL}?mode=board` } }],
      ],
    });
    expect(tg.botCommands(token, 'all_private_chats').map((c) => c.command)).toEqual(['start']);
    // The api now knows it may write to each of them privately (deadline reminders).
    const started = await stack.api.prisma.botPrivateChat.findMany({
      where: { telegramUserId: { in: [ivan.id, mallory.id, anna.id].map(BigInt) } },
    });
    expect(started).toHaveLength(3);

    // Ivan blocks the bot: the api stops writing to him in private; starting it again reopens it.
    const ivanChat = () =>
      stack.api.prisma.botPrivateChat.findUnique({ where: { telegramUserId: BigInt(ivan.id) } });
    tg.blockBot(ivan.id, token);
    const blockedAt = await eventually(
      async () => (await ivanChat())?.blockedAt ?? undefined,
      'blockedAt',
    );
    expect(blockedAt).toBeInstanceOf(Date);
    tg.unblockBot(ivan.id, token);
    tg.startBot(ivan.id, token);
    await eventually(async () => (await ivanChat())?.blockedAt === null, 'started again');
  });

  it('a private send Telegram refuses with 403 closes the chat in the api, even when the block went unheard', async () => {
    const { tg, token, api } = stack;
    const ivanChat = () =>
      api.prisma.botPrivateChat.findUnique({ where: { telegramUserId: BigInt(ivan.id) } });
    tg.startBot(ivan.id, token);
    await eventually(async () => (await ivanChat())?.blockedAt === null, 'started');
    tg.blockBot(ivan.id, token);
    await eventually(async () => (await ivanChat())?.blockedAt ?? undefined, 'blocked');
    // As if the block's my_chat_member had been lost: the api still thinks it may write to him.
    await api.prisma.botPrivateChat.update({
      where: { telegramUserId: BigInt(ivan.id) },
      data: { blockedAt: null },
    });
    // A standard request (no deal room) whose deadline reminder goes to Ivan's private chat.
    await enqueueDeadlineReminder(api, ivan.id);
    const [refused] = await outboxSettled(ivan.id);
    expect(refused).toMatchObject({
      state: 'DEAD',
      lastError: expect.stringMatching(/^403: /),
      failureReason: 'forbidden',
      failureStatus: 403,
    });
    // The refusal told the api: no more private reminders to him until he starts the bot again.
    expect((await ivanChat())?.blockedAt).toBeInstanceOf(Date);
    tg.unblockBot(ivan.id, token);
    tg.startBot(ivan.id, token);
    await eventually(async () => (await ivanChat())?.blockedAt === null, 'started again');
  });
});

describe('stopping', () => {
  it('a stop while the api is down keeps the update in the journal; the next start mirrors it', async () => {
    const { tg, api, token, proxy } = stack;
    const { chatId } = await openDealRoom('Сделка Мак');
    proxy.down = true;
    let next: BotApp | null = null;
    try {
      const message = tg.sendText({ from: ivan.id, chat: chatId, text: 'Перед остановкой бота' });
      await tg.waitForUpdatesConsumed(token);
      await stack.app.stop('restart'); // SHUTDOWN_GRACE_MS=1000: the handler gives up
      expect(tg.pendingUpdates(token)).toEqual([]);
      expect(
        await api.prisma.chatMessage.count({
          where: { chatId: BigInt(chatId), messageId: message.message_id },
        }),
      ).toBe(0);
      proxy.down = false;
      next = createBot(loadConfig(stack.botEnv()));
      await next.start();
      stack.active = next;
      const row = await eventually(
        async () => (await savedMessage(chatId, message)) ?? undefined,
        'the message after the restart',
      );
      expect(row.text).toBe('Перед остановкой бота');
      await stack.mirrored();
    } finally {
      proxy.down = false;
      stack.active = stack.app;
      await next?.stop();
    }
  });
});

describe('webhook mode', () => {
  it('receives updates on its webhook with the secret token, and refuses calls without it', async () => {
    const { tg, token } = stack;
    await stack.app.stop('switching to webhook');
    const port = await freePort();
    const secret = 'webhook-secret-for-tests-0123456789';
    const hooked = createBot(
      loadConfig(
        stack.botEnv({
          BOT_MODE: 'webhook',
          WEBHOOK_URL: `http://127.0.0.1:${port}`,
          WEBHOOK_PATH: '/tg/hook',
          WEBHOOK_SECRET: secret,
          HOST: '127.0.0.1',
          PORT: String(port),
        }),
      ),
    );
    await hooked.start();
    stack.active = hooked;
    try {
      const info = (await tg.callApi(token, 'getWebhookInfo')) as {
        url: string;
        allowed_updates?: string[];
      };
      expect(info.url).toBe(`http://127.0.0.1:${port}/tg/hook`);
      expect(info.allowed_updates).toContain('chat_member');
      const refused = await fetch(`http://127.0.0.1:${port}/tg/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ update_id: 1 }),
      });
      expect(refused.status).toBe(401);

      const { chatId } = await openDealRoom('Сделка Гвоздика');
      const message = tg.sendText({ from: ivan.id, chat: chatId, text: 'Через webhook' });
      await eventually(
        async () => (await savedMessage(chatId, message)) ?? undefined,
        'the message through the webhook',
      );
    } finally {
      stack.active = stack.app;
      await hooked.stop();
      await tg.callApi(token, 'deleteWebhook');
    }
  });
});
