import { randomBytes } from 'node:crypto';

import type { ChatSummary, RegisterChatResult } from '@payreq/contracts';
import { displayRequestNumber } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { isFormerAgent, isOnWhitelist } from '@payreq/domain';
import type { z } from 'zod';
import type { MembershipInput, MigrateChatInput, RegisterChatInput } from '@payreq/contracts';

import type { LaunchBinding, TelegramLaunch } from '../auth/telegram';
import { launchTokenPattern } from '../auth/telegram';
import type { Db, Tx } from '../db';
import { transaction } from '../db';
import type { MembershipCheck } from '../telegram/membership';
import { AppError, notFound } from '../errors';

/** 32 characters of [A-Za-z0-9_-]: what Telegram allows in `startapp`, and unguessable (192 bits). */
export function newLaunchToken(): string {
  return randomBytes(24).toString('base64url');
}

export async function issueLaunchToken(tx: Tx | Db, chatId: bigint): Promise<string> {
  const token = newLaunchToken();
  await tx.launchToken.create({ data: { token, chatId } });
  return token;
}

/**
 * The bot was added to a group. Only a whitelisted, active agent may open a deal room:
 * the chat is registered, the agent linked, and a launch token issued for the Mini App
 * button. Anyone else gets a refusal and nothing is written.
 */
export async function registerChat(
  db: Db,
  input: z.output<typeof RegisterChatInput>,
): Promise<RegisterChatResult> {
  const agent = await db.agent.findUnique({
    where: { telegramId: BigInt(input.addedBy.telegramId) },
  });
  if (!isOnWhitelist(agent)) return { registered: false, reason: 'NOT_WHITELISTED' };
  const chatId = BigInt(input.chat.id);
  return transaction(db, async (tx) => {
    const chat = await tx.telegramChat.upsert({
      where: { id: chatId },
      // A re-added bot keeps the chat's first agent: the request stays linked to it.
      create: {
        id: chatId,
        type: input.chat.type,
        title: input.chat.title ?? null,
        agentId: agent.id,
        botIsAdmin: input.botIsAdmin,
        botReadsAll: input.botReadsAll,
      },
      update: {
        type: input.chat.type,
        title: input.chat.title ?? undefined,
        botIsAdmin: input.botIsAdmin,
        botReadsAll: input.botReadsAll,
        agentId: undefined,
      },
    });
    if (chat.agentId === null)
      await tx.telegramChat.update({ where: { id: chatId }, data: { agentId: agent.id } });
    await tx.chatMember.upsert({
      where: {
        chatId_telegramUserId: { chatId, telegramUserId: BigInt(input.addedBy.telegramId) },
      },
      create: {
        chatId,
        telegramUserId: BigInt(input.addedBy.telegramId),
        name: input.addedBy.name,
        status: 'MEMBER',
      },
      update: { name: input.addedBy.name, status: 'MEMBER' },
    });
    const linked = chat.agentId
      ? await tx.agent.findUniqueOrThrow({ where: { id: chat.agentId } })
      : agent;
    const launchToken = await issueLaunchToken(tx, chatId);
    return {
      registered: true as const,
      chatId: input.chat.id,
      agent: { id: linked.id, name: linked.name },
      launchToken,
      locale: chat.locale,
    };
  });
}

/** Follows a group's upgrades to supergroups to the chat's current id. */
/** The chat as it is now: after a group's upgrade, the supergroup it moved to. */
export async function currentChat(tx: Tx | Db, chatId: bigint) {
  let chat = await tx.telegramChat.findUnique({ where: { id: chatId } });
  for (let hops = 0; chat?.migratedToChatId && hops < 5; hops += 1) {
    chat = await tx.telegramChat.findUnique({ where: { id: chat.migratedToChatId } });
  }
  return chat;
}

async function requireChat(tx: Tx | Db, chatId: number) {
  const chat = await currentChat(tx, BigInt(chatId));
  if (!chat) throw notFound('chat');
  return chat;
}

export async function launchTokenFor(
  db: Db,
  chatId: number,
): Promise<{ chatId: number; launchToken: string }> {
  const chat = await requireChat(db, chatId);
  return { chatId: Number(chat.id), launchToken: await issueLaunchToken(db, chat.id) };
}

