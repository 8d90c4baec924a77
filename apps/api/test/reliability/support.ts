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
/** Each table's rows, as a digest of each row (any column) and how often it stands there. */
export type RowSnapshot = Record<string, Map<string, number>>;

/**
 * Every table of the schema (a table added later is watched too), row by row: so that a write
 * shows up whether it inserted, deleted or changed a row in place.
 */
export async function snapshotRows(prisma: PrismaClient): Promise<RowSnapshot> {
  const rows = await prisma.$queryRaw<{ name: string; digest: string }[]>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`.then((tables) =>
    prisma.$queryRawUnsafe<{ name: string; digest: string }[]>(
      tables
        .map(({ name }) => `SELECT '${name}' AS name, md5(t::text) AS digest FROM "${name}" t`)
        .join(' UNION ALL '),
    ),
  );
  const snapshot: RowSnapshot = {};
  for (const { name, digest } of rows) {
    const table = (snapshot[name] ??= new Map());
    table.set(digest, (table.get(digest) ?? 0) + 1);
  }
  return snapshot;
}

/** Per table, the rows that appeared and the rows that vanished between two snapshots. */
export function rowChanges(
  before: RowSnapshot,
  after: RowSnapshot,
): Record<string, { appeared: number; vanished: number }> {
  const changes: Record<string, { appeared: number; vanished: number }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[table] ?? new Map<string, number>();
    const is = after[table] ?? new Map<string, number>();
    let appeared = 0;
    let vanished = 0;
    for (const [digest, count] of is) appeared += Math.max(0, count - (was.get(digest) ?? 0));
    for (const [digest, count] of was) vanished += Math.max(0, count - (is.get(digest) ?? 0));
    if (appeared || vanished) changes[table] = { appeared, vanished };
  }
  return changes;
}

/**
 * How many rows were written between two snapshots: per table, the rows that appeared or the
 * rows that vanished, whichever are more (an insert or a delete is one, a row changed in place
 * is one: its old digest vanished and its new one appeared).
 */
export function rowsChanged(before: RowSnapshot, after: RowSnapshot): number {
  return sumOverTables(before, after, [], ({ appeared, vanished }) => Math.max(appeared, vanished));
}

/** How many rows a table holds in a snapshot. */
export function rowsIn(snapshot: RowSnapshot, table: string): number {
  return [...(snapshot[table]?.values() ?? [])].reduce((sum, count) => sum + count, 0);
}

/**
 * How many rows appeared or vanished, table by table, leaving rows changed in place out: for a
 * run of calls that may be accepted and insert (its expected rows), where in-place changes of
 * the accepted calls could not be told apart from a refused call's. `ignore`: tables left out.
 */
export function rowCountChange(
  before: RowSnapshot,
  after: RowSnapshot,
  ignore: readonly string[] = [],
): number {
  return sumOverTables(before, after, ignore, ({ appeared, vanished }) =>
    Math.abs(appeared - vanished),
  );
}

function sumOverTables(
  before: RowSnapshot,
  after: RowSnapshot,
  ignore: readonly string[],
  count: (change: { appeared: number; vanished: number }) => number,
): number {
  return Object.entries(rowChanges(before, after))
    .filter(([table]) => !ignore.includes(table))
    .reduce((sum, [, change]) => sum + count(change), 0);
}

/** The changes as a line: `ChatMessage +2 −1, Asset +1`. */
export function describeRowChanges(before: RowSnapshot, after: RowSnapshot): string {
  return Object.entries(rowChanges(before, after))
    .map(([table, { appeared, vanished }]) => `${table} +${appeared} −${vanished}`)
    .join(', ');
}
