import type {
  DocumentKind,
  DocumentRequestView,
  DocumentView,
  HistoryEntry,
  PaymentRequestSummary,
  PaymentRequestView,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
import { documentKinds, opensInPlace } from '@payreq/contracts';
import type { ReactNode } from 'react';
import { useState } from 'react';

import type { Tone } from './ui';
import { Badge, Button, Section, Select } from './ui';
import type { I18n } from './words';

/**
 * The request's parts as both apps show them (the Mini App and the portal): status and payment
 * badges, the documents (with the agent's request of a document from 1C), the history.
 */

/** The client as a list names it: by name, as not given yet, or as withheld from this caller. */
export function clientText(
  i18n: I18n,
  request: Pick<PaymentRequestSummary, 'clientName' | 'clientShown'>,
): string {
  return request.clientName ?? i18n.t(request.clientShown ? 'boardNoClient' : 'boardClientHidden');
}

export const statusTone: Record<RequestStatus, Tone> = {
  DRAFT: 'neutral',
  COLLECTING_OFFERS: 'accent',
  OFFER_ACCEPTED: 'success',
  IN_PROGRESS: 'accent',
  COMPLETED: 'success',
  CANCELLED: 'danger',
  EXPIRED: 'danger',
};

export const paymentTone: Record<PaymentStatus, Tone> = {
  NOT_PAID: 'neutral',
  TEST_PAYMENT_SENT: 'warning',
  TEST_PAYMENT_CONFIRMED: 'accent',
  PAYMENT_SENT: 'warning',
  PAYMENT_RECEIVED: 'accent',
  PAYOUT_DONE: 'success',
};

export function StatusBadge(props: { i18n: I18n; status: RequestStatus; inHouse: boolean }) {
  return (
    <Badge tone={statusTone[props.status]} testId="status-badge">
      {props.i18n.status(props.status, props.inHouse)}
    </Badge>
  );
}

export function PaymentBadge(props: { i18n: I18n; status: PaymentStatus }) {
  return (
    <Badge tone={paymentTone[props.status]} testId="payment-badge">
      {props.i18n.paymentStatus(props.status)}
    </Badge>
  );
}

/** Why the fields are read-only, in words: a finished request says it is finished. */
export function readOnlyText(
  i18n: I18n,
  request: Pick<PaymentRequestView, 'status' | 'acceptedOffer'>,
): string {
  if (request.status === 'COMPLETED') return i18n.t('readOnlyCompleted');
  if (request.status === 'CANCELLED') return i18n.t('readOnlyCancelled');
  if (request.status === 'EXPIRED') return i18n.t('readOnlyExpired');
  return i18n.t(request.acceptedOffer ? 'readOnlyAccepted' : 'readOnly');
}

/** `26,3 КБ` (ru) / `26.3 KB` (en): the locale's decimal mark, one decimal past bytes. */
export function formatSize(bytes: number, i18n: I18n): string {
  const units = i18n.locale === 'ru' ? ['Б', 'КБ', 'МБ'] : ['B', 'KB', 'MB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  const number = value.toLocaleString(i18n.locale === 'ru' ? 'ru-RU' : 'en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${number} ${units[unit]}`;
}

export function DocumentList(props: {
  i18n: I18n;
  documents: readonly DocumentView[];
  onOpen?: (id: string, fileName: string, download: boolean) => void;
  opening: string | null;
  /** What an empty list says (its own name: documents, attachments). */
  empty?: string;
}) {
  const { i18n } = props;
  if (props.documents.length === 0)
    return <p className="muted">{props.empty ?? i18n.t('documentsNone')}</p>;
  return (
    <ul className="list" data-testid="documents">
      {props.documents.map((document) => (
        <li className="list-item" key={document.id} data-testid="document">
          <div className="list-main">
            <div className="list-title">{document.fileName}</div>
            <div className="list-meta">
              {i18n.documentKind(document.kind)} · {i18n.documentSource(document.source)} ·{' '}
              {formatSize(document.size, i18n)} · {i18n.dateTime(document.createdAt)}
            </div>
          </div>
          {props.onOpen ? (
            <div className="list-actions">
              {/* Only what a browser shows without running it opens in place (PDF, images). */}
              {opensInPlace(document.mime) ? (
                <Button
                  busy={props.opening === document.id}
                  onClick={() => props.onOpen?.(document.id, document.fileName, false)}
                  testId={`open-${document.id}`}
                >
                  {i18n.t('open')}
                </Button>
              ) : null}
              <Button
                onClick={() => props.onOpen?.(document.id, document.fileName, true)}
                testId={`download-${document.id}`}
              >
                {i18n.t('download')}
              </Button>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** A request's history, newest first, in the shared phrase catalogue's words. */
export function HistoryList(props: { i18n: I18n; entries: readonly HistoryEntry[] }) {
  const { i18n } = props;
  const entries = [...props.entries].reverse();
  if (entries.length === 0) return <p className="muted">{i18n.t('historyNone')}</p>;
  return (
    <ol className="list history" data-testid="history">
      {entries.map((entry) => (
        <li className="list-item" key={entry.id}>
          <div className="list-main">
            <div className="list-title history-text">{i18n.history(entry.change)}</div>
            <div className="list-meta">
              {i18n.actor(entry.actor)} · {i18n.dateTime(entry.at)}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

/** A choice of a document's kind (of `kinds`, all by default), in the user's words. */
export function DocumentKindSelect(props: {
  i18n: I18n;
  value: DocumentKind;
  onChange: (kind: DocumentKind) => void;
  kinds?: readonly DocumentKind[];
  id?: string;
  label?: string;
  testId?: string;
}) {
  const { i18n, kinds = documentKinds, ...select } = props;
  return (
    <Select
      {...select}
      options={kinds.map((kind) => ({
        value: kind,
        label: i18n.documentKind(kind),
      }))}
    />
  );
}

/**
 * The documents section: the list for those who may see it, the request of a document from 1C
 * for those who may ask (`documents.generate`), and the queue of those requests.
 */
export function DocumentsSection(props: {
  i18n: I18n;
  request: { documents: readonly DocumentView[]; documentRequests: readonly DocumentRequestView[] };
  /** The documents listed (the Mini App shows its own uploads in the form instead). */
  documents?: readonly DocumentView[];
  permissions: readonly string[];
  opening: string | null;
  busy: string | null;
  onOpen?: (id: string, fileName: string, download: boolean) => void;
  onRequest?: (kind: DocumentKind) => void;
  children?: ReactNode;
}) {
  const { i18n, request, permissions } = props;
  const [kind, setKind] = useState<DocumentKind>('INVOICE');
  const canView = permissions.includes('documents.view');
  const canGenerate = permissions.includes('documents.generate') && props.onRequest;
  if (!canView && !canGenerate && !props.children) return null;
  return (
    <Section title={i18n.t('sectionDocuments')} testId="documents-section">
      {canView ? (
        <DocumentList
          i18n={i18n}
          documents={props.documents ?? request.documents}
          onOpen={props.onOpen}
          opening={props.opening}
        />
      ) : null}
      {canGenerate ? (
        <div className="request-document" data-testid="request-document">
          <label className="field-label" htmlFor="document-kind">
            {i18n.t('requestDocumentKind')}
          </label>
          <div className="inline">
            <DocumentKindSelect
              i18n={i18n}
              id="document-kind"
              value={kind}
              onChange={setKind}
              testId="request-document-kind"
            />
            <Button
              kind="primary"
              busy={props.busy === 'requestDocument'}
              disabled={props.busy !== null}
              onClick={() => props.onRequest?.(kind)}
              testId="request-document-button"
            >
              {i18n.t('requestDocument')}
            </Button>
          </div>
        </div>
      ) : null}
      {request.documentRequests.length > 0 ? (
        <div data-testid="document-queue">
          <div className="subtitle">{i18n.t('requestsQueue')}</div>
          <ul className="list">
            {[...request.documentRequests].reverse().map((item) => (
              <li className="list-item" key={item.id}>
                <div className="list-main">
                  <div className="list-title">{i18n.documentKind(item.kind)}</div>
                  <div className="list-meta">
                    {item.requestedBy} · {i18n.dateTime(item.createdAt)}
                    {item.error ? ` · ${item.error}` : ''}
                  </div>
                </div>
                <Badge
                  tone={
                    item.state === 'FULFILLED'
                      ? 'success'
                      : item.state === 'FAILED'
                        ? 'danger'
                        : 'neutral'
                  }
                >
                  {i18n.documentRequestState(item.state)}
                </Badge>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {props.children}
    </Section>
  );
}
