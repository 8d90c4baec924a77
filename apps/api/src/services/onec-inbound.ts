import type {
  OfferTerms,
  OnecOfferBody,
  OnecOfferResult,
  OnecRequestView,
  OnecStatusBody,
  OnecStatusResult,
} from '@payreq/contracts';
import { displayRequestNumber } from '@payreq/contracts';
import type { Actor, RequestChange } from '@payreq/domain';
import { DomainError, assertOnecVersion } from '@payreq/domain';
import type { Offer } from '@payreq/db';
import { fromOnecDateTime } from '@payreq/onec';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import { AppError } from '../errors';
import { recordHistory } from './history';
import { loadAccess, requirePermission } from './access';
import { placeOfferInTx } from './offers';
import { applyTransition } from './transitions';
import { fieldsOf } from './views';

/**
 * 1C → platform: what 1C's calls to the REST shim do (read the request, post the computed offer,
 * post a status). Documents 1C posts are in documents.ts; what the platform tells 1C is in
 * onec-outbound.ts.
 */

/** The 1C integration that calls the REST shim. */
export type OnecActor = Extract<Actor, { kind: 'onec' }>;

/** `GET /onec/v1/requests/{requestId}`: the request as 1C reads it. */
export async function getOnecRequestView(
  db: Db | Tx,
  actor: OnecActor,
  requestId: string,
): Promise<OnecRequestView> {
  const access = await loadAccess(db as Tx, actor, requestId);
  requirePermission(access, 'application.view');
  const row = await (db as Tx).paymentRequest.findUniqueOrThrow({
    where: { id: requestId },
    include: {
      agent: true,
      offers: { where: { status: 'ACCEPTED' }, select: { id: true }, take: 1 },
    },
  });
  return {
    id: row.id,
    number: row.number,
    displayNumber: displayRequestNumber(row.number),
    status: row.status,
    paymentStatus: row.paymentStatus,
    inHouse: access.pipeline.inHouse,
    onecRef: row.onecRef,
    agent: row.agent ? { id: row.agent.id, name: row.agent.name } : null,
    fields: fieldsOf(row),
    acceptedOfferId: row.offers[0]?.id ?? null,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function onecDate(value: string, timeZone: string, field: string): string | null {
  try {
    return fromOnecDateTime(value, timeZone)?.toISOString() ?? null;
  } catch {
    throw new AppError('VALIDATION_FAILED', {
      ru: `${field}: несуществующая дата ${value}`,
      en: `${field}: ${value} is not a valid date`,
    });
  }
}

/** Whether a stored offer has these terms (decimals compared as numbers: "92.50" is 92.5). */
function sameTerms(
  offer: Pick<
    Offer,
    'rate' | 'feePercent' | 'fixedFee' | 'totalToPay' | 'settlementDays' | 'validUntil' | 'comment'
  >,
  terms: OfferTerms,
): boolean {
  return (
    offer.rate.equals(terms.rate) &&
    offer.feePercent.equals(terms.feePercent) &&
    offer.fixedFee.equals(terms.fixedFee) &&
    offer.totalToPay.equals(terms.totalToPay) &&
    offer.settlementDays === terms.settlementDays &&
    (offer.validUntil?.toISOString() ?? null) === (terms.validUntil ?? null) &&
    offer.comment === (terms.comment ?? null)
  );
}

/**
 * `POST .../offer`: 1C's computed terms become an offer of the request's linked agent
 * (source ONEC) and are accepted at once (the domain decides: in-house requests that are
 * collecting offers only). The same calculation (`Ref_Key`) posted again answers the offer
 * already made; another calculation for an accepted request is refused by the domain.
 */
export async function acceptOnecOfferInTx(
  tx: Tx,
  actor: OnecActor,
  requestId: string,
  body: OnecOfferBody,
  options: { now: Date; timeZone: string },
): Promise<{ created: boolean; result: OnecOfferResult }> {
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requirePermission(access, 'application.view');
  const onecRef = body.Ref_Key.toLowerCase();
  const terms = {
    rate: body.rate,
    feePercent: body.feePercent,
    fixedFee: body.fixedFee,
    totalToPay: body.totalToPay,
    settlementDays: body.settlementDays,
    validUntil: body.validUntil ? onecDate(body.validUntil, options.timeZone, 'validUntil') : null,
    comment: body.comment ?? null,
  };
  const existing = await tx.offer.findUnique({ where: { onecRef } });
  // A repeat of an offer already made answers it again; a new one must be on the current fields.
  if (!existing) assertOnecVersion(body.version, access.request);
  if (existing) {
    if (existing.requestId !== requestId || existing.status !== 'ACCEPTED') {
      throw new AppError('ALREADY_EXISTS', {
        ru: `Расчёт 1С ${onecRef} уже использован для другого предложения`,
        en: `The 1C calculation ${onecRef} was already used for another offer`,
      });
    }
    // The calculation edited in 1C and posted again: the accepted terms stand, and 1C must know.
    if (!sameTerms(existing, terms)) {
      throw new AppError('ALREADY_EXISTS', {
        ru: `Расчёт 1С ${onecRef} уже принят с другими условиями; принятые условия не меняются`,
        en: `The 1C calculation ${onecRef} was already accepted with other terms; accepted terms do not change`,
      });
    }
    return {
      created: false,
      result: {
        offerId: existing.id,
        requestId,
        status: access.request.status,
        offerStatus: 'ACCEPTED',
        version: access.request.version,
      },
    };
  }
  const offerId = await placeOfferInTx(
    tx,
    access,
    { kind: 'onec' },
    {
      terms,
      source: 'ONEC',
      onecRef,
    },
    actor,
    options.now,
  );
  const after = await tx.paymentRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { status: true, version: true },
  });
  return {
    created: true,
    result: {
      offerId,
      requestId,
      status: after.status,
      offerStatus: 'ACCEPTED',
      version: after.version,
    },
  };
}

