import { describe, expect, it } from 'vitest';

import { findRequestViewRow } from '../src/services/rows';
import { requestViewInclude } from '../src/services/views';
import { completeForm, createWorld } from '@payreq/testing';
import { dbKind, failureOf, skipDb } from '../testing/harness';
import { useTestApi } from '../testing/suite';
import type { TelegramUser } from '../testing/telegram';
import { botClient, miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };
const CHAT = -1001987654321;
/** Anna's deal room with Ivan, her client. */
const room = { id: CHAT, title: 'Сделка', by: anna, members: [ivan] };

/** Values as Prisma types them (Date, Decimal, BigInt), compared by type and value. */
function typed(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return `bigint:${value}`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (Array.isArray(value)) return value.map(typed);
  if (typeof value === 'object') {
    if (value.constructor?.name.startsWith('Decimal')) return `decimal:${String(value)}`;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, typed((value as Record<string, unknown>)[key])]),
    );
  }
  return `${typeof value}:${JSON.stringify(value)}`;
}

/**
 * The hot Mini App paths read a request once (one statement for the row and its relations)
 * and build the answer of a save from that read and what the write returns: the answers must
 * be what reading everything again shows, and the row what Prisma's `include` gives.
 */
describe.skipIf(skipDb)(`views from one read (${dbKind})`, () => {
  const api = useTestApi();

  it('answers a save with what a fresh read shows, and reads the row as Prisma does', async () => {
    const world = await createWorld(api.prisma);
    const token = await registerDealRoom(api.url, room);
    const client = miniAppClient(api.url, tma(signLaunch(ivan, token)));
    const agent = miniAppClient(api.url, tma(signLaunch(anna, token)));

    let view = await client.miniApp.save.mutate({ fields: { ...completeForm } });
    expect(view).toEqual((await client.miniApp.session.query()).request);
    const edits = [
      { by: client, fields: { ...completeForm, comment: 'Правка 1', amount: '1250000' } },
      {
        by: client,
        fields: {
          comment: null,
          amount: '99.5',
          direction: 'INCOMING' as const,
          payerName: 'ООО "Кавычки" \\ и слэш',
        },
      },
      { by: agent, fields: { purpose: 'Новое назначение', beneficiaryAddress: null } },
      { by: agent, fields: { purpose: 'Новое назначение' } },
    ];
    for (const edit of edits) {
      api.clock.advance(60_000);
      view = await edit.by.miniApp.save.mutate({ version: view.version, fields: edit.fields });
      expect(view).toEqual((await edit.by.miniApp.session.query()).request);
    }
    expect(view.history.length).toBeGreaterThan(5);
    expect(
      await failureOf(
        client.miniApp.save.mutate({ version: view.version - 1, fields: { comment: 'x' } }),
      ),
    ).toMatchObject({ appCode: 'VERSION_CONFLICT' });

    // Decimals and big integers beyond a double's precision, JSON history values, every relation.
    const request = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { telegramChatId: BigInt(CHAT) },
    });
    await api.prisma.offer.create({
      data: {
        requestId: request.id,
        agentId: world.boris.id,
        rate: '123456789012.123456',
        feePercent: '123.4567',
        fixedFee: '9999999999999999.99',
        totalToPay: '0.01',
        settlementDays: 3,
        source: 'AGENT',
        validUntil: new Date('2026-05-06T07:08:09.123Z'),
      },
    });
    await api.prisma.requestHistory.create({
      data: {
        requestId: request.id,
        actorKind: 'onec',
        actorName: '1C',
        field: 'terms',
        fromValue: { list: [1, 2.5, null, 'x'], nested: { ok: true } },
        toValue: 12.3,
      },
    });
    await api.prisma.documentRequest.create({
      data: { requestId: request.id, kind: 'INVOICE', requestedBy: 'Анна' },
    });
    await api.prisma.requestHistory.createMany({
      data: ['TEST_PAYMENT_SENT', 'PAYMENT_SENT', 'TEST_PAYMENT_SENT'].map((to) => ({
        requestId: request.id,
        actorKind: 'user',
        actorName: 'Иван',
        field: 'paymentStatus',
        toValue: to,
      })),
    });
    const included = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { id: request.id },
      include: requestViewInclude,
    });
    // The payment marks: the latest row of each payment status, oldest first.
    const marks = await api.prisma.requestHistory.findMany({
      where: { requestId: request.id, field: 'paymentStatus' },
      orderBy: { id: 'desc' },
    });
    const prismaRow = {
      ...included,
      paymentMarks: marks
        .filter((mark, index) => marks.findIndex((m) => m.toValue === mark.toValue) === index)
        .reverse(),
    };
    expect(prismaRow.paymentMarks.map((mark) => mark.toValue)).toEqual([
      'PAYMENT_SENT',
      'TEST_PAYMENT_SENT',
    ]);
    expect(typed(await findRequestViewRow(api.prisma, { id: request.id }))).toEqual(
      typed(prismaRow),
    );
    expect(typed(await findRequestViewRow(api.prisma, { telegramChatId: BigInt(CHAT) }))).toEqual(
      typed(prismaRow),
    );
    expect(
      await findRequestViewRow(api.prisma, { id: '00000000-0000-0000-0000-000000000000' }),
    ).toBeNull();
  });

  it('saves a message in one statement: counts, edits, authors, an unknown chat', async () => {
    const message = { messageId: 1, text: 'служебное', date: 1795168800, kind: 'service' as const };
    await createWorld(api.prisma);
    await registerDealRoom(api.url, { id: CHAT - 1, title: 'Другая', by: anna });
    const bot = botClient(api.url);
    const save = (input: object) =>
      bot.bot.saveMessage.mutate({ chatId: CHAT - 1, message: { ...message, ...input } });
    expect(await save({})).toEqual({ received: 1, inserted: 1, updated: 0, unchanged: 0 });
    expect(await save({})).toEqual({ received: 1, inserted: 0, updated: 0, unchanged: 1 });
    expect(await save({ text: 'правка' })).toEqual({
      received: 1,
      inserted: 0,
      updated: 1,
      unchanged: 0,
    });
    await save({ messageId: 2, kind: 'text', authorTelegramId: ivan.id, authorName: 'Иван' });
    expect(
      await api.prisma.chatMember.findUnique({
        where: {
          chatId_telegramUserId: { chatId: BigInt(CHAT - 1), telegramUserId: BigInt(ivan.id) },
        },
      }),
    ).toMatchObject({ status: 'MEMBER', name: 'Иван' });
    const unknownChat = -1000000000777;
    expect(
      await failureOf(
        bot.bot.saveMessage.mutate({
          chatId: unknownChat,
          message: { ...message, kind: 'text', authorTelegramId: ivan.id },
        }),
      ),
    ).toMatchObject({ appCode: 'NOT_FOUND' });
    expect(await api.prisma.chatMember.count({ where: { chatId: BigInt(unknownChat) } })).toBe(0);
    expect(await api.prisma.chatMessage.count({ where: { chatId: BigInt(unknownChat) } })).toBe(0);
  });
});
