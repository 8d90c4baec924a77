import type { OfferTerms, PaymentRequestView } from '@payreq/contracts';
import { chatIdToWire, displayRequestNumber, telegramKinds } from '@payreq/contracts';
import type { Actor, OfferOrigin } from '@payreq/domain';
import {
  assertOfferAcceptable,
  assertOfferWithdrawable,
  decideOffer,
  offerChoiceRecipients,
  offerNewsRecipients,
} from '@payreq/domain';
import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';
import { transaction } from '../db';
import { forbidden, notFound } from '../errors';
import type { RequestAccess } from './access';
import { loadAccess, requirePermission } from './access';
import { recordHistory } from './history';
import { notifyOffer } from './notifications';
import { enqueueOutbox } from './outbox';
import type { ServiceContext } from './requests';
import { currentView } from './requests';
import { applyTransition } from './transitions';
import { offerPricedTerms, requestPricedTerms } from './views';

export interface NewOffer {
  terms: OfferTerms;
  source: 'AGENT' | 'ONEC';
  /** 1C's calculation document, when the offer comes from 1C. */
  onecRef?: string | null;
}

/**
 * The offer's row: its terms, and what it priced (the request's amount, currency, direction and
 * payment currency as they are now), so a later change of the request leaves it as it was made.
 */
function offerData(
  request: RequestAccess['request'],
  agentId: string,
  offer: NewOffer,
  status: 'PENDING' | 'ACCEPTED',
): Prisma.OfferUncheckedCreateInput {
  const priced = requestPricedTerms(request);
  return {
    requestId: request.id,
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
    pricedAmount: priced.amount,
    pricedCurrency: priced.currency,
    pricedDirection: priced.direction,
    pricedTotalCurrency: priced.totalCurrency,
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
    { validUntil: offer.terms.validUntil ? new Date(offer.terms.validUntil) : null },
  );
  let replaced = 0;
  if (decision.outcome === 'PENDING' && decision.withdrawsOwnOpenOffer) {
    ({ count: replaced } = await tx.offer.updateMany({
      where: { requestId: access.request.id, agentId: decision.agentId, status: 'PENDING' },
      data: { status: 'WITHDRAWN' },
    }));
  }
  const created = await tx.offer.create({
    data: offerData(access.request, decision.agentId, offer, 'PENDING'),
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
    await tellClientOfOffer(tx, access, decision.agentId, replaced > 0);
  }
  return created.id;
}

/** The client side hears of an offer sent or changed on its standard request. */
async function tellClientOfOffer(
  tx: Tx,
  access: RequestAccess,
  agentId: string,
  changed: boolean,
): Promise<void> {
  const [members, agent] = await Promise.all([
    tx.user.findMany({ where: { tenantId: access.request.tenantId }, select: { id: true } }),
    tx.agent.findUniqueOrThrow({ where: { id: agentId }, select: { name: true } }),
  ]);
  const recipients = offerNewsRecipients({
    memberUserIds: members.map((member) => member.id),
    filedByAgentId: access.request.filedByAgentId,
    offeringAgentId: agentId,
  });
  await notifyOffer(tx, access.request.id, recipients, {
    kind: 'offerReceived',
    displayNumber: displayRequestNumber(access.request.number),
    agentName: agent.name,
    changed,
  });
}

/** The agents hear the client's choice: the chosen one, and those whose open offers it closes. */
async function tellAgentsOfChoice(tx: Tx, access: RequestAccess, offerId: string): Promise<void> {
  const offers = await tx.offer.findMany({
    where: { requestId: access.request.id },
    select: { id: true, agentId: true, status: true },
  });
  const { chosen, notChosen } = offerChoiceRecipients(offers, offerId);
  const displayNumber = displayRequestNumber(access.request.number);
  if (chosen)
    await notifyOffer(tx, access.request.id, [chosen], { kind: 'offerChosen', displayNumber });
  await notifyOffer(tx, access.request.id, notChosen, { kind: 'offerNotChosen', displayNumber });
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
      {
        status: access.request.status,
        offersDeadline: access.request.offersDeadline,
        priced: requestPricedTerms(access.request),
      },
      { status: offer.status, validUntil: offer.validUntil, priced: offerPricedTerms(offer) },
      ctx.now(),
    );
    await recordHistory(
      tx,
      access.request.id,
      ctx.actor,
      [{ field: 'offerAccepted', from: null, to: offer.id }],
      ctx.now(),
    );
    // Read before the acceptance closes the other open offers.
    await tellAgentsOfChoice(tx, access, offer.id);
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
