import type { ArchiveRoom, DocumentKind } from '@payreq/contracts';
import { documentKinds } from '@payreq/contracts';
import { Banner, Button, DocumentKindSelect, Form, InlineInput, formatSize } from '@payreq/ui';
import { useCallback, useEffect, useRef, useState } from 'react';

import type { ArchiveMessage } from '../api';
import { trpc } from '../api';
import { Failure } from '../parts';
import type { PortalI18n } from '../words';

/** New messages are fetched by short polling: every few seconds while the room is open. */
const pollSeconds = 4;
const pageSize = 50;

const fileUrl = (message: ArchiveMessage) => `/portal/files/chat/${message.key}`;

function byPosition(a: ArchiveMessage, b: ArchiveMessage) {
  return a.date.localeCompare(b.date) || a.messageId - b.messageId || a.key.localeCompare(b.key);
}

/** Media the browser plays: fetched on demand and given its real type (served as a download). */
function Playable(props: { i18n: PortalI18n; message: ArchiveMessage; video: boolean }) {
  const [source, setSource] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => () => void (source && URL.revokeObjectURL(source)), [source]);
  const load = async () => {
    setBusy(true);
    try {
      const bytes = await (await fetch(fileUrl(props.message))).blob();
      setSource(URL.createObjectURL(new Blob([bytes], { type: props.message.file!.mime })));
    } finally {
      setBusy(false);
    }
  };
  if (source)
    return props.video ? (
      <video className="chat-video" src={source} controls autoPlay data-testid="video-player" />
    ) : (
      <audio src={source} controls autoPlay data-testid="voice-player" />
    );
  return (
    <div className={props.video ? 'chat-video-tile' : 'chat-voice'}>
      <Button
        busy={busy}
        onClick={() => void load()}
        testId={props.video ? 'play-video' : 'play-voice'}
      >
        ▶ {props.video ? props.i18n.p('playVideo') : props.i18n.p('play')}
      </Button>
      <span className="muted small">
        {props.video ? props.i18n.p('video') : props.i18n.p('voice')} ·{' '}
        {formatSize(props.message.file!.size, props.i18n)}
      </span>
    </div>
  );
}

function AttachFile(props: {
  i18n: PortalI18n;
  requestId: string;
  message: ArchiveMessage;
  onDone: (text: string) => void;
}) {
  const { i18n } = props;
  // The kinds this file is not yet among the documents as: the same one twice adds nothing.
  const attached = props.message.file?.attachedAs ?? [];
  const kinds = documentKinds.filter((candidate) => !attached.includes(candidate));
  const [open, setOpen] = useState(false);
  const [chosen, setKind] = useState<DocumentKind>('INVOICE');
  const kind = kinds.includes(chosen) ? chosen : kinds[0];
  const [announce, setAnnounce] = useState(false);
  const utils = trpc.useUtils();
  const attach = trpc.portal.chat.attach.useMutation({
    onSuccess: async () => {
      setOpen(false);
      props.onDone(i18n.p('added'));
      await utils.portal.request.invalidate({ requestId: props.requestId });
    },
  });
  if (kind === undefined) return null;
  if (!open)
    return (
      <button className="link-button small" onClick={() => setOpen(true)} data-testid="attach-open">
        {i18n.p('addAs')}
      </button>
    );
  return (
    <div className="attach" data-testid="attach">
      <label className="muted small" htmlFor={`kind-${props.message.key}`}>
        {i18n.p('addAs')}
      </label>
      <DocumentKindSelect
        i18n={i18n}
        id={`kind-${props.message.key}`}
        value={kind}
        onChange={setKind}
        kinds={kinds}
        testId="attach-kind"
      />
      <label className="check small">
        <input
          type="checkbox"
          checked={announce}
          onChange={(event) => setAnnounce(event.target.checked)}
          data-testid="attach-announce"
        />{' '}
        {i18n.p('announce')}
      </label>
      <Button
        busy={attach.isPending}
        onClick={() =>
          attach.mutate({
            requestId: props.requestId,
            messageKey: props.message.key,
            kind,
            announce,
          })
        }
        testId="attach-button"
      >
        {i18n.p('addButton')}
      </Button>
      <Failure i18n={i18n} error={attach.error} />
    </div>
  );
}

