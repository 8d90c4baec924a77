import { telegramPeople } from '@payreq/testing';
import { Agent, request } from 'node:http';

import { recordFigure } from '@payreq/testing/reliability';
import type { WireBody } from '@payreq/testing/generators';
import { inParallel, junk, wire } from '@payreq/testing/generators';
import type { PrismaClient } from '@payreq/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BotApp } from '../../src/bot';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/env';
import type { Stack } from '../stack';
import { eventually, freePort, startStack } from '../stack';

/**
 * Bad input at the bot's update boundary: ≥10,000 generated Telegram updates POSTed to the
 * bot's webhook with the right secret token (what reaches the bot once Telegram, or whoever
 * holds the secret, sends it). The mix (fast-check, fixed seed): 5% well-formed messages of the
 * three deal rooms; 70% real update shapes (18 kinds: text, reply, edit, photo, document, voice,
 * sticker, location, poll, joins, leaves, title, pin, chat_member, my_chat_member, /start,
 * callback, channel post) with one field at any depth replaced by junk (wrong types, huge
 * strings, deep nesting, lone surrogates, numbers out of range), deleted, or joined by an unknown
 * one, most in the deal rooms and some in chats nobody registered; 15% junk where an update
 * should be; 10% no update at all (broken JSON, random bytes, invalid UTF-8, >1 MB, 50,000
 * levels of nesting). Migrations are left out: a well-formed one really moves the deal room.
 *
 * Counted: 5xx answers; updates never answered (a handler retrying for ever holds its chat:
 * the run stops at the first); rows no whole update accounts for — any row in a table no update
 * may touch, a message row no update answered 200 holds, a member no such update names, a member
 * recorded from a message that was not saved; the well-formed messages each held with their
 * text. Then the same bot must answer /healthz and mirror a message sent through Telegram.
 * RELIABILITY_BOT_UPDATES changes the count (default 10,500).
 */

const skipSuite = process.env.RELIABILITY !== '1';

const UPDATES = Number(process.env.RELIABILITY_BOT_UPDATES ?? 10_500);
const CONCURRENCY = 16;
const SEED = 20261124;
const WEBHOOK_PATH = '/tg/hook';
const SECRET = 'reliability-webhook-secret-0123456789';
/** No answer within this time counts as a stalled update (a handler retrying for ever). */
const ANSWER_TIMEOUT_MS = 15_000;

/** Generated messages carry ids of their own: message ids and user ids no setup step uses. */
const MESSAGE_BASE = 1_000_000;
const AUTHOR_BASE = 6_100_000_000;
const JOINED_BASE = 6_200_000_000;
const LEFT_BASE = 6_300_000_000;
const MEMBER_BASE = 6_400_000_000;
const STRANGER_CHAT_BASE = -1_005_000_000_000;
const DATE_BASE = 1_795_168_800;

const { anna, ivan } = telegramPeople;

type Template =
  | 'text'
  | 'reply'
  | 'edited'
  | 'photo'
  | 'document'
  | 'voice'
  | 'sticker'
  | 'location'
  | 'poll'
  | 'joined'
  | 'left'
  | 'title'
  | 'pinned'
  | 'chatMember'
  | 'myChatMember'
  | 'privateStart'
  | 'callback'
  | 'channelPost';

const templates: Template[] = [
  'text',
  'reply',
  'edited',
  'photo',
  'document',
  'voice',
  'sticker',
  'location',
  'poll',
  'joined',
  'left',
  'title',
  'pinned',
  'chatMember',
  'myChatMember',
  'privateStart',
  'callback',
  'channelPost',
];

/**
 * A well-formed update of one kind, with ids of its own (index `i`). Migrations
 * (`migrate_to_chat_id`) are left out on purpose: a well-formed one really moves the deal room.
 */