/** Revokes every launch token of a chat (e.g. a link leaked): old buttons stop working. */
export async function revokeLaunchTokens(db: Db, chatId: number): Promise<number> {
  const chat = await requireChat(db, chatId);
  const { count } = await db.launchToken.updateMany({
    where: { chatId: chat.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

/** Members joining and leaving, as the bot sees them: the chat binding trusts this list. */
export async function recordMembership(
  db: Db,
  input: z.output<typeof MembershipInput>,
): Promise<void> {
  await transaction(db, async (tx) => {
    const chat = await requireChat(tx, input.chatId);
    for (const member of input.joined) {
      const telegramUserId = BigInt(member.telegramId);
      const status = member.admin ? 'ADMIN' : 'MEMBER';
      await tx.chatMember.upsert({
        where: { chatId_telegramUserId: { chatId: chat.id, telegramUserId } },
        create: { chatId: chat.id, telegramUserId, name: member.name, status },
        update: { name: member.name, status },
      });
    }
    if (input.left.length > 0) {
      await tx.chatMember.updateMany({
        where: { chatId: chat.id, telegramUserId: { in: input.left.map((id) => BigInt(id)) } },
        data: { status: 'LEFT' },
      });
    }
    if (input.botIsAdmin !== undefined)
      await tx.telegramChat.update({
        where: { id: chat.id },
        data: { botIsAdmin: input.botIsAdmin },
      });
  });
}

/**
 * A group became a supergroup and got a new id. The new chat takes over the request, the
 * members and the launch tokens; the old row remembers where it went, and messages keep
 * the id they were written under.
 */
export async function migrateChat(db: Db, input: z.output<typeof MigrateChatInput>): Promise<void> {
  const from = BigInt(input.fromChatId);
  const to = BigInt(input.toChatId);
  await transaction(db, async (tx) => {
    const old = await tx.telegramChat.findUnique({ where: { id: from } });
    if (!old) throw notFound('chat');
    if (old.migratedToChatId === to) return;
    await tx.telegramChat.upsert({
      where: { id: to },
      create: {
        id: to,
        type: 'supergroup',
        title: old.title,
        agentId: old.agentId,
        botIsAdmin: old.botIsAdmin,
        botReadsAll: old.botReadsAll,
        locale: old.locale,
      },
      update: { agentId: old.agentId },
    });
    await tx.telegramChat.update({ where: { id: from }, data: { migratedToChatId: to } });
    await tx.paymentRequest.updateMany({
      where: { telegramChatId: from },
      data: { telegramChatId: to },
    });
    const members = await tx.chatMember.findMany({ where: { chatId: from } });
    for (const member of members) {
      await tx.chatMember.upsert({
        where: { chatId_telegramUserId: { chatId: to, telegramUserId: member.telegramUserId } },
        create: {
          chatId: to,
          telegramUserId: member.telegramUserId,
          name: member.name,
          status: member.status,
        },
        update: {},
      });
    }
    await tx.launchToken.updateMany({ where: { chatId: from }, data: { chatId: to } });
  });
}

/** The ids a chat had over its life (a group and the supergroup it became). */
export async function chatIdHistory(tx: Tx | Db, chatId: bigint): Promise<bigint[]> {
  const ids = [chatId];
  let current = chatId;
  for (let hops = 0; hops < 5; hops += 1) {
    const previous = await tx.telegramChat.findFirst({
      where: { migratedToChatId: current },
      select: { id: true },
    });
    if (!previous) break;
    ids.push(previous.id);
    current = previous.id;
  }
  return ids;
}

export interface BoundChat {
  chatId: bigint;
  title: string | null;
  agentId: string | null;
  isMember: boolean;
  isChatAgent: boolean;
}

/** A launch token, its chat and a Telegram user's membership of it: one statement. */
async function readLaunchBinding(
  db: Db,
  token: string,
  telegramUserId: bigint,
): Promise<LaunchBinding> {
  const [row] = await db.$queryRaw<LaunchBinding[]>`
    SELECT true AS "tokenFound", t."revokedAt", c.id AS "chatId", c.title AS "chatTitle",
      c."agentId" AS "chatAgentId", c."migratedToChatId" AS "chatMigratedToChatId",
      m.status::text AS "memberStatus"
    FROM "LaunchToken" AS t
    LEFT JOIN "TelegramChat" AS c ON c.id = t."chatId"
    LEFT JOIN "ChatMember" AS m ON m."chatId" = c.id AND m."telegramUserId" = ${telegramUserId}
    WHERE t.token = ${token}`;
  return (
    row ?? {
      tokenFound: false,
      revokedAt: null,
      chatId: null,
      chatTitle: null,
      chatAgentId: null,
      chatMigratedToChatId: null,
      memberStatus: null,
    }
  );
}

const noAccessToChat = () =>
  new AppError('FORBIDDEN', {
    ru: 'Нет доступа к этому чату. Откройте приложение кнопкой из чата сделки.',
    en: 'No access to this chat. Open the app with the button in the deal-room chat.',
  });

/**
 * The chat a Mini App session works in: the launch token from the signed `start_param`
 * must be valid AND the caller must be a member of that chat (or its agent). A chat id
 * sent by the browser is never trusted; a refusal says nothing about the chat.
 */
export async function resolveBoundChat(
  db: Db,
  actor: Actor,
  launch: TelegramLaunch,
  checkMembership?: MembershipCheck,
): Promise<BoundChat> {
  if (!launch.startParam || !launchTokenPattern.test(launch.startParam)) throw noAccessToChat();
  if (isFormerAgent(actor)) throw noAccessToChat();
  const telegramUserId = BigInt(launch.user.id);
  // The token, its chat and the caller's membership: read with the caller's identity when
  // the call was authenticated, else here, in one statement.
  const bound =
    launch.prefetched?.binding ?? (await readLaunchBinding(db, launch.startParam, telegramUserId));
  if (!bound.tokenFound || bound.revokedAt) throw noAccessToChat();
  let chat: {
    id: bigint;
    title: string | null;
    agentId: string | null;
    migratedToChatId: bigint | null;
  } | null =
    bound.chatId === null
      ? null
      : {
          id: bound.chatId,
          title: bound.chatTitle,
          agentId: bound.chatAgentId,
          migratedToChatId: bound.chatMigratedToChatId,
        };
  let member: { status: string } | null =
    bound.memberStatus === null ? null : { status: bound.memberStatus };
  if (chat?.migratedToChatId) {
    // The group became a supergroup: follow it as `currentChat` does (rare; tokens move along).
    for (let hops = 0; chat?.migratedToChatId && hops < 5; hops += 1) {
      chat = await db.telegramChat.findUnique({ where: { id: chat.migratedToChatId } });
    }
    if (chat) {
      member = await db.chatMember.findUnique({
        where: { chatId_telegramUserId: { chatId: chat.id, telegramUserId } },
      });
    }
  }
  if (!chat) throw noAccessToChat();
  let isMember = member !== null && member.status !== 'LEFT';
  const isChatAgent = actor.kind === 'agent' && chat.agentId === actor.agentId;
  if (!isMember && !isChatAgent && member === null && checkMembership) {
    // Someone who was in the group before the bot came and never wrote: Telegram knows.
    isMember = await checkMembership(chat.id, launch.user.id);
    if (isMember) {
      const name = [launch.user.firstName, launch.user.lastName].filter(Boolean).join(' ');
      await db.chatMember.upsert({
        where: {
          chatId_telegramUserId: { chatId: chat.id, telegramUserId: BigInt(launch.user.id) },
        },
        create: { chatId: chat.id, telegramUserId: BigInt(launch.user.id), name, status: 'MEMBER' },
        update: {},
      });
    }
  }
  if (!isMember && !isChatAgent) throw noAccessToChat();
  return { chatId: chat.id, title: chat.title, agentId: chat.agentId, isMember, isChatAgent };
}

/** What the bot needs to word its messages about a chat. */
export async function chatSummary(db: Db, chatId: number): Promise<ChatSummary> {
  const chat = await currentChat(db, BigInt(chatId));
  if (!chat)
    return {
      chatId,
      registered: false,
      locale: 'ru',
      agentName: null,
      agentTelegramId: null,
      botIsAdmin: false,
      botReadsAll: false,
      mirrored: false,
      messages: 0,
      request: null,
    };
  const [agent, request, messages] = await Promise.all([
    chat.agentId ? db.agent.findUnique({ where: { id: chat.agentId } }) : null,
    db.paymentRequest.findUnique({ where: { telegramChatId: chat.id } }),
    db.chatMessage.count({ where: { chatId: { in: await chatIdHistory(db, chat.id) } } }),
  ]);
  return {
    chatId: Number(chat.id),
    registered: true,
    locale: chat.locale,
    agentName: agent?.name ?? null,
    agentTelegramId: agent?.telegramId != null ? Number(agent.telegramId) : null,
    botIsAdmin: chat.botIsAdmin,
    botReadsAll: chat.botReadsAll,
    mirrored: chat.botIsAdmin || chat.botReadsAll,
    messages,
    request: request
      ? {
          id: request.id,
          displayNumber: displayRequestNumber(request.number),
          status: request.status,
          paymentStatus: request.paymentStatus,
          onecUrl: request.onecUrl,
        }
      : null,
  };
}
