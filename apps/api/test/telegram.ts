import { sign } from '@tma.js/init-data-node';
import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';

import type { AppRouter } from '../src/trpc/router';
import { TEST_BOT_SERVICE_TOKEN, TEST_BOT_TOKEN } from './harness';

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  language_code?: string;
}

/** Signs Mini App launch data exactly as Telegram does (HMAC-SHA256 under HMAC("WebAppData", token)). */
export function signLaunch(
  user: TelegramUser,
  startParam: string | null,
  options: { authDate?: Date; botToken?: string; chatType?: string } = {},
): string {
  return sign(
    {
      user: { ...user, allows_write_to_pm: true },
      chat_instance: '-4512345678901234567',
      chat_type: options.chatType ?? 'supergroup',
      ...(startParam ? { start_param: startParam } : {}),
    },
    options.botToken ?? TEST_BOT_TOKEN,
    options.authDate ?? new Date(),
  );
}

export function miniAppClient(baseUrl: string, authorization: string | null) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        headers: () => (authorization ? { authorization } : {}),
      }),
    ],
  });
}

export const tma = (initData: string) => `tma ${initData}`;

export function botClient(baseUrl: string) {
  return miniAppClient(baseUrl, `Bearer ${TEST_BOT_SERVICE_TOKEN}`);
}

export { TRPCClientError };
