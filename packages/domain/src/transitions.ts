import type { PaymentStatus, PipelineKind, RequestStatus } from '@payreq/contracts';

import { DomainError } from './errors';
import type { Pipeline } from './pipeline';

/**
 * Who acts on a request, as the transition tables see it:
 * - CLIENT: the requester (owner in the platform, a member of the deal-room chat in Telegram);
 * - AGENT: the request's responsible agent (the linked agent in Telegram, the agent whose
 *   offer was accepted in the standard pipeline);
 * - ONEC: the bank's 1C, for in-house requests only;
 * - SYSTEM: the platform's scheduled jobs.
 */
export type ActingRole = 'CLIENT' | 'AGENT' | 'ONEC' | 'SYSTEM';

/** How a transition is caused: each has its own procedure. */
export type TransitionCause = 'submit' | 'acceptOffer' | 'setStatus' | 'cancel' | 'expire';

export interface StatusTransition {
  from: RequestStatus;
  to: RequestStatus;
  cause: TransitionCause;
  /** Who may cause it, per pipeline. ONEC rows apply to in-house requests only. */
  by: Record<PipelineKind, readonly ActingRole[]>;
}

const both = (roles: readonly ActingRole[]) => ({ STANDARD: roles, TELEGRAM: roles });

/** Every request-status transition there is (docs/domain.md, Statuses). Anything else is refused. */
export const statusTransitions: readonly StatusTransition[] = [
  {
    from: 'DRAFT',
    to: 'COLLECTING_OFFERS',
    cause: 'submit',
    by: { STANDARD: ['CLIENT'], TELEGRAM: ['AGENT'] },
  },
  {
    from: 'COLLECTING_OFFERS',
    to: 'OFFER_ACCEPTED',
    cause: 'acceptOffer',
    // Telegram: accepted automatically when the linked agent (or 1C on its behalf) offers.
    by: { STANDARD: ['CLIENT'], TELEGRAM: ['AGENT', 'ONEC'] },
  },
  { from: 'OFFER_ACCEPTED', to: 'IN_PROGRESS', cause: 'setStatus', by: both(['AGENT', 'ONEC']) },
  { from: 'IN_PROGRESS', to: 'COMPLETED', cause: 'setStatus', by: both(['AGENT', 'ONEC']) },
  { from: 'DRAFT', to: 'CANCELLED', cause: 'cancel', by: both(['CLIENT', 'AGENT']) },
  {
    from: 'COLLECTING_OFFERS',
    to: 'CANCELLED',
    cause: 'cancel',
    by: both(['CLIENT', 'AGENT', 'ONEC']),
  },
  { from: 'OFFER_ACCEPTED', to: 'CANCELLED', cause: 'cancel', by: both(['AGENT', 'ONEC']) },
  { from: 'IN_PROGRESS', to: 'CANCELLED', cause: 'cancel', by: both(['AGENT', 'ONEC']) },
  {
    from: 'COLLECTING_OFFERS',
    to: 'EXPIRED',
    cause: 'expire',
    by: { STANDARD: ['SYSTEM'], TELEGRAM: [] },
  },
];

export const finalStatuses: readonly RequestStatus[] = ['COMPLETED', 'CANCELLED', 'EXPIRED'];

/** Fields can be edited only before an offer is accepted. */
export const editableStatuses: readonly RequestStatus[] = ['DRAFT', 'COLLECTING_OFFERS'];

export function areFieldsEditable(status: RequestStatus): boolean {
  return editableStatuses.includes(status);
}

/** Payment status moves only while the request is being carried out. */
export const paymentOpenStatuses: readonly RequestStatus[] = ['OFFER_ACCEPTED', 'IN_PROGRESS'];

function rolesFor(pipeline: Pipeline, roles: readonly ActingRole[]): readonly ActingRole[] {
  return pipeline.sendsToOnec ? roles : roles.filter((role) => role !== 'ONEC');
}

export function findStatusTransition(
  from: RequestStatus,
  to: RequestStatus,
): StatusTransition | undefined {
  return statusTransitions.find((t) => t.from === from && t.to === to);
}

/** The roles that may move a request of this pipeline from one status to another. */
export function statusTransitionRoles(
  pipeline: Pipeline,
  from: RequestStatus,
  to: RequestStatus,
): readonly ActingRole[] {
  const transition = findStatusTransition(from, to);
  return transition ? rolesFor(pipeline, transition.by[pipeline.kind]) : [];
}

export interface StatusChangeFacts {
  pipeline: Pipeline;
  status: RequestStatus;
  paymentStatus: PaymentStatus;
}

