/**
 * Prints the SQL statements the api issues for each benchmarked call, in order, as Prisma
 * logs them (BEGIN is not logged; COMMIT is). servers/floor-sql.ts holds these verbatim: run
 * this after changing the services and update the floor to match.
 * Usage: pnpm --filter @payreq/bench capture-sql
 */
import { completeForm } from '@payreq/testing';
import { startChild } from '../lib/child.ts';
import { cleanupAll } from '../lib/cleanup.ts';
import { acquirePostgres, freshDatabase } from '../lib/postgres.ts';
import { botAuthorization } from '../lib/telegram.ts';
import { mutate, query } from '../lib/trpc.ts';
import { openDealRooms, seedBank } from '../lib/world.ts';

async function main(): Promise<void> {
  await acquirePostgres();
  const database = await freshDatabase();
  const { agent } = await seedBank(database.url);
  const api = await startChild('api (statement capture)', 'api-server.ts', {
    BENCH_DATABASE_URL: database.url,
    BENCH_COUNT_QUERIES: '1',
  });
  const [room] = await openDealRooms(api.url, agent, 1, -1002900000001, 5900000001);
  await query(api.url, 'miniApp.session', room!.clientAuthorization);
  const created = await mutate<{ version: number }>(
    api.url,
    'miniApp.save',
    room!.clientAuthorization,
    {
      fields: completeForm,
    },
  );
  await api.ask({ type: 'statements' });

  const calls: [string, () => Promise<unknown>][] = [
    [
      'miniApp.session (a client)',
      () => query(api.url, 'miniApp.session', room!.clientAuthorization),
    ],
    [
      'miniApp.save (a client, one field changed)',
      () =>
        mutate(api.url, 'miniApp.save', room!.clientAuthorization, {
          version: created.version,
          fields: { ...completeForm, comment: 'Правка' },
        }),
    ],
    [
      'bot.saveMessage (a new message)',
      () =>
        mutate(api.url, 'bot.saveMessage', botAuthorization, {
          chatId: room!.chatId,
          message: {
            messageId: 1,
            authorTelegramId: room!.client.id,
            authorName: 'Клиент',
            text: 'Привет',
            date: 1795168800,
            kind: 'text',
          },
        }),
    ],
  ];
  for (const [name, call] of calls) {
    await call();
    const statements = await api.ask<string[]>({ type: 'statements' });
    console.log(`\n=== ${name}: ${statements.length} statements`);
    statements.forEach((text, index) =>
      console.log(`${String(index + 1).padStart(2)}. ${text.replace(/\s+/g, ' ').trim()}`),
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
