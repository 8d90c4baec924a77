import { Button } from '@payreq/ui';
import { useEffect } from 'react';

import { trpc } from '../api';
import { Failure } from '../parts';
import { navigate } from '../route';
import type { PortalI18n } from '../words';
import { standardPath } from './StandardList';
import { standardWords } from './words';

/** How often the top bar asks for new reminders. */
const pollMs = 30_000;

/** The unread count beside the navigation's link (reminders before a deadline, ...). */
export function useUnreadNotifications(): number {
  const list = trpc.notifications.list.useQuery({ limit: 1 }, { refetchInterval: pollMs });
  return list.data?.unread ?? 0;
}

/** The caller's notifications, newest first; opening the page marks them read. */
export function Notifications(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const utils = trpc.useUtils();
  // The latest 50: reminders are few, and older ones have done their work.
  const list = trpc.notifications.list.useQuery({ limit: 50 }, { refetchInterval: pollMs });
  const markRead = trpc.notifications.markRead.useMutation({
    onSuccess: () => void utils.notifications.list.invalidate(),
  });
  const items = list.data?.items ?? [];
  const newest = items[0];
  const unread = list.data?.unread ?? 0;
  const { mutate } = markRead;
  useEffect(() => {
    if (newest && unread > 0) mutate({ upTo: newest.id });
  }, [newest, unread, mutate]);
  return (
    <section data-testid="notifications">
      <h1 className="page-title">{s('notificationsTitle')}</h1>
      <Failure i18n={i18n} error={list.error} />
      {list.isPending ? (
        <p className="muted">{i18n.t('loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{s('notificationsNone')}</p>
      ) : (
        <ul className="list">
          {items.map((item) => (
            <li
              className={`list-item${item.read ? '' : ' unread'}`}
              key={item.id}
              data-testid="notification"
            >
              <div className="list-main">
                <div className="list-title">{item.text}</div>
                <div className="list-meta">{i18n.dateTime(item.at)}</div>
              </div>
              {item.requestId ? (
                <Button onClick={() => navigate(standardPath(item.requestId!))}>
                  {s('openRequest')}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
