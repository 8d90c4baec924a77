import type { ChatMessageInputRaw } from '@payreq/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createWorld } from '@payreq/testing';
import type { TestApi } from '../testing/harness';
import { dbKind, failureOf, footprint, skipDb, startTestApi } from '../testing/harness';
import { portalClient, portalSignIn, websiteLogin } from '../testing/portal';
import type { TelegramUser } from '../testing/telegram';
import { botClient, signLaunch, tma } from '../testing/telegram';

/**
 * Telegram Desktop exports of every shape a deal room can have, matched by the ids Desktop
 * writes (the bare id with the chat's type), and an import over what the bot mirrored live.
 */

const anna: TelegramUser = { id: 7000000001, first_name: 'Анна', language_code: 'ru' };
const ivan = { id: 5000000001, name: 'Иван Петров' };

/** A basic group −N is `private_group` N in Desktop; a supergroup −100N is `private_supergroup` N. */
const BASIC_BARE = 4012345678;
const BASIC = -BASIC_BARE;
const UPGRADED_FROM_BARE = 4099999999;
const UPGRADED_FROM = -UPGRADED_FROM_BARE;
const UPGRADED_BARE = 2222222222;
const UPGRADED = -1_000_000_000_000 - UPGRADED_BARE;
const SUPER_BARE = 3333333333;
const SUPER = -1_000_000_000_000 - SUPER_BARE;
const SHIFT = 1_000_000_000;
const DATE = 1_795_168_800;

type ExportMessage = Record<string, unknown>;

/** A message as Telegram Desktop writes it. */
function desktopMessage(id: number, text: string, extra: ExportMessage = {}): ExportMessage {
  return {
    id,
    type: 'message',
    date: new Date((DATE + Math.abs(id % SHIFT)) * 1000).toISOString().slice(0, 19),
    date_unixtime: String(DATE + Math.abs(id % SHIFT)),
    from: ivan.name,
    from_id: `user${ivan.id}`,
    text,
    text_entities: [{ type: 'plain', text }],
    ...extra,
  };
}

/** A service message (`action`) by Анна, `seconds` after DATE, as Telegram Desktop writes it. */
function desktopServiceMessage(
  id: number,
  seconds: number,
  action: string,
  extra: ExportMessage = {},
): ExportMessage {
  return {
    id,
    type: 'service',
    date: new Date((DATE + seconds) * 1000).toISOString().slice(0, 19),
    date_unixtime: String(DATE + seconds),
    actor: 'Анна',
    actor_id: `user${anna.id}`,
    action,
    text: '',
    text_entities: [],
    ...extra,
  };
}

const desktopExport = (type: string | null, id: number, messages: ExportMessage[]) =>
  JSON.stringify({
    name: 'Сделка',
    ...(type !== null ? { type } : {}),
    id,
    messages,
  });

