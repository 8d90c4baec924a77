import { miniAppClient, signLaunch, tma } from '@payreq/api/testing/telegram';
import type { BotMessageRecord } from '@payreq/telegram-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BotApp } from '../src/bot';
import { createBot } from '../src/bot';
import { loadConfig } from '../src/env';
import { texts } from '../src/texts';
import { completeForm, telegramPeople } from '@payreq/testing';
import type { Stack } from './stack';
import { BOT_USERNAME, eventually, startStack } from './stack';

/**
 * What Telegram does beyond plain messages: senders on behalf of a chat, forwards, privacy mode,
 * and its sending limits, through the Telegram test server, the real api and the bot.
 */

const { anna, ivan } = telegramPeople;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  for (const user of [anna, ivan]) stack.tg.createUser(user as never);
  const bank = await stack.api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
  await stack.api.prisma.agent.create({
    data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const isWelcome = (r: BotMessageRecord) =>
  JSON.stringify(r.replyMarkup ?? {}).includes('startapp=');

/** A deal room: Anna's group with Ivan, the bot added by her (as admin unless told). */
async function openDealRoom(title: string, options: { asAdmin?: boolean } = {}) {
  const { tg, token } = stack;
  const group = tg.createGroup({ by: anna.id, title, members: [ivan.id] });
  tg.addBot(group.id, token, { by: anna.id, asAdmin: options.asAdmin ?? true });
  const welcome = await tg.waitForBotMessage(group.id, {
    bot: token,
    predicate: isWelcome,
    timeoutMs: 30_000,
  });
  await stack.mirrored();
  const launchToken = new URL(
    (welcome.replyMarkup as { inline_keyboard: Array<Array<{ url?: string }>> }).inline_keyboard
      .flat()
      .find((b) => b.url)!.url!,
  ).searchParams.get('startapp')!;
  return { chatId: group.id, welcome, launchToken };
}

const rowOf = (chatId: number, messageId: number) =>
  stack.api.prisma.chatMessage.findUnique({
    where: { chatId_messageId: { chatId: BigInt(chatId), messageId } },
  });

describe('senders on behalf of a chat', () => {
  it('an anonymous admin’s message is mirrored with the group as its author', async () => {
    const { tg, token } = stack;
    const { chatId } = await openDealRoom('Сделка Анонимная');
    const supergroup = tg.upgradeToSupergroup(chatId, { by: anna.id });
    await stack.mirrored();
    tg.setAnonymousAdmin(supergroup.id, anna.id);
    const sent = tg.sendText({ from: anna.id, chat: supergroup.id, text: 'Пишу от имени группы' });
    expect(sent.from?.username).toBe('GroupAnonymousBot');
    await stack.mirrored();
    expect(await rowOf(supergroup.id, sent.message_id)).toMatchObject({
      text: 'Пишу от имени группы',
      authorName: 'Сделка Анонимная',
      authorTelegramId: null,
    });
    // Telegram's stand-in sender is no member of the room.
    expect(
      await stack.api.prisma.chatMember.count({
        where: { chatId: BigInt(supergroup.id), telegramUserId: BigInt(sent.from!.id) },
      }),
    ).toBe(0);
    expect(tg.pendingUpdates(token)).toEqual([]);
  });

  it('a linked channel’s post and a forwarded post keep the channel as author and origin', async () => {
    const { tg } = stack;
    const { chatId } = await openDealRoom('Сделка с каналом');
    const supergroup = tg.upgradeToSupergroup(chatId, { by: anna.id });
    const channel = tg.createChannel({ by: anna.id, title: 'Новости банка' });
    tg.linkDiscussionGroup(channel.id, supergroup.id);
    const { post, forwarded } = tg.postToChannel({ channel: channel.id, text: 'Курс на сегодня' });
    const copy = tg.forwardMessage({
      from: ivan.id,
      fromChat: channel.id,
      messageId: post.message_id,
      toChat: supergroup.id,
    });
    await stack.mirrored();
    const origin = {
      kind: 'channel',
      name: 'Новости банка',
      telegramId: channel.id,
      messageId: post.message_id,
      date: new Date(post.date * 1000).toISOString(),
    };
    expect(await rowOf(supergroup.id, forwarded!.message_id)).toMatchObject({
      text: 'Курс на сегодня',
      authorName: 'Новости банка',
      authorTelegramId: null,
      forwardedFrom: origin,
    });
    expect(await rowOf(supergroup.id, copy.message_id)).toMatchObject({
      authorName: 'Иван Петров',
      authorTelegramId: BigInt(ivan.id),
      forwardedFrom: origin,
    });
  });
});

describe('privacy mode', () => {
  it('with privacy on and no admin rights the bot says so in the group and to the agent, and records it', async () => {
    const { tg, token, api } = stack;
    tg.startBot(anna.id, token); // Anna has a private chat with the bot
    await tg.waitForBotMessage(anna.id, { bot: token });
    const before = tg.botMessages(anna.id, { bot: token }).length;
    const { chatId, welcome } = await openDealRoom('Сделка Слепая', { asAdmin: false });
    expect(welcome.text).toContain(texts.askAdmin('ru'));
    const dm = await tg.waitForBotMessage(anna.id, { bot: token, count: before + 1 });
    expect(dm.text).toBe(texts.blindToAgent('ru', 'Сделка Слепая', BOT_USERNAME));
    expect(dm.text).toContain('Администраторы → Добавить администратора');
    const summary = () => stack.app.api.trpc.bot.chatSummary.query({ chatId });
    expect(await summary()).toMatchObject({
      botIsAdmin: false,
      botReadsAll: false,
      mirrored: false,
    });

    // Telegram does not show the bot a member's plain message: nothing is mirrored.
    const hidden = tg.sendText({ from: ivan.id, chat: chatId, text: 'не видно боту' });
    await stack.mirrored();
    expect(await rowOf(chatId, hidden.message_id)).toBeNull();

    // The one step: make it an administrator. It thanks, and sees (and keeps) the chat.
    tg.promoteBot(chatId, token, { by: anna.id });
    await tg.waitForBotMessage(chatId, {
      bot: token,
      predicate: (r) => r.text === texts.thanksAdmin('ru'),
    });
    expect(await summary()).toMatchObject({ botIsAdmin: true, mirrored: true });
    const seen = tg.sendText({ from: ivan.id, chat: chatId, text: 'теперь видно' });
    await stack.mirrored();
    expect(await rowOf(chatId, seen.message_id)).toMatchObject({ text: 'теперь видно' });

    // Demoted again: said in the group and to the agent.
    const dms = tg.botMessages(anna.id, { bot: token }).length;
    tg.demote(chatId, tg.getBot(token).id, { by: anna.id });
    await tg.waitForBotMessage(chatId, {
      bot: token,
      predicate: (r) => r.text === texts.demotedBlind('ru'),
    });
    await tg.waitForBotMessage(anna.id, { bot: token, count: dms + 1 });
    expect(await summary()).toMatchObject({ botIsAdmin: false, mirrored: false });
    expect(
      await api.prisma.telegramChat.findUniqueOrThrow({ where: { id: BigInt(chatId) } }),
    ).toMatchObject({ botIsAdmin: false, botReadsAll: false });
  });

  it('after /setprivacy → Disable, a group joined afterwards is mirrored without admin rights', async () => {
    const { tg, token } = stack;
    tg.setPrivacyMode(token, false);
    try {
      const { chatId, welcome } = await openDealRoom('Сделка Зрячая', { asAdmin: false });
      expect(welcome.text).not.toContain(texts.askAdmin('ru'));
      expect(await stack.app.api.trpc.bot.chatSummary.query({ chatId })).toMatchObject({
        botIsAdmin: false,
        botReadsAll: true,
        mirrored: true,
      });
      const seen = tg.sendText({ from: ivan.id, chat: chatId, text: 'видно без прав' });
      await stack.mirrored();
      expect(await rowOf(chatId, seen.message_id)).toMatchObject({ text: 'видно без прав' });
    } finally {
      tg.setPrivacyMode(token, true);
    }
  });
});

describe('the journal at its limit', () => {
  it('stops acknowledging: Telegram keeps the rest, and everything is mirrored once the api is back', async () => {
    const { tg, token, proxy, api } = stack;
    const { chatId } = await openDealRoom('Сделка Полный журнал');
    await stack.app.stop('a bot with a small journal takes over');
    const small = createBot(
      loadConfig(stack.botEnv({ JOURNAL_DIR: stack.journalDir(), JOURNAL_MAX_BYTES: '65536' })),
    );
    await small.start();
    stack.active = small;
    proxy.down = true;
    const sent: number[] = [];
    try {
      // About 200 KB of updates against a 64 KB limit.
      for (let i = 0; i < 300; i += 1)
        sent.push(
          tg.sendText({ from: ivan.id, chat: chatId, text: `${i + 1} ${'текст '.repeat(60)}` })
            .message_id,
        );
      await eventually(() => small.journal?.stats().full, 'the journal to fill', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const kept = tg.pendingUpdates(token).length;
      expect(kept).toBeGreaterThan(0); // left with Telegram, not taken and lost
      expect(small.ops.health()).toMatchObject({ healthy: false });
      expect(small.ops.health().body.problems.join()).toMatch(/journal is full/);
    } finally {
      proxy.down = false;
    }
    await stack.mirrored({ timeoutMs: 60_000 });
    const rows = await api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chatId), messageId: { in: sent } },
      orderBy: { messageId: 'asc' },
    });
    expect(rows.map((r) => r.messageId)).toEqual(sent);
    expect(rows.map((r) => r.text!.split(' ')[0])).toEqual(sent.map((_, i) => String(i + 1)));
    stack.active = stack.app;
    await small.stop();
    await stack.app.start();
  }, 90_000);
});