/**
 * Checks a status change and returns its transition, or throws a DomainError that says
 * what is wrong. `cause` pins the procedure: setStatus cannot accept an offer, say.
 */
export function assertStatusTransition(
  request: StatusChangeFacts,
  to: RequestStatus,
  role: ActingRole,
  cause: TransitionCause,
): StatusTransition {
  const transition = findStatusTransition(request.status, to);
  const params = { from: request.status, to };
  if (
    !transition ||
    (transition.cause !== cause && !(cause === 'setStatus' && transition.cause === 'cancel'))
  ) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'TRANSITION_NOT_ALLOWED', params);
  }
  const roles = rolesFor(request.pipeline, transition.by[request.pipeline.kind]);
  if (roles.length === 0) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'TRANSITION_NOT_ALLOWED', params);
  }
  if (!roles.includes(role)) {
    throw new DomainError('FORBIDDEN', 'TRANSITION_ROLE', { ...params, roles: roles.join(', ') });
  }
  if (waitsForPayout(request, to)) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'PAYOUT_NOT_DONE');
  }
  return transition;
}

/** A request is completed only once its payout is done. */
function waitsForPayout(request: StatusChangeFacts, to: RequestStatus): boolean {
  return to === 'COMPLETED' && request.paymentStatus !== 'PAYOUT_DONE';
}

/** Statuses this role may set by hand (setStatus or cancel) from the current one. */
export function settableStatuses(request: StatusChangeFacts, role: ActingRole): RequestStatus[] {
  return statusTransitions
    .filter((t) => t.from === request.status && (t.cause === 'setStatus' || t.cause === 'cancel'))
    .filter((t) => rolesFor(request.pipeline, t.by[request.pipeline.kind]).includes(role))
    .map((t) => t.to);
}

/**
 * The statuses to offer this role as its next steps: those it may set by hand that would be
 * accepted now. "Completed" waits for the payout, so it is not offered before (a button that
 * is always refused is no step).
 */
export function offeredStatuses(request: StatusChangeFacts, role: ActingRole): RequestStatus[] {
  return settableStatuses(request, role).filter((to) => !waitsForPayout(request, to));
}

export interface PaymentTransition {
  from: PaymentStatus;
  to: PaymentStatus;
  by: readonly ActingRole[];
}

/** The client sets only the two "sent" steps; agents and 1C the rest (docs/domain.md). */
export const paymentTransitions: readonly PaymentTransition[] = [
  { from: 'NOT_PAID', to: 'TEST_PAYMENT_SENT', by: ['CLIENT', 'AGENT', 'ONEC'] },
  // The test payment is optional: a client may pay in full at once.
  { from: 'NOT_PAID', to: 'PAYMENT_SENT', by: ['CLIENT', 'AGENT', 'ONEC'] },
  { from: 'TEST_PAYMENT_SENT', to: 'TEST_PAYMENT_CONFIRMED', by: ['AGENT', 'ONEC'] },
  { from: 'TEST_PAYMENT_CONFIRMED', to: 'PAYMENT_SENT', by: ['CLIENT', 'AGENT', 'ONEC'] },
  { from: 'PAYMENT_SENT', to: 'PAYMENT_RECEIVED', by: ['AGENT', 'ONEC'] },
  { from: 'PAYMENT_RECEIVED', to: 'PAYOUT_DONE', by: ['AGENT', 'ONEC'] },
];

export function assertPaymentTransition(
  request: StatusChangeFacts,
  to: PaymentStatus,
  role: ActingRole,
): PaymentTransition {
  if (!paymentOpenStatuses.includes(request.status)) {
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'PAYMENT_NOT_OPEN', { status: request.status });
  }
  const transition = paymentTransitions.find(
    (t) => t.from === request.paymentStatus && t.to === to,
  );
  const params = { from: request.paymentStatus, to };
  if (!transition)
    throw new DomainError('TRANSITION_NOT_ALLOWED', 'PAYMENT_TRANSITION_NOT_ALLOWED', params);
  const roles = rolesFor(request.pipeline, transition.by);
  if (!roles.includes(role)) {
    throw new DomainError('FORBIDDEN', 'PAYMENT_TRANSITION_ROLE', {
      ...params,
      roles: roles.join(', '),
    });
  }
  return transition;
}

/** Payment statuses this role may set next. */
export function settablePaymentStatuses(
  request: StatusChangeFacts,
  role: ActingRole,
): PaymentStatus[] {
  if (!paymentOpenStatuses.includes(request.status)) return [];
  return paymentTransitions
    .filter(
      (t) => t.from === request.paymentStatus && rolesFor(request.pipeline, t.by).includes(role),
    )
    .map((t) => t.to);
}
