import { telegramPeople } from '@payreq/testing';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { recordFigure } from '@payreq/testing/reliability';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Stack } from '../stack';
import { createBankRequest, eventually, pdf, queueOnecDocument, startStack } from '../stack';

/**
 * The journal against the two ways chat used to be lost. First, the api down for longer than
 * Telegram keeps unconfirmed updates (24 hours; the test server's retention shortened to 2 s):
 * chat goes on in two rooms, with edits, for 6 s; then every message must be mirrored once,
 * in order, with its last edit. Second, the bot process SIGKILLed mid-journal: after the write
 * and before Telegram heard of it, after it and before the replay, and at random moments of a
 * burst (mid-write among them); after each restart, nothing lost or doubled.
 */

const skipSuite = process.env.RELIABILITY !== '1';
const botDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const RETENTION_MS = 2_000;
const OUTAGE_MS = 6_000;

const { anna, ivan } = telegramPeople;

/** Every message there once, with its last edit, in order (and seen saved by the proxy). */
const clean = (counts: {
  lost: number;
  unseen: number;
  duplicated: number;
  staleText: number;
  outOfOrder: number;
}) =>
  counts.lost === 0 &&
  counts.unseen === 0 &&
  counts.duplicated === 0 &&
  counts.staleText === 0 &&
  counts.outOfOrder === 0;

/** One more report (the message, or an edit) of a chat's message. */
const reported = (reports: Map<string, number>, chatId: number, messageId: number) =>
  reports.set(`${chatId}:${messageId}`, (reports.get(`${chatId}:${messageId}`) ?? 0) + 1);

