import { describe, expect, it } from 'vitest';

import type { Message, Update } from '../src/index';
import { GROUP_ANONYMOUS_BOT, TELEGRAM_SERVICE_USER, checkAgainstSpec } from '../src/index';
import { api, control, useDealWorld } from './helpers';

/** What Telegram does that a bot easily gets wrong: privacy per join, senders on behalf of chats, limits, retention. */
describe('Telegram fidelity', () => {
  const world = useDealWorld({ alice: { language_code: 'ru' } });

  /** The bot's unconfirmed updates, confirmed. */
  async function drain(token = world.bot.token): Promise<Update[]> {
    const { url } = world;
    const result = (await api<Update[]>(url, token, 'getUpdates')).body.result;
    const last = result.at(-1);
    if (last) await api(url, token, 'getUpdates', { offset: last.update_id + 1 });
    return result;
  }
  const texts = (updates: Update[]) =>
    updates.map((u) => u.message?.text).filter((t): t is string => t !== undefined);

  it('/setprivacy applies to groups the bot joins afterwards, as Telegram says', async () => {
    const { server, url, bot, alice, bob } = world;
    const before = server.createGroup({ by: alice.id, title: 'Before', members: [bob.id] });
    server.addBot(before.id, bot.token, { by: alice.id });
    server.setPrivacyMode(bot.token, false);
    const after = server.createGroup({ by: alice.id, title: 'After', members: [bob.id] });
    server.addBot(after.id, bot.token, { by: alice.id });
    await drain();

    const me = (await api<{ can_read_all_group_messages: boolean }>(url, bot.token, 'getMe')).body
      .result;
    expect(me.can_read_all_group_messages).toBe(true);
    server.sendText({ from: bob.id, chat: before.id, text: 'unseen: joined with privacy on' });
    server.sendText({ from: bob.id, chat: after.id, text: 'seen: joined with privacy off' });
    expect(texts(await drain())).toEqual(['seen: joined with privacy off']);

    // Removed and added again: the new join takes the current setting.
    server.removeMember(before.id, bot.id, { by: alice.id });
    server.addBot(before.id, bot.token, { by: alice.id });
    await drain();
    server.sendText({ from: bob.id, chat: before.id, text: 'seen after re-adding' });
    expect(texts(await drain())).toEqual(['seen after re-adding']);
  });

  it('an anonymous administrator writes as the group: GroupAnonymousBot, sender_chat, author_signature', async () => {
    const { server, bot, alice, bob } = world;
    const basic = server.createGroup({ by: alice.id, title: 'Сделка', members: [bob.id] });
    server.addBot(basic.id, bot.token, { by: alice.id, asAdmin: true });
    const group = server.upgradeToSupergroup(basic.id, { by: alice.id });
    expect(() => server.setAnonymousAdmin(group.id, bob.id)).toThrow(/not an administrator/);
    server.promote(group.id, bob.id, { by: alice.id, customTitle: 'Банк' });
    server.setAnonymousAdmin(group.id, bob.id);
    await drain();

    const sent = server.sendText({ from: bob.id, chat: group.id, text: 'Пишу от имени группы' });
    expect(sent.from).toEqual(GROUP_ANONYMOUS_BOT);
    expect(sent.sender_chat).toEqual({ id: group.id, type: 'supergroup', title: 'Сделка' });
    expect(sent.author_signature).toBe('Банк');
    // Delivered, although its `from` is a bot: only real bots' messages are hidden from bots.
    const updates = await drain();
    expect(updates.map((u) => u.message?.message_id)).toEqual([sent.message_id]);
    expect(checkAgainstSpec('Array of Update', updates)).toEqual([]);
    const member = server.chatInfo(group.id).members.find((m) => m.user.id === bob.id);
    expect(member).toMatchObject({ status: 'administrator', is_anonymous: true });
    expect(() => server.setAnonymousAdmin(basic.id, alice.id)).toThrow(/upgraded/);
  });

  it('a linked channel’s post is forwarded automatically; a user’s forward keeps its origin', async () => {
    const { server, bot, alice, bob } = world;
    const basic = server.createGroup({ by: alice.id, title: 'Обсуждение', members: [bob.id] });
    server.addBot(basic.id, bot.token, { by: alice.id, asAdmin: true });
    const group = server.upgradeToSupergroup(basic.id, { by: alice.id });
    const channel = server.createChannel({ by: alice.id, title: 'Новости банка' });
    server.linkDiscussionGroup(channel.id, group.id);
    await drain();

    const { post, forwarded } = server.postToChannel({
      channel: channel.id,
      text: 'Курс на сегодня',
      signature: 'Алиса',
    });
    expect(forwarded).toMatchObject({
      from: TELEGRAM_SERVICE_USER,
      sender_chat: { id: channel.id, type: 'channel', title: 'Новости банка' },
      is_automatic_forward: true,
      forward_origin: {
        type: 'channel',
        chat: { id: channel.id, type: 'channel', title: 'Новости банка' },
        message_id: post.message_id,
        date: post.date,
        author_signature: 'Алиса',
      },
      text: 'Курс на сегодня',
    });
    const copy = server.forwardMessage({
      from: bob.id,
      fromChat: channel.id,
      messageId: post.message_id,
      toChat: group.id,
    });
    expect(copy.from?.id).toBe(bob.id);
    expect(copy.sender_chat).toBeUndefined();
    expect(copy.forward_origin).toEqual(forwarded!.forward_origin);
    const own = server.sendText({ from: alice.id, chat: group.id, text: 'моё' });
    const forwardOfUser = server.forwardMessage({
      from: bob.id,
      fromChat: group.id,
      messageId: own.message_id,
      toChat: group.id,
    });
    expect(forwardOfUser.forward_origin).toEqual({
      type: 'user',
      sender_user: { ...alice },
      date: own.date,
    });

    const updates = await drain();
    expect(updates.map((u) => u.message?.message_id)).toEqual([
      forwarded!.message_id,
      copy.message_id,
      own.message_id,
      forwardOfUser.message_id,
    ]);
    expect(checkAgainstSpec('Array of Update', updates)).toEqual([]);
  });

  it('a bot never sees another bot’s messages', async () => {
    const { server, url, bot, alice, bob } = world;
    const other = server.createBot({ username: 'other_bot', privacyMode: false });
    const group = server.createGroup({ by: alice.id, title: 'Room', members: [bob.id] });
    server.addBot(group.id, bot.token, { by: alice.id, asAdmin: true });
    server.addBot(group.id, other.token, { by: alice.id, asAdmin: true });
    await drain();
    await api<Message>(url, other.token, 'sendMessage', { chat_id: group.id, text: 'from a bot' });
    server.sendText({ from: bob.id, chat: group.id, text: 'from a person' });
    expect(texts(await drain())).toEqual(['from a person']);
  });

  it('answers 429 with retry_after beyond the sending limits, per group and overall', async () => {
    const { server, url, bot, alice } = world;
    const one = server.createGroup({ by: alice.id, title: 'One' });
    const two = server.createGroup({ by: alice.id, title: 'Two' });
    server.addBot(one.id, bot.token, { by: alice.id });
    server.addBot(two.id, bot.token, { by: alice.id });
    server.startBot(alice.id, bot.token);
    const send = (chat_id: number) =>
      api<Message>(url, bot.token, 'sendMessage', { chat_id, text: 'x' });

    server.setRateLimits({ perGroup: { max: 3, windowMs: 1_500 } });
    for (let i = 0; i < 3; i += 1) expect((await send(one.id)).status).toBe(200);
    const limited = await send(one.id);
    expect(limited.status).toBe(429);
    expect(limited.body.description).toMatch(/^Too Many Requests: retry after [12]$/);
    expect(limited.body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
    expect(checkAgainstSpec('ResponseParameters', limited.body.parameters)).toEqual([]);
    // Another group and the private chat have limits of their own (none per private chat here).
    expect((await send(two.id)).status).toBe(200);
    expect((await send(alice.id)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await send(one.id)).status).toBe(200);

    await control(url, 'POST', '/rate-limits', { overall: { max: 2, windowMs: 60_000 } });
    expect((await send(one.id)).status).toBe(200);
    expect((await send(alice.id)).status).toBe(200);
    const overall = await send(two.id);
    expect(overall.status).toBe(429);
    expect(overall.body.parameters?.retry_after).toBeGreaterThan(50);
    expect(
      server.calls({ method: 'sendMessage' }).filter((c) => c.httpStatus === 429),
    ).toHaveLength(2);

    expect((await control(url, 'POST', '/rate-limits', {})).status).toBe(200);
    for (let i = 0; i < 5; i += 1) expect((await send(two.id)).status).toBe(200);
    expect((await control(url, 'POST', '/rate-limits', { telegram: true })).body).toMatchObject({
      limits: { perGroup: { max: 20, windowMs: 60_000 }, overall: { max: 30, windowMs: 1_000 } },
    });
  });

  it('drops updates nobody confirmed within the retention (Telegram: 24 hours)', async () => {
    const { server, url, bot, alice, bob } = world;
    const group = server.createGroup({ by: alice.id, title: 'Room', members: [bob.id] });
    server.addBot(group.id, bot.token, { by: alice.id, asAdmin: true });
    await drain();
    expect((await control(url, 'POST', '/update-retention', { ms: 300 })).status).toBe(200);
    const old = server.sendText({ from: bob.id, chat: group.id, text: 'too old' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const fresh = server.sendText({ from: bob.id, chat: group.id, text: 'fresh' });

    const info = (await api<{ pending_update_count: number }>(url, bot.token, 'getWebhookInfo'))
      .body.result;
    expect(info.pending_update_count).toBe(1);
    expect(texts(await drain())).toEqual(['fresh']);
    const expired = server.expiredUpdates(bot.token);
    expect(expired.count).toBe(1);
    expect(expired.updates[0]?.message?.message_id).toBe(old.message_id);
    expect(fresh.message_id).toBe(old.message_id + 1);
    const viaControl = await control<{ count: number }>(
      url,
      'GET',
      `/bots/${bot.id}/expired-updates`,
    );
    expect(viaControl.body.count).toBe(1);
  });
});
