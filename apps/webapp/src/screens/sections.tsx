import type { PaymentStatus, Permission, RequestStatus } from '@payreq/contracts';
import { paymentStatuses } from '@payreq/contracts';
import { useState } from 'react';

import type { HistoryItem, HistoryPage, OfferItem, RequestView } from '../api';
import {
  Banner,
  Button,
  HistoryList,
  PaymentBadge,
  PaymentNextAction,
  Section,
  StatusBadge,
  nextBankPaymentStep,
} from '@payreq/ui';
import type { I18n } from '@payreq/ui';
import { openExternal } from '../telegram';

/** Permissions that only the bank's side holds on a deal-room request. */
const bankSidePermissions: readonly Permission[] = [
  'documents.generate',
  'chat.import',
  'payment.setStatus',
];

export function isBankSide(permissions: readonly Permission[]): boolean {
  return bankSidePermissions.some((permission) => permissions.includes(permission));
}

export function RequestHeader(props: {
  i18n: I18n;
  request: RequestView | null;
  permissions: readonly Permission[];
  chatTitle?: string | null;
}) {
  const { i18n, request } = props;
  const bankSide = isBankSide(props.permissions);
  // Only a web link: whatever else might be stored is not made clickable.
  const onecUrl =
    request?.onecUrl && /^https?:\/\//i.test(request.onecUrl) ? request.onecUrl : null;
  return (
    <header className="header" data-testid="request-header">
      <div className="header-kicker">{props.chatTitle ?? i18n.t('appTitle')}</div>
      <h1 className="header-title" data-testid="request-number">
        {request ? (
          <>
            {i18n.t('appTitle')} <span className="nowrap">{request.displayNumber}</span>
          </>
        ) : (
          i18n.t('newRequest')
        )}
      </h1>
      {request ? (
        <div className="header-badges">
          <StatusBadge i18n={i18n} status={request.status} inHouse={request.inHouse} />
          <PaymentBadge i18n={i18n} status={request.paymentStatus} />
        </div>
      ) : null}
      {request && bankSide && onecUrl ? (
        <a
          className="header-link"
          href={onecUrl}
          target="_blank"
          rel="noreferrer"
          data-testid="onec-link"
          onClick={(event) => {
            event.preventDefault();
            openExternal(onecUrl);
          }}
        >
          {i18n.t('openInOnec')} ↗
        </a>
      ) : null}
      {request &&
      bankSide &&
      !request.onecUrl &&
      request.inHouse &&
      request.status === 'COLLECTING_OFFERS' ? (
        <div className="header-note" data-testid="onec-waiting">
          {i18n.t('inOnecWaiting')}
        </div>
      ) : null}
    </header>
  );
}

function OfferTerms(props: { i18n: I18n; offer: OfferItem | null }) {
  const { i18n, offer } = props;
  const value = (text: string | null | undefined) => text ?? '';
  const rows: [string, string, string][] = [
    ['rate', i18n.t('rate'), offer ? i18n.number(offer.rate) : ''],
    ['feePercent', i18n.t('feePercent'), offer ? i18n.number(offer.feePercent) : ''],
    ['fixedFee', i18n.t('fixedFee'), offer ? i18n.money(offer.fixedFee, offer.totalCurrency) : ''],
    [
      'totalToPay',
      i18n.t('totalToPay'),
      offer ? i18n.money(offer.totalToPay, offer.totalCurrency) : '',
    ],
    ['settlementDays', i18n.t('settlementDays'), offer ? String(offer.settlementDays) : ''],
    ['validUntil', i18n.t('validUntil'), offer?.validUntil ? i18n.dateTime(offer.validUntil) : ''],
  ];
  return (
    <div className="terms" data-testid="offer-terms">
      {rows.map(([key, label, text]) => (
        <div className="field" key={key} data-field={`offer-${key}`}>
          <label className="field-label">{label}</label>
          <input className="input input-readonly" readOnly value={text || i18n.t('empty')} />
        </div>
      ))}
      {offer?.comment ? (
        <div className="field">
          <label className="field-label">{i18n.t('offerComment')}</label>
          <textarea
            className="input input-readonly"
            readOnly
            rows={2}
            value={value(offer.comment)}
          />
        </div>
      ) : null}
    </div>
  );
}

/**
 * The offer: the accepted offer's terms for everyone who may see offers; the offer form
 * (read-only for now) for whoever holds `offer.create`.
 */
export function OfferSection(props: {
  i18n: I18n;
  request: RequestView;
  permissions: readonly Permission[];
}) {
  const { i18n, request, permissions } = props;
  if (!permissions.includes('offer.view')) return null;
  const accepted = request.acceptedOffer;
  if (accepted) {
    const source =
      accepted.source === 'ONEC'
        ? i18n.t('offerSourceOnec')
        : i18n.t('offerSourceAgent', { name: accepted.agentName });
    return (
      <Section
        title={i18n.t('offerAccepted')}
        testId="offer-section"
        footer={i18n.t('offerFrom', { source, date: i18n.dateTime(accepted.createdAt) })}
      >
        <OfferTerms i18n={i18n} offer={accepted} />
      </Section>
    );
  }
  if (request.status !== 'DRAFT' && request.status !== 'COLLECTING_OFFERS') return null;
  // The offer form: for whoever may offer, and for the bank's side of an in-house request
  // (1C computes the terms there); read-only for now.
  if (permissions.includes('offer.create') || (request.inHouse && isBankSide(permissions))) {
    const own = request.offers.find((offer) => offer.status === 'PENDING') ?? null;
    const note = request.inHouse
      ? request.status === 'DRAFT'
        ? i18n.t('offerWaitingOnec')
        : i18n.t('offerPendingOnec')
      : i18n.t('offerReadOnlyNote');
    return (
      <Section title={i18n.t('sectionOffer')} testId="offer-section" footer={note}>
        <OfferTerms i18n={i18n} offer={own} />
      </Section>
    );
  }
  return (
    <Section title={i18n.t('sectionOffer')} testId="offer-section">
      <p className="muted">{i18n.t('offerNone')}</p>
    </Section>
  );
}

