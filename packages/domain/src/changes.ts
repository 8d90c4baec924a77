import type { PaymentRequestFields, PaymentStatus, RequestStatus } from '@payreq/contracts';

import { DomainError } from './errors';
import { assertComplete } from './fields';
import { assertOffersDeadline } from './offers';
import type { Pipeline } from './pipeline';
import type { ActingRole, TransitionCause } from './transitions';
import {
  assertPaymentTransition,
  assertStatusTransition,
  findStatusTransition,
} from './transitions';

/** A change of a request's status or payment status, as a caller asks for it. */
export type RequestChange =
  { kind: 'status'; to: RequestStatus } | { kind: 'payment'; to: PaymentStatus };

/** What the rules read of a request to decide a change. */
export interface ChangeFacts {
  pipeline: Pipeline;
  status: RequestStatus;
  paymentStatus: PaymentStatus;
  fields: PaymentRequestFields;
  offersDeadline: Date | null;
}

export interface StepChange {
  field: 'status' | 'paymentStatus';
  from: string;
  to: string;
}

/** What a change writes: the new columns, its history, what the chat and 1C are told. */
export interface ChangePlan {
  set: { status?: RequestStatus; paymentStatus?: PaymentStatus };
  /** One history row, and one announcement in a synced chat, for each step. */
  steps: StepChange[];
  /** Submitting an in-house request sends it to 1C. */
  sendToOnec: boolean;
}

/** The causes a caller may bring about by asking for a status; offers and expiry have their own roads. */
export const byHandCauses: readonly TransitionCause[] = ['submit', 'setStatus', 'cancel'];

/**
 * Checks a list of changes, applied in order (1C may set the payout and complete the request
 * in one call: the second sees the first), and says what to write. The transition tables decide
 * who may do what; a status the caller asks for is a submit, a cancel or a move by hand
 * according to the table's row for it. Submitting needs a complete form and, where the pipeline
 * collects offers, a deadline far enough ahead.
 */
export function planChanges(
  facts: ChangeFacts,
  changes: readonly RequestChange[],
  role: ActingRole,
  now: Date,
  causes: readonly TransitionCause[] = byHandCauses,
): ChangePlan {
  let current = {
    pipeline: facts.pipeline,
    status: facts.status,
    paymentStatus: facts.paymentStatus,
  };
  const plan: ChangePlan = { set: {}, steps: [], sendToOnec: false };
  for (const change of changes) {
    if (change.kind === 'payment') {
      assertPaymentTransition(current, change.to, role);
      plan.steps.push({ field: 'paymentStatus', from: current.paymentStatus, to: change.to });
      plan.set.paymentStatus = change.to;
      current = { ...current, paymentStatus: change.to };
      continue;
    }
    const cause = causeOf(current.status, change.to);
    if (!causes.includes(cause)) {
      throw new DomainError('TRANSITION_NOT_ALLOWED', 'TRANSITION_NOT_ALLOWED', {
        from: current.status,
        to: change.to,
      });
    }
    assertStatusTransition(current, change.to, role, cause);
    if (cause === 'submit') {
      assertComplete(facts.fields);
      if (facts.pipeline.hasDeadlines) assertSubmitDeadline(facts.offersDeadline, now);
      plan.sendToOnec = facts.pipeline.sendsToOnec;
    }
    plan.steps.push({ field: 'status', from: current.status, to: change.to });
    plan.set.status = change.to;
    current = { ...current, status: change.to };
  }
  return plan;
}

/** Which road a move from one status to another is (the table's cause; a move not in it is by hand). */
export function causeOf(from: RequestStatus, to: RequestStatus): TransitionCause {
  return findStatusTransition(from, to)?.cause ?? 'setStatus';
}

/**
 * A standard request collects offers until its deadline: at submit the deadline must still be
 * the minimum window ahead, the same rule as when the request was created.
 */
export function assertSubmitDeadline(deadline: Date | null, now: Date): void {
  if (!deadline)
    throw new DomainError('VALIDATION_FAILED', 'DEADLINE_MISSING', {}, 'offersDeadline');
  assertOffersDeadline(deadline, now);
}
