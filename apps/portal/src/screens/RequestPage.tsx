import type { PaymentRequestFieldName } from '@payreq/contracts';
import { paymentRequestFieldNames, paymentStatuses } from '@payreq/contracts';
import { createFormatter, fieldValueText } from '@payreq/i18n';
import {
  Banner,
  Button,
  DocumentList,
  HistoryList,
  PaymentBadge,
  Row,
  Section,
  StatusBadge,
} from '@payreq/ui';
import { useState } from 'react';

import type { RequestPage as RequestPageData } from '../api';
import { failureText, trpc } from '../api';
import { navigate, useQueryParam } from '../route';
import type { PortalI18n } from '../words';
import { ChatArchive } from './ChatArchive';

/** Opens or saves a document through the api's safe serving (the session cookie authenticates). */
function openDocument(id: string, fileName: string, download: boolean) {
  const url = `/portal/files/documents/${id}`;
  if (!download) {
    window.open(url, '_blank', 'noopener');
    return;
  }
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
}

function Fields(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const format = createFormatter(i18n.locale, i18n.timeZone);
  const fields = props.data.request.fields as Partial<
    Record<PaymentRequestFieldName, string | null>
  >;
  const shown = paymentRequestFieldNames.filter((name) => name in fields);
  return (
    <Section title={i18n.p('fields')} testId="fields">
      {shown.map((name) => (
        <Row key={name} label={i18n.field(name)}>
          {fieldValueText(name, fields[name] ?? null, format)}
        </Row>
      ))}
    </Section>
  );
}

function Offer(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const { request } = props.data;
  const offer = request.acceptedOffer;
  if (!offer) return null;
  const total = request.fields.clientCurrency ?? request.currency;
  return (
    <Section title={i18n.t('offerAccepted')} testId="offer">
      <Row label={i18n.t('rate')}>{i18n.number(offer.rate)}</Row>
      <Row label={i18n.t('feePercent')}>{i18n.number(offer.feePercent)}</Row>
      <Row label={i18n.t('fixedFee')}>{i18n.money(offer.fixedFee, total ?? null)}</Row>
      <Row label={i18n.t('totalToPay')}>{i18n.money(offer.totalToPay, total ?? null)}</Row>
      <Row label={i18n.t('settlementDays')}>{String(offer.settlementDays)}</Row>
      {offer.validUntil ? (
        <Row label={i18n.t('validUntil')}>{i18n.dateTime(offer.validUntil)}</Row>
      ) : null}
    </Section>
  );
}

function PaymentSteps(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const { request } = props.data;
  const reached = paymentStatuses.indexOf(request.paymentStatus);
  return (
    <Section title={i18n.t('sectionPayment2')} testId="payment-steps">
      <ol className="steps">
        {paymentStatuses.slice(1).map((step, index) => {
          const mark = request.paymentMarks.find((candidate) => candidate.status === step);
          return (
            <li key={step} className={index + 1 <= reached ? 'step step-done' : 'step'}>
              <span className="step-title">{i18n.paymentStatus(step)}</span>
              {mark ? (
                <span className="step-meta">
                  {' '}
                  ·{' '}
                  {i18n.t('stepDone', {
                    who: i18n.actor(mark.actor),
                    when: i18n.dateTime(mark.at),
                  })}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

function Onec(props: { i18n: PortalI18n; data: RequestPageData }) {
  const { i18n } = props;
  const { request, onecSync } = props.data;
  const url = request.onecUrl && /^https?:\/\//i.test(request.onecUrl) ? request.onecUrl : null;
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
            {i18n.p('onecDead', { n: onecSync.dead, error: onecSync.lastError ?? i18n.t('empty') })}
          </Banner>
        ) : onecSync.pending > 0 ? (
          <span className="muted">{i18n.p('onecPending', { n: onecSync.pending })}</span>
        ) : request.onecRef ? (
          <span className="muted">{i18n.p('onecInSync')}</span>
        ) : null}
      </div>
    </Section>
  );
}

function HistoryExport(props: { i18n: PortalI18n; requestId: string }) {
  const utils = trpc.useUtils();
  const [busy, setBusy] = useState<string | null>(null);
  const save = async (format: 'csv' | 'json') => {
    setBusy(format);
    try {
      const file = await utils.admin.exportHistory.fetch({ requestId: props.requestId, format });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="inline" data-testid="history-export">
      <Button busy={busy === 'csv'} onClick={() => void save('csv')} testId="export-csv">
        {props.i18n.p('exportCsv')}
      </Button>
      <Button busy={busy === 'json'} onClick={() => void save('json')} testId="export-json">
        {props.i18n.p('exportJson')}
      </Button>
    </div>
  );
}

/** A request's page: the same sections as the Mini App, and its deal room's chat. */
export function RequestPage(props: { i18n: PortalI18n; requestId: string; isAdmin: boolean }) {
  const { i18n, requestId } = props;
  const tab = useQueryParam('tab') === 'chat' ? 'chat' : 'request';
  const page = trpc.portal.request.useQuery({ requestId }, { refetchInterval: 15_000 });
  if (page.isPending) return <p className="muted">{i18n.t('loading')}</p>;
  if (page.error) return <Banner tone="error">{failureText(page.error, i18n)}</Banner>;
  const { request, permissions } = page.data;
  const go = (next: 'request' | 'chat') =>
    navigate(`/portal/requests/${requestId}${next === 'chat' ? '?tab=chat' : ''}`);
  return (
    <article data-testid="request-page">
      <header className="request-head">
        <div className="muted">{request.chatTitle ?? i18n.p('noRoom')}</div>
        <h1 className="page-title" data-testid="request-number">
          {i18n.t('appTitle')} {request.displayNumber}
        </h1>
        <div className="badges">
          <StatusBadge i18n={i18n} status={request.status} inHouse={request.inHouse} />
          <PaymentBadge i18n={i18n} status={request.paymentStatus} />
        </div>
      </header>
      <div className="tabs" role="tablist">
        <button
          role="tab"
          aria-selected={tab === 'request'}
          className={tab === 'request' ? 'tab tab-on' : 'tab'}
          onClick={() => go('request')}
          data-testid="tab-request"
        >
          {i18n.p('tabRequest')}
        </button>
        {page.data.hasChat ? (
          <button
            role="tab"
            aria-selected={tab === 'chat'}
            className={tab === 'chat' ? 'tab tab-on' : 'tab'}
            onClick={() => go('chat')}
            data-testid="tab-chat"
          >
            {i18n.p('tabChat')}
          </button>
        ) : null}
      </div>
      {tab === 'chat' && page.data.hasChat ? (
        <ChatArchive i18n={i18n} requestId={requestId} />
      ) : (
        <div className="columns">
          <div>
            <Fields i18n={i18n} data={page.data} />
          </div>
          <div>
            <Offer i18n={i18n} data={page.data} />
            <PaymentSteps i18n={i18n} data={page.data} />
            <Onec i18n={i18n} data={page.data} />
            {permissions.includes('documents.view') ? (
              <Section title={i18n.t('sectionDocuments')} testId="documents-section">
                <DocumentList
                  i18n={i18n}
                  documents={request.documents}
                  onOpen={openDocument}
                  opening={null}
                />
              </Section>
            ) : null}
            {permissions.includes('history.view') ? (
              <Section title={i18n.t('sectionHistory')} testId="history-section">
                {props.isAdmin ? <HistoryExport i18n={i18n} requestId={requestId} /> : null}
                <HistoryList i18n={i18n} entries={request.history} />
              </Section>
            ) : null}
          </div>
        </div>
      )}
    </article>
  );
}
