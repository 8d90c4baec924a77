import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkAgainstSpec,
  checkMethodResult,
  loadBotApiSpec,
  TelegramTestServer,
  type Message,
  type Update,
} from '../src/index';
import { api, makeJpeg } from './helpers';

const specDir = new URL('../spec/', import.meta.url);

describe('the copied Bot API spec', () => {
  it('is a local copy with its licence and a note of the source', () => {
    const spec = loadBotApiSpec();
    expect(spec.version).toBe('Bot API 10.1');
    expect(spec.source).toMatch(/PaulSonOfLars\/telegram-bot-api-spec/);
    expect(readFileSync(new URL('LICENSE', specDir), 'utf8')).toMatch(/MIT License/);
    expect(readFileSync(new URL('README.md', specDir), 'utf8')).toMatch(
      /PaulSonOfLars\/telegram-bot-api-spec/,
    );
    expect(existsSync(new URL('bot-api.subset.json', specDir))).toBe(true);
  });

  it('detects missing required fields, unknown fields and wrong types', () => {
    expect(checkAgainstSpec('User', { id: 1, is_bot: false, first_name: 'A' })).toEqual([]);
    expect(checkAgainstSpec('User', { id: 1, is_bot: false })).toEqual([
      'User.first_name: required field missing (User)',
    ]);
    expect(
      checkAgainstSpec('User', { id: 1, is_bot: false, first_name: 'A', nickname: 'x' }),
    ).toEqual(['User.nickname: field not in spec type User']);
    expect(checkAgainstSpec('User', { id: '1', is_bot: false, first_name: 'A' })).toEqual([
      'User.id: expected Integer, got string "1"',
    ]);
    expect(
      checkAgainstSpec('ChatMember', {
        status: 'kicked',
        user: { id: 1, is_bot: false, first_name: 'A' },
      }),
    ).toEqual(['ChatMember.until_date: required field missing (ChatMemberBanned)']);
    expect(
      checkAgainstSpec('Array of Update', [
        { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } },
      ]),
    ).toEqual([]);
  });
});

