import { randomUUID } from 'node:crypto';

import type { PrismaClient } from '@payreq/db';
import { afterAll, beforeAll } from 'vitest';

import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import { skipDb, startTestApi } from '../../testing/harness';
import type { TestApi } from '../../testing/harness';
import { resetDatabase, seedIntegration } from '../../testing/onec';
import type { TelegramUser } from '../../testing/telegram';
import { botClient } from '../../testing/telegram';

/** The suite runs only under vitest.reliability.config.ts (the default config skips it). */
export const skipSuite = skipDb || process.env.RELIABILITY !== '1';

export const CHAT = -1001987654321;
export const OTHER_CHAT = -1001111111111;

export const people = {
  /** Client of the deal room (the world's platform user Ivan). */
  client: { id: 5000000001, first_name: 'Иван', last_name: 'Петров', language_code: 'ru' },
  /** Client of another deal room only. */
  otherClient: { id: 5000000088, first_name: 'Пётр', language_code: 'ru' },
  /** The bank's agent who added the bot: the linked agent. */
  linkedAgent: { id: 7000000001, first_name: 'Анна', language_code: 'ru' },
  /** Another agent of the bank, also a member of the deal room. */
  masterAgent: { id: 7000000002, first_name: 'Борис', language_code: 'ru' },
  /** An agent of another tenant, also a member of the deal room. */
  foreignAgent: { id: 7000000009, first_name: 'Zoe', language_code: 'en' },
  /** A bank agent taken off the whitelist, still a member. */
  deactivatedAgent: { id: 7000000005, first_name: 'Денис', language_code: 'ru' },
  /** Nobody the platform or the chat knows. */
  stranger: { id: 5999999999, first_name: 'Mallory', language_code: 'en' },
} satisfies Record<string, TelegramUser>;

/** 1C's offer as its REST body, under a new Ref_Key each time, computed on `version`. */
export const onecOffer = (version = 1) => ({
  Ref_Key: randomUUID(),
  version,
  rate: '12.8',
  feePercent: '1',
  fixedFee: '0',
  totalToPay: '16000000',
  settlementDays: 2,
});

export interface DealRoom {
  world: World;
  token: string;
  otherToken: string;
  deactivatedAgentId: string;
}

/** Empties the database and builds the two deal rooms every test starts from. */
export async function dealRoom(api: TestApi): Promise<DealRoom> {
  await resetDatabase(api.prisma);
  const world = await createWorld(api.prisma);
  const deactivated = await api.prisma.agent.create({
    data: {
      name: 'Denis (bank, off)',
      tenantId: world.bank.id,
      telegramId: BigInt(people.deactivatedAgent.id),
      active: false,
    },
  });
  const bot = botClient(api.url);
  const registered = await bot.bot.registerChat.mutate({
    chat: { id: CHAT, type: 'supergroup', title: 'Сделка Ромашка' },
    addedBy: { telegramId: people.linkedAgent.id, name: 'Анна' },
    botIsAdmin: true,
  });
  if (!registered.registered) throw new Error('registration refused');
  await bot.bot.membership.mutate({
    chatId: CHAT,
    joined: [people.client, people.masterAgent, people.foreignAgent, people.deactivatedAgent].map(
      (p) => ({ telegramId: p.id, name: p.first_name }),
    ),
  });
  const other = await bot.bot.registerChat.mutate({
    chat: { id: OTHER_CHAT, type: 'supergroup', title: 'Другая сделка' },
    addedBy: { telegramId: people.masterAgent.id, name: 'Борис' },
  });
  if (!other.registered) throw new Error('registration refused');
  await bot.bot.membership.mutate({
    chatId: OTHER_CHAT,
    joined: [{ telegramId: people.otherClient.id, name: 'Пётр' }],
  });
  return {
    world,
    token: registered.launchToken,
    otherToken: other.launchToken,
    deactivatedAgentId: deactivated.id,
  };
}

/**
 * The frame of a suite that starts from the deal rooms once: one api for the file, the rooms
 * built before its first test (and 1C's integration with `onec`). The answers are filled in
 * then: read them inside the tests and hooks.
 */
export function useDealRoom(options: { onec?: boolean } = {}): {
  api: TestApi;
  room: DealRoom;
} {
  const api = {} as TestApi;
  const room = {} as DealRoom;
  beforeAll(async () => {
    Object.assign(api, await startTestApi());
    Object.assign(room, await dealRoom(api));
    if (options.onec) await seedIntegration(api.prisma);
  });
  afterAll(async () => {
    await (api as Partial<TestApi>).close?.();
  });
  return { api, room };
}

/** Every table a write can touch, and how to count it. */
const tableCounts: Record<string, (prisma: PrismaClient) => Promise<number>> = {
  requests: (prisma) => prisma.paymentRequest.count(),
  offers: (prisma) => prisma.offer.count(),
  history: (prisma) => prisma.requestHistory.count(),
  outbox: (prisma) => prisma.outboxMessage.count(),
  documents: (prisma) => prisma.document.count(),
  documentRequests: (prisma) => prisma.documentRequest.count(),
  assets: (prisma) => prisma.asset.count(),
  keys: (prisma) => prisma.idempotencyKey.count(),
  messages: (prisma) => prisma.chatMessage.count(),
  users: (prisma) => prisma.user.count(),
  chats: (prisma) => prisma.telegramChat.count(),
};

/** Every table a write can touch, counted. */
export async function rowCounts(prisma: PrismaClient): Promise<Record<string, number>> {
  const counted = await Promise.all(
    Object.entries(tableCounts).map(
      async ([table, count]) => [table, await count(prisma)] as const,
    ),
  );
  return Object.fromEntries(counted);
}

/** How many rows appeared or vanished between two counts. */
export function rowsChanged(before: Record<string, number>, after: Record<string, number>): number {
  return Object.keys(before).reduce(
    (sum, key) => sum + Math.abs((after[key] ?? 0) - before[key]!),
    0,
  );
}
