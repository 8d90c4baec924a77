import type {
  Locale,
  MiniAppSession,
  PaymentRequestPatch,
  PaymentRequestView,
  PaymentStatus,
  RequestStatus,
  UserInfo,
} from '@payreq/contracts';
import { chatIdToWire, telegramKinds } from '@payreq/contracts';
import { agentForChatRequest, filledByClient, permissionsWithoutRequest } from '@payreq/domain';

import type { TelegramLaunch } from '../auth/telegram';
import { AppError, forbidden } from '../errors';
import type { BoundChat } from './chats';
import { historyActorOf } from './history';
import { enqueueOutbox } from './outbox';
import { agentInfo, clientInfo } from './users';
import type { ServiceContext } from './requests';
import {
  changePaymentStatus,
  changeStatus,
  createDraft,
  loadRequestView,
  updateLoadedFields,
  viewOf,
} from './requests';
import { fieldsOf } from './views';
import { isUniqueViolation, transaction } from '../db';

/** The bot's word to the deal room that the client filled the request (`filledByClient`). */
function requestFilledMessage(requestId: string, chat: BoundChat, actor: ServiceContext['actor']) {
  return {
    target: 'TELEGRAM' as const,
    kind: telegramKinds.requestFilled,
    payload: { requestId, chatId: chatIdToWire(chat.chatId), by: historyActorOf(actor) },
  };
}

async function chatRequestId(ctx: ServiceContext, chat: BoundChat): Promise<string | null> {
  const request = await ctx.db.paymentRequest.findUnique({
    where: { telegramChatId: chat.chatId },
    select: { id: true },
  });
  return request?.id ?? null;
}

const noRequestYet = () =>
  new AppError('NOT_FOUND', {
    ru: 'В этом чате ещё нет заявки',
    en: 'This chat has no payment request yet',
  });

/** Who the caller is in this chat, and the chat's request (if any) as they may see it. */
export async function miniAppSession(
  ctx: ServiceContext & { locale: Locale; telegram?: TelegramLaunch | null },
  chat: BoundChat,
): Promise<MiniAppSession> {
  const loaded = await loadRequestView(ctx.db, ctx.actor, { telegramChatId: chat.chatId }, chat);
  let request: PaymentRequestView | null = null;
  let permissions: UserInfo['permissions'];
  if (loaded) {
    permissions = loaded.access.permissions;
    request = permissions.includes('application.view')
      ? viewOf(ctx.actor, loaded.access, loaded.row)
      : null;
  } else {
    permissions = permissionsWithoutRequest(ctx.actor, {
      chatBound: true,
      isChatMember: chat.isMember,
      isChatAgent: chat.isChatAgent,
    });
  }
  return {
    me: await userInfo(ctx, permissions),
    chat: { id: Number(chat.chatId), title: chat.title },
    request,
  };
}

export async function userInfo(
  ctx: ServiceContext & { locale: Locale; telegram?: TelegramLaunch | null },
  permissions: UserInfo['permissions'],
): Promise<UserInfo> {
  const { actor } = ctx;
  const settings = { locale: ctx.locale, timeZone: 'Europe/Moscow' };
  // What authentication read of this caller a moment ago, when it was a Mini App call.
  const known = ctx.telegram?.prefetched?.caller;
  if (actor.kind === 'agent') {
    const tenant =
      known?.kind === 'agent' && known.agentId === actor.agentId
        ? known.tenant
        : await ctx.db.tenant.findUniqueOrThrow({ where: { id: actor.tenantId } });
    return agentInfo(actor, tenant, settings, permissions);
  }
  if (actor.kind === 'user') {
    const user =
      known?.kind === 'user' && known.user.id === actor.userId
        ? known.user
        : await ctx.db.user.findUniqueOrThrow({
            where: { id: actor.userId },
            include: { tenant: true },
          });
    return clientInfo(actor, user, settings, permissions);
  }
  throw forbidden();
}

/**
 * Saves the chat's request: the first save creates it (one request per chat, linked to
 * the creating agent or to the agent who registered the chat); later saves update it
 * with optimistic concurrency on `version`.
 */
