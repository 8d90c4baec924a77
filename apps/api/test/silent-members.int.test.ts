import { TelegramTestServer } from '@payreq/telegram-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { TEST_BOT_TOKEN, dbKind, failureOf, skipDb, startTestApi } from '../testing/harness';
import { botClient, miniAppClient, signLaunch, tma } from '../testing/telegram';

/**
 * People who were in the group before the bot arrived and never wrote are unknown to the
 * platform; the api asks Telegram (here: the project's Bot API test server) with getChatMember.
 */
describe.skipIf(skipDb)(`silent members of a deal room (${dbKind})`, () => {
  let telegram: TelegramTestServer;
  let api: TestApi;

  beforeAll(async () => {
    telegram = new TelegramTestServer();
    telegram.createBot({ token: TEST_BOT_TOKEN, username: 'payreq_test_bot' });
    const root = await telegram.start();
    api = await startTestApi(dbKind, { telegramApiRoot: root });
    await createWorld(api.prisma);
  });
  afterAll(async () => {
    await api?.close();
    await telegram?.stop();
  });

  it('lets a silent member in after Telegram confirms, and nobody else', async () => {
    const anna = telegram.createUser({ id: 7000000001, first_name: 'Анна' });
    const quiet = telegram.createUser({ id: 5000000101, first_name: 'Тихий', last_name: 'Клиент' });
    const outsider = telegram.createUser({ id: 5000000102, first_name: 'Чужой' });
    const group = telegram.createGroup({ by: anna.id, title: 'Сделка', members: [quiet.id] });
    telegram.addBot(group.id, TEST_BOT_TOKEN, { by: anna.id, asAdmin: true });

    const registered = await botClient(api.url).bot.registerChat.mutate({
      chat: { id: group.id, type: 'group', title: 'Сделка' },
      addedBy: { telegramId: anna.id, name: 'Анна' },
    });
    if (!registered.registered) throw new Error('not registered');
    const open = (id: number, first_name: string) =>
      miniAppClient(
        api.url,
        tma(signLaunch({ id, first_name }, registered.launchToken)),
      ).miniApp.session.query();

    const session = await open(quiet.id, 'Тихий');
    expect(session.chat?.id).toBe(group.id);
    expect(session.me.permissions).toEqual(['application.create']);
    expect(
      await api.prisma.chatMember.count({
        where: { chatId: BigInt(group.id), telegramUserId: BigInt(quiet.id) },
      }),
    ).toBe(1);

    expect(await failureOf(open(outsider.id, 'Чужой'))).toMatchObject({ httpStatus: 403 });
    expect(
      await api.prisma.chatMember.count({ where: { telegramUserId: BigInt(outsider.id) } }),
    ).toBe(0);
  });
});
