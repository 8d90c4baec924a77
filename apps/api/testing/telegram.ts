import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';

import type { AppRouter } from '../src/trpc/router';
import { TEST_BOT_SERVICE_TOKEN } from './harness';

export type { TelegramUser } from '@payreq/testing';
export { signLaunch, tma } from '@payreq/testing';

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

export function botClient(baseUrl: string) {
  return miniAppClient(baseUrl, `Bearer ${TEST_BOT_SERVICE_TOKEN}`);
}

export { TRPCClientError };
