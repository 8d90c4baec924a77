import type { OfferTerms, PaymentRequestView } from '@payreq/contracts';
import { chatIdToWire, telegramKinds } from '@payreq/contracts';
import type { Actor, OfferOrigin } from '@payreq/domain';
import { assertOfferAcceptable, assertOfferWithdrawable, decideOffer } from '@payreq/domain';
import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';
import { transaction } from '../db';
import { forbidden, notFound } from '../errors';
import type { RequestAccess } from './access';
import { loadAccess, requirePermission } from './access';
import { recordHistory } from './history';
import { enqueueOutbox } from './outbox';
import type { ServiceContext } from './requests';
import { currentView } from './requests';
import { applyTransition } from './transitions';

export interface NewOffer {
  terms: OfferTerms;
  source: 'AGENT' | 'ONEC';
  /** 1C's calculation document, when the offer comes from 1C. */
  onecRef?: string | null;
}

function offerData(
  requestId: string,
  agentId: string,
  offer: NewOffer,
  status: 'PENDING' | 'ACCEPTED',
): Prisma.OfferUncheckedCreateInput {
  return {
    requestId,
    agentId,
    rate: offer.terms.rate,
    feePercent: offer.terms.feePercent,
    fixedFee: offer.terms.fixedFee,
    totalToPay: offer.terms.totalToPay,
    settlementDays: offer.terms.settlementDays,
    validUntil: offer.terms.validUntil ? new Date(offer.terms.validUntil) : null,
    comment: offer.terms.comment ?? null,
    source: offer.source,
    onecRef: offer.onecRef ?? null,
    status,
  };
}

/**
 * Accepts one offer inside the caller's transaction: the request becomes OFFER_ACCEPTED (its
 * fields read-only from now on) through `applyTransition`, the offer ACCEPTED, the other open
 * offers REJECTED, and a synced chat is told. The history tells of the offer itself where it
 * was placed; a choice among offers is an entry of its own (`acceptOffer`).
 */
async function acceptInTx(
  tx: Tx,
  access: RequestAccess,
  offerId: string,
  actor: Actor,
  now: Date,
): Promise<void> {
  await applyTransition(tx, actor, access, [{ kind: 'status', to: 'OFFER_ACCEPTED' }], {
    now,
    version: access.request.version,
    causes: ['acceptOffer'],
    // The chat is told with the offer's terms below, not a bare status line.
    announce: false,
  });
  await tx.offer.update({ where: { id: offerId }, data: { status: 'ACCEPTED' } });
  await tx.offer.updateMany({
    where: { requestId: access.request.id, status: 'PENDING', id: { not: offerId } },
    data: { status: 'REJECTED' },
  });
  if (access.pipeline.syncsChat && access.request.telegramChatId !== null) {
    await enqueueOutbox(tx, [
      {
        target: 'TELEGRAM',
        kind: telegramKinds.offerAccepted,
        payload: {
          requestId: access.request.id,
          chatId: chatIdToWire(access.request.telegramChatId),
          offerId,
        },
      },
    ]);
  }
}

/**
 * Records an offer and applies the pipeline's rule (the domain's `decideOffer`): pending in the
 * standard market, replacing the agent's earlier open offer; accepted at once when it is the
 * linked agent's (or 1C's on its behalf) on a Telegram request.
 */
export async function placeOfferInTx(
  tx: Tx,
  access: RequestAccess,
  origin: OfferOrigin,
  offer: NewOffer,
  actor: Actor,
  now: Date,
): Promise<string> {
  const decision = decideOffer(
    { ...access.facts, offersDeadline: access.request.offersDeadline },
    origin,
    now,
  );
  if (decision.outcome === 'PENDING' && decision.withdrawsOwnOpenOffer) {
    await tx.offer.updateMany({
      where: { requestId: access.request.id, agentId: decision.agentId, status: 'PENDING' },
      data: { status: 'WITHDRAWN' },
    });
  }
  const created = await tx.offer.create({
    data: offerData(access.request.id, decision.agentId, offer, 'PENDING'),
  });
  await recordHistory(
    tx,
    access.request.id,
    actor,
    [{ field: 'offer', from: null, to: created.id }],
    now,
  );
  if (decision.outcome === 'AUTO_ACCEPT') {
    await acceptInTx(tx, access, created.id, actor, now);
  } else {
    await tx.paymentRequest.update({ where: { id: access.request.id }, data: { updatedAt: now } });
  }
  return created.id;
}

