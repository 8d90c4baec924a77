import type { AppRouter } from '@payreq/api/router';
import { createTRPCClient, httpLink } from '@trpc/client';

/** The api's tRPC procedures, as the Mini App (`tma <init data>`) or the bot (`Bearer`) calls them. */
export function apiClient(apiUrl: string, authorization: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${apiUrl}/trpc`, headers: () => ({ authorization }) })],
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A Mini App user: Telegram's signed init data, exactly as the app sends it. */
export const miniAppUser = (apiUrl: string, initData: string) =>
  apiClient(apiUrl, `tma ${initData}`);

/** The bot's service identity. */
export const botService = (apiUrl: string, serviceToken: string) =>
  apiClient(apiUrl, `Bearer ${serviceToken}`);

export type RequestView = NonNullable<
  Awaited<ReturnType<ApiClient['miniApp']['session']['query']>>['request']
>;
