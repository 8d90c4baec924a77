import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import type { Telegraf } from 'telegraf';
import { afterEach, beforeEach } from 'vitest';
import { TelegramTestServer, type BotInfo, type CreateUserInput, type User } from '../src/index';
import { blankJpeg } from '../src/media';

/** Bot API call over plain HTTP; returns the HTTP status and the parsed JSON body. */
export async function api<T = unknown>(
  baseUrl: string,
  token: string,
  method: string,
  params?: Record<string, unknown>,
): Promise<{
  status: number;
  body: {
    ok: boolean;
    result: T;
    error_code?: number;
    description?: string;
    parameters?: Record<string, number>;
  };
}> {
  const response = await fetch(`${baseUrl}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params ?? {}),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** The world most suites start from: the deal bot, Alice and Bob, on a started server. */
export interface DealWorld {
  server: TelegramTestServer;
  url: string;
  bot: BotInfo;
  alice: User;
  bob: User;
}

/**
 * Gives every test of the calling suite a fresh started server with the deal bot (named
 * `botName`), Alice and Bob (with the fields given), and stops it after the test. The object
 * returned holds the current test's world.
 */
export function useDealWorld(
  people: {
    botName?: string;
    alice?: Partial<CreateUserInput>;
    bob?: Partial<CreateUserInput>;
  } = {},
): DealWorld {
  const world = {} as DealWorld;
  beforeEach(async () => {
    const server = new TelegramTestServer();
    world.server = server;
    world.bot = server.createBot({
      username: 'payreq_deal_bot',
      first_name: people.botName ?? 'PayReq',
    });
    world.alice = server.createUser({ first_name: 'Alice', ...people.alice });
    world.bob = server.createUser({ first_name: 'Bob', ...people.bob });
    world.url = await server.start();
  });
  afterEach(async () => {
    await world.server.stop();
  });
  return world;
}

/** Control API call. */
export async function control<T = Record<string, unknown>>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T & { ok: boolean; error?: string } }> {
  const response = await fetch(`${baseUrl}/__control${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/**
 * Launches a telegraf bot with long polling and resolves once its first getUpdates reached the
 * server. Returns a stop function that stops the bot and waits for telegraf to wind down.
 */
export async function launchPolling(
  bot: Telegraf,
  server: TelegramTestServer,
  token: string,
): Promise<() => Promise<void>> {
  let failure: unknown;
  const running = bot.launch().catch((error: unknown) => {
    failure = error;
  });
  await server.waitForPolling(token, { timeoutMs: 5000 });
  return async () => {
    try {
      bot.stop('test finished');
    } catch {
      // already stopped
    }
    await running;
    if (failure) throw failure;
  };
}

/** A local HTTP server (e.g. a webhook receiver). */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of the given size (solid colour). */
export function makePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x7f)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A valid grey JPEG of the given size: what a Telegram client uploads as a photo. */
export const makeJpeg = (width: number, height: number): Buffer => blankJpeg(width, height);

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
