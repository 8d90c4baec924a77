import type { PaymentRequestFieldName } from '@payreq/contracts';
import { paymentRequestFieldNames } from '@payreq/contracts';
import { createFormatter, deliveryFailureText, fieldValueText } from '@payreq/i18n';
import {
  Banner,
  Button,
  HistoryList,
  PaymentBadge,
  Row,
  Section,
  SelectField,
  StatusBadge,
  TextField,
  changedFields,
  fieldErrorsOf,
  fieldNames,
  requiredFields,
  valuesOf,
} from '@payreq/ui';
import { buildPatch, validateAll } from '@payreq/ui/form-validation';
import type { FieldErrors, FieldName, FormValues } from '@payreq/ui';
import { useState } from 'react';

import type { RequestPage as RequestPageData } from '../api';
import { failureText, trpc } from '../api';
import { Failure, FailureLines } from '../parts';
import { navigate, useQueryParam } from '../route';
import type { PortalI18n, PortalWordKey } from '../words';
import { ChatArchive } from './ChatArchive';
import { HistoryExport } from './HistoryExport';
import {
  PaymentSteps,
  RequestDocuments,
  RequestStatusSection,
  useRequestActions,
} from './RequestSteps';

/** The fields of the request, edited in place where the permission list and the status allow. */
function FieldsForm(props: {
  i18n: PortalI18n;
  data: RequestPageData;
  onDone: (saved: boolean) => void;
}) {
  const { i18n } = props;
  const { request } = props.data;
  // The request as it was when editing began: the page refreshes beneath, the form does not.
  const [{ saved, baseVersion }] = useState(() => ({
    saved: valuesOf(request.fields, i18n.locale),
    baseVersion: request.version,
  }));
  const [values, setValues] = useState<FormValues>(saved);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const update = trpc.requests.update.useMutation();
  const utils = trpc.useUtils();
  const changed = changedFields(values, saved);
  const errors = { ...validateAll(values, changed, i18n.locale), ...serverErrors };
  const save = async () => {
    const { patch, errors: invalid } = buildPatch(values, changed, i18n.locale);
    if (Object.keys(invalid).length > 0) return setServerErrors(invalid);
    setFailure(null);
    try {
      // Someone else's save since editing began is refused (a version conflict), not lost.
      await update.mutateAsync({ requestId: request.id, version: baseVersion, fields: patch });
      await utils.portal.request.invalidate({ requestId: request.id });
      props.onDone(true);
    } catch (error) {
      const issues =
        (error as { data?: { issues?: { path: string; message: string }[] } }).data?.issues ?? [];
      setServerErrors(fieldErrorsOf(issues));
      setFailure(failureText(error, i18n));
    }
  };
  const field = (name: FieldName) => ({
    name,
    label: i18n.field(name),
    value: values[name],
    onChange: (value: string) => {
      setValues((current) => ({ ...current, [name]: value }));
      setServerErrors((current) => {
        const next = { ...current };
        delete next[name];
        return next;
      });
    },
    required: requiredFields.includes(name),
    requiredText: i18n.t('required'),
    error: errors[name] ?? null,
  });
  return (
    <Section title={i18n.p('fields')} testId="fields-form">
      {fieldNames.map((name) =>
        name === 'direction' ? (
          <SelectField
            key={name}
            {...field(name)}
            placeholder={i18n.t('choose')}
            options={[
              { value: 'OUTGOING', label: i18n.direction('OUTGOING') },
              { value: 'INCOMING', label: i18n.direction('INCOMING') },
            ]}
          />
        ) : (
          <TextField
            key={name}
            {...field(name)}
            type={name === 'desiredDate' || name === 'contractDate' ? 'date' : 'text'}
            multiline={name === 'beneficiaryAddress' || name === 'purpose' || name === 'comment'}
          />
        ),
      )}
      {failure ? <Banner tone="error">{failure}</Banner> : null}
      <div className="section-actions">
        <Button
          kind="primary"
          busy={update.isPending}
          disabled={changed.length === 0}
          onClick={() => void save()}
          testId="fields-save"
        >
          {i18n.t('save')}
        </Button>
        <Button onClick={() => props.onDone(false)} testId="fields-cancel">
          {i18n.p('cancelEdit')}
        </Button>
      </div>
    </Section>
  );
}

