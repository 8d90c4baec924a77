import type { PaymentStatus, RequestStatus } from '@payreq/contracts';
import { paymentStatuses, requestStatuses } from '@payreq/contracts';
import { InlineInput, PaymentBadge, Select, StatusBadge, clientText } from '@payreq/ui';
import { useDeferredValue, useState } from 'react';

import { trpc } from '../api';
import { PagedList, pagedListOptions } from '../parts';
import { AppLink, navigate, requestPagePath } from '../route';
import type { PortalI18n } from '../words';

const pageSize = 25;

/** The list's filters: each is "all" (empty) or one value; the server applies them. */
type Filters = {
  status: RequestStatus | '';
  payment: PaymentStatus | '';
  agent: string;
  age: string;
};
const noFilters: Filters = { status: '', payment: '', agent: '', age: '' };
const filterNames = Object.keys(noFilters) as (keyof Filters)[];
/** The "created within" filter's choices, in days. */
const ageDays = [1, 7, 30, 90];

/**
 * A status as the filter names it: as the list's badges do. The list holds both roads, so the
 * one status the two name differently says both: «Сбор предложений / новая in-house заявка».
 */
function statusFilterLabel(i18n: PortalI18n, status: RequestStatus): string {
  const standard = i18n.status(status, false);
  const inHouse = i18n.status(status, true);
  if (standard === inHouse) return standard;
  return `${standard} / ${inHouse.charAt(0).toLocaleLowerCase(i18n.locale)}${inHouse.slice(1)}`;
}

/** A filter's name, its "all" option and its values, in the user's words. */
interface FilterChoices {
  label: string;
  all: string;
  options: { value: string; label: string }[];
}

/**
 * The caller's deal rooms whose request nobody has started yet: their chat is readable from the
 * first message. Nothing is shown while there are none.
 */
function RoomsBeforeRequest(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const rooms = trpc.portal.roomsBeforeRequest.useInfiniteQuery({ limit: 10 }, pagedListOptions);
  const items = rooms.data?.pages.flatMap((page) => page.items) ?? [];
  if (items.length === 0 && !rooms.error) return null;
  return (
    <section className="rooms" data-testid="rooms-before-request">
      <h2 className="section-title">{i18n.p('roomsTitle')}</h2>
      <p className="muted small">{i18n.p('roomsHint')}</p>
      <PagedList i18n={i18n} list={rooms} empty="">
        {(rooms) => (
          <ul className="room-list">
            {rooms.map((room) => (
              <li key={room.chatId} data-testid="room-row">
                <AppLink href={`/portal/rooms/${room.chatId}`}>
                  {room.title ?? i18n.p('roomUntitled')}
                </AppLink>{' '}
                <span className="muted small">
                  {i18n.p('roomAdded', { at: i18n.dateTime(room.addedAt) })} ·{' '}
                  {room.lastMessageAt
                    ? i18n.p('roomLastMessage', { at: i18n.dateTime(room.lastMessageAt) })
                    : i18n.p('roomNoMessages')}
                </span>
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}

/** The bank's deal rooms and requests: search, filters, pages from the server. */
export function RequestList(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Filters>(noFilters);
  const deferredSearch = useDeferredValue(search.trim());
  const agents = trpc.portal.agents.useQuery();
  const list = trpc.portal.requests.useInfiniteQuery(
    {
      limit: pageSize,
      ...(deferredSearch ? { search: deferredSearch } : {}),
      ...(filters.status ? { status: [filters.status] } : {}),
      ...(filters.payment ? { paymentStatus: [filters.payment] } : {}),
      ...(filters.agent ? { agentId: filters.agent } : {}),
      ...(filters.age ? { createdWithinDays: Number(filters.age) } : {}),
    },
    pagedListOptions,
  );
  const choices: Record<keyof Filters, FilterChoices> = {
    status: {
      label: i18n.p('columnStatus'),
      all: i18n.p('allStatuses'),
      options: requestStatuses.map((value) => ({ value, label: statusFilterLabel(i18n, value) })),
    },
    payment: {
      label: i18n.t('sectionPayment2'),
      all: i18n.p('allPayments'),
      options: paymentStatuses.map((value) => ({ value, label: i18n.paymentStatus(value) })),
    },
    agent: {
      label: i18n.p('columnAgent'),
      all: i18n.p('allAgents'),
      options: (agents.data ?? []).map((agent) => ({ value: agent.agentId, label: agent.name })),
    },
    age: {
      label: i18n.t('age'),
      all: i18n.p('anyAge'),
      options: ageDays.map((days) => ({ value: String(days), label: i18n.p('days', { n: days }) })),
    },
  };
  return (
    <section data-testid="request-list">
      <h1 className="page-title">{i18n.p('navRequests')}</h1>
      <RoomsBeforeRequest i18n={i18n} />
      <div className="filters">
        <InlineInput
          search
          label={i18n.p('search')}
          value={search}
          onChange={setSearch}
          testId="search"
        />
        {filterNames.map((name) => (
          <Select
            key={name}
            value={filters[name]}
            onChange={(value) => setFilters((current) => ({ ...current, [name]: value }))}
            label={choices[name].label}
            placeholder={choices[name].all}
            options={choices[name].options}
            testId={`filter-${name}`}
          />
        ))}
      </div>
      <PagedList
        i18n={i18n}
        list={list}
        empty={
          deferredSearch || Object.values(filters).some(Boolean)
            ? i18n.p('nothingFound')
            : i18n.p('requestsNone')
        }
      >
        {(items) => (
          <table className="table table-cards" data-testid="requests">
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
                  onClick={() => navigate(requestPagePath(item))}
                  data-testid="request-row"
                >
                  {/* Each cell's column name, its label on a phone's card (styles.css). */}
                  <td className="keep card-head" data-label={i18n.p('columnNumber')}>
                    <AppLink href={requestPagePath(item)}>{item.displayNumber}</AppLink>
                  </td>
                  <td data-label={i18n.p('columnRoom')}>
                    {item.chatTitle ?? <span className="muted">{i18n.p('noRoom')}</span>}
                  </td>
                  <td data-label={i18n.p('columnClient')}>{clientText(i18n, item)}</td>
                  <td className="num" data-label={i18n.p('columnAmount')}>
                    {item.amount ? i18n.money(item.amount, item.currency) : i18n.t('empty')}
                  </td>
                  <td data-label={i18n.p('columnStatus')}>
                    <div className="badges">
                      <StatusBadge i18n={i18n} status={item.status} inHouse={item.inHouse} />
                      <PaymentBadge i18n={i18n} status={item.paymentStatus} />
                    </div>
                  </td>
                  <td data-label={i18n.p('columnAgent')}>{item.agentName ?? i18n.t('empty')}</td>
                  <td data-label={i18n.p('columnUpdated')}>{i18n.dateTime(item.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </section>
  );
}
