import { Writable } from 'node:stream';

import { TelegramError } from 'telegraf';
import { ChatMessageInput } from '@payreq/contracts';
import type { Update } from 'telegraf/types';
import { describe, expect, it } from 'vitest';

import { runsOf } from '../src/bot';
import { loadConfig } from '../src/env';
import { boardUrl, groupLaunchLink } from '../src/links';
import { createLogger, redact } from '../src/logger';
import type { TgMessage } from '../src/messages';
import { attachmentOf, toChatMessageInput } from '../src/messages';
import { uploadMimeFor } from '../src/mime';
import { plainMessageOf } from '../src/mirror';
import { classifyTelegramError } from '../src/telegram';
import { updatesByChat } from '../src/updates';
import { documentCommandOf, kindOfCallbackData } from '../src/document-command';
import { looksLikeDocumentCommand } from '../src/messages';

const TOKEN = '1234567890:AAHtest-bot-token-for-signing-init-data';
const SERVICE = 'service-token-0123456789abcdef';

describe('configuration', () => {
  const base = { TELEGRAM_BOT_TOKEN: TOKEN, BOT_SERVICE_TOKEN: SERVICE };

  it('defaults to the local test server, polling and the local api', () => {
    const config = loadConfig({ ...base, BOT_USERNAME: '', WEBAPP_URL: '' });
    expect(config).toMatchObject({
      apiRoot: 'http://127.0.0.1:8081',
      apiUrl: 'http://127.0.0.1:3000',
      mode: 'polling',
      webhook: null,
      botUsername: null,
      webappUrl: null,
      miniAppShortName: null,
    });
  });

  it('refuses to start in production on development secrets or a Telegram on this machine', () => {
    const refusal = () =>
      loadConfig({
        NODE_ENV: 'production',
        TELEGRAM_BOT_TOKEN: '1000000001:development-only-bot-token-xxxxxxxx',
        BOT_SERVICE_TOKEN: 'development-only-bot-service-token',
      });
    expect(refusal).toThrow(/TELEGRAM_BOT_TOKEN: still the development value/);
    expect(refusal).toThrow(/BOT_SERVICE_TOKEN: still the development value/);
    expect(refusal).toThrow(/TELEGRAM_API_ROOT: points at this machine \(127\.0\.0\.1:8081\)/);
    const config = loadConfig({
      ...base,
      NODE_ENV: 'production',
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
    });
    expect(config.apiRoot).toBe('https://api.telegram.org');
  });

  it('points at the real Telegram by configuration alone; webhook mode needs its URL and secret', () => {
    const config = loadConfig({
      ...base,
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.bank.example/',
      WEBHOOK_SECRET: 'a-long-webhook-secret-0123',
      BOT_USERNAME: '@payreq_bot',
    });
    expect(config.apiRoot).toBe('https://api.telegram.org');
    expect(config.botUsername).toBe('payreq_bot');
    expect(config.webhook).toMatchObject({
      url: 'https://bot.bank.example',
      path: '/telegram/webhook',
    });
    expect(() => loadConfig({ ...base, BOT_MODE: 'webhook' })).toThrow(
      /WEBHOOK_URL.*WEBHOOK_SECRET/,
    );
  });

  it('names a bad variable without showing its value', () => {
    expect(() => loadConfig({ ...base, TELEGRAM_BOT_TOKEN: 'not a token with secret' })).toThrow(
      /TELEGRAM_BOT_TOKEN/,
    );
    try {
      loadConfig({ ...base, TELEGRAM_BOT_TOKEN: 'not a token with secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('not a token with secret');
    }
  });
});

describe('logs', () => {
  it('never show the bot token, the service token, or telegraf’s request payloads', () => {
    expect(redact(`GET https://api.telegram.org/file/bot${TOKEN}/photos/1.jpg`)).toBe(
      'GET https://api.telegram.org/file/bot<redacted>/photos/1.jpg',
    );
    expect(redact(`token=${TOKEN}`)).toBe('token=<redacted>');

    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', secrets: [TOKEN, SERVICE], destination });
    const telegramError = new TelegramError(
      { error_code: 400, description: 'Bad Request: chat not found' },
      {
        method: 'sendDocument',
        payload: { document: { source: Buffer.alloc(10) }, secret: SERVICE },
      },
    );
    logger.error({ err: telegramError, url: `http://127.0.0.1:8081/bot${TOKEN}/getMe` }, 'failed');
    logger.warn(
      { err: new Error(`fetch http://x/bot${TOKEN}/getFile failed`), auth: `Bearer ${SERVICE}` },
      'x',
    );
    logger.info(`plain message with ${SERVICE}`);
    const output = lines.join('');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(TOKEN.split(':')[1]);
    expect(output).not.toContain(SERVICE);
    expect(output).toContain('chat not found');
    expect(output).not.toContain('sendDocument');
  });
});

describe('links', () => {
  it('groups get a t.me link (no web_app button), with the launch token as startapp', () => {
    expect(
      groupLaunchLink({
        botUsername: 'payreq_bot',
        miniAppShortName: 'deal',
        launchToken: 'abc_DEF-123456789012',
      }),
    ).toBe('https://t.me/payreq_bot/deal?startapp=abc_DEF-123456789012');
    expect(
      groupLaunchLink({
        botUsername: 'payreq_bot',
        miniAppShortName: null,
        launchToken: 'abc_DEF-123456789012',
      }),
    ).toBe('https://t.me/payreq_bot?startapp=abc_DEF-123456789012');
    expect(boardUrl('https://app.bank.example/miniapp/')).toBe(
      'https://app.bank.example/miniapp/?mode=board',
    );
  });
});

describe('files', () => {
  it('maps Telegram’s mime types to what the deal room takes', () => {
    expect(uploadMimeFor('application/pdf', 'a.pdf')).toBe('application/pdf');
    expect(uploadMimeFor('image/jpg', null)).toBe('image/jpeg');
    expect(uploadMimeFor('audio/mp3', 'song.mp3')).toBe('audio/mpeg');
    expect(uploadMimeFor('application/x-zip-compressed', 'a.zip')).toBe('application/zip');
    expect(uploadMimeFor('text/plain; charset=utf-8', 'a.txt')).toBe('text/plain');
    expect(uploadMimeFor('application/octet-stream', 'Счёт.XLSX')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(uploadMimeFor(undefined, 'notes.txt')).toBe('text/plain');
    expect(uploadMimeFor('application/x-msdownload', 'setup.exe')).toBeNull();
    expect(uploadMimeFor('application/octet-stream', 'blob')).toBeNull();
    expect(uploadMimeFor('video/quicktime', 'clip.mov')).toBeNull();
  });

  const message = (extra: Partial<TgMessage>): TgMessage => ({
    message_id: 10,
    date: 1_700_000_000,
    chat: { id: -100123, type: 'supergroup', title: 'Deal' },
    from: { id: 42, is_bot: false, first_name: 'Иван', last_name: 'Петров' },
    ...extra,
  });

  it('takes the largest photo size, animations as animations, stickers by their format', () => {
    const photo = attachmentOf(
      message({
        photo: [
          { file_id: 's', file_unique_id: 'us', width: 90, height: 60 },
          { file_id: 'l', file_unique_id: 'ul', width: 1280, height: 960 },
          { file_id: 'm', file_unique_id: 'um', width: 320, height: 240 },
        ],
      }),
    );
    expect(photo).toMatchObject({ kind: 'photo', mime: 'image/jpeg', file: { file_id: 'l' } });
    const gif = attachmentOf(
      message({
        animation: {
          file_id: 'a',
          file_unique_id: 'ua',
          mime_type: 'video/mp4',
          file_name: 'fun.mp4',
        },
        document: {
          file_id: 'a',
          file_unique_id: 'ua',
          mime_type: 'video/mp4',
          file_name: 'fun.mp4',
        },
      }),
    );
    expect(gif).toMatchObject({ kind: 'animation', fileName: 'fun.mp4' });
    expect(
      attachmentOf(
        message({ sticker: { file_id: 'st', file_unique_id: 'ust', is_animated: true } }),
      ),
    ).toMatchObject({
      kind: 'sticker',
      mime: 'application/x-tgsticker',
      fileName: 'sticker_ust.tgs',
    });
    // A static sticker is WebP; a video sticker WebM.
    expect(
      attachmentOf(message({ sticker: { file_id: 'st', file_unique_id: 'uss' } })),
    ).toMatchObject({ kind: 'sticker', mime: 'image/webp', fileName: 'sticker_uss.webp' });
    expect(
      attachmentOf(message({ sticker: { file_id: 'st', file_unique_id: 'usv', is_video: true } })),
    ).toMatchObject({ kind: 'sticker', mime: 'video/webm', fileName: 'sticker_usv.webm' });
  });

  it('turns service messages and edits into rows', () => {
    expect(
      toChatMessageInput(
        message({ new_chat_members: [{ id: 7, is_bot: false, first_name: 'Ольга' }] }),
        null,
      ),
    ).toMatchObject({ kind: 'service', text: '[invite_members] Ольга', authorTelegramId: 42 });
    expect(
      toChatMessageInput(
        message({
          text: 'исправлено',
          edit_date: 1_700_000_100,
          reply_to_message: { message_id: 3 },
        }),
        null,
      ),
    ).toMatchObject({
      kind: 'text',
      text: 'исправлено',
      editDate: 1_700_000_100,
      replyToMessageId: 3,
      authorName: 'Иван Петров',
    });
    expect(
      toChatMessageInput(message({ location: { latitude: 55.75, longitude: 37.62 } }), null),
    ).toMatchObject({
      kind: 'other',
      text: '[location] 55.75, 37.62',
    });
  });

  it('keeps the words of a message’s buttons, never where they lead, whatever their shape', () => {
    const row = toChatMessageInput(
      message({
        text: 'Заполните заявку',
        reply_markup: {
          inline_keyboard: [
            [{ text: 'Открыть заявку', url: 'https://t.me/bot/app?startapp=secret-token' }],
            [
              { text: 'Да', callback_data: 'yes' },
              { text: 'Н\u0000ет', callback_data: 'no' },
            ],
            [],
            [{ text: '   ', callback_data: 'blank' }],
          ],
        },
      }),
      null,
    );
    expect(row.buttons).toEqual([['Открыть заявку'], ['Да', 'Нет']]);
    expect(JSON.stringify(row)).not.toContain('secret-token');
    expect(ChatMessageInput.safeParse(row).success).toBe(true);
    // Past Telegram's limits, or not a keyboard at all: the message is kept, within the limits.
    const huge = toChatMessageInput(
      message({
        text: 'много',
        reply_markup: {
          inline_keyboard: Array.from({ length: 150 }, () => [{ text: 'x'.repeat(300) }]),
        },
      }),
      null,
    );
    expect(huge.buttons).toHaveLength(100);
    expect(huge.buttons![0]![0]).toHaveLength(256);
    expect(ChatMessageInput.safeParse(huge).success).toBe(true);
    // An emoji where the bound falls is left out whole: no half of it is stored.
    const emoji = toChatMessageInput(
      message({
        text: 'ы'.repeat(9_999) + '👍',
        reply_markup: { inline_keyboard: [[{ text: 'к'.repeat(255) + '👍' }, { text: '✅' }]] },
      }),
      null,
    );
    expect(emoji.buttons).toEqual([['к'.repeat(255), '✅']]);
    expect(emoji.text).toBe('ы'.repeat(9_999));
    expect(ChatMessageInput.safeParse(emoji).success).toBe(true);
    for (const keyboard of [undefined, 'nope', [[null, 7]], [[]]]) {
      const odd = toChatMessageInput(
        message({ text: 'странная', reply_markup: { inline_keyboard: keyboard } }),
        null,
      );
      expect(odd.buttons).toBeUndefined();
      expect(ChatMessageInput.safeParse(odd).success).toBe(true);
    }
  });
});

describe('Telegram errors', () => {
  it('tells a definite refusal from an unknown outcome', () => {
    expect(
      classifyTelegramError(
        new TelegramError({
          error_code: 429,
          description: 'Too Many Requests: retry after 7',
          parameters: { retry_after: 7 },
        }),
      ),
    ).toMatchObject({ kind: 'rateLimited', retryAfterMs: 7000 });
    expect(
      classifyTelegramError(new TelegramError({ error_code: 502, description: 'Bad Gateway' })),
    ).toMatchObject({
      kind: 'serverError',
    });
    expect(
      classifyTelegramError(
        new TelegramError({
          error_code: 400,
          description: 'Bad Request: group chat was upgraded to a supergroup chat',
          parameters: { migrate_to_chat_id: -1001234 },
        }),
      ),
    ).toMatchObject({ kind: 'migrated', toChatId: -1001234 });
    expect(
      classifyTelegramError(
        new TelegramError({ error_code: 403, description: 'Forbidden: bot was kicked' }),
      ),
    ).toMatchObject({
      kind: 'refused',
    });
    expect(
      classifyTelegramError(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ),
    ).toMatchObject({
      kind: 'notSent',
    });
    expect(
      classifyTelegramError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    ).toMatchObject({
      kind: 'unknown',
    });
  });
});

describe('runs of plain messages (polling saves each run with one api call)', () => {
  const group = { id: -100123, type: 'supergroup', title: 'Сделка' };
  const from = { id: 5000000001, is_bot: false, first_name: 'Иван' };
  let nextId = 1;
  const message = (extra: Record<string, unknown> = {}, chat: object = group) => ({
    update_id: nextId,
    message: { message_id: nextId++, date: 1_700_000_000, chat, from, text: 'текст', ...extra },
  });
  const edit = (messageId: number) => ({
    update_id: nextId++,
    edited_message: {
      message_id: messageId,
      date: 1_700_000_000,
      edit_date: 1_700_000_100,
      chat: group,
      from,
      text: 'исправлено',
    },
  });
  const asUpdates = (list: object[]) => list as unknown as Update[];

  it('a plain message is a group text, service line or edit without a file, members or migration', () => {
    expect(plainMessageOf(asUpdates([message()])[0]!)).toMatchObject({ edited: false });
    expect(plainMessageOf(asUpdates([edit(1)])[0]!)).toMatchObject({ edited: true });
    expect(plainMessageOf(asUpdates([message({ new_chat_title: 'Новое' })])[0]!)).not.toBeNull();
    for (const extra of [
      { photo: [{ file_id: 'p', file_unique_id: 'u', width: 1, height: 1 }] },
      { document: { file_id: 'd', file_unique_id: 'u' } },
      { new_chat_members: [from] },
      { left_chat_member: from },
      { migrate_to_chat_id: -1001 },
      { migrate_from_chat_id: -1 },
    ])
      expect(plainMessageOf(asUpdates([message(extra)])[0]!), JSON.stringify(extra)).toBeNull();
    expect(plainMessageOf(asUpdates([message({}, { id: 5, type: 'private' })])[0]!)).toBeNull();
    for (const odd of [
      { update_id: 1 },
      { update_id: 1, message: null },
      { update_id: 1, message: {} },
    ])
      expect(plainMessageOf(odd as unknown as Update)).toBeNull();
  });

  it('cuts a chat’s updates where plain messages start and stop, keeping the order', () => {
    const updates = asUpdates([
      message(),
      message(),
      edit(1),
      message({ document: { file_id: 'd', file_unique_id: 'u' } }),
      message(),
      { update_id: nextId++, my_chat_member: { chat: group } },
      message({ new_chat_members: [from] }),
      message(),
      message(),
    ]);
    const runs = runsOf(updates);
    expect(runs.map((run) => [run.updates.length, run.plain.length])).toEqual([
      [3, 3],
      [1, 0],
      [1, 1],
      [1, 0],
      [1, 0],
      [2, 2],
    ]);
    expect(runs.flatMap((run) => run.updates)).toEqual(updates);
    expect(runs[0]!.plain.map((plain) => plain.edited)).toEqual([false, false, true]);
  });

  it('a batch is split per chat, each chat’s updates in the batch’s order', () => {
    const other = { id: -100999, type: 'group', title: 'Другая' };
    const updates = asUpdates([message(), message({}, other), message(), message({}, other)]);
    expect(updatesByChat(updates).map((list) => list.map((u) => u.update_id))).toEqual([
      [updates[0]!.update_id, updates[2]!.update_id],
      [updates[1]!.update_id, updates[3]!.update_id],
    ]);
  });
});

describe('the /document command', () => {
  it('reads the kind in English or Russian, and ignores commands to other bots', () => {
    expect(documentCommandOf('/document invoice', 'payreq_bot')).toEqual({ kind: 'INVOICE' });
    expect(documentCommandOf('/doc Акт', 'payreq_bot')).toEqual({ kind: 'ACT' });
    expect(documentCommandOf('/doc@PayReq_Bot счет', 'payreq_bot')).toEqual({ kind: 'INVOICE' });
    expect(documentCommandOf('/document', 'payreq_bot')).toEqual({ kind: null });
    expect(documentCommandOf('/document something', 'payreq_bot')).toEqual({ kind: null });
    expect(documentCommandOf('/doc@other_bot invoice', 'payreq_bot')).toBeNull();
    expect(documentCommandOf('/documents', 'payreq_bot')).toBeNull();
    expect(documentCommandOf('please /doc', 'payreq_bot')).toBeNull();
    expect(kindOfCallbackData('doc:SWIFT_CONFIRMATION')).toBe('SWIFT_CONFIRMATION');
    expect(kindOfCallbackData('doc:NOPE')).toBeNull();
    expect(looksLikeDocumentCommand('/doc@other_bot')).toBe(true);
    expect(looksLikeDocumentCommand('/docs')).toBe(false);
  });
});
