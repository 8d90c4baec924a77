import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';

import type { AppRouter } from '../src/trpc/router';
import type { TelegramUser } from '@payreq/testing';
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

/**
 * A file attached to the chat's request from the Mini App, as the person `authorization` signs
 * for (init data), of a document `kind` when given; the api's answer as it came.
 */
export function attachFile(
  baseUrl: string,
  authorization: string,
  file: { bytes: Buffer; fileName: string; mime?: string; kind?: string },
): Promise<Response> {
  return fetch(`${baseUrl}/miniapp/v1/attachments`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': file.mime ?? 'application/pdf',
      'x-file-name': encodeURIComponent(file.fileName),
      ...(file.kind ? { 'x-document-kind': file.kind } : {}),
    },
    body: file.bytes,
  });
}

export { TRPCClientError };

/** A person as the bot reports them to the api: the Telegram id and the name a client shows. */
export function chatUser(user: TelegramUser): { telegramId: number; name: string } {
  return { telegramId: user.id, name: [user.first_name, user.last_name].filter(Boolean).join(' ') };
}

/**
 * A deal room as the bot reports it: `by` (a whitelisted agent) adds the bot to the supergroup
 * `id` (as its admin unless `botIsAdmin` says otherwise), and `members` are in it. Answers the
 * room's launch token.
 */
export async function registerDealRoom(
  baseUrl: string,
  room: {
    id: number;
    title: string;
    by: TelegramUser;
    members?: TelegramUser[];
    botIsAdmin?: boolean;
  },
): Promise<string> {
  const bot = botClient(baseUrl);
  const registered = await bot.bot.registerChat.mutate({
    chat: { id: room.id, type: 'supergroup', title: room.title },
    addedBy: chatUser(room.by),
    botIsAdmin: room.botIsAdmin ?? true,
  });
  if (!registered.registered) throw new Error('registration refused');
  if (room.members?.length) {
    await bot.bot.membership.mutate({ chatId: room.id, joined: room.members.map(chatUser) });
  }
  return registered.launchToken;
}
