import { describe, expect, it } from 'vitest';

import { sendDeadlineReminders } from '../src/jobs/deadline-reminders';
import { completeForm, hours, offerTerms } from '@payreq/testing';
import { useTestApiWithWorld } from '../testing/suite';
import { TEST_BOT_SERVICE_TOKEN, dbKind, skipDb } from '../testing/harness';

/**
 * Offers deadline reminders of the standard pipeline: a day and an hour before, to the
 * company's people and to the agents still offering; in the portal's notifications, and in the
 * bot's private chat for those who started it. Each once, with two job runners racing.
 */
describe.skipIf(skipDb)(`deadline reminders (${dbKind})`, () => {
  const suite = useTestApiWithWorld();

  const as = (kind: 'user' | 'agent', id: string) =>
    suite.api.client(suite.api.tokenFor({ kind, id }));

  it('reminds each person once a day and once an hour before, in their words and channel', async () => {
    const deadline = new Date(suite.api.clock.now().getTime() + hours(48));
    const client = as('user', suite.world.client.id);
    const draft = await client.requests.create.mutate({
      fields: completeForm,
      offersDeadline: deadline.toISOString(),
    });
    await client.requests.submit.mutate({ requestId: draft.id, version: draft.version });
    await as('agent', suite.world.zoe.id).offers.submit.mutate({
      requestId: draft.id,
      terms: offerTerms('16055700.00'),
    });
    // The client started the bot in private; Olga (a colleague) did not; Olga reads English.
    const bot = suite.api.client(TEST_BOT_SERVICE_TOKEN);
    const started = await bot.bot.privateChatStarted.mutate({
      telegramId: Number(suite.world.client.telegramId),
    });
    expect(started.isAgent).toBe(false);
    await suite.api.prisma.user.update({
      where: { id: suite.world.otherClient.id },
      data: { locale: 'en' },
    });

    // Two days ahead: nothing is due yet.
    expect(await sendDeadlineReminders(suite.api.prisma, suite.api.clock.now())).toBe(0);

    const dayBefore = new Date(deadline.getTime() - hours(23));
    const [first, second] = await Promise.all([
      sendDeadlineReminders(suite.api.prisma, dayBefore),
      sendDeadlineReminders(suite.api.prisma, dayBefore),
    ]);
    // Ivan, Olga and Zoe; the two runners together, once each.
    expect(first + second).toBe(3);
    expect(await sendDeadlineReminders(suite.api.prisma, dayBefore)).toBe(0);

    suite.api.clock.advance(dayBefore.getTime() - suite.api.clock.now().getTime());
    const ivanSees = await as('user', suite.world.client.id).notifications.list.query({});
    // The reminder, and the word of Zoe's offer before it.
    expect(ivanSees.unread).toBe(2);
    expect(ivanSees.items[0]!.text).toMatch(
      new RegExp(
        `^Заявка ${draft.displayNumber}: приём предложений закрывается через сутки \\(\\d\\d\\.\\d\\d\\.\\d{4}, \\d\\d:\\d\\d МСК\\)\\.$`,
      ),
    );
    const olgaSees = await as('user', suite.world.otherClient.id).notifications.list.query({});
    // The reader's zone is unknown here: the deadline says it is Moscow's.
    expect(olgaSees.items[0]!.text).toMatch(
      /offers close in a day \(\d\d\/\d\d\/\d{4}, \d\d:\d\d Moscow time\)\.$/,
    );
    const zoeSees = await as('agent', suite.world.zoe.id).notifications.list.query({});
    expect(zoeSees.items).toHaveLength(1);
    // Boris did not offer: he is not reminded.
    expect((await as('agent', suite.world.boris.id).notifications.list.query({})).items).toEqual(
      [],
    );

    // Only Ivan started the bot: one private message, to his chat, worded in Russian.
    const claimed = await bot.botOutbox.claim.mutate({ limit: 10, workerId: 'test' });
    expect(claimed.messages).toHaveLength(1);
    const [reminder] = claimed.messages;
    expect(reminder!.message).toMatchObject({
      kind: 'telegram.deadlineReminder',
      payload: { chatId: Number(suite.world.client.telegramId), reminder: 'deadline:24h' },
    });
    expect(reminder!.card).toMatchObject({ locale: 'ru', chatId: null });

    // Ivan then blocks the bot (the bot reports it, twice here): the hour's reminder reaches him
    // in the platform only, not in Telegram.
    await bot.bot.privateChatBlocked.mutate({ telegramId: Number(suite.world.client.telegramId) });
    await bot.bot.privateChatBlocked.mutate({ telegramId: Number(suite.world.client.telegramId) });
    const hourBefore = new Date(deadline.getTime() - hours(0.5));
    expect(await sendDeadlineReminders(suite.api.prisma, hourBefore)).toBe(3);
    const privateReminders = await suite.api.prisma.outboxMessage.findMany({
      where: { kind: 'telegram.deadlineReminder' },
      orderBy: { id: 'asc' },
    });
    expect(privateReminders.map((row) => (row.payload as { reminder: string }).reminder)).toEqual([
      'deadline:24h',
    ]);
    suite.api.clock.advance(hourBefore.getTime() - suite.api.clock.now().getTime());
    const later = await as('user', suite.world.client.id).notifications.list.query({});
    expect(later.unread).toBe(3);
    expect(later.items[0]!.text).toMatch(/закрывается через час/);

    // Marking read touches only the caller's own.
    const marked = await as('user', suite.world.client.id).notifications.markRead.mutate({
      upTo: later.items[0]!.id,
    });
    expect(marked.marked).toBe(3);
    expect((await as('user', suite.world.otherClient.id).notifications.list.query({})).unread).toBe(
      3,
    );

    // After the deadline nothing more is sent.
    expect(await sendDeadlineReminders(suite.api.prisma, new Date(deadline.getTime() + 1))).toBe(0);
  });
});