describe.skipIf(skipDb)(`chat import from Telegram Desktop (${dbKind})`, () => {
  let api: TestApi;
  const tokens = new Map<number, string>();

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    await api.prisma.$executeRawUnsafe(
      'TRUNCATE "Tenant", "User", "Agent", "PaymentRequest", "OutboxMessage", "TelegramChat", "ChatMessage", "Asset" CASCADE',
    );
    await createWorld(api.prisma);
    const bot = botClient(api.url);
    for (const [id, type] of [
      [BASIC, 'group'],
      [UPGRADED_FROM, 'group'],
      [SUPER, 'supergroup'],
    ] as const) {
      const registered = await bot.bot.registerChat.mutate({
        chat: { id, type, title: 'Сделка' },
        addedBy: { telegramId: anna.id, name: 'Анна Смирнова' },
        botIsAdmin: true,
      });
      if (!registered.registered) throw new Error('registration refused');
      tokens.set(id, registered.launchToken);
    }
    // The second basic group became a supergroup while the bot was in it.
    await bot.bot.migrateChat.mutate({ fromChatId: UPGRADED_FROM, toChatId: UPGRADED });
    // Its launch tokens moved along: the room's Mini App is opened with the same one.
    tokens.set(UPGRADED, tokens.get(UPGRADED_FROM)!);
  });

  /** The agent uploads an export from the deal room's Mini App (launched with its token). */
  async function upload(room: number, body: string) {
    const response = await fetch(`${api.url}/miniapp/v1/chat-export`, {
      method: 'POST',
      headers: {
        authorization: tma(signLaunch(anna, tokens.get(room)!)),
        'content-type': 'application/json',
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const rowsOf = (chatId: number) =>
    api.prisma.chatMessage.findMany({
      where: { chatId: BigInt(chatId) },
      orderBy: { messageId: 'asc' },
    });

  it('a basic group’s export (private_group, the bare id) goes to −id; as a supergroup id it is another chat', async () => {
    const messages = [desktopMessage(1, 'в обычной группе'), desktopMessage(2, 'второе')];
    expect(await upload(BASIC, desktopExport('private_group', BASIC_BARE, messages))).toMatchObject(
      { status: 200, body: { received: 2, inserted: 2 } },
    );
    expect((await rowsOf(BASIC)).map((r) => [r.messageId, r.text, r.source])).toEqual([
      [1, 'в обычной группе', 'export'],
      [2, 'второе', 'export'],
    ]);
    // The same number read as a supergroup's is −100…: not this room.
    const wrong = await upload(BASIC, desktopExport('private_supergroup', BASIC_BARE, messages));
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrong.body)).toContain('Это выгрузка другого чата');
    // A channel or a private chat is never a deal room, whatever its number.
    expect(
      (await upload(BASIC, desktopExport('private_channel', BASIC_BARE, messages))).status,
    ).toBe(403);
    // Without a type (a hand-made file): the id that is the room's is taken.
    expect(await upload(BASIC, desktopExport(null, BASIC_BARE, messages))).toMatchObject({
      status: 200,
      body: { unchanged: 2 },
    });
  });

  it('a supergroup’s export (private_ or public_supergroup, the bare id) goes to −100id', async () => {
    for (const type of ['private_supergroup', 'public_supergroup']) {
      const result = await upload(
        SUPER,
        desktopExport(type, SUPER_BARE, [desktopMessage(5, `${type}`)]),
      );
      expect(result.status).toBe(200);
    }
    expect((await rowsOf(SUPER)).map((r) => r.text)).toEqual(['public_supergroup']);
    expect(await upload(SUPER, desktopExport('private_group', SUPER_BARE, []))).toMatchObject({
      status: 403,
    });
  });

  it('an upgraded group: its supergroup’s export puts the basic group’s history (ids − 10⁹) under the old id', async () => {
    const messages = [
      desktopMessage(1 - SHIFT, 'до миграции'),
      desktopMessage(2 - SHIFT, 'ответ до миграции', { reply_to_message_id: 1 - SHIFT }),
      desktopServiceMessage(3 - SHIFT, 3, 'migrate_to_supergroup'),
      desktopServiceMessage(1, 4, 'migrate_from_group', { title: 'Сделка' }),
      desktopMessage(2, 'после миграции', { reply_to_message_id: 1 }),
    ];
    const result = await upload(
      UPGRADED,
      desktopExport('private_supergroup', UPGRADED_BARE, messages),
    );
    expect(result).toMatchObject({ status: 200, body: { received: 5, inserted: 5, skipped: 0 } });
    expect(
      (await rowsOf(UPGRADED_FROM)).map((r) => [r.messageId, r.kind, r.text, r.replyToMessageId]),
    ).toEqual([
      [1, 'text', 'до миграции', null],
      [2, 'text', 'ответ до миграции', 1],
      [3, 'service', '[migrate_to_supergroup]', null],
    ]);
    expect((await rowsOf(UPGRADED)).map((r) => [r.messageId, r.text, r.replyToMessageId])).toEqual([
      [1, '[migrate_from_group]', null],
      [2, 'после миграции', 1],
    ]);
    // An export made before the upgrade (of the basic group) from the same room: the old id.
    const before = await upload(
      UPGRADED,
      desktopExport('private_group', UPGRADED_FROM_BARE, [desktopMessage(1, 'до миграции')]),
    );
    expect(before).toMatchObject({ status: 200, body: { unchanged: 1 } });
    expect(
      (await botClient(api.url).bot.chatSummary.query({ chatId: UPGRADED_FROM })).messages,
    ).toBe(5);
  });

  it('a supergroup whose basic group the bot never knew: the pre-upgrade history is skipped, counted', async () => {
    const result = await upload(
      SUPER,
      desktopExport('private_supergroup', SUPER_BARE, [
        desktopMessage(7 - SHIFT, 'старое'),
        desktopMessage(8, 'новое'),
      ]),
    );
    expect(result).toMatchObject({ status: 200, body: { received: 2, inserted: 1, skipped: 1 } });
    expect((await rowsOf(SUPER)).map((r) => r.messageId)).toEqual([8]);
  });

  it('import over live rows: the newer edit wins, the live mirror wins a tie, nothing the bot saw is lost', async () => {
    const bot = botClient(api.url);
    const live = (messageId: number, text: string, extra: Partial<ChatMessageInputRaw> = {}) => ({
      messageId,
      authorTelegramId: ivan.id,
      authorName: ivan.name,
      text,
      date: DATE + messageId,
      ...extra,
    });
    await bot.bot.saveMessages.mutate({
      chatId: SUPER,
      messages: [
        live(1, 'как прислал Telegram'),
        live(2, 'исправлено в боте', { editDate: DATE + 100 }),
        live(3, 'старое', { editDate: DATE + 10 }),
        live(4, 'договор.pdf', { kind: 'document', fileName: 'договор.pdf', fileTooBig: true }),
        live(5, 'курс на сегодня', {
          forwardedFrom: {
            kind: 'channel',
            name: 'Новости банка',
            telegramId: -1009876543210,
            date: DATE - 60,
            messageId: 77,
          },
        }),
      ],
    });
    const result = await upload(
      SUPER,
      desktopExport('private_supergroup', SUPER_BARE, [
        // Same edit (none), flattened by the export: the live text stays.
        desktopMessage(1, 'как показал Desktop'),
        // An older edit than the live one: the live text stays.
        desktopMessage(2, 'до правки', { edited_unixtime: String(DATE + 50) }),
        // A newer edit than the live one: the export's text wins.
        desktopMessage(3, 'новое из выгрузки', { edited_unixtime: String(DATE + 20) }),
        // The export has no file for it: the live row's "too big" mark stays.
        desktopMessage(4, '', {
          file: '(File exceeds maximum size.)',
          file_name: 'договор.pdf',
          media_type: undefined,
        }),
        // Desktop knows the origin by name only: the live details stay.
        desktopMessage(5, 'курс на сегодня', { forwarded_from: 'Новости банка' }),
        // Only in the export: kept with its origin.
        desktopMessage(6, 'переслано', {
          forwarded_from: 'Пётр',
          forwarded_from_id: 'user5000000077',
        }),
        desktopMessage(7, 'переслано от удалённого', { forwarded_from: null }),
        // A name past the column's bound, an emoji where it falls: cut before the emoji, whole.
        desktopMessage(8, 'переслано от длинного имени', {
          forwarded_from: 'П'.repeat(255) + '😀',
        }),
      ]),
    );
    expect(result).toMatchObject({ status: 200, body: { received: 8, inserted: 3, updated: 1 } });
    const rows = await rowsOf(SUPER);
    const byId = new Map(rows.map((r) => [r.messageId, r]));
    expect(byId.get(1)).toMatchObject({ text: 'как прислал Telegram', source: 'bot' });
    expect(byId.get(2)).toMatchObject({ text: 'исправлено в боте' });
    expect(byId.get(2)!.editDate?.getTime()).toBe((DATE + 100) * 1000);
    expect(byId.get(3)).toMatchObject({ text: 'новое из выгрузки', source: 'bot' });
    expect(byId.get(3)!.editDate?.getTime()).toBe((DATE + 20) * 1000);
    expect(byId.get(4)).toMatchObject({ fileTooBig: true, kind: 'document' });
    expect(byId.get(5)!.forwardedFrom).toMatchObject({
      kind: 'channel',
      name: 'Новости банка',
      telegramId: -1009876543210,
      messageId: 77,
    });
    expect(byId.get(6)).toMatchObject({
      source: 'export',
      forwardedFrom: { kind: 'user', name: 'Пётр', telegramId: 5000000077 },
    });
    expect(byId.get(7)!.forwardedFrom).toEqual({ kind: 'unknown', name: null });
    expect(byId.get(8)!.forwardedFrom).toEqual({ kind: 'unknown', name: 'П'.repeat(255) });

    // The bot reports message 6 live afterwards (same edit: none): its version replaces the export's.
    await bot.bot.saveMessage.mutate({
      chatId: SUPER,
      message: live(6, 'переслано (как в Telegram)', {
        forwardedFrom: { kind: 'user', name: 'Пётр Петров', telegramId: 5000000077, date: DATE },
      }),
    });
    expect(
      await api.prisma.chatMessage.findUniqueOrThrow({
        where: { chatId_messageId: { chatId: BigInt(SUPER), messageId: 6 } },
      }),
    ).toMatchObject({
      text: 'переслано (как в Telegram)',
      source: 'bot',
      forwardedFrom: { kind: 'user', name: 'Пётр Петров' },
    });
    // A second import changes nothing the first did not.
    const again = await upload(
      SUPER,
      desktopExport('private_supergroup', SUPER_BARE, [desktopMessage(1, 'как показал Desktop')]),
    );
    expect(again.body).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
  });
  it('the buttons under a message: kept from the bot and from an export, taken away only by a live edit', async () => {
    const bot = botClient(api.url);
    const openForm = [['Открыть заявку'], ['Помощь', 'Контакты']];
    const posted = {
      messageId: 1,
      authorTelegramId: 1000000001,
      authorName: 'PayReq',
      text: 'Заполните заявку',
      date: DATE,
      buttons: openForm,
    };
    // Buttons outside the contract (an empty row, a blank or endless label) are refused in
    // words, and nothing of the message is written.
    const before = await footprint(api.prisma);
    for (const buttons of [[[]], [['']], [['x'.repeat(257)]]]) {
      const refused = await failureOf(
        bot.bot.saveMessage.mutate({ chatId: SUPER, message: { ...posted, buttons } }),
      );
      expect(refused).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    }
    expect(await footprint(api.prisma)).toEqual(before);
    expect(await rowsOf(SUPER)).toHaveLength(0);
    await bot.bot.saveMessage.mutate({ chatId: SUPER, message: posted });
    // Telegram or the bot retries: nothing changes.
    const retried = await bot.bot.saveMessages.mutate({ chatId: SUPER, messages: [posted] });
    expect(retried).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const result = await upload(
      SUPER,
      desktopExport('private_supergroup', SUPER_BARE, [
        // Desktop's copy of the bot's post carries no keyboard: the live one stays.
        desktopMessage(1, 'Заполните заявку'),
        // Only in the export, with Desktop's `inline_bot_buttons` (an empty row and a blank
        // button are no buttons; where a button leads is not kept).
        desktopMessage(2, 'Оплатите по ссылке', {
          inline_bot_buttons: [
            [{ type: 'url', text: 'Оплатить', data: 'https://pay.example/1' }],
            [],
            [{ type: 'callback', text: '  ', data: 'x' }],
          ],
        }),
        desktopMessage(3, 'без кнопок'),
      ]),
    );
    expect(result).toMatchObject({ status: 200, body: { inserted: 2, unchanged: 1 } });
    const byId = new Map((await rowsOf(SUPER)).map((r) => [r.messageId, r]));
    expect(byId.get(1)!.buttons).toEqual(openForm);
    expect(byId.get(2)!.buttons).toEqual([['Оплатить']]);
    expect(byId.get(3)!.buttons).toBeNull();

    // The archive shows them as words, and nothing of where they lead.
    const portal = portalClient(
      api.url,
      (await portalSignIn(api.url, websiteLogin({ id: anna.id, first_name: 'Анна' }))).token!,
    );
    const page = await portal.portal.chat.page.query({ chatId: SUPER, limit: 50 });
    const shown = new Map(page.messages.map((m) => [m.messageId, m.buttons]));
    expect(shown.get(1)).toEqual(openForm);
    expect(shown.get(2)).toEqual([['Оплатить']]);
    expect(shown.get(3)).toBeNull();
    expect(JSON.stringify(page)).not.toContain('pay.example');

    // A live edit that takes the keyboard away (Telegram sends the message without one) does.
    await bot.bot.saveMessage.mutate({
      chatId: SUPER,
      message: { ...posted, editDate: DATE + 60, buttons: undefined },
    });
    const edited = await api.prisma.chatMessage.findUniqueOrThrow({
      where: { chatId_messageId: { chatId: BigInt(SUPER), messageId: 1 } },
    });
    expect(edited.buttons).toBeNull();
  });
});
