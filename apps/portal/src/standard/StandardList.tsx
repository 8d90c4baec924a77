import { Banner, Button, StatusBadge } from '@payreq/ui';
import type { ReactNode } from 'react';

import { trpc } from '../api';
import type { RequestListItem } from '../api';
import type { PagedQuery } from '../parts';
import { PagedList, pagedListOptions } from '../parts';
import { AppLink, navigate } from '../route';
import type { PortalI18n } from '../words';
import type { StandardWordKey } from './words';
import { standardWords } from './words';

const pageSize = 25;

export const standardPath = (id: string) => `/portal/standard/${id}`;

function Rows(props: { i18n: PortalI18n; items: RequestListItem[] }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  return (
    <table className="table table-cards" data-testid="standard-requests">
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
            {/* Each cell's column name, its label on a phone's card (styles.css). */}
            <td className="keep card-head" data-label={i18n.p('columnNumber')}>
              <AppLink href={standardPath(item.id)}>{item.displayNumber}</AppLink>
            </td>
            {/* A deal room's request is the bank's tenant's: its client is the payer. */}
            <td data-label={s('columnCompany')}>
              {(item.pipeline === 'TELEGRAM' ? item.clientName : item.tenantName) ??
                i18n.t(item.clientShown ? 'empty' : 'boardClientHidden')}
            </td>
            <td data-label={i18n.field('direction')}>
              {item.direction ? i18n.direction(item.direction) : i18n.t('empty')}
            </td>
            <td className="num" data-label={i18n.p('columnAmount')}>
              {item.amount ? i18n.money(item.amount, item.currency) : i18n.t('empty')}
            </td>
            <td data-label={i18n.p('columnStatus')}>
              <StatusBadge i18n={i18n} status={item.status} inHouse={false} />
            </td>
            <td data-label={s('columnDeadline')}>
              {item.offersDeadline ? i18n.dateTime(item.offersDeadline) : i18n.t('empty')}
            </td>
            <td data-label={i18n.p('columnUpdated')}>{i18n.dateTime(item.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The lists of standard requests: a client company's, and the agents' market. */
const requestLists = {
  company: { testId: 'company-requests', title: 'navMyRequests', empty: 'listEmptyPerson' },
  market: { testId: 'market', title: 'navMarket', empty: 'listEmptyMarket' },
} satisfies Record<string, { testId: string; title: StandardWordKey; empty: StandardWordKey }>;

/**
 * A page of standard requests: its title, "new request" where the viewer may file one, what is
 * said above the list, and the list a page at a time.
 */
function RequestsPage(props: {
  i18n: PortalI18n;
  of: keyof typeof requestLists;
  mayFile: boolean;
  list: PagedQuery<RequestListItem>;
  children?: ReactNode;
}) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const words = requestLists[props.of];
  return (
    <section data-testid={words.testId}>
      <div className="page-head">
        <h1 className="page-title">{s(words.title)}</h1>
        {props.mayFile ? (
          <Button kind="primary" onClick={() => navigate('/portal/new')} testId="new-request">
            {s('navNew')}
          </Button>
        ) : null}
      </div>
      {props.children}
      <PagedList i18n={i18n} list={props.list} empty={s(words.empty)}>
        {(items) => <Rows i18n={i18n} items={items} />}
      </PagedList>
    </section>
  );
}

/** A client company's requests (its people's and those the bank filed for it). */
export function CompanyRequests(props: { i18n: PortalI18n; hasCompany: boolean }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const list = trpc.requests.list.useInfiniteQuery({ limit: pageSize }, pagedListOptions);
  return (
    <RequestsPage i18n={i18n} of="company" mayFile={props.hasCompany} list={list}>
      {!props.hasCompany ? (
        <Banner tone="info" testId="no-company">
          {s('companyIntro')} <AppLink href="/portal/company">{s('navCompany')}</AppLink>
        </Banner>
      ) : null}
    </RequestsPage>
  );
}

/** The market, for agents of every tenant: open standard requests, and those they took part in. */
export function Market(props: { i18n: PortalI18n; mayFile: boolean }) {
  const { i18n } = props;
  const list = trpc.standard.market.useInfiniteQuery({ limit: pageSize }, pagedListOptions);
  return (
    <RequestsPage i18n={i18n} of="market" mayFile={props.mayFile} list={list}>
      <p className="muted">{standardWords(i18n.locale)('marketIntro')}</p>
    </RequestsPage>
  );
}
