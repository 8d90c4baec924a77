import { describe, expect, it } from 'vitest';

import { HISTORY_PAGE_MAX, HISTORY_PAGE_SIZE } from '@payreq/contracts';
import type { HistoryEntry } from '@payreq/contracts';
import { completeForm, createWorld } from '@payreq/testing';
import { dbKind, failureOf, skipDb } from '../testing/harness';
import { useTestApi } from '../testing/suite';
import type { TelegramUser } from '../testing/telegram';
import { miniAppClient, registerDealRoom, signLaunch, tma } from '../testing/telegram';

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan: TelegramUser = { id: 5000000001, first_name: 'Иван', language_code: 'ru' };
const CHAT = -1001987654000;
/** Anna's deal room with Ivan, her client. */
const room = { id: CHAT, title: 'Долгая сделка', by: anna, members: [ivan] };
const EDITS = 45;

/**
 * A long deal: the session and save answers carry only the latest page of the history, and
 * the rest is read a page at a time before a cursor, every entry once, in order.
 */
describe.skipIf(skipDb)(`history in pages (${dbKind})`, () => {
  const api = useTestApi();

  it('answers with the latest page and pages back through all of it', async () => {
    await createWorld(api.prisma);
    const token = await registerDealRoom(api.url, room);
    const client = miniAppClient(api.url, tma(signLaunch(ivan, token)));
    const agent = miniAppClient(api.url, tma(signLaunch(anna, token)));

    const first = await client.miniApp.save.mutate({ fields: { ...completeForm } });
    const request = await api.prisma.paymentRequest.findUniqueOrThrow({
      where: { telegramChatId: BigInt(CHAT) },
    });
    // An early payment mark, then a long run of edits after it.
    await api.prisma.requestHistory.create({
      data: {
        requestId: request.id,
        actorKind: 'user',
        actorName: 'Иван',
        field: 'paymentStatus',
        toValue: 'TEST_PAYMENT_SENT',
      },
    });
    await api.prisma.requestHistory.createMany({
      data: Array.from({ length: EDITS }, (_, index) => ({
        requestId: request.id,
        actorKind: 'user',
        actorName: 'Иван',
        field: 'comment',
        fromValue: `Правка ${index}`,
        toValue: `Правка ${index + 1}`,
      })),
    });
    const all = first.history.length + 1 + EDITS;

    const session = (await client.miniApp.session.query()).request!;
    expect(session.history).toHaveLength(HISTORY_PAGE_SIZE);
    expect(session.history.at(-1)!.change).toMatchObject({ type: 'field', to: `Правка ${EDITS}` });
    expect(session.historyBefore).toBe(session.history[0]!.id);
    // The mark is older than the page, and still shown.
    expect(session.paymentMarks.map((mark) => mark.status)).toEqual(['TEST_PAYMENT_SENT']);

    // Back to the first entry, 7 at a time: every entry once, oldest first overall.
    const pages: HistoryEntry[][] = [];
    let before = session.historyBefore;
    while (before) {
      const page = await client.miniApp.history.query({ before, limit: 7 });
      expect(page.entries.length).toBeLessThanOrEqual(7);
      pages.unshift(page.entries);
      before = page.before;
    }
    const entries = [...pages.flat(), ...session.history];
    expect(entries).toHaveLength(all);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(all);
    const ids = entries.map((entry) => BigInt(entry.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(entries[0]!.change).toEqual({ type: 'created' });
    // The mark reads as a move between payment steps, by the client who made it.
    expect(entries.find((entry) => entry.change.type === 'paymentStatus')).toMatchObject({
      actor: { kind: 'client', name: 'Иван' },
      change: { type: 'paymentStatus', from: null, to: 'TEST_PAYMENT_SENT', comment: null },
    });

    // The agent pages the same history by the request's id.
    const byId = await agent.requests.history.query({
      requestId: request.id,
      before: session.historyBefore!,
    });
    expect(byId.entries.map((entry) => entry.id)).toEqual(
      entries.slice(-HISTORY_PAGE_SIZE - HISTORY_PAGE_MAX, -HISTORY_PAGE_SIZE).map((e) => e.id),
    );

    // A save answers with the latest page too, its own change last.
    const saved = await client.miniApp.save.mutate({
      version: session.version,
      fields: { ...completeForm, comment: 'Последняя правка' },
    });
    expect(saved.history).toHaveLength(HISTORY_PAGE_SIZE);
    expect(saved.history.at(-1)!.change).toMatchObject({ type: 'field', to: 'Последняя правка' });
    expect(saved.history[0]!.id).toBe(session.history[1]!.id);
    expect(saved.historyBefore).toBe(saved.history[0]!.id);

    // The page size has a stated maximum, and a cursor is an entry's id.
    expect(
      await failureOf(client.miniApp.history.query({ before: '1', limit: HISTORY_PAGE_MAX + 1 })),
    ).toMatchObject({ httpStatus: 400 });
    expect(await failureOf(client.miniApp.history.query({ before: 'x' }))).toMatchObject({
      httpStatus: 400,
    });
  });
});
