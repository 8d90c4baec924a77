import type { DocumentView, HistoryEntry, PaymentStatus, RequestStatus } from '@payreq/contracts';
import { opensInPlace } from '@payreq/contracts';

import type { Tone } from './ui';
import { Badge, Button } from './ui';
import type { I18n } from './words';

/**
 * The request's parts as both apps show them (the Mini App and the portal): status and payment
 * badges, the documents list, the history.
 */

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

export function formatSize(bytes: number, i18n: I18n): string {
  const units = i18n.locale === 'ru' ? ['Б', 'КБ', 'МБ'] : ['B', 'KB', 'MB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function DocumentList(props: {
  i18n: I18n;
  documents: readonly DocumentView[];
  onOpen?: (id: string, fileName: string, download: boolean) => void;
  opening: string | null;
}) {
  const { i18n } = props;
  if (props.documents.length === 0) return <p className="muted">{i18n.t('documentsNone')}</p>;
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