function updateOf(template: Template, i: number, chatId: number): Record<string, unknown> {
  const chat = { id: chatId, type: 'group', title: 'Сделка' };
  const from = {
    id: AUTHOR_BASE + i,
    is_bot: false,
    first_name: `Гость ${i}`,
    language_code: 'ru',
  };
  const base = { message_id: MESSAGE_BASE + i, date: DATE_BASE + i, chat, from };
  const file = (prefix: string) => ({
    file_id: `${prefix}-file-${i}`,
    file_unique_id: `${prefix}-u-${i}`,
    file_size: 1_000 + i,
  });
  const member = (id: number, status: string) => ({
    user: { id, is_bot: false, first_name: `Участник ${i}` },
    status,
  });
  switch (template) {
    case 'text':
      return { update_id: i, message: { ...base, text: `сообщение ${i}` } };
    case 'reply':
      return {
        update_id: i,
        message: {
          ...base,
          text: `ответ ${i}`,
          entities: [{ type: 'bold', offset: 0, length: 5 }],
          reply_to_message: { message_id: 1, date: DATE_BASE, chat, text: 'вопрос' },
        },
      };
    case 'edited':
      return {
        update_id: i,
        edited_message: { ...base, text: `правка ${i}`, edit_date: DATE_BASE + i + 60 },
      };
    case 'photo':
      return {
        update_id: i,
        message: {
          ...base,
          caption: `фото ${i}`,
          media_group_id: `album-${i}`,
          photo: [
            { ...file('ps'), width: 90, height: 90 },
            { ...file('pl'), width: 1280, height: 960 },
          ],
        },
      };
    case 'document':
      return {
        update_id: i,
        message: {
          ...base,
          document: { ...file('doc'), file_name: `Счёт ${i}.pdf`, mime_type: 'application/pdf' },
        },
      };
    case 'voice':
      return {
        update_id: i,
        message: { ...base, voice: { ...file('voice'), duration: 3, mime_type: 'audio/ogg' } },
      };
    case 'sticker':
      return {
        update_id: i,
        message: {
          ...base,
          sticker: { ...file('st'), width: 512, height: 512, is_animated: false, emoji: '👍' },
        },
      };
    case 'location':
      return {
        update_id: i,
        message: { ...base, location: { latitude: 55.75, longitude: 37.62 } },
      };
    case 'poll':
      return {
        update_id: i,
        message: {
          ...base,
          poll: { id: `poll-${i}`, question: 'Когда платим?', options: [{ text: 'Сегодня' }] },
        },
      };
    case 'joined':
      return {
        update_id: i,
        message: {
          ...base,
          new_chat_members: [{ id: JOINED_BASE + i, is_bot: false, first_name: `Новый ${i}` }],
        },
      };
    case 'left':
      return {
        update_id: i,
        message: {
          ...base,
          left_chat_member: { id: LEFT_BASE + i, is_bot: false, first_name: `Ушедший ${i}` },
        },
      };
    case 'title':
      return { update_id: i, message: { ...base, new_chat_title: `Сделка ${i}` } };
    case 'pinned':
      return {
        update_id: i,
        message: { ...base, pinned_message: { message_id: 1, date: DATE_BASE, chat } },
      };
    case 'chatMember':
      return {
        update_id: i,
        chat_member: {
          chat,
          from,
          date: DATE_BASE + i,
          old_chat_member: member(MEMBER_BASE + i, 'left'),
          new_chat_member: member(MEMBER_BASE + i, 'member'),
        },
      };
    case 'myChatMember':
      // Someone who is not an agent adds the bot to a group nobody registered: refused.
      return {
        update_id: i,
        my_chat_member: {
          chat: { ...chat, id: STRANGER_CHAT_BASE - i },
          from,
          date: DATE_BASE + i,
          old_chat_member: {
            user: { id: 1234567890, is_bot: true, first_name: 'b' },
            status: 'left',
          },
          new_chat_member: {
            user: { id: 1234567890, is_bot: true, first_name: 'b' },
            status: 'member',
          },
        },
      };
    case 'privateStart':
      return {
        update_id: i,
        message: {
          ...base,
          chat: { id: AUTHOR_BASE + i, type: 'private', first_name: 'Гость' },
          text: '/start',
          entities: [{ type: 'bot_command', offset: 0, length: 6 }],
        },
      };
    case 'callback':
      return {
        update_id: i,
        callback_query: {
          id: `cb-${i}`,
          from,
          chat_instance: `ci-${i}`,
          data: 'x',
          message: { ...base, text: 'кнопка' },
        },
      };
    case 'channelPost':
      return {
        update_id: i,
        channel_post: { ...base, chat: { id: chatId, type: 'channel', title: 'Канал' } },
      };
  }
}

