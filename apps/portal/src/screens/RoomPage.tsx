import { Banner } from '@payreq/ui';

import { trpc } from '../api';
import { Failure } from '../parts';
import { AppLink } from '../route';
import type { PortalI18n } from '../words';
import { ChatArchive, archivePageInput } from './ChatArchive';

/**
 * A deal room read by its chat: a room whose request nobody has started yet (the list's rooms
 * section links here). Once the room has its request, the page links to it.
 */
export function RoomPage(props: { i18n: PortalI18n; chatId: number }) {
  const { i18n, chatId } = props;
  const room = { chatId };
  // The archive's own first page: one request for the title, the link and the messages, read
  // again now and then so the link appears once someone starts the request.
  const page = trpc.portal.chat.page.useQuery(archivePageInput(room), {
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchInterval: 15_000,
  });
  if (page.isPending) return <p className="muted">{i18n.t('loading')}</p>;
  if (page.error) return <Failure i18n={i18n} error={page.error} />;
  const { requestId } = page.data;
  return (
    <article data-testid="room-page">
      <header className="request-head">
        <h1 className="page-title" data-testid="room-title">
          {page.data.chatTitle ?? i18n.p('roomUntitled')}
        </h1>
      </header>
      {requestId ? (
        <p>
          <AppLink href={`/portal/requests/${requestId}`} testId="room-request">
            {i18n.p('roomOpenRequest')}
          </AppLink>
        </p>
      ) : (
        <Banner tone="info" testId="room-no-request">
          {i18n.p('roomNoRequest')}
        </Banner>
      )}
      <ChatArchive i18n={i18n} room={room} />
    </article>
  );
}