/** Offers are made and withdrawn by agents only: `work` runs as the agent, in one transaction. */
function asAgentInTransaction<T>(
  ctx: ServiceContext,
  work: (tx: Tx, actor: Extract<Actor, { kind: 'agent' }>) => Promise<T>,
): Promise<T> {
  const { actor } = ctx;
  if (actor.kind !== 'agent') throw forbidden();
  return transaction(ctx.db, (tx) => work(tx, actor));
}

/** Locks the request and checks the caller may see it and do `permission` with its offers. */
async function lockForOffers(
  tx: Tx,
  actor: Actor,
  requestId: string,
  permission: 'offer.accept' | 'offer.create',
): Promise<RequestAccess> {
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requirePermission(access, 'application.view');
  requirePermission(access, permission);
  return access;
}

export async function submitOffer(
  ctx: ServiceContext,
  input: { requestId: string; terms: OfferTerms },
): Promise<PaymentRequestView> {
  return asAgentInTransaction(ctx, async (tx, actor) => {
    const access = await lockForOffers(tx, actor, input.requestId, 'offer.create');
    await placeOfferInTx(
      tx,
      access,
      { kind: 'agent', agentId: actor.agentId },
      { terms: input.terms, source: 'AGENT' },
      actor,
      ctx.now(),
    );
    return currentView(tx, actor, input.requestId);
  });
}

/** Locks the request, checks the caller may see it and act, and finds the offer named on it. */
async function lockOffer(
  tx: Tx,
  actor: Actor,
  input: { requestId: string; offerId: string },
  permission: 'offer.accept' | 'offer.create',
) {
  const access = await lockForOffers(tx, actor, input.requestId, permission);
  const offer = await tx.offer.findFirst({
    where: { id: input.offerId, requestId: input.requestId },
  });
  if (!offer) throw notFound('offer');
  return { access, offer };
}

/** Standard pipeline: the client chooses one of the offers. */
export async function acceptOffer(
  ctx: ServiceContext,
  input: { requestId: string; offerId: string },
): Promise<PaymentRequestView> {
  return transaction(ctx.db, async (tx) => {
    const { access, offer } = await lockOffer(tx, ctx.actor, input, 'offer.accept');
    assertOfferAcceptable(
      { status: access.request.status, offersDeadline: access.request.offersDeadline },
      offer,
      ctx.now(),
    );
    await recordHistory(
      tx,
      access.request.id,
      ctx.actor,
      [{ field: 'offerAccepted', from: null, to: offer.id }],
      ctx.now(),
    );
    await acceptInTx(tx, access, offer.id, ctx.actor, ctx.now());
    return currentView(tx, ctx.actor, input.requestId);
  });
}

/** Standard pipeline: an agent takes back their open offer before the deadline. */
export async function withdrawOffer(
  ctx: ServiceContext,
  input: { requestId: string; offerId: string },
): Promise<PaymentRequestView> {
  return asAgentInTransaction(ctx, async (tx, actor) => {
    // Withdrawing is part of making offers: the same agents, the same window.
    const { access, offer } = await lockOffer(tx, actor, input, 'offer.create');
    const now = ctx.now();
    assertOfferWithdrawable(
      { status: access.request.status, offersDeadline: access.request.offersDeadline },
      offer,
      actor.agentId,
      now,
    );
    await tx.offer.update({ where: { id: offer.id }, data: { status: 'WITHDRAWN' } });
    await recordHistory(
      tx,
      access.request.id,
      actor,
      [{ field: 'offerWithdrawn', from: offer.id, to: null }],
      now,
    );
    await tx.paymentRequest.update({ where: { id: access.request.id }, data: { updatedAt: now } });
    return currentView(tx, actor, input.requestId);
  });
}
