import type { PaymentStatus, RequestStatus } from '@payreq/contracts';
import type { ReactNode } from 'react';
import { paymentStatuses, requestStatuses } from '@payreq/contracts';

import { Button, Section } from './ui';
import type { I18n } from './words';

/**
 * What the bank's side may do to a request, as both apps offer it: move its status on, cancel
 * it, confirm the next payment step. The buttons come from the server's `next` (the domain's
 * transition tables for this caller) and the permission list; the server checks each again.
 */

/** The part of a request's view the actions read. */
export interface RequestForActions {
  status: RequestStatus;
  inHouse: boolean;
  paymentStatus: PaymentStatus;
  next: { statuses: readonly RequestStatus[]; paymentStatuses: readonly PaymentStatus[] };
}

/** The client's own steps; every other payment status is the bank's to confirm. */
export const clientPaymentSteps: readonly PaymentStatus[] = ['TEST_PAYMENT_SENT', 'PAYMENT_SENT'];

/**
 * The nearest step forward among those the server says the caller may set now (`allowed`, from
 * the domain's transition tables): the UI keeps no table of its own.
 */
export function nearestForward<T extends string>(
  order: readonly T[],
  current: T,
  allowed: readonly T[],
): T | undefined {
  const from = order.indexOf(current);
  return allowed
    .filter((status) => order.indexOf(status) > from)
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
}

/** The bank's next payment step the caller may confirm now, if any. */
export function nextBankPaymentStep(request: RequestForActions): PaymentStatus | undefined {
  return nearestForward(
    paymentStatuses,
    request.paymentStatus,
    request.next.paymentStatuses.filter((status) => !clientPaymentSteps.includes(status)),
  );
}

/** "Next step: …" for the bank's side (`payment.setStatus`). */
export function PaymentNextAction(props: {
  i18n: I18n;
  next: PaymentStatus;
  busy: string | null;
  onSet: (status: PaymentStatus, confirm: string) => void;
}) {
  const { i18n, next } = props;
  return (
    <div className="section-actions">
      <Button
        busy={props.busy === next}
        disabled={props.busy !== null}
        onClick={() =>
          props.onSet(next, i18n.t('confirmStep', { label: i18n.paymentStatus(next) }))
        }
        testId={`payment-next-${next}`}
      >
        {i18n.t('paymentNext', { label: i18n.paymentStatus(next) })}
      </Button>
    </div>
  );
}

/** The status menu (setStatus / cancel), by permission; the server checks each transition. */
export function StatusSection(props: {
  i18n: I18n;
  request: RequestForActions;
  permissions: readonly string[];
  busy: string | null;
  onSet: (status: RequestStatus, confirm: string, destructive: boolean) => void;
  /** A caller's own first step in the same section (the portal's «Подтвердить заявку»). */
  first?: ReactNode;
}) {
  const { i18n, request, permissions } = props;
  // Submitting a draft has its own button in the form; cancelling is offered apart.
  const next = permissions.includes('application.setStatus')
    ? nearestForward(
        requestStatuses,
        request.status,
        request.next.statuses.filter(
          (status) => status !== 'CANCELLED' && status !== 'COLLECTING_OFFERS',
        ),
      )
    : undefined;
  const cancel =
    permissions.includes('application.cancel') && request.next.statuses.includes('CANCELLED');
  if (!next && !cancel && !props.first) return null;
  return (
    <Section title={i18n.t('sectionStatus')} testId="status-section">
      <div className="section-actions">
        {props.first}
        {next ? (
          <Button
            busy={props.busy === next}
            disabled={props.busy !== null}
            onClick={() =>
              props.onSet(
                next,
                i18n.t('confirmStep', { label: i18n.status(next, request.inHouse) }),
                false,
              )
            }
            testId={`status-next-${next}`}
          >
            {i18n.t('moveTo', { label: i18n.status(next, request.inHouse) })}
          </Button>
        ) : null}
        {cancel ? (
          <Button
            kind="destructive"
            busy={props.busy === 'CANCELLED'}
            disabled={props.busy !== null}
            onClick={() => props.onSet('CANCELLED', i18n.t('cancelConfirm'), true)}
            testId="cancel-request"
          >
            {i18n.t('cancelRequest')}
          </Button>
        ) : null}
      </div>
    </Section>
  );
}
