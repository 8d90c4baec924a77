import type { PaymentStatus, RequestStatus } from '@payreq/contracts';
import { paymentStatuses, requestStatuses } from '@payreq/contracts';
import { Banner, Button, PaymentBadge, StatusBadge } from '@payreq/ui';
import { useDeferredValue, useState } from 'react';

import type { RequestListItem } from '../api';
import { failureText, trpc } from '../api';
import { navigate } from '../route';
import type { PortalI18n } from '../words';

const pageSize = 25;

/** The bank's deal rooms and requests: search, filters, pages from the server. */
/** A deal room's request opens the bank's page; a standard one, the market's page of it. */
const pageOf = (item: RequestListItem) =>
  item.pipeline === 'STANDARD' ? `/portal/standard/${item.id}` : `/portal/requests/${item.id}`;

export function RequestList(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const [payment, setPayment] = useState<PaymentStatus | ''>('');
  const [agentId, setAgentId] = useState('');
  const [age, setAge] = useState('');
  const deferredSearch = useDeferredValue(search.trim());
  const agents = trpc.portal.agents.useQuery();
  const list = trpc.portal.requests.useInfiniteQuery(
    {
      limit: pageSize,
      ...(deferredSearch ? { search: deferredSearch } : {}),
      ...(status ? { status: [status] } : {}),
      ...(payment ? { paymentStatus: [payment] } : {}),
      ...(agentId ? { agentId } : {}),
      ...(age ? { createdWithinDays: Number(age) } : {}),
    },
    { getNextPageParam: (last) => last.nextCursor, refetchInterval: 15_000 },
  );
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section data-testid="request-list">
      <h1 className="page-title">{i18n.p('navRequests')}</h1>
      <div className="filters">
        <input
          className="input search"
          type="search"
          value={search}
          placeholder={i18n.p('search')}
          aria-label={i18n.p('search')}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="search"
        />
        <select
          className="input select"
          value={status}
          onChange={(e) => setStatus(e.target.value as RequestStatus | '')}
          aria-label={i18n.p('columnStatus')}
          data-testid="filter-status"
        >
          <option value="">{i18n.p('allStatuses')}</option>
          {requestStatuses.map((value) => (
            <option key={value} value={value}>
              {i18n.status(value, true)}
            </option>
          ))}
        </select>
        <select
          className="input select"
          value={payment}
          onChange={(e) => setPayment(e.target.value as PaymentStatus | '')}
          aria-label={i18n.t('sectionPayment2')}
          data-testid="filter-payment"
        >
          <option value="">{i18n.p('allPayments')}</option>
          {paymentStatuses.map((value) => (
            <option key={value} value={value}>
              {i18n.paymentStatus(value)}
            </option>
          ))}
        </select>
        <select
          className="input select"
          value={agentId}
          onChange={(e) => setAgentId(e.target.value)}
          aria-label={i18n.p('columnAgent')}
          data-testid="filter-agent"
        >
          <option value="">{i18n.p('allAgents')}</option>
          {(agents.data ?? []).map((agent) => (
            <option key={agent.agentId} value={agent.agentId}>
              {agent.name}
            </option>
          ))}
        </select>
        <select
          className="input select"
          value={age}
          onChange={(e) => setAge(e.target.value)}
          aria-label={i18n.t('age')}
          data-testid="filter-age"
        >
          <option value="">{i18n.p('anyAge')}</option>
          {[1, 7, 30, 90].map((days) => (
            <option key={days} value={days}>
              {i18n.p('days', { n: days })}
            </option>
          ))}
        </select>
      </div>
      {list.error ? <Banner tone="error">{failureText(list.error, i18n)}</Banner> : null}
      {list.isPending ? (
        <p className="muted">{i18n.t('loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted" data-testid="nothing-found">
          {i18n.p('nothingFound')}
        </p>
      ) : (
        <table className="table" data-testid="requests">
          <thead>
            <tr>
              <th>{i18n.p('columnNumber')}</th>
              <th>{i18n.p('columnRoom')}</th>
              <th>{i18n.p('columnClient')}</th>
              <th className="num">{i18n.p('columnAmount')}</th>
              <th>{i18n.p('columnStatus')}</th>
              <th>{i18n.p('columnAgent')}</th>
              <th>{i18n.p('columnUpdated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr
                key={item.id}
                className="clickable"
                onClick={() => navigate(pageOf(item))}
                data-testid="request-row"
              >
                <td>
                  <a
                    href={pageOf(item)}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(pageOf(item));
                    }}
                  >
                    {item.displayNumber}
                  </a>
                </td>
                <td>{item.chatTitle ?? <span className="muted">{i18n.p('noRoom')}</span>}</td>
                <td>{item.clientName ?? i18n.t('boardNoClient')}</td>
                <td className="num">
                  {item.amount ? i18n.money(item.amount, item.currency) : i18n.t('empty')}
                </td>
                <td>
                  <div className="badges">
                    <StatusBadge i18n={i18n} status={item.status} inHouse={item.inHouse} />
                    <PaymentBadge i18n={i18n} status={item.paymentStatus} />
                  </div>
                </td>
                <td>{item.agentName ?? i18n.t('empty')}</td>
                <td>{i18n.dateTime(item.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
    </section>
  );
}
