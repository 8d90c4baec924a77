import type { Permission, RequestStatus } from '@payreq/contracts';
import { requestStatuses } from '@payreq/contracts';
import { useCallback, useEffect, useMemo, useState } from 'react';

import type { Api } from '../api';
import { failureOf, trpc } from '../api';
import { Banner, Button } from '@payreq/ui';
import { draftKey } from '../draft';
import type { I18n } from '@payreq/ui';
import { createI18n } from '@payreq/ui';
import { FullScreenMessage, Loading } from './Messages';
import type { RequestActions } from './RequestScreen';
import { RequestScreen } from './RequestScreen';
import { StatusBadge, clientText } from '@payreq/ui';

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * The agents' board (opened from the bot's private chat, no deal room): the requests the
 * agent may see, newest activity first, refreshing itself. A request opens read-only unless
 * the server says it is the agent's own (`readOnly: false` on the item).
 */
export function Board(props: { api: Api; fallbackI18n: I18n; refetchMs?: number }) {
  const me = trpc.me.info.useQuery();
  const locale = me.data?.settings.locale ?? props.fallbackI18n.locale;
  const i18n = useMemo(
    () => (locale === props.fallbackI18n.locale ? props.fallbackI18n : createI18n(locale)),
    [locale, props.fallbackI18n],
  );
  const [statuses, setStatuses] = useState<RequestStatus[]>([]);
  const [mine, setMine] = useState(false);
  // Page cursors: the first page, then one more per "show more". (Plain queries, not an
  // infinite query: `requests.list` takes exactly its own fields.)
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<{ id: string; editable: boolean } | null>(null);
  const now = useNow(30_000);
  const pages = trpc.useQueries((t) =>
    cursors.map((cursor) =>
      t.requests.list(
        { status: statuses.length > 0 ? statuses : undefined, mine, limit: 25, cursor },
        { refetchInterval: props.refetchMs ?? 10_000, enabled: open === null },
      ),
    ),
  );
  const close = useCallback(() => setOpen(null), []);

  if (open) {
    return (
      <BoardRequest
        api={props.api}
        i18n={i18n}
        requestId={open.id}
        editable={open.editable}
        userId={me.data?.telegramId ?? null}
        onBack={close}
      />
    );
  }
  const first = pages[0]!;
  if (first.isPending) return <Loading i18n={i18n} />;
  if (first.isError) {
    return (
      <FullScreenMessage
        i18n={i18n}
        text={failureOf(first.error, i18n).message}
        onRetry={() => void first.refetch()}
      />
    );
  }
  const items = pages.flatMap((page) => page.data?.items ?? []);
  const last = pages[pages.length - 1]!;
  const nextCursor = last.data?.nextCursor ?? null;
  const toggle = (status: RequestStatus) => {
    setCursors([null]);
    setStatuses((current) =>
      current.includes(status) ? current.filter((s) => s !== status) : [...current, status],
    );
  };
  return (
    <main className="screen" data-testid="board">
      <header className="header">
        <div className="header-kicker">{me.data?.name ?? ''}</div>
        <h1 className="header-title">{i18n.t('boardTitle')}</h1>
      </header>
      <div className="chips" role="toolbar" data-testid="board-filters">
        <button
          type="button"
          className={`chip${mine ? ' chip-on' : ''}`}
          aria-pressed={mine}
          onClick={() => {
            setCursors([null]);
            setMine(!mine);
          }}
          data-testid="filter-mine"
        >
          {i18n.t('boardMine')}
        </button>
        {requestStatuses.map((status) => (
          <button
            type="button"
            key={status}
            className={`chip${statuses.includes(status) ? ' chip-on' : ''}`}
            aria-pressed={statuses.includes(status)}
            onClick={() => toggle(status)}
            data-testid={`filter-${status}`}
          >
            {i18n.status(status, false)}
          </button>
        ))}
      </div>
      <section className="section">
        <div className="section-body">
          {items.length === 0 ? (
            <p className="muted">{i18n.t('boardEmpty')}</p>
          ) : (
            <ul className="list board-list">
              {items.map((item) => (
                <li key={item.id}>
                  <button
                    type="button"
                    className="board-row"
                    onClick={() => setOpen({ id: item.id, editable: !item.readOnly })}
                    data-testid="board-row"
                    data-request-id={item.id}
                  >
                    <span className="board-top">
                      <span className="board-number">{item.displayNumber}</span>
                      <StatusBadge i18n={i18n} status={item.status} inHouse={item.inHouse} />
                    </span>
                    <span className="board-client">{clientText(i18n, item)}</span>
                    <span className="board-amount">
                      {item.amount
                        ? i18n.money(item.amount, item.currency)
                        : i18n.t('boardNoAmount')}
                    </span>
                    <span className="board-meta">
                      {[
                        item.agentName ? `${i18n.t('agent')}: ${item.agentName}` : null,
                        item.chatTitle ? `${i18n.t('chat')}: ${item.chatTitle}` : null,
                        `${i18n.t('age')}: ${i18n.age(item.createdAt, now)}`,
                        item.readOnly ? i18n.t('boardReadOnly') : null,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="section-footer">{i18n.t('boardUpdated')}</div>
      </section>
      {nextCursor ? (
        <div className="section-actions">
          <Button
            busy={last.isFetching}
            onClick={() => setCursors((current) => [...current, nextCursor])}
          >
            {i18n.t('boardMore')}
          </Button>
        </div>
      ) : null}
    </main>
  );
}

/** One request from the board: `requests.get`, editable only when the server said it is ours. */
function BoardRequest(props: {
  api: Api;
  i18n: I18n;
  requestId: string;
  editable: boolean;
  userId: number | null;
  onBack: () => void;
}) {
  const { api, i18n, requestId } = props;
  const utils = trpc.useUtils();
  const query = trpc.requests.get.useQuery({ requestId });
  const actions = useMemo<RequestActions>(
    () => ({
      save: async (input) => {
        if (input.version === undefined) throw new Error('version required');
        return api.client.requests.update.mutate({
          requestId,
          version: input.version,
          fields: input.fields,
        });
      },
      fresh: async () => {
        const fresh = await api.client.requests.get.query({ requestId });
        utils.requests.get.setData({ requestId }, fresh);
        return fresh;
      },
      changed: (view) => {
        if (view) utils.requests.get.setData({ requestId }, view);
        void utils.requests.list.invalidate();
      },
      olderHistory: (before) => api.client.requests.history.query({ requestId, before }),
    }),
    [api, utils, requestId],
  );
  if (query.isPending) return <Loading i18n={i18n} />;
  if (query.isError) {
    return (
      <main className="screen">
        <Banner tone="error">{failureOf(query.error, i18n).message}</Banner>
        <Button onClick={props.onBack}>{i18n.t('back')}</Button>
      </main>
    );
  }
  const view = query.data;
  const editable = props.editable && !view.readOnly;
  // The board's item says whether the request is the agent's own; the view itself carries
  // only what the server let this caller see.
  const permissions: Permission[] = editable
    ? ['application.view', 'offer.view', 'documents.view', 'history.view', 'application.edit']
    : ['application.view', 'offer.view'];
  const scope = view.telegramChatId ?? `request-${view.id}`;
  return (
    <RequestScreen
      i18n={i18n}
      request={view}
      permissions={permissions}
      draftKey={editable && props.userId !== null ? draftKey(scope, props.userId) : null}
      actions={actions}
      chatTitle={view.chatTitle}
      onBack={props.onBack}
    />
  );
}