const paymentVisible: readonly RequestStatus[] = ['OFFER_ACCEPTED', 'IN_PROGRESS', 'COMPLETED'];

export function PaymentSection(props: {
  i18n: I18n;
  request: RequestView;
  permissions: readonly Permission[];
  busy: string | null;
  onSet: (status: PaymentStatus, confirm: string) => void;
}) {
  const { i18n, request, permissions } = props;
  const markSent = permissions.includes('payment.markSent');
  const setStatus = permissions.includes('payment.setStatus');
  if (!markSent && !setStatus && !paymentVisible.includes(request.status)) return null;
  // The client's two marks, always (a button for the client); the bank's, once done: the whole
  // payment trail for everyone.
  const clientSteps: Partial<Record<PaymentStatus, { label: string; confirm: string }>> = {
    TEST_PAYMENT_SENT: { label: i18n.t('testPaymentSent'), confirm: i18n.t('confirmTestPayment') },
    PAYMENT_SENT: { label: i18n.t('paymentSent'), confirm: i18n.t('confirmPayment') },
  };
  const steps = paymentStatuses
    .filter((status) => status !== 'NOT_PAID')
    .filter(
      (status) =>
        clientSteps[status] !== undefined ||
        request.paymentMarks.some((mark) => mark.status === status),
    )
    .map((status) => ({
      status,
      // A step is named by its status; the button of the client's own step to take says it as
      // theirs (the title said the button's words again).
      title: i18n.paymentStatus(status),
      label: clientSteps[status]?.label ?? i18n.paymentStatus(status),
      confirm: clientSteps[status]?.confirm ?? '',
      available: clientSteps[status] !== undefined && request.next.paymentStatuses.includes(status),
    }));
  const next = nextBankPaymentStep(request);
  return (
    <Section title={i18n.t('sectionPayment2')} testId="payment-section">
      {steps.map((step) => {
        const done = request.paymentMarks.find((mark) => mark.status === step.status);
        // Past this step without it (the test payment may be skipped): nothing to offer.
        const passed =
          paymentStatuses.indexOf(request.paymentStatus) >= paymentStatuses.indexOf(step.status);
        return (
          <div className="step" key={step.status} data-testid={`step-${step.status}`}>
            <div className={`step-mark${done ? ' step-done' : ''}`} aria-hidden="true">
              {done ? '✓' : ''}
            </div>
            <div className="step-body">
              <div className="step-title">{step.title}</div>
              {done ? (
                <div className="step-meta" data-testid={`step-done-${step.status}`}>
                  {i18n.t('stepDone', {
                    who: i18n.actor(done.actor),
                    when: i18n.dateTime(done.at),
                  })}
                </div>
              ) : markSent && step.available ? (
                <Button
                  kind="primary"
                  busy={props.busy === step.status}
                  disabled={props.busy !== null}
                  onClick={() => props.onSet(step.status, step.confirm)}
                  testId={`mark-${step.status}`}
                >
                  {step.label}
                </Button>
              ) : passed ? null : (
                <div className="step-note">{i18n.t('stepLater')}</div>
              )}
            </div>
          </div>
        );
      })}
      {setStatus && next ? (
        <PaymentNextAction i18n={i18n} next={next} busy={props.busy} onSet={props.onSet} />
      ) : null}
    </Section>
  );
}

export function HistorySection(props: {
  i18n: I18n;
  request: RequestView;
  permissions: readonly Permission[];
  /** The entries before a cursor: the view carries only the latest page. */
  loadOlder?: (before: string) => Promise<HistoryPage>;
}) {
  const { i18n, request } = props;
  // Older pages read so far, for this request (a new view brings a new latest page).
  const [older, setOlder] = useState<{
    requestId: string;
    entries: HistoryItem[];
    before: string | null;
  }>();
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  if (!props.permissions.includes('history.view')) return null;
  const loaded = older?.requestId === request.id ? older : undefined;
  const shownIds = new Set(request.history.map((entry) => entry.id));
  const entries = [
    ...(loaded?.entries.filter((entry) => !shownIds.has(entry.id)) ?? []),
    ...request.history,
  ];
  const before = loaded ? loaded.before : request.historyBefore;
  async function loadMore() {
    if (!before || !props.loadOlder) return;
    setLoading(true);
    setFailed(false);
    try {
      const page = await props.loadOlder(before);
      setOlder({
        requestId: request.id,
        entries: [...page.entries, ...(loaded?.entries ?? [])],
        before: page.before,
      });
    } catch {
      setFailed(true);
    } finally {
      setLoading(false);
    }
  }
  return (
    <Section title={i18n.t('sectionHistory')} testId="history-section">
      <HistoryList i18n={i18n} entries={entries} />
      {failed ? <Banner tone="error">{i18n.t('networkError')}</Banner> : null}
      {before && props.loadOlder ? (
        <Button busy={loading} onClick={() => void loadMore()} testId="history-more">
          {i18n.t('historyMore')}
        </Button>
      ) : null}
    </Section>
  );
}

export { Banner };
