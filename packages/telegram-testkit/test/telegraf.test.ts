import { createHash } from 'node:crypto';
import { Input, Markup, Telegraf, TelegramError } from 'telegraf';
import type { Update as TgUpdate } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchPolling, listen, makeJpeg, useDealWorld } from './helpers';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('a real telegraf bot against the test server', () => {
  const world = useDealWorld({
    botName: 'PayReq Deal Room',
    alice: { username: 'alice_buyer', language_code: 'ru' },
    bob: { username: 'bob_seller' },
  });
  let bot: Telegraf;
  let stopBot: (() => Promise<void>) | undefined;
  let received: TgUpdate[];

  beforeEach(() => {
    bot = new Telegraf(world.bot.token, { telegram: { apiRoot: world.url } });
    received = [];
    bot.use(async (ctx, next) => {
      received.push(ctx.update);
      await next();
    });
    stopBot = undefined;
  });

  afterEach(async () => {
    await stopBot?.();
  });

  it('long polling: /start payload, callback buttons, edits, albums and my_chat_member', async () => {
    const { server, bot: info, alice, bob } = world;
    bot.start((ctx) =>
      ctx.reply(
        `Deal ${ctx.payload} opened`,
        Markup.inlineKeyboard([
          [Markup.button.callback('Confirm', 'confirm:42')],
          [Markup.button.url('Bank', 'https://bank.example.com/d/42')],
        ]),
      ),
    );
    bot.action(/^confirm:(\d+)$/, async (ctx) => {
      await ctx.answerCbQuery(`Confirmed ${ctx.match[1]}`);
      await ctx.editMessageText('Deal 42 confirmed ✅');
    });
    bot.on('edited_message', (ctx) =>
      ctx.reply(`edit seen at ${'edit_date' in ctx.editedMessage ? 'yes' : 'no'}`),
    );
    stopBot = await launchPolling(bot, server, info.token);

    server.startBot(alice.id, info.token, 'deal_42');
    const welcome = await server.waitForBotMessage(alice.id, { bot: info.token });
    expect(welcome.text).toBe('Deal deal_42 opened');
    expect(welcome.replyMarkup).toEqual({
      inline_keyboard: [
        [{ text: 'Confirm', callback_data: 'confirm:42', hide: false }],
        [{ text: 'Bank', url: 'https://bank.example.com/d/42', hide: false }],
      ],
    });

    const { callbackQueryId } = server.pressButton({
      from: alice.id,
      chat: info.id,
      messageId: welcome.messageId,
      data: 'confirm:42',
    });
    expect(await server.waitForCallbackAnswer(callbackQueryId)).toMatchObject({
      text: 'Confirmed 42',
    });
    const confirmed = await server.waitForBotMessage(alice.id, {
      predicate: (m) => m.edits.length > 0,
    });
    expect(confirmed.text).toBe('Deal 42 confirmed ✅');
    expect(confirmed.message.reply_markup).toBeUndefined();

    const note = server.sendText({ from: alice.id, chat: info.id, text: 'amount 1000' });
    server.editText({
      from: alice.id,
      chat: info.id,
      messageId: note.message_id,
      text: 'amount 1200',
    });
    await server.waitForBotMessage(alice.id, { predicate: (m) => m.text === 'edit seen at yes' });
    const edited = received.find((u) => 'edited_message' in u);
    expect(edited && 'edited_message' in edited ? edited.edited_message : undefined).toMatchObject({
      message_id: note.message_id,
      text: 'amount 1200',
    });

    const album = server.sendAlbum({
      from: alice.id,
      chat: info.id,
      caption: 'invoice scans',
      items: [
        { type: 'photo', bytes: makeJpeg(640, 480) },
        { type: 'photo', bytes: makeJpeg(480, 640) },
        { type: 'document', fileName: 'invoice.pdf', bytes: Buffer.from('%PDF-1.7') },
      ],
    });
    const group = server.createGroup({ by: alice.id, title: 'Deal 42', members: [bob.id] });
    server.addBot(group.id, info.token, { by: bob.id });
    await server.waitForUpdatesConsumed(info.token);
    await expect.poll(() => received.filter((u) => 'my_chat_member' in u).length).toBe(1);

    const albumUpdates = received.flatMap((u) =>
      'message' in u && 'media_group_id' in u.message ? [u.message] : [],
    );
    expect(albumUpdates.map((m) => m.message_id)).toEqual(album.map((m) => m.message_id));
    expect(
      new Set(albumUpdates.map((m) => ('media_group_id' in m ? m.media_group_id : undefined))).size,
    ).toBe(1);
    expect('caption' in albumUpdates[0]! ? albumUpdates[0].caption : undefined).toBe(
      'invoice scans',
    );

    const joined = received.find((u) => 'my_chat_member' in u);
    const change = joined && 'my_chat_member' in joined ? joined.my_chat_member : undefined;
    expect(change?.from.id).toBe(bob.id);
    expect(change?.chat).toEqual({ id: group.id, type: 'group', title: 'Deal 42' });
    expect([change?.old_chat_member.status, change?.new_chat_member.status]).toEqual([
      'left',
      'member',
    ]);
    const serviceMessage = received.find((u) => 'message' in u && 'new_chat_members' in u.message);
    expect(
      serviceMessage && 'message' in serviceMessage && 'new_chat_members' in serviceMessage.message
        ? serviceMessage.message.new_chat_members[0]?.id
        : 0,
    ).toBe(info.id);
  });

  it('sends text and documents; a document round-trips through getFile and the file URL', async () => {
    const { server, bot: info, alice } = world;
    bot.on('document', async (ctx) => {
      try {
        const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
        const bytes = new Uint8Array(await (await fetch(link)).arrayBuffer());
        await ctx.reply(`sha256 ${sha256(bytes)}`);
        await ctx.replyWithDocument(
          Input.fromBuffer(Buffer.from(bytes).reverse(), 'reversed.bin'),
          { caption: 'reversed copy' },
        );
      } catch (error) {
        await ctx.reply(
          `cannot download: ${error instanceof TelegramError ? error.description : String(error)}`,
        );
      }
    });
    stopBot = await launchPolling(bot, server, info.token);

    const contract = Buffer.from('%PDF-1.7\ncontract for deal 42\n');
    server.sendDocument({
      from: alice.id,
      chat: info.id,
      fileName: 'contract.pdf',
      bytes: contract,
      caption: 'signed',
    });
    const hashReply = await server.waitForBotMessage(alice.id, {
      predicate: (m) => m.text?.startsWith('sha256') === true,
    });
    expect(hashReply.text).toBe(`sha256 ${sha256(contract)}`);
    const docReply = await server.waitForBotMessage(alice.id, {
      predicate: (m) => m.method === 'sendDocument',
    });
    expect(docReply.caption).toBe('reversed copy');
    expect(docReply.files[0]).toMatchObject({ fileName: 'reversed.bin', size: contract.length });
    expect(docReply.files[0]?.bytes).toEqual(Buffer.from(contract).reverse());

    // the bot-sent file downloads like any other (getFile + /file/bot<token>/<path>)
    const file = await bot.telegram.getFile(docReply.message.document?.file_id ?? '');
    const downloaded = Buffer.from(
      await (await fetch(server.fileUrl(info.token, file.file_path ?? ''))).arrayBuffer(),
    );
    expect(downloaded).toEqual(Buffer.from(contract).reverse());

    server.sendDocument({
      from: alice.id,
      chat: info.id,
      fileName: 'scan.tiff',
      mimeType: 'image/tiff',
      size: 21 * 1024 * 1024,
    });
    const tooBig = await server.waitForBotMessage(alice.id, {
      predicate: (m) => m.text?.startsWith('cannot download') === true,
    });
    expect(tooBig.text).toBe('cannot download: Bad Request: file is too big');
  });

  it('privacy mode hides ordinary group messages from a non-admin bot', async () => {
    const { server, bot: info, alice, bob } = world;
    bot.on('message', () => undefined);
    stopBot = await launchPolling(bot, server, info.token);
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, info.token, { by: alice.id });
    server.sendText({ from: alice.id, chat: group.id, text: 'ordinary chatter' });
    server.sendText({ from: bob.id, chat: group.id, text: '/status' });
    await server.waitForUpdatesConsumed(info.token);
    await expect
      .poll(() =>
        received.some((u) => 'message' in u && 'text' in u.message && u.message.text === '/status'),
      )
      .toBe(true);
    const texts = received.flatMap((u) =>
      'message' in u && 'text' in u.message ? [u.message.text] : [],
    );
    expect(texts).toEqual(['/status']);

    server.promoteBot(group.id, info.token, { by: alice.id });
    server.sendText({ from: alice.id, chat: group.id, text: 'visible to the admin bot' });
    await expect
      .poll(() =>
        received.some(
          (u) =>
            'message' in u && 'text' in u.message && u.message.text === 'visible to the admin bot',
        ),
      )
      .toBe(true);
  });

  it('group → supergroup migration: service messages and 400 migrate_to_chat_id for the old id', async () => {
    const { server, bot: info, alice, bob } = world;
    const migrations: Array<{ from?: number; to?: number }> = [];
    bot.on('message', (ctx) => {
      const m = ctx.message;
      if ('migrate_to_chat_id' in m) migrations.push({ to: m.migrate_to_chat_id });
      if ('migrate_from_chat_id' in m) migrations.push({ from: m.migrate_from_chat_id });
    });
    stopBot = await launchPolling(bot, server, info.token);
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, info.token, { by: alice.id });
    const supergroup = server.upgradeToSupergroup(group.id, { by: alice.id });
    await expect.poll(() => migrations).toEqual([{ to: supergroup.id }, { from: group.id }]);

    const error = await bot.telegram.sendMessage(group.id, 'hello?').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramError);
    expect((error as TelegramError).code).toBe(400);
    expect((error as TelegramError).parameters?.migrate_to_chat_id).toBe(supergroup.id);
    const ok = await bot.telegram.sendMessage(supergroup.id, 'moved');
    expect(ok.chat.id).toBe(supergroup.id);
  });

  it('web_app buttons: refused in groups, fine in private chats', async () => {
    const { server, bot: info, alice } = world;
    const group = server.createGroup({ by: alice.id, title: 'Deal room' });
    server.addBot(group.id, info.token, { by: alice.id });
    server.startBot(alice.id, info.token);
    const keyboard = Markup.inlineKeyboard([
      Markup.button.webApp('Open deal', 'https://app.example.com/deal/42'),
    ]);
    const refused = await bot.telegram
      .sendMessage(group.id, 'Open the deal', keyboard)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TelegramError);
    expect((refused as TelegramError).response).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: BUTTON_TYPE_INVALID',
    });
    const sent = await bot.telegram.sendMessage(alice.id, 'Open the deal', keyboard);
    expect(sent.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({
      web_app: { url: 'https://app.example.com/deal/42' },
    });
  });

  it('429 with retry_after exactly as Telegram, and lost responses are recorded', async () => {
    const { server, url, bot: info, alice } = world;
    server.startBot(alice.id, info.token);
    server.injectFault({ kind: 'rateLimit', method: 'sendMessage', retryAfter: 3 });
    const limited = await bot.telegram.sendMessage(alice.id, 'first try').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(TelegramError);
    expect((limited as TelegramError).code).toBe(429);
    expect((limited as TelegramError).parameters).toEqual({ retry_after: 3 });
    expect((limited as TelegramError).description).toBe('Too Many Requests: retry after 3');
    expect(server.botMessages(alice.id)).toHaveLength(0);

    server.injectFault({ kind: 'rateLimit', method: 'sendMessage', retryAfter: 7 });
    const raw = await fetch(`${url}/bot${info.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: alice.id, text: 'x' }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBeNull();
    expect(await raw.text()).toBe(
      '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}',
    );

    server.injectFault({ kind: 'badGateway', method: 'sendMessage' });
    const gateway = await bot.telegram.sendMessage(alice.id, 'x').catch((e: unknown) => e);
    expect((gateway as TelegramError).code).toBe(502);

    // processed, but the response is lost: the message exists once; a blind retry duplicates it
    server.injectFault({ kind: 'dropResponse', method: 'sendMessage' });
    const lost = await bot.telegram.sendMessage(alice.id, 'payment link').catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(server.botMessages(alice.id).map((m) => m.text)).toEqual(['payment link']);
    const fired = server.faults().fired.at(-1);
    expect(fired).toMatchObject({ kind: 'dropResponse', method: 'sendMessage', processed: true });
    expect((fired?.lostResult as { text: string }).text).toBe('payment link');

    await bot.telegram.sendMessage(alice.id, 'after the faults');
    expect(
      server.calls({ method: 'sendMessage' }).map((c) => [c.httpStatus, c.fault ?? null]),
    ).toEqual([
      [429, 'rateLimit'],
      [429, 'rateLimit'],
      [502, 'badGateway'],
      [200, 'dropResponse'],
      [200, null],
    ]);
  });

  it('webhook mode: updates POSTed with the secret token; webhook replies are executed', async () => {
    const { server, bot: info, alice } = world;
    const secret = 'deal-room_secret-42';
    bot.start((ctx) =>
      ctx.reply('Welcome', Markup.inlineKeyboard([Markup.button.callback('Ping', 'ping')])),
    );
    bot.action('ping', (ctx) => ctx.answerCbQuery('pong'));
    const callback = bot.webhookCallback('/tg-hook', { secretToken: secret });
    const receiver = await listen((req, res) => void callback(req, res));
    try {
      await bot.telegram.setWebhook(`${receiver.url}/tg-hook`, {
        secret_token: secret,
        allowed_updates: ['message', 'callback_query'],
      });
      const info2 = await bot.telegram.getWebhookInfo();
      expect(info2).toMatchObject({
        url: `${receiver.url}/tg-hook`,
        pending_update_count: 0,
        allowed_updates: ['message', 'callback_query'],
      });

      server.startBot(alice.id, info.token, 'via_webhook');
      const welcome = await server.waitForBotMessage(alice.id);
      const { callbackQueryId } = server.pressButton({
        from: alice.id,
        chat: info.id,
        messageId: welcome.messageId,
        data: 'ping',
      });
      expect(await server.waitForCallbackAnswer(callbackQueryId)).toMatchObject({ text: 'pong' });
      expect(server.calls({ method: 'answerCallbackQuery' })[0]?.via).toBe('webhook-reply');
      expect(server.webhookDeliveries(info.token).map((d) => d.status)).toEqual([200, 200]);

      const conflict = await bot.telegram.callApi('getUpdates', {}).catch((e: unknown) => e);
      expect((conflict as TelegramError).code).toBe(409);
      expect((conflict as TelegramError).description).toBe(
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    } finally {
      await bot.telegram.deleteWebhook();
      await receiver.close();
    }
  });
});
