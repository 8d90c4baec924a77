import type pg from 'pg';

import type { ChildServer } from './child.ts';
import { startChild } from './child.ts';
import { config } from './config.ts';
import { connect, freshDatabase } from './postgres.ts';

import { botAuthorization, miniAppAuthorization } from './telegram.ts';
import type { TelegramUser } from './telegram.ts';
import { mutate } from './trpc.ts';

/** What a benchmark runs in: a fresh database with the bank seeded, and a client on it. */
export interface BenchWorld {
  url: string;
  db: pg.Client;
  agent: TelegramUser & { name: string };
  /** What the benchmark starts (servers, a browser): stopped when it ends, the last first. */
  servers: Pick<ChildServer, 'stop'>[];
}

/** Runs `work` in a fresh world; stops its servers and drops the database however it ends. */
export async function inFreshWorld<T>(work: (world: BenchWorld) => Promise<T>): Promise<T> {
  const database = await freshDatabase();
  const db = await connect(database.url);
  const servers: BenchWorld['servers'] = [];
  try {
    const { agent } = await seedBank(database.url);
    return await work({ url: database.url, db, agent, servers });
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await db.end();
    await database.drop();
  }
}

/** This checkout's api on the world's database, stopped with the world. */
export async function startWorldApi(
  world: Pick<BenchWorld, 'url' | 'servers'>,
  nodeArgs: string[] = config.apiNodeArgs,
): Promise<ChildServer> {
  const env = { BENCH_DATABASE_URL: world.url, BENCH_API_LOG_LEVEL: config.apiLogLevel };
  const api = await startChild('api', 'api-server.ts', env, { nodeArgs });
  world.servers.push(api);
  return api;
}

/** The bank (master tenant) and its whitelisted agent, written straight to the database. */
export async function seedBank(
  databaseUrl: string,
): Promise<{ agent: TelegramUser & { name: string } }> {
  const agent = {
    id: 7_100_000_001,
    first_name: 'Анна',
    last_name: 'Смирнова',
    language_code: 'ru',
  };
  const client = await connect(databaseUrl);
  try {
    await client.query(`
      WITH bank AS (
        INSERT INTO "Tenant" (id, name, "isMaster") VALUES (gen_random_uuid(), 'Банк', true) RETURNING id
      )
      INSERT INTO "Agent" (id, "tenantId", name, "telegramId", active, "updatedAt")
      SELECT gen_random_uuid(), bank.id, 'Анна Смирнова', ${agent.id}, true, now() FROM bank`);
  } finally {
    await client.end();
  }
  return { agent: { ...agent, name: 'Анна Смирнова' } };
}

export interface DealRoom {
  chatId: number;
  title: string;
  launchToken: string;
  client: TelegramUser & { name: string };
  /** `Authorization: tma …` of the client, signed once (valid for an hour). */
  clientAuthorization: string;
}

/**
 * Deal rooms as they come to be: the agent adds the bot to a group (`bot.registerChat`), the
 * bot reports the client as a member (`bot.membership`). All through the api.
 */
export async function openDealRooms(
  apiUrl: string,
  agent: TelegramUser & { name: string },
  count: number,
  firstChat: number,
  firstClient: number,
): Promise<DealRoom[]> {
  const rooms: DealRoom[] = [];
  for (let index = 0; index < count; index += 1) {
    const chatId = firstChat - index;
    const title = `Сделка №${index + 1}: ООО «Ромашка-${index + 1}»`;
    const registered = await mutate<{ registered: boolean; launchToken: string }>(
      apiUrl,
      'bot.registerChat',
      botAuthorization,
      {
        chat: { id: chatId, type: 'supergroup', title },
        addedBy: { telegramId: agent.id, name: agent.name },
        botIsAdmin: true,
      },
    );
    if (!registered.registered) throw new Error('the api refused to register a chat');
    const client = {
      id: firstClient + index,
      first_name: 'Клиент',
      last_name: String(index + 1),
      language_code: 'ru',
      name: `Клиент ${index + 1}`,
    };
    await mutate(apiUrl, 'bot.membership', botAuthorization, {
      chatId,
      joined: [{ telegramId: client.id, name: client.name }],
    });
    rooms.push({
      chatId,
      title,
      launchToken: registered.launchToken,
      client,
      clientAuthorization: miniAppAuthorization(client, registered.launchToken),
    });
  }
  return rooms;
}

/**
 * Empties the message table between runs, with the rows that hang off messages (their edits);
 * `analyze` also refreshes its statistics, so the next run plans on an empty table.
 */
export async function emptyChatMessages(db: pg.Client, options: { analyze: boolean }) {
  await db.query('TRUNCATE "ChatMessage" CASCADE');
  if (options.analyze) await db.query('VACUUM ANALYZE "ChatMessage"');
}