describe('sending limits', () => {
  /** A room with a submitted request, then `count` announcements queued for it at once. */
  async function burst(title: string, count: number) {
    const { chatId, launchToken } = await openDealRoom(title);
    const agent = miniAppClient(stack.api.url, tma(signLaunch(anna, launchToken)));
    const draft = await agent.miniApp.save.mutate({ fields: completeForm });
    // The welcome, then the confirmation of the request's first save: the burst comes after them.
    await stack.tg.waitForBotMessage(chatId, { bot: stack.token, count: 2 });
    const from = stack.tg.botMessages(chatId, { bot: stack.token }).length;
    await stack.api.prisma.outboxMessage.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        target: 'TELEGRAM',
        kind: 'telegram.statusChanged',
        aggregateKey: `chat:${chatId}`,
        payload: {
          requestId: draft.id,
          chatId: String(chatId),
          from: 'DRAFT',
          to: 'COLLECTING_OFFERS',
          by: `Проверка ${i + 1}`,
        },
      })),
    });
    return { chatId, from };
  }

  async function withBot<T>(env: Record<string, string>, run: (bot: BotApp) => Promise<T>) {
    await stack.app.stop('another bot takes over');
    const bot = createBot(loadConfig(stack.botEnv(env)));
    await bot.start();
    stack.active = bot;
    try {
      return await run(bot);
    } finally {
      stack.active = stack.app;
      await bot.stop();
      await stack.app.start();
    }
  }

  it('a burst of 60 deliveries to one group is paced without a single 429', async () => {
    const { tg, token } = stack;
    try {
      const limits = {
        SEND_LIMIT_PER_CHAT: '10',
        SEND_LIMIT_PER_CHAT_WINDOW_MS: '2000',
        SEND_LIMIT_OVERALL: '30',
        SEND_LIMIT_OVERALL_WINDOW_MS: '1000',
        DELIVERY_POLL_MS: '50',
      };
      // Without the pacer (limits far above the server's) a burst meets 429s: the test bites. The
      // server's limit is tightened for this control run (3 in 5 s), so that even a bot slowed
      // down by a loaded machine sends faster than it allows.
      tg.setRateLimits({
        perGroup: { max: 3, windowMs: 5_000 },
        overall: { max: 30, windowMs: 1_000 },
      });
      const control = await withBot(
        { ...limits, SEND_LIMIT_PER_CHAT: '10000', SEND_LIMIT_OVERALL: '10000' },
        async () => {
          const firstSeq = tg.calls().at(-1)?.seq ?? 0;
          const { chatId, from } = await burst('Сделка без пауз', 15);
          await eventually(
            () => tg.botMessages(chatId, { bot: token }).length >= from + 15,
            'the unpaced burst to be delivered',
            30_000,
          );
          return tg
            .calls({ method: 'sendMessage', afterSeq: firstSeq })
            .filter((c) => c.httpStatus === 429).length;
        },
      );
      expect(control).toBeGreaterThan(0);

      // Telegram's limit, shortened: 10 messages to one group in 2 s (Telegram: 20 in a minute),
      // tighter than the delivery loop's own pace (a claim round per message to one chat).
      tg.setRateLimits({
        perGroup: { max: 10, windowMs: 2_000 },
        overall: { max: 30, windowMs: 1_000 },
      });

      await withBot(limits, async () => {
        const firstSeq = tg.calls().at(-1)?.seq ?? 0;
        const started = Date.now();
        const { chatId, from } = await burst('Сделка с паузами', 60);
        await eventually(
          () => tg.botMessages(chatId, { bot: token }).length >= from + 60,
          'the burst to be delivered',
          60_000,
        );
        const took = Date.now() - started;
        const sends = tg.calls({ method: 'sendMessage', afterSeq: firstSeq });
        expect(sends.filter((c) => c.httpStatus === 429)).toHaveLength(0);
        const posted = tg
          .botMessages(chatId, { bot: token })
          .slice(from)
          .map((r) => /Проверка (\d+)/.exec(r.text ?? '')?.[1]);
        expect(posted).toEqual(Array.from({ length: 60 }, (_, i) => String(i + 1)));
        // 60 messages at 10 per 2 s cannot take less than 11.8 s (59 gaps of 2 s / 10).
        expect(took).toBeGreaterThan(11_800);
      });
    } finally {
      tg.setRateLimits(null);
    }
  }, 120_000);
});