/**
 * `POST .../status`: 1C sets the request status and/or the payment status through the same
 * transition as everyone (the domain's tables decide what the ONEC role may do), in one change:
 * the payment status first (a request is completed only after the payout). A value equal to the
 * current one is no change. Runs in the caller's transaction (the shim's idempotency record).
 */
export async function applyOnecStatusInTx(
  tx: Tx,
  actor: OnecActor,
  requestId: string,
  body: OnecStatusBody,
  now: Date,
): Promise<OnecStatusResult> {
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requirePermission(access, 'application.view');
  assertOnecVersion(body.version, access.request);
  const changes: RequestChange[] = [];
  if (body.paymentStatus && body.paymentStatus !== access.request.paymentStatus)
    changes.push({ kind: 'payment', to: body.paymentStatus });
  if (body.status && body.status !== access.request.status)
    changes.push({ kind: 'status', to: body.status });
  const applied = await applyTransition(tx, actor, access, changes, {
    now,
    comment: body.comment ?? null,
  });
  return {
    requestId,
    status: applied.status,
    paymentStatus: applied.paymentStatus,
    version: applied.version,
  };
}

/**
 * Runs one of 1C's posts; when it is refused as computed on fields changed since
 * (STALE_VERSION), the agent is told in the request's history, in its own transaction (the
 * post's rolled back, so nothing else is written), once per calculation or idempotency key:
 * 1C's retries of the same post do not repeat the note.
 */
export async function withStaleNote<T>(
  db: Db,
  actor: OnecActor,
  post: { requestId: string; what: 'offer' | 'status'; key: string; now: Date },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'STALE_VERSION') {
      await transaction(db, async (tx) => {
        const note = { what: post.what, key: post.key };
        const noted = await tx.requestHistory.findFirst({
          where: {
            requestId: post.requestId,
            field: 'onecStaleRefused',
            toValue: { equals: note },
          },
          select: { id: true },
        });
        if (!noted)
          await recordHistory(
            tx,
            post.requestId,
            actor,
            [{ field: 'onecStaleRefused', from: null, to: note }],
            post.now,
          );
      });
    }
    throw error;
  }
}
