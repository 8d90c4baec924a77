import type {
  DocumentKind,
  PaymentRequestView,
  PaymentStatus,
  Permission,
  RequestStatus,
} from '@payreq/contracts';
import { paymentStatuses } from '@payreq/contracts';
import {
  Button,
  DocumentsSection,
  PaymentNextAction,
  Section,
  StatusSection,
  clientPaymentSteps,
  nextBankPaymentStep,
} from '@payreq/ui';
import type { ReactNode } from 'react';
import { useState } from 'react';

import { failureText, trpc } from '../api';
import type { ConfirmQuestion } from '../confirm';
import { useConfirm } from '../confirm';
import { openDocument } from '../parts';
import type { PortalI18n } from '../words';

/**
 * What a request's page may do, on either of the portal's pages of a request (the bank's and the
 * standard pipeline's), through the procedures the Mini App's actions use
 * (`requests.setStatus` / `requests.setPaymentStatus` run the same domain transitions as
 * `miniApp.setStatus` / `miniApp.setPaymentStatus`); the server checks each again.
 */
export function useRequestActions(i18n: PortalI18n, requestId: string) {
  const utils = trpc.useUtils();
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const setStatus = trpc.requests.setStatus.useMutation();
  const setPaymentStatus = trpc.requests.setPaymentStatus.useMutation();
  const requestDocument = trpc.portal.requestDocument.useMutation();
  const { confirm: ask, dialog } = useConfirm(i18n);
  const run = async (
    key: string,
    confirm: ConfirmQuestion | null,
    action: () => Promise<string>,
  ) => {
    if (confirm !== null && !(await ask(confirm))) return;
    setBusy(key);
    setOutcome(null);
    try {
      setOutcome({ tone: 'success', text: await action() });
    } catch (error) {
      setOutcome({ tone: 'error', text: failureText(error, i18n) });
    } finally {
      setBusy(null);
      // Whether it went through or not, show the request as it stands now (on whichever page).
      await Promise.all([
        utils.portal.request.invalidate({ requestId }),
        utils.standard.request.invalidate({ requestId }),
        utils.notifications.list.invalidate(),
      ]);
    }
  };
  return {
    busy,
    outcome,
    dialog,
    status: (
      status: RequestStatus,
      version: number,
      inHouse: boolean,
      confirm: ConfirmQuestion | null,
    ) =>
      run(status, confirm, async () => {
        await setStatus.mutateAsync({ requestId, status, version });
        return status === 'COLLECTING_OFFERS' && inHouse
          ? i18n.t('submitted')
          : i18n.p('actionDone', { what: i18n.status(status, inHouse) });
      }),
    payment: (status: PaymentStatus, question: string) =>
      run(status, { question, action: i18n.t('confirm') }, async () => {
        await setPaymentStatus.mutateAsync({ requestId, paymentStatus: status });
        return i18n.p('actionDone', { what: i18n.paymentStatus(status) });
      }),
    document: (kind: DocumentKind) =>
      run('requestDocument', null, async () => {
        await requestDocument.mutateAsync({ requestId, kind });
        return i18n.p('documentAsked');
      }),
  };
}

export type RequestActions = ReturnType<typeof useRequestActions>;

/** The part of a request's page the steps read: the request and what the caller may do. */
interface StepsData {
  request: PaymentRequestView;
  permissions: readonly Permission[];
}

/**
 * The status menu (move on, cancel) as the permission list allows, each asked first in the
 * action's own words («Перевести в «В работе»», «Отменить заявку»); `first` is a caller's own
 * first step beside them (a draft's confirmation).
 */
export function RequestStatusSection(props: {
  i18n: PortalI18n;
  data: StepsData;
  actions: RequestActions;
  first?: ReactNode;
}) {
  const { i18n, actions } = props;
  const { request, permissions } = props.data;
  return (
    <StatusSection
      i18n={i18n}
      request={request}
      permissions={permissions}
      busy={actions.busy}
      onSet={(status, question, destructive) =>
        void actions.status(status, request.version, request.inHouse, {
          question,
          action:
            status === 'CANCELLED'
              ? i18n.t('cancelRequest')
              : i18n.t('moveTo', { label: i18n.status(status, request.inHouse) }),
          destructive,
        })
      }
      first={props.first}
    />
  );
}

/** The request's documents: opened or downloaded, and asked of 1C where the permissions allow. */
export function RequestDocuments(props: {
  i18n: PortalI18n;
  data: StepsData;
  actions: RequestActions;
}) {
  const { request, permissions } = props.data;
  return (
    <DocumentsSection
      i18n={props.i18n}
      request={request}
      permissions={permissions}
      opening={null}
      busy={props.actions.busy}
      onOpen={openDocument}
      onRequest={(kind) => void props.actions.document(kind)}
    />
  );
}

/**
 * The payment steps with who marked each; the client's own steps («Отметить: Платёж
 * отправлен», `payment.markSent`) and the bank's side's next one (`payment.setStatus`) for those
 * the permission list allows. Each is asked first.
 */
export function PaymentSteps(props: {
  i18n: PortalI18n;
  data: StepsData;
  actions: RequestActions;
}) {
  const { i18n, actions } = props;
  const { request, permissions } = props.data;
  const reached = paymentStatuses.indexOf(request.paymentStatus);
  const next = permissions.includes('payment.setStatus') ? nextBankPaymentStep(request) : undefined;
  const clientSteps = permissions.includes('payment.markSent')
    ? request.next.paymentStatuses.filter((status) => clientPaymentSteps.includes(status))
    : [];
  const confirmOf = (step: PaymentStatus) =>
    i18n.t('confirmStep', { label: i18n.paymentStatus(step) });
  return (
    <Section title={i18n.t('sectionPayment2')} testId="payment-steps">
      {paymentStatuses.slice(1).map((step, index) => {
        const mark = request.paymentMarks.find((candidate) => candidate.status === step);
        const done = index + 1 <= reached;
        return (
          <div className="step" key={step} data-testid={`step-${step}`}>
            <div className={`step-mark${done ? ' step-done' : ''}`} aria-hidden="true">
              {done ? '✓' : ''}
            </div>
            <div className="step-body">
              <div className="step-title">{i18n.paymentStatus(step)}</div>
              {mark ? (
                <div className="step-meta" data-testid={`step-done-${step}`}>
                  {i18n.t('stepDone', {
                    who: i18n.actor(mark.actor),
                    when: i18n.dateTime(mark.at),
                  })}
                </div>
              ) : null}
            </div>
          </div>
        );
      })}
      {clientSteps.length > 0 ? (
        <div className="section-actions">
          {clientSteps.map((step) => (
            <Button
              key={step}
              busy={actions.busy === step}
              disabled={actions.busy !== null}
              onClick={() => void actions.payment(step, confirmOf(step))}
              testId={`mark-${step}`}
            >
              {i18n.p('markPayment', { label: i18n.paymentStatus(step) })}
            </Button>
          ))}
        </div>
      ) : null}
      {next ? (
        <PaymentNextAction
          i18n={i18n}
          next={next}
          busy={actions.busy}
          onSet={(status, confirm) => void actions.payment(status, confirm)}
        />
      ) : null}
    </Section>
  );
}
