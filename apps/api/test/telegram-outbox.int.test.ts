import { ClaimedTelegramMessage } from '@payreq/contracts';
import { beforeEach, describe, expect, it } from 'vitest';

import { completeForm, createWorld } from '@payreq/testing';
import { dbKind, skipDb } from '../testing/harness';
import { useTestApi } from '../testing/suite';
import type { TelegramUser } from '../testing/telegram';
import { botClient, miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const CHAT = -1001987654321;

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
  });
});
