import { describe, expect, it } from 'vitest';
import type { Message, Update, User } from '../src/index';
import { api, makeJpeg, makePng, useDealWorld } from './helpers';

describe('Bot API over plain HTTP', () => {
  const world = useDealWorld({
    alice: { last_name: 'Ivanova', username: 'alice_i', language_code: 'ru' },
  });

  it('answers getMe, 401 for an unknown token and 404 for an unknown method', async () => {
    const { url, bot } = world;
    const me = await api<User>(url, bot.token, 'getMe');
    expect(me.status).toBe(200);
    expect(me.body.result).toMatchObject({
      id: bot.id,
      is_bot: true,
      username: 'payreq_deal_bot',
      can_read_all_group_messages: false,
    });
    expect(String(bot.id)).toMatch(/^\d{10}$/);
    expect(bot.token.startsWith(`${bot.id}:`)).toBe(true);

    const viaGet = await fetch(`${url}/bot${bot.token}/GETME`);
    expect(viaGet.status).toBe(200);

    const unknownToken = await fetch(`${url}/bot123:nope/getMe`);
    expect(unknownToken.status).toBe(401);
    expect(await unknownToken.json()).toEqual({
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    });

    const unknownMethod = await fetch(`${url}/bot${bot.token}/sendTelepathy`);
    expect(unknownMethod.status).toBe(404);
    expect(await unknownMethod.json()).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found',
    });
  });

  it('long-polls getUpdates with offset confirmation, limit, timeout and allowed_updates', async () => {
    const { server, url, bot, alice } = world;
    server.startBot(alice.id, bot.token, 'deal_1');
    server.sendText({ from: alice.id, chat: bot.id, text: 'second' });
    server.sendText({ from: alice.id, chat: bot.id, text: 'third' });

    const first = await api<Update[]>(url, bot.token, 'getUpdates', { limit: 2 });
    expect(first.body.result.map((u) => u.message?.text)).toEqual(['/start deal_1', 'second']);
    const ids = first.body.result.map((u) => u.update_id);
    expect(ids[1]).toBe((ids[0] ?? 0) + 1);
    // not confirmed yet: same updates again
    const again = await api<Update[]>(url, bot.token, 'getUpdates', { limit: 2 });
    expect(again.body.result.map((u) => u.update_id)).toEqual(ids);
    // confirm by offset
    const rest = await api<Update[]>(url, bot.token, 'getUpdates', { offset: (ids[1] ?? 0) + 1 });
    expect(rest.body.result.map((u) => u.message?.text)).toEqual(['third']);
    expect(server.pendingUpdates(bot.token)).toHaveLength(1);

    // long polling: the request waits until an update arrives
    const lastId = rest.body.result[0]?.update_id ?? 0;
    const started = Date.now();
    const waiting = api<Update[]>(url, bot.token, 'getUpdates', { offset: lastId + 1, timeout: 5 });
    setTimeout(() => server.sendText({ from: alice.id, chat: bot.id, text: 'late' }), 150);
    const late = await waiting;
    expect(late.body.result.map((u) => u.message?.text)).toEqual(['late']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    // timeout with nothing new → []
    const lateId = late.body.result[0]?.update_id ?? 0;
    const empty = await api<Update[]>(url, bot.token, 'getUpdates', {
      offset: lateId + 1,
      timeout: 1,
    });
    expect(empty.body.result).toEqual([]);

    // allowed_updates: only callback_query from now on
    await api(url, bot.token, 'getUpdates', {
      offset: lateId + 1,
      allowed_updates: ['callback_query'],
    });
    server.sendText({ from: alice.id, chat: bot.id, text: 'filtered out' });
    expect(server.pendingUpdates(bot.token)).toHaveLength(0);
  });

  it('answers 409 to the older of two concurrent getUpdates requests', async () => {
    const { server, url, bot } = world;
    const older = api(url, bot.token, 'getUpdates', { timeout: 5 });
    await server.waitForPolling(bot.token);
    const newer = api(url, bot.token, 'getUpdates', { timeout: 1 });
    const olderResult = await older;
    expect(olderResult.status).toBe(409);
    expect(olderResult.body.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    expect((await newer).status).toBe(200);
  });

  it('sends text with parse_mode, entities and inline keyboards; edits and deletes', async () => {
    const { server, url, bot, alice } = world;
    server.startBot(alice.id, bot.token);
    const sent = await api<Message>(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: '<b>Deal #42</b> ready: <a href="https://bank.example.com/d/42">open</a> &amp; sign',
      parse_mode: 'HTML',
      reply_markup: {
        inline_keyboard: [
          [{ text: 'Approve', callback_data: 'approve:42' }],
          [{ text: 'Open in bank', url: 'https://bank.example.com/d/42' }],
          [{ text: 'Mini App', web_app: { url: 'https://app.example.com/deal/42' } }],
        ],
      },
    });
    expect(sent.status).toBe(200);
    const message = sent.body.result;
    expect(message.message_id).toBe(2);
    expect(message.text).toBe('Deal #42 ready: open & sign');
    expect(message.entities).toEqual([
      { type: 'bold', offset: 0, length: 8 },
      { type: 'text_link', offset: 16, length: 4, url: 'https://bank.example.com/d/42' },
    ]);
    expect(message.reply_markup?.inline_keyboard).toHaveLength(3);

    const badHtml = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: '<div>x</div>',
      parse_mode: 'HTML',
    });
    expect(badHtml.body).toEqual({
      ok: false,
      error_code: 400,
      description:
        'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
    });
    const badMd = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: 'Total: 5.00',
      parse_mode: 'MarkdownV2',
    });
    expect(badMd.body.description).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    const localhostButton = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_markup: { inline_keyboard: [[{ text: 'Open', url: 'http://localhost:3000/deal' }]] },
    });
    expect(localhostButton.body.description).toBe(
      "Bad Request: inline keyboard button URL 'http://localhost:3000/deal' is invalid: Wrong HTTP URL",
    );
    const longData = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'x'.repeat(65) }]] },
    });
    expect(longData.body.description).toBe('Bad Request: BUTTON_DATA_INVALID');

    // edit: without reply_markup the inline keyboard is removed, like Telegram
    const edited = await api<Message>(url, bot.token, 'editMessageText', {
      chat_id: alice.id,
      message_id: message.message_id,
      text: 'Deal #42 approved',
    });
    expect(edited.body.result.text).toBe('Deal #42 approved');
    expect(edited.body.result.edit_date).toBeTypeOf('number');
    expect(edited.body.result.reply_markup).toBeUndefined();
    const same = await api(url, bot.token, 'editMessageText', {
      chat_id: alice.id,
      message_id: message.message_id,
      text: 'Deal #42 approved',
    });
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/);
    const notOwn = await api(url, bot.token, 'editMessageText', {
      chat_id: alice.id,
      message_id: 1,
      text: 'hacked',
    });
    expect(notOwn.body.description).toBe("Bad Request: message can't be edited");

    const record = server.lastBotMessage(alice.id, { bot: bot.token });
    expect(record?.edits).toHaveLength(1);
    expect(record?.rawText).toBe('Deal #42 approved');

    expect(
      (
        await api(url, bot.token, 'deleteMessage', {
          chat_id: alice.id,
          message_id: message.message_id,
        })
      ).body.result,
    ).toBe(true);
    const gone = await api(url, bot.token, 'deleteMessage', {
      chat_id: alice.id,
      message_id: message.message_id,
    });
    expect(gone.body.description).toBe('Bad Request: message to delete not found');
    expect(server.botMessages(alice.id)).toHaveLength(0);
    expect(server.botMessages(alice.id, { includeDeleted: true })[0]?.deleted).toBe(true);
  });

  it('refuses web_app buttons in groups (BUTTON_TYPE_INVALID) and allows them in private chats', async () => {
    const { server, url, bot, alice, bob } = world;
    server.startBot(alice.id, bot.token);
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, bot.token, { by: alice.id });
    const markup = {
      inline_keyboard: [
        [{ text: 'Open deal', web_app: { url: 'https://app.example.com/deal/7' } }],
      ],
    };

    const inGroup = await api(url, bot.token, 'sendMessage', {
      chat_id: group.id,
      text: 'Open the deal',
      reply_markup: markup,
    });
    expect(inGroup.status).toBe(400);
    expect(inGroup.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: BUTTON_TYPE_INVALID',
    });

    const inPrivate = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: 'Open the deal',
      reply_markup: markup,
    });
    expect(inPrivate.status).toBe(200);

    const http = await api(url, bot.token, 'sendMessage', {
      chat_id: alice.id,
      text: 'x',
      reply_markup: {
        inline_keyboard: [[{ text: 'Open', web_app: { url: 'http://app.example.com' } }]],
      },
    });
    expect(http.body.description).toBe(
      "Bad Request: inline keyboard button Web App URL 'http://app.example.com' is invalid: Only HTTPS links are allowed",
    );

    // the user opens the button: a signed launch URL for that Mini App
    const launch = server.openWebAppButton({
      from: alice.id,
      chat: bot.id,
      messageId: (inPrivate.body.result as Message).message_id,
    });
    expect(launch.url.startsWith('https://app.example.com/deal/7#tgWebAppData=')).toBe(true);
  });

  it('answers 403 for chats the bot is not in, and for users who never started it', async () => {
    const { server, url, bot, alice, bob } = world;
    const group = server.createGroup({ by: alice.id, title: 'No bot here' });
    const notMember = await api(url, bot.token, 'sendMessage', { chat_id: group.id, text: 'hi' });
    expect(notMember.status).toBe(403);
    expect(notMember.body.description).toBe('Forbidden: bot is not a member of the group chat');

    const neverStarted = await api(url, bot.token, 'sendMessage', { chat_id: bob.id, text: 'hi' });
    expect(neverStarted.body).toEqual({
      ok: false,
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });

    const unknown = await api(url, bot.token, 'sendMessage', { chat_id: -4000000001, text: 'hi' });
    expect(unknown.body.description).toBe('Bad Request: chat not found');

    server.startBot(bob.id, bot.token);
    server.blockBot(bob.id, bot.token);
    const blocked = await api(url, bot.token, 'sendMessage', { chat_id: bob.id, text: 'hi' });
    expect(blocked.body.description).toBe('Forbidden: bot was blocked by the user');

    server.addBot(group.id, bot.token, { by: alice.id });
    server.removeMember(group.id, bot.id, { by: alice.id });
    const kicked = await api(url, bot.token, 'sendMessage', { chat_id: group.id, text: 'hi' });
    expect(kicked.body.description).toBe('Forbidden: bot was kicked from the group chat');
    expect(server.hasBotLeft(group.id, bot.token)).toBe(true);
  });

  it('answers 400 with migrate_to_chat_id for a group upgraded to a supergroup', async () => {
    const { server, url, bot, alice, bob } = world;
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, bot.token, { by: alice.id });
    const supergroup = server.upgradeToSupergroup(group.id);
    expect(String(supergroup.id)).toMatch(/^-100\d{10}$/);
    expect(String(group.id)).toMatch(/^-\d{10}$/);

    const old = await api(url, bot.token, 'sendMessage', { chat_id: group.id, text: 'hi' });
    expect(old.status).toBe(400);
    expect(old.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: supergroup.id },
    });
    const fresh = await api<Message>(url, bot.token, 'sendMessage', {
      chat_id: supergroup.id,
      text: 'hi',
    });
    expect(fresh.body.result.chat).toEqual({
      id: supergroup.id,
      type: 'supergroup',
      title: 'Deal room',
    });
    expect(fresh.body.result.message_id).toBe(2);

    const updates = (await api<Update[]>(url, bot.token, 'getUpdates')).body.result;
    const service = updates
      .map((u) => u.message)
      .filter((m) => m?.migrate_to_chat_id ?? m?.migrate_from_chat_id);
    expect(
      service.map((m) => [m?.chat.id, m?.migrate_to_chat_id, m?.migrate_from_chat_id]),
    ).toEqual([
      [group.id, supergroup.id, undefined],
      [supergroup.id, undefined, group.id],
    ]);
  });

  it('applies privacy mode: a non-admin bot sees commands, replies to it and service messages only', async () => {
    const { server, url, bot, alice, bob } = world;
    const quiet = bot;
    const nosy = server.createBot({ username: 'nosy_bot', privacyMode: false });
    const group = server.createGroup({ by: alice.id, title: 'Room', members: [bob.id] });
    server.addBot(group.id, quiet.token, { by: alice.id });
    server.addBot(group.id, nosy.token, { by: alice.id });
    await api(url, quiet.token, 'getUpdates', { offset: -1 });
    await api(url, nosy.token, 'getUpdates', { offset: -1 });
    const drain = async (token: string): Promise<string[]> => {
      const result = (await api<Update[]>(url, token, 'getUpdates')).body.result;
      const last = result.at(-1);
      if (last) await api(url, token, 'getUpdates', { offset: last.update_id + 1 });
      return result.map(
        (u) =>
          u.message?.text ??
          (u.message?.left_chat_member ? 'left' : u.my_chat_member ? 'my_chat_member' : '?'),
      );
    };
    await drain(quiet.token);
    await drain(nosy.token);

    server.sendText({ from: alice.id, chat: group.id, text: 'hello everyone' });
    server.sendText({ from: bob.id, chat: group.id, text: `/status@${quiet.username}` });
    const botMessage = (
      await api<Message>(url, quiet.token, 'sendMessage', {
        chat_id: group.id,
        text: 'Status: waiting',
      })
    ).body.result;
    server.sendText({
      from: bob.id,
      chat: group.id,
      text: 'thanks bot',
      replyTo: botMessage.message_id,
    });
    server.sendText({ from: alice.id, chat: group.id, text: '/help' });
    server.removeMember(group.id, bob.id);

    expect(await drain(quiet.token)).toEqual([
      `/status@${quiet.username}`,
      'thanks bot',
      '/help',
      'left',
    ]);
    expect(await drain(nosy.token)).toEqual([
      'hello everyone',
      `/status@${quiet.username}`,
      'thanks bot',
      '/help',
      'left',
    ]);

    server.promoteBot(group.id, quiet.token);
    server.sendText({ from: alice.id, chat: group.id, text: 'now the admin bot sees this' });
    expect(await drain(quiet.token)).toEqual(['my_chat_member', 'now the admin bot sees this']);
  });

  it('uploads multipart documents and photos, serves getFile downloads, refuses >20 MB files', async () => {
    const { server, url, bot, alice } = world;
    server.startBot(alice.id, bot.token);
    const pdf = Buffer.from('%PDF-1.4\n% deal contract\n');
    const form = new FormData();
    form.set('chat_id', String(alice.id));
    form.set('caption', 'Contract <i>draft</i>');
    form.set('parse_mode', 'HTML');
    form.set(
      'reply_markup',
      JSON.stringify({ inline_keyboard: [[{ text: 'Sign', callback_data: 'sign' }]] }),
    );
    form.set('document', new Blob([pdf]), 'contract.pdf');
    const response = await fetch(`${url}/bot${bot.token}/sendDocument`, {
      method: 'POST',
      body: form,
    });
    const sent = (await response.json()) as { result: Message };
    expect(sent.result.document).toMatchObject({
      file_name: 'contract.pdf',
      mime_type: 'application/pdf',
      file_size: pdf.length,
    });
    expect(sent.result.caption).toBe('Contract draft');
    expect(sent.result.caption_entities).toEqual([{ type: 'italic', offset: 9, length: 5 }]);

    const fileId = sent.result.document?.file_id ?? '';
    const file = await api<{ file_path: string; file_size: number }>(url, bot.token, 'getFile', {
      file_id: fileId,
    });
    expect(file.body.result.file_path).toMatch(/^documents\/file_\d+\.pdf$/);
    const download = await fetch(`${url}/file/bot${bot.token}/${file.body.result.file_path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(pdf);
    expect(server.lastBotMessage(alice.id)?.files[0]?.bytes).toEqual(pdf);

    // re-send by file_id
    const again = await api<Message>(url, bot.token, 'sendDocument', {
      chat_id: alice.id,
      document: fileId,
    });
    expect(again.body.result.document?.file_unique_id).toBe(sent.result.document?.file_unique_id);

    // photo: several PhotoSize, dimensions from the image
    const photoForm = new FormData();
    photoForm.set('chat_id', String(alice.id));
    const chart = makeJpeg(1000, 750);
    photoForm.set('photo', new Blob([chart]), 'chart.jpg');
    const photo = (await (
      await fetch(`${url}/bot${bot.token}/sendPhoto`, { method: 'POST', body: photoForm })
    ).json()) as { result: Message };
    expect(photo.result.photo?.map((p) => [p.width, p.height])).toEqual([
      [90, 68],
      [320, 240],
      [800, 600],
      [1000, 750],
    ]);
    const photoFile = await api<{ file_path: string }>(url, bot.token, 'getFile', {
      file_id: photo.result.photo?.at(-1)?.file_id,
    });
    expect(photoFile.body.result.file_path).toMatch(/^photos\/file_\d+\.jpg$/);
    const photoBytes = await fetch(
      `${url}/file/bot${bot.token}/${photoFile.body.result.file_path}`,
    );
    expect(Buffer.from(await photoBytes.arrayBuffer()).equals(chart)).toBe(true);
    // Telegram converts a PNG to the JPEG it keeps; this server has no encoder and refuses it
    // rather than serve PNG bytes as a .jpg.
    for (const [bytes, name] of [
      [makePng(1000, 750), 'chart.png'],
      [makePng(1000, 750), 'chart.jpg'],
    ] as const) {
      const pngForm = new FormData();
      pngForm.set('chat_id', String(alice.id));
      pngForm.set('photo', new Blob([bytes]), name);
      const png = await fetch(`${url}/bot${bot.token}/sendPhoto`, {
        method: 'POST',
        body: pngForm,
      });
      expect(png.status).toBe(400);
      expect(await png.json()).toEqual({
        ok: false,
        error_code: 400,
        description: 'Bad Request: IMAGE_PROCESS_FAILED',
      });
    }
    // As a document the PNG keeps its own bytes.
    const pngDoc = new FormData();
    pngDoc.set('chat_id', String(alice.id));
    pngDoc.set('document', new Blob([makePng(1000, 750)]), 'chart.png');
    const asDocument = (await (
      await fetch(`${url}/bot${bot.token}/sendDocument`, { method: 'POST', body: pngDoc })
    ).json()) as { result: Message };
    expect(asDocument.result.document).toMatchObject({
      file_name: 'chart.png',
      mime_type: 'image/png',
    });
    const notImage = new FormData();
    notImage.set('chat_id', String(alice.id));
    notImage.set('photo', new Blob([pdf]), 'x.jpg');
    const refused = await fetch(`${url}/bot${bot.token}/sendPhoto`, {
      method: 'POST',
      body: notImage,
    });
    expect(await refused.json()).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: IMAGE_PROCESS_FAILED',
    });
    const wrongType = await api(url, bot.token, 'sendDocument', {
      chat_id: alice.id,
      document: photo.result.photo?.[0]?.file_id,
    });
    expect(wrongType.body.description).toBe(
      "Bad Request: can't use file of type Photo as Document",
    );

    // a user sends a 25 MB scan: recorded by size only, getFile refuses it
    const big = server.sendDocument({
      from: alice.id,
      chat: bot.id,
      fileName: 'scan.tiff',
      size: 25 * 1024 * 1024,
    });
    const tooBig = await api(url, bot.token, 'getFile', { file_id: big.document?.file_id });
    expect(tooBig.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: file is too big',
    });

    // urlencoded bodies work too
    const urlencoded = await fetch(`${url}/bot${bot.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(alice.id), text: 'form body' }).toString(),
    });
    expect(((await urlencoded.json()) as { result: Message }).result.text).toBe('form body');
  });

  it('reads chats and members, leaves chats, stores commands', async () => {
    const { server, url, bot, alice, bob } = world;
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, bot.token, { by: alice.id, asAdmin: true });

    const chat = await api<Record<string, unknown>>(url, bot.token, 'getChat', {
      chat_id: group.id,
    });
    expect(chat.body.result).toMatchObject({
      id: group.id,
      type: 'group',
      title: 'Deal room',
      max_reaction_count: 11,
    });
    const creator = await api(url, bot.token, 'getChatMember', {
      chat_id: group.id,
      user_id: alice.id,
    });
    expect(creator.body.result).toMatchObject({ status: 'creator', user: { id: alice.id } });
    const admins = await api<Array<{ status: string }>>(url, bot.token, 'getChatAdministrators', {
      chat_id: group.id,
    });
    expect(admins.body.result.map((m) => m.status)).toEqual(['creator', 'administrator']);
    expect(
      (await api(url, bot.token, 'getChatMemberCount', { chat_id: String(group.id) })).body.result,
    ).toBe(3);

    const commands = [
      { command: 'start', description: 'Start' },
      { command: 'status', description: 'Deal status' },
    ];
    expect((await api(url, bot.token, 'setMyCommands', { commands })).body.result).toBe(true);
    expect((await api(url, bot.token, 'getMyCommands')).body.result).toEqual(commands);
    expect(
      (await api(url, bot.token, 'getMyCommands', { scope: { type: 'all_group_chats' } })).body
        .result,
    ).toEqual([]);
    const bad = await api(url, bot.token, 'setMyCommands', {
      commands: [{ command: 'Bad Command', description: 'x' }],
    });
    expect(bad.body.description).toBe('Bad Request: BOT_COMMAND_INVALID');

    expect((await api(url, bot.token, 'leaveChat', { chat_id: group.id })).body.result).toBe(true);
    expect(server.hasBotLeft(group.id, bot.token)).toBe(true);
    const after = await api(url, bot.token, 'sendMessage', {
      chat_id: group.id,
      text: 'still here?',
    });
    expect(after.body.description).toBe('Forbidden: bot is not a member of the group chat');
  });
});