/** What a file of the archive needs to be added to the request's documents from its bubble. */
interface Attaching {
  i18n: PortalI18n;
  /** The request a file may be added to: null when the caller may not, or there is none yet. */
  attachTo: string | null;
  onNotice: (text: string) => void;
}

function FileBody(props: Attaching & { message: ArchiveMessage }) {
  const { i18n, message } = props;
  const file = message.file!;
  const picture =
    message.kind === 'photo' || message.kind === 'sticker' || file.mime.startsWith('image/');
  if (!file.available) {
    // A photo's name is Telegram's id, not the person's: it is named as a photo.
    const what = picture ? i18n.p('photo') : file.fileName;
    return (
      <div className="muted small" data-testid="file-not-kept">
        {i18n.p(file.tooBig ? 'fileTooBig' : 'fileNotKept', { what })}
      </div>
    );
  }
  let body;
  if (picture) {
    body = (
      <a href={fileUrl(message)} target="_blank" rel="noreferrer">
        <img
          className="chat-thumb"
          src={fileUrl(message)}
          alt={i18n.p('photo')}
          loading="lazy"
          data-testid="photo"
        />
      </a>
    );
  } else if (message.kind === 'voice' || message.kind === 'audio') {
    body = <Playable i18n={i18n} message={message} video={false} />;
  } else if (['video', 'video_note', 'animation'].includes(message.kind)) {
    body = <Playable i18n={i18n} message={message} video />;
  } else {
    body = (
      <a
        className="chat-file"
        href={fileUrl(message)}
        download={file.fileName}
        data-testid="chat-file"
      >
        {file.fileName} <span className="muted small">{formatSize(file.size, i18n)}</span>
      </a>
    );
  }
  return (
    <>
      {body}
      {file.attachedAs.length > 0 ? (
        <div className="muted small" data-testid="attached-as">
          {i18n.p('addedAs', {
            kinds: file.attachedAs
              .map((kind) => i18n.documentKind(kind as DocumentKind))
              .join(', '),
          })}
        </div>
      ) : null}
      {/* The bot's files are the platform's own (1C's documents): already where they belong. */}
      {props.attachTo && !message.byBot ? (
        <AttachFile
          i18n={i18n}
          requestId={props.attachTo}
          message={message}
          onDone={props.onNotice}
        />
      ) : null}
    </>
  );
}

function serviceText(i18n: PortalI18n, service: NonNullable<ArchiveMessage['service']>): string {
  const names = service.names ?? '';
  switch (service.type) {
    case 'joined':
      return i18n.p('joined', { names });
    case 'left':
      return i18n.p('left', { names });
    case 'migrated':
      return i18n.p('migrated');
    case 'created':
      return i18n.p('created');
    case 'title':
      return i18n.p('titleChanged', { names });
    case 'pinned':
      return i18n.p('pinned');
    default:
      return i18n.p('otherService');
  }
}

