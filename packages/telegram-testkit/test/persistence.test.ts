import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { TelegramTestServer } from '../src/index';
import { api, control, makeJpeg } from './helpers';

const TOKEN = '7345610023:AAFpersistence-test-token-abcdefghij';
const BOT_ID = 7345610023;

describe('the world carried over to a new server', () => {
  it('keeps users, groups, messages, files and pending updates, and never reuses an id', async () => {
    const first = new TelegramTestServer();
    first.createBot({ token: TOKEN, username: 'keep_bot' });
    const anna = first.createUser({ first_name: 'Анна' });
    const group = first.createGroup({ by: anna, title: 'Сделка', members: [BOT_ID] });
    first.sendText({ from: anna, chat: group.id, text: 'привет' });
    const jpeg = makeJpeg(64, 48);
    const photo = first.sendPhoto({
      from: anna,
      chat: group.id,
      bytes: jpeg,
    });

    const second = new TelegramTestServer();
    second.restoreWorld(first.saveWorld());
    expect(second.listUsers()).toEqual(first.listUsers());
    expect(second.chatMessages(group.id)).toEqual(first.chatMessages(group.id));
    expect(second.pendingUpdates(TOKEN)).toEqual(first.pendingUpdates(TOKEN));
    // New chats and users get new ids, as they would on the first server.
    const next = second.createGroup({ by: anna, title: 'Новая сделка' });
    expect(next.id).not.toBe(group.id);
    expect(first.createGroup({ by: anna, title: 'Новая сделка' }).id).toBe(next.id);
    expect(second.createUser({ first_name: 'Иван' }).id).not.toBe(anna.id);

    // The file's bytes came along: the bot downloads them from the new server.
    const url = await second.start();
    try {
      const fileId = photo.photo!.at(-1)!.file_id;
      const file = await api<{ file_path: string }>(url, TOKEN, 'getFile', { file_id: fileId });
      const bytes = await fetch(`${url}/file/bot${TOKEN}/${file.body.result.file_path}`);
      expect(Buffer.from(await bytes.arrayBuffer()).equals(jpeg)).toBe(true);
    } finally {
      await second.stop();
    }
  });
});

describe('the command with --data-file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'payreq-telegram-world-'));
  const dataFile = path.join(dir, 'world.bin');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  /** Starts the server as `npm start` does, resolves with its URL and a stop (SIGTERM). */
  async function start(botName?: string) {
    const child = spawn(
      process.execPath,
      [
        ...['--import', tsx, cli, '--port', '0', '--bot-token', TOKEN, '--data-file', dataFile],
        ...(botName ? ['--bot-name', botName] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`the server exited:\n${output}`)));
    });
    return {
      url,
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  }

  it('starts where the last run stopped, the bot under the name given now', async () => {
    const first = await start('Сделки');
    const named = await api<{ first_name: string }>(first.url, TOKEN, 'getMe', {});
    expect(named.body.result.first_name).toBe('Сделки');
    const user = await control<{ user: { id: number } }>(first.url, 'POST', '/users', {
      first_name: 'Анна',
    });
    const group = await control<{ chat: { id: number } }>(first.url, 'POST', '/groups', {
      by: user.body.user.id,
      title: 'Сделка',
      members: [BOT_ID],
    });
    expect(group.status).toBe(201);
    expect(await first.stop()).toBe(0);

    const second = await start('Сделки банка');
    try {
      expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
      // Restored with the world, renamed as BotFather's /setname would.
      const renamed = await api<{ first_name: string; username: string }>(
        second.url,
        TOKEN,
        'getMe',
        {},
      );
      expect(renamed.body.result).toMatchObject({ first_name: 'Сделки банка' });
      const chat = await api<{ id: number; title: string }>(second.url, TOKEN, 'getChat', {
        chat_id: group.body.chat.id,
      });
      expect(chat.body.result).toMatchObject({ id: group.body.chat.id, title: 'Сделка' });
      const next = await control<{ chat: { id: number } }>(second.url, 'POST', '/groups', {
        by: user.body.user.id,
        title: 'Другая сделка',
      });
      expect(next.body.chat.id).not.toBe(group.body.chat.id);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
