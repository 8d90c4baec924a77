import { Banner, Button, StatusBadge } from '@payreq/ui';

import { failureText, trpc } from '../api';
import type { RequestListItem } from '../api';
import { navigate } from '../route';
import type { PortalI18n } from '../words';
import { standardWords } from './words';

const pageSize = 25;

export const standardPath = (id: string) => `/portal/standard/${id}`;

function Rows(props: { i18n: PortalI18n; items: RequestListItem[]; empty: string }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  if (props.items.length === 0)
    return (
      <p className="muted" data-testid="nothing-found">
        {props.empty}
      </p>
    );
  return (
    <table className="table" data-testid="standard-requests">
      <thead>
        <tr>
          <th>{i18n.p('columnNumber')}</th>
          <th>{s('columnCompany')}</th>
          <th>{i18n.field('direction')}</th>
          <th className="num">{i18n.p('columnAmount')}</th>
          <th>{i18n.p('columnStatus')}</th>
          <th>{s('columnDeadline')}</th>
          <th>{i18n.p('columnUpdated')}</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr
            key={item.id}
            className="clickable"
            onClick={() => navigate(standardPath(item.id))}
            data-testid="standard-row"
          >
            <td>
              <a
                href={standardPath(item.id)}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(standardPath(item.id));
                }}
              >
                {item.displayNumber}
              </a>
            </td>
            <td>{item.tenantName ?? i18n.t('empty')}</td>
            <td>{item.direction ? i18n.direction(item.direction) : i18n.t('empty')}</td>
            <td className="num">
              {item.amount ? i18n.money(item.amount, item.currency) : i18n.t('empty')}
            </td>
            <td>
              <StatusBadge i18n={i18n} status={item.status} inHouse={false} />
            </td>
            <td>{item.offersDeadline ? i18n.dateTime(item.offersDeadline) : i18n.t('empty')}</td>
            <td>{i18n.dateTime(item.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type PagedList = {
  data?: { pages: { items: RequestListItem[] }[] };
  error: unknown;
  isPending: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
};

/** A list read a page at a time: its rows, its error, and "show more" while there is more. */
function PagedRows(props: { i18n: PortalI18n; list: PagedList; empty: string }) {
  const { i18n, list } = props;
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      {list.error ? <Banner tone="error">{failureText(list.error, i18n)}</Banner> : null}
      {list.isPending ? (
        <p className="muted">{i18n.t('loading')}</p>
      ) : (
        <Rows i18n={i18n} items={items} empty={props.empty} />
      )}
      {list.hasNextPage ? (
        <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {i18n.p('more')}
        </Button>
      ) : null}
    </>
  );
}

/** The "new request" button of a list's head. */
function NewRequestButton(props: { i18n: PortalI18n }) {
  return (
    <Button kind="primary" onClick={() => navigate('/portal/new')} testId="new-request">
      {standardWords(props.i18n.locale)('navNew')}
    </Button>
  );
}

/** A client company's requests (its people's and those the bank filed for it). */
export function CompanyRequests(props: { i18n: PortalI18n; hasCompany: boolean }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const list = trpc.requests.list.useInfiniteQuery(
    { limit: pageSize },
    { getNextPageParam: (last) => last.nextCursor, refetchInterval: 15_000 },
  );
  return (
    <section data-testid="company-requests">
      <div className="page-head">
        <h1 className="page-title">{s('navMyRequests')}</h1>
        {props.hasCompany ? <NewRequestButton i18n={i18n} /> : null}
      </div>
      {!props.hasCompany ? (
        <Banner tone="info" testId="no-company">
          {s('companyIntro')}{' '}
          <a
            href="/portal/company"
            onClick={(event) => {
              event.preventDefault();
              navigate('/portal/company');
            }}
          >
            {s('navCompany')}
          </a>
        </Banner>
      ) : null}
      <PagedRows i18n={i18n} list={list} empty={s('listEmptyPerson')} />
    </section>
  );
}

/** The market, for agents of every tenant: open standard requests, and those they took part in. */
export function Market(props: { i18n: PortalI18n; mayFile: boolean }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const list = trpc.standard.market.useInfiniteQuery(
    { limit: pageSize },
    { getNextPageParam: (last) => last.nextCursor, refetchInterval: 15_000 },
  );
  return (
    <section data-testid="market">
      <div className="page-head">
        <h1 className="page-title">{s('navMarket')}</h1>
        {props.mayFile ? <NewRequestButton i18n={i18n} /> : null}
      </div>
      <p className="muted">{s('marketIntro')}</p>
      <PagedRows i18n={i18n} list={list} empty={s('listEmptyMarket')} />
    </section>
  );
}