describe.skipIf(skipSuite)('api outage and a killed bot', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    for (const user of [anna, ivan]) stack.tg.createUser(user);
    const bank = await stack.api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await stack.api.prisma.agent.create({
      data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
    });
  }, 120_000);

  afterAll(async () => {
    if (stack) stack.proxy.down = false;
    await stack?.close();
  });

  /**
   * The bot as a process of its own on the stack's journal folder (the in-process one stopped
   * first), to be killed with SIGKILL and started again.
   */
  function botProcess(settings: Record<string, string> = {}) {
    const { tg, token } = stack;
    const journalDir = stack.journalDir();
    let child: ChildProcess | null = null;
    return {
      async start() {
        child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
          cwd: botDir,
          env: {
            ...process.env,
            ...stack.botEnv({ JOURNAL_DIR: journalDir, LOG_LEVEL: 'silent', ...settings }),
          },
          stdio: 'ignore',
        });
        await tg.waitForPolling(token, { timeoutMs: 30_000 });
      },
      async kill() {
        const dying = child!;
        const exited = new Promise((resolve) => dying.once('exit', resolve));
        dying.kill('SIGKILL');
        await exited;
      },
      running: () => child !== null && child.exitCode === null,
    };
  }

  /**
   * `body` with the stack's bot stopped and a bot process of its own in its place, to kill at
   * will; whatever happens, the proxy and Telegram's faults are reset and the stack's bot is back.
   */
  async function withOwnBotProcess(
    settings: Record<string, string>,
    body: (bot: { start(): Promise<void>; kill(): Promise<void> }) => Promise<void>,
  ): Promise<void> {
    await stack.app.stop('a process of its own takes over');
    const bot = botProcess(settings);
    try {
      await body(bot);
    } finally {
      stack.proxy.down = false;
      stack.proxy.refuse = null;
      stack.tg.clearFaults();
      if (bot.running()) await bot.kill();
      await stack.app.start();
    }
  }

  async function openDealRoom(title: string) {
    const { tg, token } = stack;
    const group = tg.createGroup({ by: anna.id, title, members: [ivan.id] });
    tg.addBot(group.id, token, { by: anna.id, asAdmin: true });
    await tg.waitForBotMessage(group.id, { bot: token });
    return group.id;
  }

  /**
   * What the rooms hold of what was sent: lost, duplicated, out of order, stale edits; and how
   * often the bot saved a message beyond its reports (a message and each edit is one): a replay
   * after a kill, which the api's idempotent saves turn into no second row.
   */
  async function account(sent: Map<number, Map<number, string>>, reports: Map<string, number>) {
    let expected = 0;
    let mirrored = 0;
    let lost = 0;
    let staleText = 0;
    let outOfOrder = 0;
    for (const [chatId, messages] of sent) {
      const rows = await stack.api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(chatId), messageId: { in: [...messages.keys()] } },
        orderBy: { messageId: 'asc' },
      });
      expected += messages.size;
      mirrored += rows.length;
      lost += messages.size - rows.length;
      for (const row of rows) if (row.text !== messages.get(row.messageId)) staleText += 1;
      // Written in Telegram's order: a later message never has an earlier first save.
      for (let i = 1; i < rows.length; i += 1)
        if (rows[i]!.createdAt < rows[i - 1]!.createdAt) outOfOrder += 1;
    }
    // Saved again (a replay after a kill): the api's saves are idempotent on the message id, so
    // such a message must still be one row; "duplicated" counts rows beyond what was sent.
    const times = new Map<string, number>();
    for (const key of stack.proxy.savedMessages) times.set(key, (times.get(key) ?? 0) + 1);
    let savedAgain = 0;
    let unseen = 0; // a message the proxy never saw saved: the count above would mean nothing
    for (const [key, count] of reports) {
      savedAgain += Math.max(0, (times.get(key) ?? 0) - count);
      if (!times.has(key)) unseen += 1;
    }
    return {
      expected,
      mirrored,
      lost,
      duplicated: Math.max(0, mirrored - expected),
      savedAgain,
      unseen,
      staleText,
      outOfOrder,
    };
  }

  it('the api down longer than Telegram keeps updates: every message mirrored once, in order', async () => {
    const { tg, token, proxy } = stack;
    const rooms = [
      await openDealRoom('Сделка Выходные 1'),
      await openDealRoom('Сделка Выходные 2'),
    ];
    await stack.mirrored();
    tg.setPendingUpdateRetention(RETENTION_MS);
    const expiredBefore = tg.expiredUpdates(token).count;
    const sent = new Map(rooms.map((room) => [room, new Map<number, string>()]));
    const reports = new Map<string, number>();
    proxy.down = true;
    const started = Date.now();
    let i = 0;
    try {
      // Chat all through the outage, an edit now and then.
      while (Date.now() - started < OUTAGE_MS) {
        const room = rooms[i % rooms.length]!;
        const text = `Сообщение ${i + 1}`;
        const message = tg.sendText({ from: ivan.id, chat: room, text });
        sent.get(room)!.set(message.message_id, text);
        reported(reports, room, message.message_id);
        if (i % 7 === 3) {
          const edited = `${text} (исправлено)`;
          tg.editText({ from: ivan.id, chat: room, messageId: message.message_id, text: edited });
          sent.get(room)!.set(message.message_id, edited);
          reported(reports, room, message.message_id);
        }
        i += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await tg.waitForUpdatesConsumed(token);
      // Kept by the bot, not by Telegram: nothing of the outage waited there past its retention.
      expect(stack.app.journal!.stats().pending).toBeGreaterThan(0);
    } finally {
      proxy.down = false;
    }
    const downFor = Date.now() - started;
    const expired = tg.expiredUpdates(token).count - expiredBefore;
    await eventually(
      () => stack.app.journal!.stats().pending === 0,
      'the journal to drain',
      60_000,
    );
    const drained = Date.now() - started - downFor;
    const counts = await account(sent, reports);
    const figure = recordFigure({
      name: 'api outage longer than Telegram keeps updates',
      tried: counts.expected,
      outcome:
        `api down ${(downFor / 1000).toFixed(1)} s, Telegram keeps updates ${RETENTION_MS / 1000} s: ` +
        `expired at Telegram ${expired}; mirrored ${counts.mirrored}/${counts.expected} ` +
        `${(drained / 1000).toFixed(1)} s after the api was back; saved again ${counts.savedAgain}; lost ${counts.lost}, ` +
        `duplicated ${counts.duplicated}, stale edits ${counts.staleText}, out of order ${counts.outOfOrder}`,
      rowsWritten: counts.mirrored,
      target: 'expired 0, lost 0, duplicated 0, stale edits 0, in order',
      pass: downFor > 2 * RETENTION_MS && expired === 0 && clean(counts),
    });
    expect(figure.pass).toBe(true);
    tg.setPendingUpdateRetention(24 * 3600_000);
  }, 120_000);

  it('the bot SIGKILLed after its welcome, before the journal heard it was handled: one welcome, archived', async () => {
    const { tg, token, proxy, api } = stack;
    const welcomeMessages = (chatId: number) =>
      tg
        .botMessages(chatId, { bot: token })
        .filter((m) => JSON.stringify(m.replyMarkup ?? {}).includes('startapp='));
    await withOwnBotProcess({}, async ({ start, kill }) => {
      await start();
      // After the welcome the bot files it in the room's archive: the api refusing that, the
      // bot is held there (the welcome posted and recorded in the journal), and dies.
      const filing = () =>
        proxy.requests.filter((r) => r.includes('/trpc/bot.savePostedMessage')).length;
      const filedBefore = filing();
      proxy.refuse = (requestPath) => requestPath.startsWith('/trpc/bot.savePostedMessage');
      const group = tg.createGroup({ by: anna.id, title: 'Сделка Рестарт', members: [ivan.id] });
      tg.addBot(group.id, token, { by: anna.id, asAdmin: true });
      await eventually(
        () => filing() > filedBefore,
        'the welcome posted and the bot held after it',
      );
      expect(welcomeMessages(group.id)).toHaveLength(1);
      await kill();
      proxy.refuse = null;

      // The update is replayed from the journal (registration again, idempotent in the api):
      // the welcome is not posted again, and it is filed from what the journal kept of it.
      const asked = tg.calls({ method: 'getChatAdministrators' }).length;
      await start();
      await eventually(
        () => tg.calls({ method: 'getChatAdministrators' }).length > asked,
        'the replay to get past the welcome',
        30_000,
      );
      const welcomes = welcomeMessages(group.id);
      const archived = await api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(group.id) },
      });
      const filed = archived.filter((row) => row.messageId === welcomes[0]?.messageId);
      const figure = recordFigure({
        name: 'bot killed after its welcome (SIGKILL)',
        tried: 1,
        outcome: `welcomes in the room after the replay: ${welcomes.length}; in its archive: ${filed.length}`,
        rowsWritten: archived.length,
        target: 'welcomes 1, archived 1',
        pass: welcomes.length === 1 && filed.length === 1 && filed[0]?.text === welcomes[0]?.text,
      });
      expect(figure.pass).toBe(true);
    });
  }, 120_000);

  it('the bot SIGKILLed after an outbox post, before the api heard of it: posted once, archived', async () => {
    const { tg, token, proxy, api } = stack;
    // A deal room with a request, for a document from 1C (the room's archive takes the post).
    const room = await openDealRoom('Сделка Документ');
    const request = await createBankRequest(api, {
      source: 'TELEGRAM',
      status: 'OFFER_ACCEPTED',
      telegramChatId: room,
    });
    await stack.mirrored();
    // A short lease, so the next process claims the message again soon.
    await withOwnBotProcess({ DELIVERY_LEASE_MS: '5000' }, async ({ start, kill }) => {
      await start();
      const documents = () =>
        tg.botMessages(room, { bot: token }).filter((m) => m.method === 'sendDocument');
      // The api does not hear of the delivery: the post is made, its report refused.
      const reported = proxy.requests.filter((r) => r.includes('/trpc/botOutbox.complete')).length;
      proxy.refuse = (requestPath) => requestPath.startsWith('/trpc/botOutbox.complete');
      const { document } = await queueOnecDocument(
        api,
        { requestId: request.id, chatId: room },
        { bytes: pdf('Счёт'), fileName: 'Счёт.pdf' },
      );
      await eventually(() => documents().length > 0, 'the document posted');
      await eventually(
        () =>
          proxy.requests.filter((r) => r.includes('/trpc/botOutbox.complete')).length > reported,
        'the bot trying to report it',
      );
      await kill();
      proxy.refuse = null;

      // The next process claims it again once the lease is over: reported, not posted again,
      // and filed in the room's archive from what the journal noted of the post.
      await start();
      await eventually(
        async () =>
          (await api.prisma.outboxMessage.count({
            where: { kind: 'telegram.document', state: 'DELIVERED' },
          })) === 1 || undefined,
        'the document reported delivered',
        30_000,
      );
      const posted = documents();
      const archived = await api.prisma.chatMessage.findMany({
        where: { chatId: BigInt(room), messageId: { in: posted.map((m) => m.messageId) } },
      });
      const filed = archived.filter((row) => row.assetId === document.assetId).length;
      const figure = recordFigure({
        name: 'bot killed after an outbox post, before reporting it (SIGKILL)',
        tried: 1,
        outcome: `the document in the chat ${posted.length}×, in its archive ${filed}×, delivered in the outbox`,
        rowsWritten: archived.length,
        target: 'posted 1×, archived 1×',
        pass: posted.length === 1 && filed === 1,
      });
      expect(figure.pass).toBe(true);
    });
  }, 120_000);

  it('the bot SIGKILLed mid-journal: after the write, before the replay, at random: nothing lost or doubled', async () => {
    const { tg, token, proxy, api } = stack;
    const room = await openDealRoom('Сделка Падение');
    await stack.mirrored();
    const sent = new Map<number, string>();
    const reports = new Map<string, number>();
    const say = (text: string) => {
      const message = tg.sendText({ from: ivan.id, chat: room, text });
      sent.set(message.message_id, text);
      reported(reports, room, message.message_id);
      return message;
    };
    const saves = () => proxy.requests.filter((r) => r.includes('/trpc/bot.save')).length;
    await withOwnBotProcess({}, async ({ start, kill }) => {
      await start();

      // 1. Written, not yet acknowledged: the next getUpdates (carrying the offset) hangs, and
      //    the process dies in it. Telegram sends the updates again to the next process.
      proxy.down = true;
      tg.injectFault({ kind: 'hang', method: 'getUpdates', ms: 60_000 });
      for (let k = 0; k < 10; k += 1) say(`до подтверждения ${k + 1}`);
      await eventually(
        () => tg.faults().fired.some((f) => f.kind === 'hang' && f.method === 'getUpdates'),
        'the bot to journal and ask again',
      );
      const unacknowledged = tg.pendingUpdates(token).length;
      await kill();

      // 2. Acknowledged, not replayed (the api still down): only the journal has them.
      await start();
      for (let k = 0; k < 10; k += 1) say(`до воспроизведения ${k + 1}`);
      await tg.waitForUpdatesConsumed(token, { timeoutMs: 15_000 });
      await kill();
      proxy.down = false;

      // 3. Killed at random moments of a burst (writes among them), restarted each time.
      const savesBefore = saves();
      const delays = fc.sample(fc.integer({ min: 20, max: 400 }), { numRuns: 3, seed: 20261202 });
      for (const [round, delay] of delays.entries()) {
        await start();
        for (let k = 0; k < 20; k += 1) {
          const message = say(`поток ${round + 1}.${k + 1}`);
          if (k % 5 === 4) {
            const edited = `поток ${round + 1}.${k + 1} (исправлено)`;
            tg.editText({ from: ivan.id, chat: room, messageId: message.message_id, text: edited });
            sent.set(message.message_id, edited);
            reported(reports, room, message.message_id);
          }
          if (k === 10) await new Promise((resolve) => setTimeout(resolve, delay));
        }
        await kill();
      }
      await start();
      await tg.waitForUpdatesConsumed(token, { timeoutMs: 20_000 });
      await eventually(
        async () =>
          (await api.prisma.chatMessage.count({
            where: { chatId: BigInt(room), messageId: { in: [...sent.keys()] } },
          })) === sent.size &&
          (await account(new Map([[room, sent]]), reports)).staleText === 0 &&
          // The api writes before the proxy relays its answer: wait for the last ones to pass.
          (await account(new Map([[room, sent]]), reports)).unseen === 0,
        'every message after the restarts',
        30_000,
      ).catch(() => undefined);
      const counts = await account(new Map([[room, sent]]), reports);
      const figure = recordFigure({
        name: 'bot killed mid-journal (SIGKILL)',
        tried: counts.expected,
        outcome:
          `4 kills: after the write before the acknowledgement (${unacknowledged} updates Telegram sent again), ` +
          `after the acknowledgement before the replay, 3 at random in bursts (${saves() - savesBefore} save calls); ` +
          `saved again by a replay ${counts.savedAgain} (one row each); ` +
          `mirrored ${counts.mirrored}/${counts.expected}, lost ${counts.lost}, duplicated ${counts.duplicated}, ` +
          `stale edits ${counts.staleText}, out of order ${counts.outOfOrder}`,
        rowsWritten: counts.mirrored,
        target: 'lost 0, duplicated 0, stale edits 0, in order',
        pass: unacknowledged > 0 && clean(counts),
      });
      expect(figure.pass).toBe(true);
    });
  }, 180_000);
});
