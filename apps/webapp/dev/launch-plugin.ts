import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import themes from '@payreq/telegram-testkit/themes.json' with { type: 'json' };
import { sign } from '@tma.js/init-data-node';
import type { Plugin } from 'vite';

/**
 * Development only (`vite`): opens the Mini App the way a Telegram client does.
 *
 * `GET /__dev/launch?as=client|agent&lang=ru|en&theme=light|dark&view=room|board` registers a
 * development deal room with the api through the bot's procedures (once per dev server),
 * signs init data with the development bot token (as Telegram signs it with the real one)
 * and redirects to the app with `#tgWebAppData=…&tgWebAppStartParam=<launch token>`.
 * The token stays on this (Node) side; the browser only ever sees signed init data.
 */
export interface DevLaunchOptions {
  apiUrl: string;
  botToken: string;
  botServiceToken: string;
  agentTelegramId: number;
  clientTelegramId: number;
  chatId: number;
}

async function botCall(
  options: DevLaunchOptions,
  procedure: string,
  input: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${options.apiUrl}/trpc/${procedure}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${options.botServiceToken}`,
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as {
    result?: { data?: Record<string, unknown> };
    error?: { message?: string };
  };
  if (!response.ok || !body.result?.data) {
    throw new Error(`${procedure}: ${body.error?.message ?? response.status}`);
  }
  return body.result.data;
}

function fail(res: ServerResponse, message: string): void {
  res.statusCode = 500;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(
    `${message}\n\nStart the api with the agent whitelisted, e.g.\n` +
      `  SEED_AGENTS="Анна:7000000001" pnpm --filter @payreq/api start\n`,
  );
}

export function devTelegramLaunch(options: DevLaunchOptions): Plugin {
  let launchToken: Promise<string> | null = null;

  const registerRoom = async (): Promise<string> => {
    const registered = await botCall(options, 'bot.registerChat', {
      chat: { id: options.chatId, type: 'supergroup', title: 'Dev: сделка' },
      addedBy: { telegramId: options.agentTelegramId, name: 'Dev agent' },
      botIsAdmin: true,
    });
    if (registered.registered !== true) {
      throw new Error(`the api refused to register the dev chat (${String(registered.reason)})`);
    }
    await botCall(options, 'bot.membership', {
      chatId: options.chatId,
      joined: [{ telegramId: options.clientTelegramId, name: 'Dev client' }],
    });
    return String(registered.launchToken);
  };

  return {
    name: 'payreq-dev-telegram-launch',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/__dev/launch', (req, res) => {
        const query = new URL(req.url ?? '/', 'http://dev').searchParams;
        const asAgent = query.get('as') === 'agent';
        const board = query.get('view') === 'board';
        const lang = query.get('lang') === 'en' ? 'en' : 'ru';
        const theme = query.get('theme') === 'dark' ? themes.dark : themes.light;
        launchToken ??= registerRoom().catch((error: unknown) => {
          launchToken = null;
          throw error;
        });
        launchToken.then(
          (token) => {
            const user = asAgent
              ? { id: options.agentTelegramId, first_name: 'Анна', last_name: 'Агент' }
              : { id: options.clientTelegramId, first_name: 'Иван', last_name: 'Клиент' };
            const authDate = new Date();
            const initData = sign(
              {
                user: { ...user, language_code: lang, allows_write_to_pm: true },
                chat_instance: '-4512345678901234567',
                chat_type: board ? 'sender' : 'supergroup',
                ...(board ? {} : { start_param: token }),
                auth_date: authDate,
                signature: randomBytes(64).toString('base64url'),
              } as Parameters<typeof sign>[0],
              options.botToken,
              authDate,
            );
            const hash = new URLSearchParams({
              tgWebAppData: initData,
              tgWebAppVersion: '8.0',
              tgWebAppPlatform: 'android',
              tgWebAppThemeParams: JSON.stringify(theme),
              ...(board ? {} : { tgWebAppStartParam: token }),
            });
            res.statusCode = 302;
            res.setHeader('location', `/${board ? 'board' : ''}#${hash.toString()}`);
            res.end();
          },
          (error: unknown) => fail(res, error instanceof Error ? error.message : String(error)),
        );
      });
    },
  };
}
