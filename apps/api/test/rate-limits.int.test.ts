import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, failureOf, skipDb, startTestApi } from '../testing/harness';
import { ONEC_API_KEY, callOnec, resetDatabase, seedIntegration } from '../testing/onec';
import type { TelegramUser } from '../testing/telegram';
import { botClient, miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };
const CHAT = -1001987654321;

describe.skipIf(skipDb)(`rate limits per identity (${dbKind})`, () => {
  let api: TestApi;
  let world: World;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi(dbKind, {
      rateLimits: {
        enabled: true,
        perMinute: { miniApp: 3, platform: 3, bot: 20, onec: 2, anonymous: 2 },
      },
    });
    await resetDatabase(api.prisma);
    world = await createWorld(api.prisma);
    await seedIntegration(api.prisma);
    token = await registerDealRoom(api.url, {
      id: CHAT,
      title: 'Сделка',
      by: anna,
      members: [ivan],
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers a Mini App user over budget with 429 and Retry-After, in words, and nobody else', async () => {
    const ivanApp = miniAppClient(api.url, tma(signLaunch(ivan, token)));
    for (let call = 0; call < 3; call += 1) await ivanApp.miniApp.session.query();
    const refused = await failureOf(ivanApp.miniApp.session.query());
    expect(refused.httpStatus).toBe(429);
    expect(refused.appCode).toBe('RATE_LIMITED');
    expect(refused.message).toMatch(/Слишком много запросов: повторите через \d+ с/);

    const raw = await fetch(`${api.url}/trpc/miniApp.session`, {
      headers: { authorization: tma(signLaunch(ivan, token)) },
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);

    // Anna has a budget of her own, and so does the bot.
    const annaApp = miniAppClient(api.url, tma(signLaunch(anna, token)));
    await expect(annaApp.miniApp.session.query()).resolves.toMatchObject({
      me: { name: 'Anna (bank)' },
    });
    const summary = await botClient(api.url).bot.chatSummary.query({ chatId: CHAT });
    expect(summary.registered).toBe(true);
  });

  it('counts forged credentials against the caller’s address, not against the person they name', async () => {
    const forged = tma(
      signLaunch(anna, token, { botToken: '999:not-the-bot-token-at-all-xxxxxx' }),
    );
    const statuses: number[] = [];
    for (let call = 0; call < 3; call += 1) {
      const answer = await fetch(`${api.url}/trpc/miniApp.session`, {
        headers: { authorization: forged },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
    const platform = api.client(api.tokenFor({ kind: 'agent', id: world.boris.id }));
    await expect(platform.me.info.query()).resolves.toBeTruthy();
  });

  it('limits 1C by its key, with the REST error shape', async () => {
    const request = await api.prisma.paymentRequest.create({
      data: {
        tenantId: world.bank.id,
        source: 'TELEGRAM',
        telegramChatId: BigInt(CHAT),
        agentId: world.anna.id,
        status: 'COLLECTING_OFFERS',
      },
    });
    const read = () =>
      callOnec(api, 'GET', `/onec/v1/requests/${request.id}`, { apiKey: ONEC_API_KEY });
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    const refused = await read();
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
