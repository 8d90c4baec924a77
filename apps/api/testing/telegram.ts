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