export async function saveChatRequest(
  ctx: ServiceContext,
  chat: BoundChat,
  input: { version?: number; fields: PaymentRequestPatch },
): Promise<PaymentRequestView> {
  // The chat's request, if it has one, is found and locked by one statement; the save then
  // works on one read of it (access and view from the same row).
  const updated = await transaction(ctx.db, async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "PaymentRequest" WHERE "telegramChatId" = ${chat.chatId} FOR UPDATE`;
    if (!locked) return null;
    if (input.version === undefined) {
      throw new AppError('VALIDATION_FAILED', {
        ru: 'Не указана версия заявки',
        en: 'The request version is missing',
      });
    }
    const loaded = await loadRequestView(tx, ctx.actor, { id: locked.id }, chat);
    if (!loaded) throw noRequestYet();
    const saved = await updateLoadedFields(tx, ctx.actor, ctx.now(), loaded, {
      version: input.version,
      fields: input.fields,
    });
    const filled = filledByClient({
      actor: ctx.actor,
      status: loaded.access.request.status,
      before: fieldsOf(loaded.access.request),
      after: saved.fields,
    });
    if (filled && loaded.access.pipeline.syncsChat)
      await enqueueOutbox(tx, [requestFilledMessage(saved.id, chat, ctx.actor)]);
    return saved;
  });
  if (updated) return updated;
  const { actor } = ctx;
  const allowed = permissionsWithoutRequest(actor, {
    chatBound: true,
    isChatMember: chat.isMember,
    isChatAgent: chat.isChatAgent,
  });
  if (!allowed.includes('application.create')) throw forbidden();
  const agentId = agentForChatRequest(actor, chat);
  if (!agentId) throw forbidden();
  try {
    return await transaction(ctx.db, async (tx) => {
      const agent = await tx.agent.findUniqueOrThrow({ where: { id: agentId } });
      const created = await createDraft(tx, actor, input.fields, ctx.now(), {
        tenantId: agent.tenantId,
        source: 'TELEGRAM',
        telegramChatId: chat.chatId,
        agentId,
        clientUserId: actor.kind === 'user' ? actor.userId : null,
      });
      const loaded = await loadRequestView(tx, actor, { id: created.id }, chat);
      if (!loaded) throw noRequestYet();
      const view = viewOf(actor, loaded.access, loaded.row);
      // The group hears that its request exists (the bot posts it in the chat's language), and
      // that the client filled it, when the first save did.
      if (loaded.access.pipeline.syncsChat) {
        const filled = filledByClient({
          actor,
          status: view.status,
          before: null,
          after: view.fields,
        });
        await enqueueOutbox(tx, [
          {
            target: 'TELEGRAM',
            kind: telegramKinds.requestCreated,
            payload: {
              requestId: created.id,
              chatId: chatIdToWire(chat.chatId),
              by: historyActorOf(actor),
            },
          },
          ...(filled ? [requestFilledMessage(created.id, chat, actor)] : []),
        ]);
      }
      return view;
    });
  } catch (error) {
    // Two people pressed "save" on an empty chat at once: the second sees the first's request.
    if (isUniqueViolation(error)) {
      throw new AppError('VERSION_CONFLICT', {
        ru: 'Заявку в этом чате уже создали: обновите её и повторите',
        en: 'Someone created this chat’s request first: reload it and try again',
      });
    }
    throw error;
  }
}

/** The agent's status menu: a draft moved on is submitted ("new in-house", and sent to 1C). */
export async function setChatRequestStatus(
  ctx: ServiceContext,
  chat: BoundChat,
  input: { status: RequestStatus; version?: number },
): Promise<PaymentRequestView> {
  const requestId = await chatRequestId(ctx, chat);
  if (!requestId) throw noRequestYet();
  return changeStatus(ctx, { requestId, status: input.status, version: input.version });
}

export async function setChatPaymentStatus(
  ctx: ServiceContext,
  chat: BoundChat,
  input: { paymentStatus: PaymentStatus },
): Promise<PaymentRequestView> {
  const requestId = await chatRequestId(ctx, chat);
  if (!requestId) throw noRequestYet();
  return changePaymentStatus(ctx, { requestId, paymentStatus: input.paymentStatus });
}

export async function requireChatRequestId(ctx: ServiceContext, chat: BoundChat): Promise<string> {
  const requestId = await chatRequestId(ctx, chat);
  if (!requestId) throw noRequestYet();
  return requestId;
}
