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

/** The bot saves a chat's file as it does for a document sent in the group; the asset's id. */
export async function saveChatFile(
  baseUrl: string,
  chatId: number,
  file: { bytes: Buffer; fileName: string; mime?: string },
): Promise<string> {
  const upload = await fetch(`${baseUrl}/bot/v1/chats/${chatId}/assets`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_BOT_SERVICE_TOKEN}`,
      'content-type': file.mime ?? 'application/pdf',
      'x-file-name': encodeURIComponent(file.fileName),
    },
    body: file.bytes,
  });
  if (!upload.ok) throw new Error(`the api refused the chat file: ${upload.status}`);
  return ((await upload.json()) as { assetId: string }).assetId;
}

export { TRPCClientError };
