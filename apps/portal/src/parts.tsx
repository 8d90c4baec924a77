import type { DeliveryFailureText } from '@payreq/i18n';
import { Banner, Button } from '@payreq/ui';
import type { ReactNode } from 'react';

import { failureText } from './api';
import type { PortalI18n } from './words';

/** What went wrong, in an error banner; nothing while there is no error. */
export function Failure(props: { i18n: PortalI18n; error: unknown; testId?: string }) {
  if (!props.error) return null;
  return (
    <Banner tone="error" testId={props.testId}>
      {failureText(props.error, props.i18n)}
    </Banner>
  );
}

/** Opens or saves a document through the api's safe serving (the session cookie authenticates). */
export function openDocument(id: string, fileName: string, download: boolean) {
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

/** How the portal's lists are read: a page at a time by the server's cursor, and kept fresh. */
export const pagedListOptions = {
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor,
  refetchInterval: 15_000,
};

/** A list's infinite query, as far as its page needs it. */
export interface PagedQuery<Item> {
  data?: { pages: { items: Item[] }[] };
  error: unknown;
  isPending: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * A list read a page at a time: its error, "loading" until the first page, the rows (or the
 * words for none), and "show more" while the server has more.
 */
export function PagedList<Item>(props: {
  i18n: PortalI18n;
  list: PagedQuery<Item>;
  empty: string;
  children: (items: Item[]) => ReactNode;
}) {
  const { i18n, list } = props;
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <Failure i18n={i18n} error={list.error} />
      {list.isPending ? (
        <p className="muted">{i18n.t('loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted" data-testid="nothing-found">
          {props.empty}
        </p>
      ) : (
        props.children(items)
      )}
      {list.hasNextPage ? (
        <Button
          busy={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
          testId="more"
        >
          {i18n.p('more')}
        </Button>
      ) : null}
    </>
  );
}

/** Why a message is not delivered in the operator's words; the logged line, smaller, below. */
export function FailureLines(props: { text: DeliveryFailureText }) {
  return (
    <>
      <div className="dead-reason">{props.text.summary}</div>
      <div className="list-meta dead-error">{props.text.detail}</div>
    </>
  );
}
