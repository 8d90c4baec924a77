import type { PaymentStatus, RequestStatus } from '@payreq/contracts';

import type { Actor } from './access';
import type { StepChange } from './changes';
import { DomainError } from './errors';
import type { Pipeline } from './pipeline';

/**
 * What 1C must hear of a request after it was sent there, and which of 1C's posts come too
 * late. 1C keeps a copy of every in-house request from its submit on; the platform tells it
 * each later change, in order, carrying the request's version, and 1C names the version it
 * computed on when it posts an offer or a status back.
 */

/** What the rules read of a request to decide whether 1C hears of a change. */
export interface OnecSyncFacts {
  pipeline: Pick<Pipeline, 'sendsToOnec'>;
  /** The status before the change. */
  status: RequestStatus;
}

/**
 * 1C hears of a change when it has the request (an in-house request past its draft: the submit
 * itself is the "create" call) and 1C did not make the change itself (its own posts it knows).
 */
export function tellsOnec(facts: OnecSyncFacts, actor: Pick<Actor, 'kind'>): boolean {
  return facts.pipeline.sendsToOnec && facts.status !== 'DRAFT' && actor.kind !== 'onec';
}

/** A status or payment step as 1C is told it (cancellation is its own kind: 1C stops work on it). */
export type OnecStepChange =
  | { type: 'status'; from: RequestStatus; to: RequestStatus }
  | { type: 'cancelled'; from: RequestStatus }
  | { type: 'paymentStatus'; from: PaymentStatus; to: PaymentStatus };

/** The steps of a planned change, as the changes 1C is told of (the submit step is the create call). */
export function onecChangesOfSteps(steps: readonly StepChange[]): OnecStepChange[] {
  return steps.flatMap((step): OnecStepChange[] => {
    if (step.field === 'paymentStatus')
      return [
        {
          type: 'paymentStatus',
          from: step.from as PaymentStatus,
          to: step.to as PaymentStatus,
        },
      ];
    const from = step.from as RequestStatus;
    const to = step.to as RequestStatus;
    if (from === 'DRAFT') return [];
    if (to === 'CANCELLED') return [{ type: 'cancelled', from }];
    return [{ type: 'status', from, to }];
  });
}

/** The versions a 1C post is checked against. */
export interface OnecVersionFacts {
  /** The request's version now. */
  version: number;
  /** The version the form fields last changed at. */
  fieldsVersion: number;
}

export type OnecVersionCheck =
  { ok: true } | { ok: false; reason: 'stale' | 'unknown'; currentVersion: number };

/**
 * An offer or a status 1C computed on `basedOn`: stale when the fields changed after that
 * version (1C priced or moved on data the client has since changed); a version the request
 * never had is a mistake of 1C's. Any version from the last field change on is current: the
 * status moves in between (1C's own, the payment marks) do not change what 1C computed on.
 */
export function checkOnecVersion(basedOn: number, facts: OnecVersionFacts): OnecVersionCheck {
  if (basedOn > facts.version)
    return { ok: false, reason: 'unknown', currentVersion: facts.version };
  if (basedOn < facts.fieldsVersion)
    return { ok: false, reason: 'stale', currentVersion: facts.version };
  return { ok: true };
}

/** `checkOnecVersion` as an error: STALE_VERSION (409), or VALIDATION_FAILED for a version never seen. */
export function assertOnecVersion(basedOn: number, facts: OnecVersionFacts): void {
  const check = checkOnecVersion(basedOn, facts);
  if (check.ok) return;
  if (check.reason === 'unknown') {
    throw new DomainError('VALIDATION_FAILED', 'ONEC_VERSION_UNKNOWN', {
      version: basedOn,
      current: check.currentVersion,
    });
  }
  throw new DomainError('STALE_VERSION', 'ONEC_VERSION_STALE', {
    version: basedOn,
    current: check.currentVersion,
  });
}