describe('objects returned by the server conform to the copied spec', () => {
  const server = new TelegramTestServer();
  let url: string;
  const results: Array<{ method: string; result: unknown }> = [];
  const updates: Update[] = [];

  beforeAll(async () => {
    url = await server.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  async function call<T>(
    token: string,
    method: string,
    params?: Record<string, unknown>,
  ): Promise<T> {
    const { status, body } = await api<T>(url, token, method, params);
    expect(checkAgainstSpec('ResponseParameters', body.parameters ?? {})).toEqual([]);
    if (status !== 200) throw new Error(`${method}: ${body.description}`);
    results.push({ method, result: body.result });
    return body.result;
  }

  async function multipart<T>(
    token: string,
    method: string,
    fields: Record<string, string | Blob>,
    fileName: string,
  ): Promise<T> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') form.set(k, v);
      else form.set(k, v, fileName);
    }
    const body = (await (
      await fetch(`${url}/bot${token}/${method}`, { method: 'POST', body: form })
    ).json()) as { ok: boolean; result: T };
    expect(body.ok).toBe(true);
    results.push({ method, result: body.result });
    return body.result;
  }

  it('covers every implemented method and update type', async () => {
    const bot = server.createBot({
      username: 'spec_bot',
      first_name: 'Spec',
      mainMiniAppUrl: 'https://app.example.com',
    });
    const alice = server.createUser({
      first_name: 'Alice',
      last_name: 'A',
      username: 'alice_spec',
      language_code: 'en',
      is_premium: true,
    });
    const bob = server.createUser({ first_name: 'Bob' });
    const carol = server.createUser({ first_name: 'Carol' });
    const t = bot.token;

    await call(t, 'getMe');
    await call(t, 'getUpdates', {
      allowed_updates: [
        'message',
        'edited_message',
        'callback_query',
        'my_chat_member',
        'chat_member',
      ],
    });
    await call(t, 'setMyCommands', {
      commands: [{ command: 'start', description: 'Start' }],
      scope: { type: 'all_private_chats' },
      language_code: 'ru',
    });
    await call(t, 'getMyCommands', { scope: { type: 'all_private_chats' }, language_code: 'ru' });
    await call(t, 'deleteMyCommands', {
      scope: { type: 'all_private_chats' },
      language_code: 'ru',
    });

    // private chat traffic
    server.startBot(alice.id, t, 'deal_1');
    const text = server.sendText({
      from: alice.id,
      chat: bot.id,
      text: 'hi @spec_bot see https://bank.example.com #deal /help',
    });
    server.editText({ from: alice.id, chat: bot.id, messageId: text.message_id, text: 'edited' });
    server.sendPhoto({ from: alice.id, chat: bot.id, bytes: makeJpeg(300, 200), caption: 'photo' });
    server.sendDocument({
      from: alice.id,
      chat: bot.id,
      fileName: 'a.pdf',
      bytes: Buffer.from('%PDF'),
      caption: 'doc',
    });
    server.sendVoice({ from: alice.id, chat: bot.id, bytes: Buffer.from('OggS'), duration: 2 });
    server.sendVideo({
      from: alice.id,
      chat: bot.id,
      bytes: Buffer.from('mp4'),
      fileName: 'v.mp4',
    });
    server.sendAlbum({
      from: alice.id,
      chat: bot.id,
      items: [{ type: 'photo' }, { type: 'video' }],
      caption: 'album',
    });
    server.sendText({ from: alice.id, chat: bot.id, text: 'reply', replyTo: text.message_id });

    const sent = await call<Message>(t, 'sendMessage', {
      chat_id: alice.id,
      text: '<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>sp</tg-spoiler> <code>c</code> <pre><code class="language-ts">x</code></pre> <a href="https://e.com">l</a> <blockquote>q</blockquote>',
      parse_mode: 'HTML',
      protect_content: true,
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: text.message_id },
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'cb', callback_data: 'cb' },
            { text: 'url', url: 'https://e.com' },
          ],
          [
            { text: 'app', web_app: { url: 'https://app.example.com' } },
            { text: 'copy', copy_text: { text: 'IBAN' } },
          ],
        ],
      },
    });
    await call(t, 'sendMessage', {
      chat_id: alice.id,
      text: '*bold* _it_ __u__ ~s~ ||sp|| `c` [l](https://e.com) 1\\.5',
      parse_mode: 'MarkdownV2',
    });
    await call(t, 'sendMessage', {
      chat_id: alice.id,
      text: 'keyboard',
      reply_markup: {
        keyboard: [[{ text: 'Share', request_contact: true }]],
        resize_keyboard: true,
      },
    });
    await call(t, 'sendMessage', {
      chat_id: alice.id,
      text: 'remove',
      reply_markup: { remove_keyboard: true },
    });
    await call(t, 'sendChatAction', { chat_id: alice.id, action: 'typing' });
    const doc = await multipart<Message>(
      t,
      'sendDocument',
      { chat_id: String(alice.id), caption: 'c', document: new Blob([Buffer.from('hello')]) },
      'hello.txt',
    );
    const photo = await multipart<Message>(
      t,
      'sendPhoto',
      { chat_id: String(alice.id), photo: new Blob([makeJpeg(2000, 1000)]) },
      'p.jpg',
    );
    await call(t, 'getFile', { file_id: doc.document?.file_id });
    await call(t, 'getFile', { file_id: photo.photo?.at(-1)?.file_id });
    await call(t, 'editMessageText', {
      chat_id: alice.id,
      message_id: sent.message_id,
      text: 'edited',
      reply_markup: { inline_keyboard: [[{ text: 'cb', callback_data: 'cb' }]] },
    });
    await call(t, 'editMessageReplyMarkup', {
      chat_id: alice.id,
      message_id: sent.message_id,
      reply_markup: { inline_keyboard: [[{ text: 'cb2', callback_data: 'cb2' }]] },
    });
    await call(t, 'editMessageCaption', {
      chat_id: alice.id,
      message_id: doc.message_id,
      caption: '<b>new</b>',
      parse_mode: 'HTML',
    });
    const { callbackQueryId } = server.pressButton({
      from: alice.id,
      chat: bot.id,
      messageId: sent.message_id,
      data: 'cb2',
    });
    await call(t, 'answerCallbackQuery', {
      callback_query_id: callbackQueryId,
      text: 'ok',
      show_alert: true,
    });
    await call(t, 'getChat', { chat_id: alice.id });
    await call(t, 'getChatMember', { chat_id: alice.id, user_id: alice.id });
    await call(t, 'getChatMemberCount', { chat_id: alice.id });
    await call(t, 'deleteMessage', { chat_id: alice.id, message_id: sent.message_id });
    server.blockBot(alice.id, t);
    server.unblockBot(alice.id, t);

    // group life cycle
    const group = server.createGroup({ by: alice.id, title: 'Deal room', members: [bob.id] });
    server.addBot(group.id, t, { by: alice.id, asAdmin: true });
    server.addMember(group.id, carol.id, { by: alice.id });
    server.sendText({ from: bob.id, chat: group.id, text: 'hello group' });
    server.promote(group.id, bob.id, { by: alice.id });
    server.removeMember(group.id, carol.id, { by: alice.id });
    await call(t, 'getChat', { chat_id: group.id });
    await call(t, 'getChatAdministrators', { chat_id: group.id });
    for (const user of [alice, bob, carol])
      await call(t, 'getChatMember', { chat_id: group.id, user_id: user.id });
    await call(t, 'getChatMember', { chat_id: group.id, user_id: bot.id });
    const supergroup = server.upgradeToSupergroup(group.id, {
      by: alice.id,
      username: 'deal_room_42',
    });
    server.createGroup({ by: bob.id, title: 'Created with the bot', members: [alice.id, bot.id] });
    await call(t, 'getChat', { chat_id: supergroup.id });
    await call(t, 'getChatMember', { chat_id: '@deal_room_42', user_id: bot.id });
    await call(t, 'getChatMemberCount', { chat_id: supergroup.id });
    server.sendPhoto({ from: bob.id, chat: supergroup.id, width: 100, height: 100 });
    await call(t, 'leaveChat', { chat_id: supergroup.id });

    // webhook info and the pending updates
    updates.push(...(await call<Update[]>(t, 'getUpdates', { limit: 100 })));
    await call(t, 'setWebhook', {
      url: 'https://hooks.example.com/tg',
      secret_token: 'abc',
      max_connections: 10,
    });
    await call(t, 'getWebhookInfo');
    await call(t, 'deleteWebhook');
    await call(t, 'getWebhookInfo');
    await call(t, 'logOut');
    await call(t, 'close');

    const kinds = new Set(updates.map((u) => Object.keys(u).find((k) => k !== 'update_id')));
    expect([...kinds].sort()).toEqual([
      'callback_query',
      'chat_member',
      'edited_message',
      'message',
      'my_chat_member',
    ]);
    const serviceKinds = new Set(
      updates.flatMap((u) =>
        u.message
          ? [
              'new_chat_members',
              'left_chat_member',
              'group_chat_created',
              'migrate_to_chat_id',
              'migrate_from_chat_id',
            ].filter((k) => k in (u.message ?? {}))
          : [],
      ),
    );
    expect([...serviceKinds].sort()).toEqual([
      'group_chat_created',
      'left_chat_member',
      'migrate_from_chat_id',
      'migrate_to_chat_id',
      'new_chat_members',
    ]);
    const implemented = new Set(results.map((r) => r.method));
    const specMethods = Object.keys(loadBotApiSpec().methods);
    expect(specMethods.filter((m) => !implemented.has(m))).toEqual([]);
  });

  it('every Update is a valid spec Update', () => {
    expect(updates.length).toBeGreaterThan(20);
    const problems = updates.flatMap((u) => checkAgainstSpec('Update', u, `Update#${u.update_id}`));
    expect(problems).toEqual([]);
  });

  it("every method result matches the method's return type in the spec", () => {
    const problems = results.flatMap(({ method, result }) => checkMethodResult(method, result));
    expect(problems).toEqual([]);
  });
});
