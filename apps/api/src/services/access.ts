import type { Permission } from '@payreq/contracts';
import type { Actor, Pipeline, Relation, RequestAccessFacts } from '@payreq/domain';
import { permissionsFor, pipelineFor, relationTo } from '@payreq/domain';
import type { Prisma } from '@payreq/db';
import { permissionLabel } from '@payreq/i18n';

import type { Tx } from '../db';
import { AppError, forbidden, notFound } from '../errors';

export const requestWithAccess = {
  tenant: true,
  offers: { where: { status: 'ACCEPTED' }, select: { agentId: true } },
} satisfies Prisma.PaymentRequestInclude;

export type RequestWithAccess = Prisma.PaymentRequestGetPayload<{
  include: typeof requestWithAccess;
}>;

export interface RequestAccess {
  request: RequestWithAccess;
  pipeline: Pipeline;
  facts: RequestAccessFacts;
  relation: Relation;
  permissions: Permission[];
  /** The caller's membership of the request's chat: read only where it decides anything (a user on a Telegram request), else false. */
  isChatMember: boolean;
}

export function accessFactsOf(request: RequestWithAccess): {
  pipeline: Pipeline;
  facts: RequestAccessFacts;
} {
  const pipeline = pipelineFor({
    source: request.source,
    telegramChatId: request.telegramChatId,
    tenant: request.tenant,
  });
  return {
    pipeline,
    facts: {
      pipeline,
      status: request.status,
      paymentStatus: request.paymentStatus,
      tenantId: request.tenantId,
      tenantIsMaster: request.tenant.isMaster,
      inHouseVisibility: request.tenant.inHouseVisibility,
      agentId: request.agentId,
      clientUserId: request.clientUserId,
      acceptedOfferAgentId: request.offers[0]?.agentId ?? null,
      filedByAgentId: request.filedByAgentId,
    },
  };
}

/** Whether a Telegram user is (still) a member of a chat, as the bot has reported it. */
export async function isChatMember(
  tx: Tx,
  chatId: bigint | null,
  telegramId: number | null,
): Promise<boolean> {
  if (chatId === null || telegramId === null) return false;
  const member = await tx.chatMember.findUnique({
    where: { chatId_telegramUserId: { chatId, telegramUserId: BigInt(telegramId) } },
    select: { status: true },
  });
  return member !== null && member.status !== 'LEFT';
}

/** Whose membership of the request's chat decides what they may do (a Telegram user's: docs/domain.md). */
export function membershipMatters(actor: Actor, request: RequestWithAccess): boolean {
  return actor.kind === 'user' && accessFactsOf(request).pipeline.kind === 'TELEGRAM';
}

/** What the actor may do with a request already read (with its tenant and accepted offers). */
export function accessOf(
  actor: Actor,
  request: RequestWithAccess,
  isMember: boolean,
): RequestAccess {
  const { pipeline, facts } = accessFactsOf(request);
  const relation = relationTo(actor, facts, { isChatMember: isMember });
  return {
    request,
    pipeline,
    facts,
    relation,
    permissions: permissionsFor(relation, facts),
    isChatMember: isMember,
  };
}

/**
 * The caller's membership of the request's chat, when it decides anything: from `known` (the
 * membership the chat binding just checked, for that chat) or else read.
 */
export async function chatMembershipFor(
  tx: Tx,
  actor: Actor,
  request: RequestWithAccess,
  known?: { chatId: bigint; isMember: boolean },
): Promise<boolean> {
  if (!membershipMatters(actor, request)) return false;
  if (known && request.telegramChatId === known.chatId) return known.isMember;
  const telegramId = actor.kind === 'user' || actor.kind === 'agent' ? actor.telegramId : null;
  return isChatMember(tx, request.telegramChatId, telegramId);
}

/**
 * Loads a request and works out what the actor may do with it. With `lock`, the row is
 * locked for the rest of the transaction, so concurrent changes queue up behind it.
 */
export async function loadAccess(
  tx: Tx,
  actor: Actor,
  requestId: string,
  options: { lock?: boolean } = {},
): Promise<RequestAccess> {
  if (options.lock) {
    await tx.$queryRaw`SELECT id FROM "PaymentRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
  }
  const request = await tx.paymentRequest.findUnique({
    where: { id: requestId },
    include: requestWithAccess,
  });
  if (!request) throw notFound();
  return accessOf(actor, request, await chatMembershipFor(tx, actor, request));
}

/** Refuses unless the permission list holds the permission. Strangers learn nothing of the request. */
export function requirePermission(access: RequestAccess, permission: Permission): void {
  if (access.relation === 'stranger') throw forbidden();
  if (!access.permissions.includes(permission)) {
    throw new AppError('FORBIDDEN', {
      ru: `Вы не можете ${permissionLabel(permission, 'ru')}`,
      en: `You may not ${permissionLabel(permission, 'en')}`,
    });
  }
}