function Fields(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const [editing, setEditing] = useState(false);
  const format = createFormatter(i18n.locale, i18n.timeZone);
  const { request, permissions } = props.data;
  const fields = request.fields as Partial<Record<PaymentRequestFieldName, string | null>>;
  const shown = paymentRequestFieldNames.filter((name) => name in fields);
  const canEdit = permissions.includes('application.edit') && !request.readOnly;
  if (editing && canEdit)
    return <FieldsForm i18n={i18n} data={props.data} onDone={() => setEditing(false)} />;
  return (
    <Section title={i18n.p('fields')} testId="fields">
      {shown.map((name) => (
        <Row key={name} label={i18n.field(name)}>
          {fieldValueText(name, fields[name] ?? null, format)}
        </Row>
      ))}
      {canEdit ? (
        <div className="section-actions">
          <Button onClick={() => setEditing(true)} testId="fields-edit">
            {i18n.p('editFields')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}

function Offer(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const { request } = props.data;
  const offer = request.acceptedOffer;
  if (!offer) return null;
  return (
    <Section title={i18n.t('offerAccepted')} testId="offer">
      <Row label={i18n.t('rate')}>{i18n.number(offer.rate)}</Row>
      <Row label={i18n.t('feePercent')}>{i18n.number(offer.feePercent)}</Row>
      <Row label={i18n.t('fixedFee')}>{i18n.money(offer.fixedFee, offer.totalCurrency)}</Row>
      <Row label={i18n.t('totalToPay')}>{i18n.money(offer.totalToPay, offer.totalCurrency)}</Row>
      <Row label={i18n.t('settlementDays')}>{String(offer.settlementDays)}</Row>
      {offer.validUntil ? (
        <Row label={i18n.t('validUntil')}>{i18n.dateTime(offer.validUntil)}</Row>
      ) : null}
    </Section>
  );
}

function Onec(props: { i18n: PortalI18n; data: RequestPageData; isAdmin: boolean }) {
  const { i18n } = props;
  const { request, onecSync } = props.data;
  const url = request.onecUrl && /^https?:\/\//i.test(request.onecUrl) ? request.onecUrl : null;
  const utils = trpc.useUtils();
  const [requeued, setRequeued] = useState(false);
  const requeue = trpc.admin.requeueRequest.useMutation({
    onSuccess: async () => {
      setRequeued(true);
      await utils.portal.request.invalidate({ requestId: request.id });
    },
  });
  return (
    <Section title={i18n.p('onecTitle')} testId="onec">
      {url ? (
        <a href={url} target="_blank" rel="noreferrer" data-testid="onec-link">
          {i18n.t('openInOnec')} ↗
        </a>
      ) : request.onecRef ? (
        <span>{i18n.p('onecLinked')}</span>
      ) : (
        <span className="muted">{i18n.p('onecNotYet')}</span>
      )}
      <div className="onec-sync" data-testid="onec-sync">
        {onecSync.dead > 0 ? (
          <Banner tone="error">
            {i18n.p('onecDead', { n: onecSync.dead })}
            {onecSync.failure ? (
              <FailureLines text={deliveryFailureText(onecSync.failure, 'ONEC', i18n.locale)} />
            ) : null}
            {/* Sending again is the administrators' (as on their page). */}
            {props.isAdmin ? (
              <div className="banner-actions">
                <Button
                  busy={requeue.isPending}
                  onClick={() => requeue.mutate({ requestId: request.id })}
                  testId="onec-requeue"
                >
                  {i18n.p('onecRequeue')}
                </Button>
              </div>
            ) : null}
          </Banner>
        ) : onecSync.delayed ? (
          // Failing and tried again: say so from the first failure, with why, not only "queued".
          <Banner tone="warning" testId="onec-delayed">
            {i18n.p('onecDelayed', {
              n: onecSync.delayed.attempts,
              when: i18n.dateTime(onecSync.delayed.nextAttemptAt),
            })}
            {onecSync.delayed.failure ? (
              <FailureLines
                text={deliveryFailureText(onecSync.delayed.failure, 'ONEC', i18n.locale)}
              />
            ) : null}
          </Banner>
        ) : onecSync.pending > 0 ? (
          <span className="muted">
            {requeued ? i18n.p('onecRequeued') : i18n.p('onecPending', { n: onecSync.pending })}
          </span>
        ) : request.onecRef ? (
          <span className="muted">{i18n.p('onecInSync')}</span>
        ) : null}
        <Failure i18n={i18n} error={requeue.error} />
      </div>
    </Section>
  );
}

/** Whether a draft's "confirm the request" is the caller's (DRAFT → collecting offers). */
function maySubmit(data: RequestPageData): boolean {
  const { request, permissions } = data;
  return (
    request.status === 'DRAFT' &&
    permissions.includes('application.submit') &&
    request.next.statuses.includes('COLLECTING_OFFERS')
  );
}

/** The page's tabs in order: the request, then its room's chat where it has one. */
const tabs = ['request', 'chat'] as const;
type Tab = (typeof tabs)[number];
const tabWords: Record<Tab, PortalWordKey> = { request: 'tabRequest', chat: 'tabChat' };

/** A request's page: the same sections as the Mini App, and its deal room's chat. */
export function RequestPage(props: { i18n: PortalI18n; requestId: string; isAdmin: boolean }) {
  const { i18n, requestId } = props;
  const tab: Tab = useQueryParam('tab') === 'chat' ? 'chat' : 'request';
  const page = trpc.portal.request.useQuery({ requestId }, { refetchInterval: 15_000 });
  const actions = useRequestActions(i18n, requestId);
  if (page.isPending) return <p className="muted">{i18n.t('loading')}</p>;
  if (page.error) return <Failure i18n={i18n} error={page.error} />;
  const { request, permissions } = page.data;
  const go = (next: Tab) =>
    navigate(`/portal/requests/${requestId}${next === 'chat' ? '?tab=chat' : ''}`);
  return (
    <article data-testid="request-page">
      <header className="request-head">
        <div className="muted">{request.chatTitle ?? i18n.p('noRoom')}</div>
        <h1 className="page-title" data-testid="request-number">
          {i18n.t('appTitle')} <span className="nowrap">{request.displayNumber}</span>
        </h1>
        <div className="badges">
          <StatusBadge i18n={i18n} status={request.status} inHouse={request.inHouse} />
          <PaymentBadge i18n={i18n} status={request.paymentStatus} />
        </div>
      </header>
      <div className="tabs" role="tablist">
        {tabs
          .filter((name) => name !== 'chat' || page.data.hasChat)
          .map((name) => (
            <button
              key={name}
              role="tab"
              aria-selected={tab === name}
              className={tab === name ? 'tab tab-on' : 'tab'}
              onClick={() => go(name)}
              data-testid={`tab-${name}`}
            >
              {i18n.p(tabWords[name])}
            </button>
          ))}
      </div>
      {tab === 'chat' && page.data.hasChat ? (
        <ChatArchive i18n={i18n} room={{ requestId }} />
      ) : (
        <div className="columns">
          <div>
            {actions.outcome ? (
              <Banner tone={actions.outcome.tone} testId="action-outcome">
                {actions.outcome.text}
              </Banner>
            ) : null}
            <RequestStatusSection
              i18n={i18n}
              data={page.data}
              actions={actions}
              first={
                // A draft's confirmation (in-house: sent to 1C), beside its cancelling.
                maySubmit(page.data) ? (
                  <Button
                    kind="primary"
                    busy={actions.busy === 'COLLECTING_OFFERS'}
                    disabled={actions.busy !== null}
                    onClick={() =>
                      void actions.status('COLLECTING_OFFERS', request.version, request.inHouse, {
                        question: i18n.t('submitConfirmTitle'),
                        detail: i18n.t('submitConfirm'),
                        action: i18n.t('submit'),
                      })
                    }
                    testId="submit"
                  >
                    {i18n.t('submit')}
                  </Button>
                ) : null
              }
            />
            <Fields i18n={i18n} data={page.data} />
          </div>
          <div>
            <Offer i18n={i18n} data={page.data} />
            <PaymentSteps i18n={i18n} data={page.data} actions={actions} />
            <Onec i18n={i18n} data={page.data} isAdmin={props.isAdmin} />
            <RequestDocuments i18n={i18n} data={page.data} actions={actions} />
            {permissions.includes('history.view') ? (
              <Section title={i18n.t('sectionHistory')} testId="history-section">
                {props.isAdmin ? <HistoryExport i18n={i18n} requestId={requestId} /> : null}
                <HistoryList i18n={i18n} entries={request.history} />
              </Section>
            ) : null}
          </div>
        </div>
      )}
      {actions.dialog}
    </article>
  );
}
