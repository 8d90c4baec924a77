import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { isValid } from '@tma.js/init-data-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  DARK_THEME_PARAMS,
  TelegramTestServer,
  parseLaunchUrl,
  type Message,
  type UserChat,
} from '../src/index';
import { sniffImage } from '../src/media';
import { control, makeJpeg, makePng } from './helpers';

/**
 * What a Telegram client over the world (the web stand-in) reads and does, over HTTP: a
 * person's chat list and chats, a long poll for changes, files served as untrusted, Mini App
 * launches from links with the client's theme, and the built stand-in itself at /web/.
 */
describe('the control API for a Telegram client', () => {
  let server: TelegramTestServer;
  let url: string;
  let webDir: string;
  const TOKEN = '1000000001:client-routes-test-token';

  beforeEach(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'testkit-web-'));
    server = new TelegramTestServer({ webDir, allowHttpWebAppUrls: true });
    server.createBot({ token: TOKEN, username: 'payreq_deal_bot', first_name: 'PayReq' });
    server.setMiniApp(TOKEN, { shortName: 'app', url: 'http://127.0.0.1:9/' });
    url = await server.start();
  });

  afterEach(async () => {
    await server.stop();
    rmSync(webDir, { recursive: true, force: true });
  });

  const people = () => {
    const anna = server.createUser({ first_name: 'Анна', last_name: 'Смирнова' });
    const ivan = server.createUser({ first_name: 'Иван', language_code: 'ru' });
    const boris = server.createUser({ first_name: 'Борис' });
    return { anna, ivan, boris };
  };

  it('lists a person’s chats as their client does, newest activity first', async () => {
    const { anna, ivan, boris } = people();
    const older = server.createGroup({ by: anna.id, title: 'Сделка 1', members: [ivan.id] });
    const newer = server.createGroup({ by: anna.id, title: 'Сделка 2', members: [ivan.id] });
    server.createGroup({ by: anna.id, title: 'Без Ивана', members: [boris.id] });
    server.sendText({ from: ivan.id, chat: newer.id, text: 'Добрый день' });
    // Same second: the list keeps a stable order; the later group's message is there.
    const chats = (await control<{ chats: UserChat[] }>(url, 'GET', `/users/${ivan.id}/chats`)).body
      .chats;
    expect(chats.map((chat) => chat.title).sort()).toEqual(['PayReq', 'Сделка 1', 'Сделка 2']);
    const group = chats.find((chat) => chat.id === newer.id)!;
    expect(group).toMatchObject({ type: 'group', status: 'member', memberCount: 2 });
    expect(group.lastMessage?.text).toBe('Добрый день');
    expect(chats.at(-1)).toMatchObject({
      id: server.getBot(TOKEN).id,
      type: 'private',
      username: 'payreq_deal_bot',
      lastMessage: null,
    });

    // Removed from a group, upgraded group: what the client shows follows.
    server.removeMember(older.id, ivan.id, { by: anna.id });
    const upgraded = server.upgradeToSupergroup(newer.id, { by: anna.id });
    const after = (await control<{ chats: UserChat[] }>(url, 'GET', `/users/${ivan.id}/chats`)).body
      .chats;
    expect(after.filter((chat) => chat.type !== 'private').map((chat) => chat.id)).toEqual([
      upgraded.id,
    ]);
    expect(after[0]).toMatchObject({ type: 'supergroup', title: 'Сделка 2' });

    const unknown = await control(url, 'GET', '/users/42/chats');
    expect(unknown.status).toBe(404);
  });

  it('reads a chat as a member sees it, and refuses someone who is not in it', async () => {
    const { anna, ivan, boris } = people();
    const group = server.createGroup({ by: anna.id, title: 'Сделка', members: [ivan.id] });
    server.sendText({ from: ivan.id, chat: group.id, text: 'Вопрос по заявке' });
    const read = await control<{ messages: Message[] }>(
      url,
      'GET',
      `/users/${anna.id}/chats/${group.id}/messages`,
    );
    expect(
      read.body.messages.map((m) => m.text ?? (m.group_chat_created ? 'created' : '')),
    ).toEqual(['created', 'Вопрос по заявке']);
    const stranger = await control(url, 'GET', `/users/${boris.id}/chats/${group.id}/messages`);
    expect(stranger.status).toBe(400);
    expect(stranger.body.error).toMatch(/not a member/);

    // The private chat with the bot, by the bot's id (as the person's client knows it).
    server.startBot(ivan.id, TOKEN);
    const bot = server.getBot(TOKEN).id;
    const privateChat = await control<{ messages: Message[] }>(
      url,
      'GET',
      `/users/${ivan.id}/chats/${bot}/messages`,
    );
    expect(privateChat.body.messages.map((m) => m.text)).toEqual(['/start']);
  });

  it('answers a long poll when the world changes, and after the wait when it does not', async () => {
    const { anna, ivan } = people();
    const group = server.createGroup({ by: anna.id, title: 'Сделка', members: [ivan.id] });
    const now = (await control<{ revision: number }>(url, 'GET', '/changes?after=-1')).body
      .revision;
    expect(now).toBeGreaterThan(0);

    const quiet = Date.now();
    const unchanged = await control<{ revision: number }>(
      url,
      'GET',
      `/changes?after=${now}&waitMs=200`,
    );
    expect(unchanged.body.revision).toBe(now);
    expect(Date.now() - quiet).toBeGreaterThanOrEqual(190);

    const waiting = control<{ revision: number }>(url, 'GET', `/changes?after=${now}&waitMs=10000`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    server.sendText({ from: ivan.id, chat: group.id, text: 'Новое сообщение' });
    const changed = await waiting;
    expect(changed.body.revision).toBeGreaterThan(now);
    expect(Date.now() - started).toBeLessThan(2_000);

    const bad = await control(url, 'GET', '/changes?after=x');
    expect(bad.status).toBe(400);
    const tooLong = await control(url, 'GET', '/changes?after=1&waitMs=600000');
    expect(tooLong.status).toBe(400);
  });

  it('serves what people send as untrusted: only real images inline, the rest as attachments', async () => {
    const { anna } = people();
    const group = server.createGroup({ by: anna.id, title: 'Файлы' });
    const jpeg = makeJpeg(4, 3);
    const photo = server.sendPhoto({ from: anna.id, chat: group.id, bytes: jpeg });
    const png = makePng(4, 3);
    const picture = server.sendDocument({
      from: anna.id,
      chat: group.id,
      fileName: 'схема.png',
      bytes: png,
    });
    const html = server.sendDocument({
      from: anna.id,
      chat: group.id,
      fileName: 'счёт.html',
      mimeType: 'text/html',
      bytes: Buffer.from('<script>alert(1)</script>'),
    });
    const get = (fileId: string, query = '') =>
      fetch(`${url}/__control/files/${encodeURIComponent(fileId)}/content${query}`);

    const image = await get(photo.photo!.at(-1)!.file_id);
    // Stored as Telegram keeps photos (JPEG), typed by the bytes it really holds.
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await image.arrayBuffer()).equals(jpeg)).toBe(true);
    const pictureFile = await get(picture.document!.file_id);
    expect(pictureFile.headers.get('content-type')).toBe('image/png');
    expect(pictureFile.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await pictureFile.arrayBuffer()).equals(png)).toBe(true);

    const page = await get(html.document!.file_id);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('счёт.html')}`,
    );
    for (const answer of [image, page]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toContain('sandbox');
    }
    const download = await get(photo.photo!.at(-1)!.file_id, '?download=1');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('takes a person’s photo as the JPEG a Telegram client uploads, and refuses other bytes', async () => {
    const { anna } = people();
    const group = server.createGroup({ by: anna.id, title: 'Фото' });
    const before = server.chatMessages(group.id).length;
    const png = makePng(40, 30);
    expect(() => server.sendPhoto({ from: anna.id, chat: group.id, bytes: png })).toThrow(
      /a photo is sent as JPEG.*these bytes are PNG/,
    );
    const refused = await control(url, 'POST', `/chats/${group.id}/photos`, {
      from: anna.id,
      base64: png.toString('base64'),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/JPEG/);
    // No half album: the photo is checked before anything is posted.
    expect(() =>
      server.sendAlbum({
        from: anna.id,
        chat: group.id,
        items: [
          { type: 'photo', bytes: makeJpeg(40, 30) },
          { type: 'photo', bytes: Buffer.from('GIF89a\x28\x00\x1e\x00', 'latin1') },
        ],
      }),
    ).toThrow(/these bytes are GIF/);
    expect(server.chatMessages(group.id)).toHaveLength(before);

    // A photo described by its size holds a real JPEG of that size.
    const described = server.sendPhoto({ from: anna.id, chat: group.id, width: 800, height: 600 });
    const file = server.getFile(described.photo!.at(-1)!.file_id)!;
    expect(file.bytes!.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(sniffImage(file.bytes!)).toEqual({ format: 'jpeg', width: 800, height: 600 });
  });

  it('opens a t.me Mini App link as the person, signed, with the client’s theme and platform', async () => {
    const { anna, ivan } = people();
    const group = server.createGroup({ by: anna.id, title: 'Сделка', members: [ivan.id] });
    const opened = await control<{ kind: string; launch: { url: string; initData: string } }>(
      url,
      'POST',
      `/users/${ivan.id}/open-link`,
      {
        link: 'https://t.me/payreq_deal_bot/app?startapp=room-token',
        chat: group.id,
        themeParams: DARK_THEME_PARAMS,
        platform: 'weba',
      },
    );
    expect(opened.body.kind).toBe('miniapp');
    const launch = parseLaunchUrl(opened.body.launch.url);
    expect(launch).toMatchObject({
      platform: 'weba',
      startParam: 'room-token',
      themeParams: DARK_THEME_PARAMS,
    });
    expect(opened.body.launch.url.startsWith('http://127.0.0.1:9/')).toBe(true);
    expect(isValid(launch.initData, TOKEN)).toBe(true);
    const data = new URLSearchParams(launch.initData);
    expect(data.get('chat_type')).toBe('group');
    expect(JSON.parse(data.get('user')!)).toMatchObject({ id: ivan.id, first_name: 'Иван' });

    const badTheme = await control(url, 'POST', `/users/${ivan.id}/open-link`, {
      link: 'https://t.me/payreq_deal_bot/app',
      themeParams: { bg_color: 1 },
    });
    expect(badTheme.status).toBe(400);
  });

  it('serves the built stand-in at /web/, its assets, and nothing outside its folder', async () => {
    const missing = await fetch(`${url}/web/`);
    expect(missing.status).toBe(503);
    expect(await missing.text()).toContain('pnpm --filter @payreq/telegram-testkit build');

    mkdirSync(path.join(webDir, 'assets'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(webDir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(path.join(path.dirname(webDir), 'secret.txt'), 'no');
    try {
      const root = await fetch(`${url}/?as=1`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/web/?as=1');
      const index = await fetch(`${url}/web/`);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await index.text()).toContain('<div id="root">');
      const script = await fetch(`${url}/web/assets/index-abc.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('cache-control')).toContain('immutable');
      expect((await fetch(`${url}/web/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${url}/web/..%2Fsecret.txt`)).status).toBe(404);
      // Any other path is the page (the stand-in keeps its state in the query).
      expect(await (await fetch(`${url}/web/some/where`)).text()).toContain('<div id="root">');
    } finally {
      rmSync(path.join(path.dirname(webDir), 'secret.txt'), { force: true });
    }
  });
});