/** Every path into an update (objects and arrays), the root excluded. */
function pathsOf(
  value: unknown,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((v, index) => [index, v] as const)
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A copy with the value at `path` replaced (or deleted when `replacement` is `DELETE`). */
const DELETE = Symbol('delete');
function withAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(value)
    ? [...(value as unknown[])]
    : { ...(value as Record<string, unknown>) };
  const next = rest.length === 0 ? replacement : withAt((copy as never)[head], rest, replacement);
  if (next === DELETE) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete (copy as Record<string | number, unknown>)[head];
  } else (copy as Record<string | number, unknown>)[head] = next;
  return copy;
}

/** What each generated body is, and how it was made. */
type Plan =
  | { category: 'valid'; room: number }
  | {
      category: 'nearValid';
      template: Template;
      op: 'replace' | 'delete' | 'add';
      pathPick: number;
      value: unknown;
      key: string;
      room: number | null;
    }
  | { category: 'junkUpdate'; value: unknown }
  | { category: 'raw'; body: WireBody };

const updateKeys = [
  'update_id',
  'message',
  'edited_message',
  'channel_post',
  'my_chat_member',
  'chat_member',
  'callback_query',
  'message_reaction',
  'poll',
];

const plans: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 5, arbitrary: fc.nat(99).map((room) => ({ category: 'valid' as const, room })) },
  {
    weight: 70,
    arbitrary: fc.record({
      category: fc.constant('nearValid' as const),
      template: fc.constantFrom(...templates),
      op: fc.constantFrom(
        'replace' as const,
        'replace' as const,
        'delete' as const,
        'add' as const,
      ),
      pathPick: fc.nat(),
      value: junk,
      key: fc.string({ minLength: 1, maxLength: 12 }),
      room: fc.option(fc.nat(99), { freq: 5, nil: null }),
    }),
  },
  {
    weight: 15,
    arbitrary: fc
      .oneof(
        junk,
        fc.dictionary(fc.constantFrom(...updateKeys), junk, { minKeys: 1, maxKeys: 4 }),
        fc.record({ update_id: fc.oneof(fc.nat(), junk), message: junk }),
        fc.record({ update_id: fc.nat(), message: fc.jsonValue({ maxDepth: 4 }) }),
      )
      .map((value) => ({ category: 'junkUpdate' as const, value })),
  },
  {
    weight: 10,
    arbitrary: fc
      .oneof(
        wire(junk),
        // Not UTF-8 at all, or cut in the middle of a character.
        fc.constant(Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0xc3, 0x28, 0x7d])),
        fc.constant(Buffer.from('{"update_id":1,"message":{"text":"я', 'utf8').subarray(0, -1)),
        // Over the webhook's 1 MB body limit.
        fc.constant(`{"update_id":1,"message":{"text":"${'a'.repeat(1_100_000)}"}}`),
        fc.constant(`{"update_id":1,"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`),
      )
      .map((body) => ({ category: 'raw' as const, body })),
  },
);

interface Sent {
  index: number;
  plan: Plan;
  /** The update as sent (after the break), or undefined for raw bodies. */
  update: unknown;
  body: WireBody;
  /** `not sent`: the run stopped early because an update stalled (its chat is stuck behind it). */
  status: number | 'stalled' | 'no answer' | 'not sent';
  /** Every number the update holds (the ids it names). */
  numbers: Set<number>;
}

/** A short, printable description of a body (lone surrogates and control characters escaped). */
function describeBody(body: WireBody): string {
  const text = typeof body === 'string' ? body : `bytes:${body.toString('hex')}`;
  return JSON.stringify(
    text.length > 240 ? `${text.slice(0, 240)}…(${text.length})` : text,
  ).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Every table an update could touch, counted. */
async function rowCounts(prisma: PrismaClient): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries({
      requests: () => prisma.paymentRequest.count(),
      offers: () => prisma.offer.count(),
      history: () => prisma.requestHistory.count(),
      outbox: () => prisma.outboxMessage.count(),
      documents: () => prisma.document.count(),
      documentRequests: () => prisma.documentRequest.count(),
      assets: () => prisma.asset.count(),
      keys: () => prisma.idempotencyKey.count(),
      messages: () => prisma.chatMessage.count(),
      members: () => prisma.chatMember.count(),
      users: () => prisma.user.count(),
      agents: () => prisma.agent.count(),
      chats: () => prisma.telegramChat.count(),
      launchTokens: () => prisma.launchToken.count(),
    }).map(async ([name, count]) => [name, await count()] as const),
  );
  return Object.fromEntries(entries);
}