function Bubble(props: Attaching & { group: ArchiveMessage[] }) {
  const { group, ...attaching } = props;
  const { i18n } = props;
  const first = group[0]!;
  if (first.service)
    return (
      <li className="chat-service" data-testid="chat-service">
        {serviceText(i18n, first.service)} · {i18n.dateTime(first.date)}
        {first.imported ? ` · ${i18n.p('importedMark')}` : ''}
      </li>
    );
  const texts = group.filter((message) => message.text);
  return (
    <li
      className={[
        'chat-message',
        group.length > 1 ? 'chat-album' : null,
        first.byBot ? 'chat-by-bot' : null,
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid="chat-message"
    >
      <div className="chat-meta">
        <b>{first.authorName ?? i18n.t('empty')}</b>
        {first.byBot ? (
          <span className="chat-bot-mark" data-testid="by-bot">
            {i18n.p('botMark')}
          </span>
        ) : null}{' '}
        · {i18n.dateTime(first.date)}
        {first.editDate ? <span className="muted"> · {i18n.p('edited')}</span> : null}
        {first.imported ? (
          <span className="chat-imported" data-testid="imported">
            {' '}
            · {i18n.p('importedMark')}
          </span>
        ) : null}
      </div>
      {first.forwardedFrom ? (
        <div className="chat-forward" data-testid="forwarded">
          {first.forwardedFrom.name
            ? i18n.p('forwarded', { name: first.forwardedFrom.name })
            : i18n.p('forwardedHidden')}
        </div>
      ) : null}
      {first.replyTo ? (
        <blockquote className="chat-reply" data-testid="reply">
          <div className="small">
            {i18n.p('replyTo', { name: first.replyTo.authorName ?? i18n.p('replyUnknown') })}
          </div>
          {first.replyTo.text ? <div className="muted small">{first.replyTo.text}</div> : null}
        </blockquote>
      ) : null}
      {group.some((message) => message.file) ? (
        <div className={group.length > 1 ? 'chat-files chat-grid' : 'chat-files'}>
          {group
            .filter((message) => message.file)
            .map((message) => (
              <div key={message.key} className="chat-file-cell">
                <FileBody {...attaching} message={message} />
              </div>
            ))}
        </div>
      ) : null}
      {texts.map((message) => (
        <div key={message.key}>
          <div className="chat-text" data-testid="chat-text">
            {message.text}
          </div>
          {message.earlierTexts.map((earlier, index) => (
            <div key={index} className="chat-earlier muted small" data-testid="earlier-text">
              {earlier.text ? i18n.p('earlier', { text: earlier.text }) : i18n.p('earlierEmpty')} ·{' '}
              {i18n.dateTime(earlier.writtenAt)}
            </div>
          ))}
        </div>
      ))}
      {group.map((message) =>
        message.buttons ? (
          <div
            key={message.key}
            className="chat-buttons"
            title={i18n.p('chatButtons')}
            aria-label={i18n.p('chatButtons')}
            role="group"
            data-testid="chat-buttons"
          >
            {message.buttons.map((row, rowIndex) => (
              <div key={rowIndex} className="chat-button-row">
                {row.map((text, index) => (
                  <span key={index} className="chat-button">
                    {text}
                  </span>
                ))}
              </div>
            ))}
          </div>
        ) : null,
      )}
    </li>
  );
}

/** Messages in order, an album (one media group) as one bubble. */
function grouped(messages: ArchiveMessage[]): ArchiveMessage[][] {
  const groups: ArchiveMessage[][] = [];
  for (const message of messages) {
    const last = groups.at(-1);
    if (last && message.mediaGroupId && last[0]!.mediaGroupId === message.mediaGroupId)
      last.push(message);
    else groups.push([message]);
  }
  return groups;
}

/** The first page's query input of a room's archive (the room page reads its title from it). */
export function archivePageInput(room: ArchiveRoom, search: string | null = null) {
  return { ...room, limit: pageSize, ...(search ? { search } : {}) };
}

/** One view of the archive (the room, or the results of one search): its pages and live updates. */
function ArchiveView(props: {
  i18n: PortalI18n;
  room: ArchiveRoom;
  search: string | null;
  onNotice: (text: string) => void;
}) {
  const { i18n, search } = props;
  // The room by value, so a parent's new object for the same room keeps the polling timer.
  const requestId = 'requestId' in props.room ? props.room.requestId : undefined;
  const chatId = 'chatId' in props.room ? props.room.chatId : undefined;
  const utils = trpc.useUtils();
  const first = trpc.portal.chat.page.useQuery(archivePageInput(props.room, search), {
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  /** Older pages and polled messages, merged over the first page by key. */
  const [extra, setExtra] = useState<Map<string, ArchiveMessage>>(new Map());
  const [olderCursor, setOlderCursor] = useState<string | null | undefined>(undefined);
  const pollCursor = useRef<string | null>(null);

  const merge = useCallback((incoming: ArchiveMessage[]) => {
    setExtra((current) => {
      const next = new Map(current);
      for (const message of incoming) next.set(message.key, message);
      return next;
    });
  }, []);

  useEffect(() => {
    if (search || !first.data || pollCursor.current) return;
    pollCursor.current = first.data.pollCursor;
  }, [first.data, search]);

  useEffect(() => {
    if (search) return;
    const timer = window.setInterval(() => {
      const since = pollCursor.current;
      if (!since) return;
      utils.portal.chat.poll
        .fetch({ requestId, chatId, since }, { staleTime: 0 })
        .then((answer) => {
          pollCursor.current = answer.pollCursor;
          if (answer.messages.length > 0) merge(answer.messages);
        })
        .catch(() => undefined);
    }, pollSeconds * 1000);
    return () => window.clearInterval(timer);
  }, [utils, requestId, chatId, search, merge]);

  if (first.isPending) return <p className="muted">{i18n.p('chatLoading')}</p>;
  if (first.error) return <Failure i18n={i18n} error={first.error} />;
  const cursor = olderCursor === undefined ? first.data.olderCursor : olderCursor;
  const older = async () => {
    if (!cursor) return;
    const page = await utils.portal.chat.page.fetch({
      ...archivePageInput(props.room, search),
      before: cursor,
    });
    merge(page.messages);
    setOlderCursor(page.olderCursor);
  };
  const all = new Map(first.data.messages.map((message) => [message.key, message]));
  for (const [key, message] of extra) all.set(key, message);
  const ordered = [...all.values()].sort(byPosition);
  return (
    <>
      {cursor ? (
        <Button onClick={() => void older()} testId="chat-older">
          {i18n.p('chatOlder')}
        </Button>
      ) : null}
      {ordered.length === 0 ? (
        <p className="muted">{search ? i18n.p('nothingFound') : i18n.p('chatEmpty')}</p>
      ) : (
        <ol className="chat-list" data-testid="chat-messages">
          {grouped(ordered).map((group) => (
            <Bubble
              key={group[0]!.key}
              i18n={i18n}
              group={group}
              attachTo={first.data.canAttach ? first.data.requestId : null}
              onNotice={(text) => {
                props.onNotice(text);
                // The file's "in the request's documents" mark: read the page again.
                setExtra(new Map());
                void first.refetch();
              }}
            />
          ))}
        </ol>
      )}
    </>
  );
}

/**
 * A deal room's chat archive: the newest page first, older pages on demand (keyset cursors on
 * the server), new and edited messages by short polling, and a text search.
 */
export function ChatArchive(props: { i18n: PortalI18n; room: ArchiveRoom }) {
  const { i18n } = props;
  const [search, setSearch] = useState('');
  const [activeSearch, setActiveSearch] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section className="chat" data-testid="chat-archive">
      <Form className="filters" onSubmit={() => setActiveSearch(search.trim() || null)}>
        <InlineInput
          search
          label={i18n.p('chatSearch')}
          value={search}
          onChange={setSearch}
          testId="chat-search"
        />
        <Button type="submit">{i18n.p('chatSearch')}</Button>
        {activeSearch ? (
          <Button
            onClick={() => {
              setSearch('');
              setActiveSearch(null);
            }}
            testId="chat-search-clear"
          >
            {i18n.p('chatSearchClear')}
          </Button>
        ) : (
          <span className="muted small">{i18n.p('chatLive', { s: pollSeconds })}</span>
        )}
      </Form>
      {notice ? (
        <Banner tone="success" testId="notice">
          {notice}
        </Banner>
      ) : null}
      <ArchiveView
        key={activeSearch ?? ''}
        i18n={i18n}
        room={props.room}
        search={activeSearch}
        onNotice={setNotice}
      />
    </section>
  );
}