/** Every number in a value (the user ids an update names, broken or not). */
function numbersIn(value: unknown, into = new Set<number>()): Set<number> {
  if (typeof value === 'number') into.add(value);
  else if (value && typeof value === 'object')
    for (const child of Object.values(value)) numbersIn(child, into);
  return into;
}

describe.skipIf(skipSuite)('bad updates at the webhook', () => {
  let stack: Stack;
  let hooked: BotApp;
  let port: number;
  const rooms: number[] = [];
  const processErrors: string[] = [];
  const onProcessError = (error: unknown) => {
    processErrors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onProcessError);
    process.on('uncaughtException', onProcessError);
    stack = await startStack();
    const { tg, api } = stack;
    for (const user of [anna, ivan]) tg.createUser(user);
    const bank = await api.prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
    await api.prisma.agent.create({
      data: { name: 'Анна Смирнова', tenantId: bank.id, telegramId: BigInt(anna.id) },
    });
    // The bot in webhook mode (the polling one of the stack stops first).
    await stack.app.stop('switching to webhook');
    port = await freePort();
    hooked = createBot(
      loadConfig(
        stack.botEnv({
          BOT_MODE: 'webhook',
          WEBHOOK_URL: `http://127.0.0.1:${port}`,
          WEBHOOK_PATH,
          WEBHOOK_SECRET: SECRET,
          HOST: '127.0.0.1',
          PORT: String(port),
          DELIVERY_ENABLED: 'false',
        }),
      ),
    );
    await hooked.start();
    stack.active = hooked;
    // Three deal rooms, opened as in production: the agent adds the bot to a group with the client.
    for (const title of ['Сделка Ромашка', 'Сделка Лютик', 'Сделка Пион']) {
      const group = tg.createGroup({ by: anna.id, title, members: [ivan.id] });
      tg.addBot(group.id, stack.token, { by: anna.id, asAdmin: true });
      await tg.waitForBotMessage(group.id, { bot: stack.token });
      rooms.push(group.id);
    }
    await stack.mirrored();
  }, 120_000);

  afterAll(async () => {
    await hooked?.stop().catch(() => undefined);
    await stack?.tg.callApi(stack.token, 'deleteWebhook').catch(() => undefined);
    await stack?.close();
    process.off('unhandledRejection', onProcessError);
    process.off('uncaughtException', onProcessError);
  });

  it(`${UPDATES} generated updates: no 5xx, no stalls, no partial writes; the bot stays healthy`, async () => {
    const { api, tg } = stack;
    const url = new URL(`http://127.0.0.1:${port}${WEBHOOK_PATH}`);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    /** One POST as Telegram makes it; the status, or why there was none. */
    const post = (target: URL, body: WireBody) =>
      new Promise<Sent['status']>((resolve) => {
        const req = request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-telegram-bot-api-secret-token': SECRET,
            },
            timeout: ANSWER_TIMEOUT_MS,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', () => resolve('no answer'));
          },
        );
        req.on('timeout', () => {
          req.destroy();
          resolve('stalled');
        });
        req.on('error', () => resolve('no answer'));
        req.end(body);
      });
    const samples = fc.sample(plans, { numRuns: UPDATES, seed: SEED });

    // Build each body: ids of its own, one field broken for the near-valid ones.
    const sent: Sent[] = samples.map((plan, index) => {
      switch (plan.category) {
        case 'valid': {
          const room = rooms[plan.room % rooms.length]!;
          const update = {
            update_id: index,
            message: {
              message_id: MESSAGE_BASE + index,
              date: DATE_BASE + index,
              chat: { id: room, type: 'group', title: 'Сделка' },
              from: { id: ivan.id, is_bot: false, first_name: ivan.first_name },
              text: `valid update #${index}`,
            },
          };
          return {
            index,
            plan,
            update,
            body: JSON.stringify(update),
            status: 'no answer',
            numbers: new Set(),
          };
        }
        case 'nearValid': {
          const chatId =
            plan.room === null ? STRANGER_CHAT_BASE - index : rooms[plan.room % rooms.length]!;
          const valid = updateOf(plan.template, index, chatId);
          const paths = pathsOf(valid);
          const path = paths[plan.pathPick % paths.length]!;
          const update =
            plan.op === 'replace'
              ? withAt(valid, path, plan.value)
              : plan.op === 'delete'
                ? withAt(valid, path, DELETE)
                : withAt(valid, [...path.slice(0, -1), plan.key], plan.value);
          return {
            index,
            plan,
            update,
            body: JSON.stringify(update) ?? 'null',
            status: 'no answer',
            numbers: new Set(),
          };
        }
        case 'junkUpdate':
          return {
            index,
            plan,
            update: plan.value,
            body: JSON.stringify(plan.value) ?? 'null',
            status: 'no answer',
            numbers: new Set(),
          };
        case 'raw':
          return {
            index,
            plan,
            update: undefined,
            body: plan.body,
            status: 'no answer',
            numbers: new Set(),
          };
      }
    });

    for (const item of sent) item.numbers = numbersIn(item.update);
    const before = await rowCounts(api.prisma);
    const membersBefore = new Set(
      (
        await api.prisma.chatMember.findMany({ select: { chatId: true, telegramUserId: true } })
      ).map((m) => `${m.chatId}:${m.telegramUserId}`),
    );
    const started = Date.now();
    let stuck = false;
    await inParallel(sent.length, CONCURRENCY, async (index) => {
      const item = sent[index]!;
      if (stuck) {
        item.status = 'not sent';
        return;
      }
      item.status = await post(url, item.body);
      if (item.status === 'stalled') stuck = true;
    });
    agent.destroy();
    // Answered once journaled: wait until the bot has handled what it took.
    await eventually(
      () => hooked.journal?.stats().pending === 0,
      'the bot to handle its journal',
      120_000,
    ).catch(() => undefined);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const after = await rowCounts(api.prisma);

    // --- What the database should hold: the rows of whole updates, nothing else.
    const newMessages = await api.prisma.chatMessage.findMany({
      where: { messageId: { gte: MESSAGE_BASE } },
      select: { chatId: true, messageId: true, text: true, authorTelegramId: true },
    });
    const newMembers = (
      await api.prisma.chatMember.findMany({ select: { chatId: true, telegramUserId: true } })
    ).filter((m) => !membersBefore.has(`${m.chatId}:${m.telegramUserId}`));

    const problems: string[] = [];
    let partial = 0;
    // Tables no update of this corpus may change.
    for (const table of Object.keys(before)) {
      if (table === 'messages' || table === 'members') continue;
      const delta = Math.abs(after[table]! - before[table]!);
      if (delta) problems.push(`${table} ${before[table]} → ${after[table]}`);
      partial += delta;
    }
    const messageOf = new Map(newMessages.map((m) => [m.messageId - MESSAGE_BASE, m]));
    if (after.messages! - before.messages! !== newMessages.length) {
      partial += Math.abs(after.messages! - before.messages! - newMessages.length);
      problems.push(`messages outside the generated ids changed`);
    }
    for (const [index, row] of messageOf) {
      const item = sent[index];
      const update = item?.update as
        | { message?: { chat?: { id?: unknown } }; edited_message?: { chat?: { id?: unknown } } }
        | undefined;
      const chatId = update?.message?.chat?.id ?? update?.edited_message?.chat?.id;
      if (!item || item.status !== 200 || Number(row.chatId) !== chatId) {
        partial += 1;
        problems.push(
          `message ${row.messageId} in chat ${row.chatId}: no update answered 200 holds it`,
        );
      }
    }
    // A member row must come from an update answered 200 that names the user; and the author
    // of a message is recorded only with the message (one transaction in the api).
    let membershipOnly = 0;
    const namedBy = new Map<number, Sent[]>();
    for (const s of sent) {
      if (s.status !== 200) continue;
      for (const n of s.numbers) namedBy.set(n, [...(namedBy.get(n) ?? []), s]);
    }
    for (const member of newMembers) {
      const user = Number(member.telegramUserId);
      const owners = (namedBy.get(user) ?? []).filter((s) => s.numbers.has(Number(member.chatId)));
      if (owners.length === 0) {
        partial += 1;
        problems.push(`member ${user} of ${member.chatId}: no update answered 200 names them`);
        continue;
      }
      const asAuthor = owners.every((s) => {
        const message = (s.update as { message?: { from?: { id?: unknown } } }).message;
        return message?.from?.id === user && user >= AUTHOR_BASE && user < JOINED_BASE;
      });
      if (asAuthor && owners.every((s) => !messageOf.has(s.index))) {
        partial += 1;
        problems.push(`member ${user} recorded as the author of a message that was not saved`);
      } else if (
        owners.every((s) => 'message' in (s.update as object) && !messageOf.has(s.index))
      ) {
        // A join or leave recorded (bot.membership) for a service message that was not saved.
        membershipOnly += 1;
        partial += 1;
        problems.push(`member ${user} recorded from a service message that was not saved`);
      }
    }
    // The well-formed messages: each held once, with its text.
    const valid = sent.filter((s) => s.plan.category === 'valid');
    const validHeld = valid.filter(
      (s) => messageOf.get(s.index)?.text === `valid update #${s.index}`,
    ).length;

    const answered = sent.filter((s) => typeof s.status === 'number');
    const fiveXx = sent.filter((s) => typeof s.status === 'number' && s.status >= 500);
    const stalled = sent.filter((s) => s.status === 'stalled' || s.status === 'no answer');
    const notSent = sent.filter((s) => s.status === 'not sent').length;
    const ok = answered.filter((s) => s.status === 200).length;
    const fourXx = answered.filter(
      (s) => (s.status as number) >= 400 && (s.status as number) < 500,
    );
    const byCategory = (category: Plan['category']) =>
      sent.filter((s) => s.plan.category === category);
    const raw = byCategory('raw');
    const statusesOf = (items: Sent[]) => {
      const counts = new Map<string, number>();
      for (const s of items) counts.set(String(s.status), (counts.get(String(s.status)) ?? 0) + 1);
      return [...counts].map(([status, n]) => `${status} ${n}`).join(', ');
    };

    const figure = recordFigure({
      name: 'bad updates: webhook (generated)',
      tried: sent.length - notSent,
      outcome:
        `(${seconds} s) 200 ${ok} (mirrored ${newMessages.length}), 4xx ${fourXx.length}, ` +
        `5xx ${fiveXx.length}, stalled ${stalled.length}${notSent ? ` (then ${notSent} not sent)` : ''}; valid held ${validHeld}/${valid.length}; ` +
        `members recorded from unsaved service messages ${membershipOnly}`,
      rowsWritten: partial,
      target: `5xx 0, stalled 0, partial writes 0, valid held all, ≥10000 updates`,
      pass:
        fiveXx.length === 0 &&
        stalled.length === 0 &&
        partial === 0 &&
        validHeld === valid.length &&
        sent.length - notSent >= 10_000,
      ...(fiveXx.length || stalled.length || partial || validHeld !== valid.length
        ? {
            note: [
              fiveXx[0] ? `5xx e.g. ${fiveXx[0].status} for ${describeBody(fiveXx[0].body)}` : '',
              stalled[0] ? `stalled e.g. ${describeBody(stalled[0].body)}` : '',
              problems.slice(0, 3).join('; '),
              validHeld !== valid.length ? `valid held ${validHeld}/${valid.length}` : '',
            ]
              .filter(Boolean)
              .join(' | '),
          }
        : {}),
    });
    const rawFigure = recordFigure({
      name: 'bad updates: not an update (broken JSON, bytes, >1 MB, 50,000 levels)',
      tried: raw.length,
      outcome: statusesOf(raw),
      rowsWritten: 0,
      target: '4xx or 200, never 5xx',
      pass: raw.every((s) => typeof s.status === 'number' && s.status < 500),
    });

    // --- Still healthy: the same process answers, and a message sent through Telegram is mirrored.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    const message = tg.sendText({ from: ivan.id, chat: rooms[0]!, text: 'Живы?' });
    const mirrored = await eventually(
      async () =>
        (await api.prisma.chatMessage.findUnique({
          where: {
            chatId_messageId: { chatId: BigInt(rooms[0]!), messageId: message.message_id },
          },
        })) ?? undefined,
      'a message after the bad updates',
      15_000,
    ).catch(() => null);
    await stack.mirrored().catch(() => undefined);
    const healthy =
      health.status === 200 && mirrored?.text === 'Живы?' && processErrors.length === 0;
    const healthFigure = recordFigure({
      name: 'bad updates: bot healthy after',
      tried: 3,
      outcome: `healthz ${health.status}, new message mirrored ${mirrored ? 'yes' : 'no'}, unhandled errors ${processErrors.length}`,
      rowsWritten: 0,
      target: 'healthz 200, mirrored, unhandled errors 0',
      pass: healthy,
      ...(processErrors.length ? { note: processErrors.slice(0, 2).join('; ') } : {}),
    });

    expect(figure.note ?? '').toBe('');
    expect(figure.pass).toBe(true);
    expect(rawFigure.pass).toBe(true);
    expect(healthFigure.pass).toBe(true);
  });
});
