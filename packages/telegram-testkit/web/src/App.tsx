import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { ChatMember, InlineKeyboardButton, Message, User } from '../../src/bot-api-types';
import { DARK_THEME_PARAMS, DEFAULT_THEME_PARAMS } from '../../src/themes';
import type { UserChat } from '../../src/world-types';
import type { BotSummary, NewPerson } from './api';
import { ControlError, control, readBase64 } from './api';
import { ChatView } from './ChatView';
import { Avatar, fullName, previewOf, timeOf } from './format';
import type { Lang } from './i18n';
import { langOf, translator } from './i18n';
import { Icon } from './icons';
import { MiniAppPanel } from './MiniAppPanel';
import { NotAPictureError, compressPhoto } from './photo';
import type { People } from './People';
import { GroupInfoDialog, NewGroupDialog, PersonPicker } from './People';
import { MenuToggle, Toast } from './ui';

type Theme = 'light' | 'dark';

/** The Telegram web client's platform name: Mini Apps in an iframe, like Telegram Web A. */
const PLATFORM = 'weba';

/** What the address says: `?as=<user id>&chat=<chat id>&open=<t.me link>&lang=&theme=`. */
function fromAddress(): {
  as: number | null;
  chat: number | null;
  open: string | null;
  lang: Lang | null;
  theme: Theme | null;
} {
  const query = new URLSearchParams(window.location.search);
  const number = (name: string) => {
    const value = query.get(name);
    return value !== null && /^-?\d+$/.test(value) ? Number(value) : null;
  };
  const lang = query.get('lang');
  const theme = query.get('theme');
  return {
    as: number('as'),
    chat: number('chat'),
    open: query.get('open'),
    lang: lang === 'ru' || lang === 'en' ? lang : null,
    theme: theme === 'light' || theme === 'dark' ? theme : null,
  };
}

function toAddress(state: { as: number | null; chat: number | null; lang: Lang; theme: Theme }) {
  const query = new URLSearchParams();
  if (state.as !== null) query.set('as', String(state.as));
  if (state.chat !== null) query.set('chat', String(state.chat));
  query.set('lang', state.lang);
  query.set('theme', state.theme);
  window.history.replaceState(null, '', `${window.location.pathname}?${query.toString()}`);
}

const isTelegramLink = (url: string) => /^(https?:\/\/)?(t|telegram)\.me\/|^tg:/i.test(url);

const errorText = (error: unknown) =>
  error instanceof ControlError || error instanceof Error ? error.message : String(error);

export function App() {
  const [initial] = useState(fromAddress);
  const [lang, setLang] = useState<Lang>(
    () => initial.lang ?? langOf(localStorage.getItem('standin.lang') ?? navigator.language),
  );
  const [theme, setTheme] = useState<Theme>(() => {
    const stored = localStorage.getItem('standin.theme');
    if (initial.theme) return initial.theme;
    if (stored === 'light' || stored === 'dark') return stored;
    return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  });
  const t = useMemo(() => translator(lang), [lang]);
  const themeParams = theme === 'dark' ? DARK_THEME_PARAMS : DEFAULT_THEME_PARAMS;

  const [revision, setRevision] = useState(0);
  const [users, setUsers] = useState<User[] | null>(null);
  const [bots, setBots] = useState<BotSummary[]>([]);
  const [personId, setPersonId] = useState<number | null>(initial.as);
  const [chats, setChats] = useState<UserChat[]>([]);
  const [chatId, setChatId] = useState<number | null>(initial.chat);
  const [loaded, setLoaded] = useState<{ key: string; messages: Message[] } | null>(null);
  const [members, setMembers] = useState<ChatMember[]>([]);
  const [miniApp, setMiniApp] = useState<{ url: string; title: string } | null>(null);
  const [dialog, setDialog] = useState<'newGroup' | 'info' | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const pendingOpen = useRef(initial.open);

  const person = users?.find((user) => user.id === personId) ?? null;
  const chat = chats.find((item) => item.id === chatId) ?? null;

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.lang = lang;
    document.title = t('appTitle');
    localStorage.setItem('standin.lang', lang);
    localStorage.setItem('standin.theme', theme);
    toAddress({ as: personId, chat: chatId, lang, theme });
  }, [theme, lang, t, personId, chatId]);

  const fail = useCallback(
    (error: unknown) => setToast(t('failed', { error: errorText(error) })),
    [t],
  );

  // The world changes (someone writes, the bot answers): wait for it, then read again.
  useEffect(() => {
    const abort = new AbortController();
    let after = -1;
    void (async () => {
      while (!abort.signal.aborted) {
        try {
          after = await control.changes(after, abort.signal);
          setRevision((count) => count + 1);
        } catch {
          if (abort.signal.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })();
    return () => abort.abort();
  }, []);

  useEffect(() => {
    void control
      .state()
      .then((state) => {
        setUsers(state.users);
        setBots(state.bots);
      })
      .catch(fail);
  }, [revision, fail]);

  useEffect(() => {
    if (personId === null) return;
    void control.chats(personId).then(setChats).catch(fail);
  }, [personId, revision, fail]);

  // The open chat's messages, kept with whose chat they are (a switch shows none of the last one's).
  const chatKey = chat ? `${personId}:${chat.id}` : null;
  const messages = loaded && loaded.key === chatKey ? loaded.messages : [];
  useEffect(() => {
    if (personId === null || chatId === null || chatKey === null) return;
    void control
      .messages(personId, chatId)
      .then((list) => setLoaded({ key: chatKey, messages: list }))
      .catch(fail);
    if (chatId < 0) void control.members(chatId).then(setMembers).catch(fail);
  }, [personId, chatId, chatKey, revision, fail]);

  const botTitle = useCallback(
    (username: string | undefined) =>
      bots.find((bot) => bot.username.toLowerCase() === username?.toLowerCase())?.user.first_name ??
      t('miniApp'),
    [bots, t],
  );

  /** A t.me link as Telegram opens it: a Mini App beside the chat, or /start to the bot. */
  const openTelegramLink = useCallback(
    async (link: string, fromChat: number | null) => {
      if (personId === null) return;
      try {
        const opened = await control.openLink(personId, link, {
          ...(fromChat !== null ? { chat: fromChat } : {}),
          themeParams,
          platform: PLATFORM,
        });
        if (opened.kind === 'miniapp') {
          const username = /(?:t|telegram)\.me\/([^/?#]+)/i.exec(link)?.[1];
          setMiniApp({ url: opened.launch.url, title: botTitle(username) });
        } else {
          const bot = bots.find((item) => link.toLowerCase().includes(item.username.toLowerCase()));
          if (bot) setChatId(bot.id);
        }
      } catch (error) {
        fail(error);
      }
    },
    [personId, themeParams, botTitle, bots, fail],
  );

  // `?open=<t.me link>`: the link `npm start` prints opens the Mini App as that person.
  useEffect(() => {
    const link = pendingOpen.current;
    if (!link || !person || bots.length === 0) return;
    pendingOpen.current = null;
    void openTelegramLink(link, chatId);
  }, [person, bots, chatId, openTelegramLink]);

  const openLink = useCallback(
    (url: string) => {
      if (isTelegramLink(url)) void openTelegramLink(url, chatId);
      else window.open(url, '_blank', 'noopener,noreferrer');
    },
    [openTelegramLink, chatId],
  );

  const onButton = async (message: Message, button: InlineKeyboardButton) => {
    if (personId === null || chatId === null) return;
    try {
      if (button.url !== undefined) openLink(button.url);
      else if (button.login_url) window.open(button.login_url.url, '_blank', 'noopener,noreferrer');
      else if (button.web_app) {
        const launch = await control.openWebApp(chatId, message.message_id, personId, {
          text: button.text,
          themeParams,
          platform: PLATFORM,
        });
        setMiniApp({ url: launch.url, title: message.from?.first_name ?? t('miniApp') });
      } else if (button.callback_data !== undefined) {
        const id = await control.press(chatId, message.message_id, personId, button.callback_data);
        const answer = await control.callbackAnswer(id);
        if (answer?.text)
          setToast(t('botAnswered', { bot: message.from?.first_name ?? '', text: answer.text }));
        if (answer?.url) openLink(answer.url);
      }
    } catch (error) {
      fail(error);
    }
  };

  /** Does what the person asked; says so when the world refuses. Resolves whether it worked. */
  const act = async (action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  if (users === null) return <p className="loading">{t('loading')}</p>;
  const toggles = (
    <>
      <button
        type="button"
        className="menu-item"
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        <Icon name={theme === 'dark' ? 'sun' : 'moon'} size={20} />
        {theme === 'dark' ? t('lightTheme') : t('darkTheme')}
      </button>
      <button
        type="button"
        className="menu-item"
        onClick={() => setLang(lang === 'ru' ? 'en' : 'ru')}
      >
        <Icon name="globe" size={20} />
        {lang === 'ru' ? t('english') : t('russian')}
      </button>
    </>
  );
  if (!person)
    return (
      <div className="app app-picker">
        <div className="picker-toggles">{toggles}</div>
        <PersonPicker
          users={users}
          t={t}
          onPick={(user) => {
            setPersonId(user.id);
            setChatId(null);
          }}
          onAdd={(input: NewPerson) =>
            act(async () => {
              const { user } = await control.createUser(input);
              setUsers((current) => [...(current ?? []), user]);
            })
          }
        />
        {toast ? <Toast text={toast} onDone={() => setToast(null)} /> : null}
      </div>
    );

  const view = miniApp ? 'app' : chat ? 'chat' : 'list';
  const myName = fullName(person);
  const people: People = { me: person, users, bots };
  return (
    <div className="app" data-view={view} data-miniapp={miniApp ? 'open' : 'closed'}>
      <aside className="sidebar" aria-label={t('appTitle')}>
        <header className="sidebar-header">
          <MenuToggle
            icon="menu"
            label={t('menu')}
            open={menuOpen}
            onToggle={setMenuOpen}
            testId="menu"
          />
          <span className="sidebar-me" data-testid="me">
            <Avatar id={person.id} name={myName} size={32} />
            <strong>{myName}</strong>
          </span>
          {menuOpen ? (
            <div className="menu-backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />
          ) : null}
          {menuOpen ? (
            <div className="menu" role="menu" onClick={() => setMenuOpen(false)}>
              <button
                type="button"
                className="menu-item"
                data-testid="menu-new-group"
                onClick={() => setDialog('newGroup')}
              >
                <Icon name="people" size={20} />
                {t('newGroup')}
              </button>
              <button
                type="button"
                className="menu-item"
                data-testid="menu-switch-person"
                onClick={() => {
                  setPersonId(null);
                  setChatId(null);
                  setMiniApp(null);
                }}
              >
                <Icon name="person" size={20} />
                {t('switchPerson')}
              </button>
              {toggles}
            </div>
          ) : null}
        </header>
        <ul className="chat-list" data-testid="chat-list">
          {chats.length === 0 ? <li className="hint empty">{t('noChats')}</li> : null}
          {chats.map((item) => {
            const last = item.lastMessage;
            return (
              <li key={item.id}>
                <button
                  type="button"
                  className={`list-item chat-item${item.id === chatId ? ' active' : ''}`}
                  data-testid={`chat-${item.id}`}
                  onClick={() => setChatId(item.id)}
                >
                  <Avatar id={item.id} name={item.title} size={48} />
                  <span className="list-item-text">
                    <span className="chat-item-top">
                      <strong className="chat-item-title">{item.title}</strong>
                      {last ? (
                        <span className="hint chat-item-time">{timeOf(last.date, lang)}</span>
                      ) : null}
                    </span>
                    <span className="hint chat-item-preview">
                      {last
                        ? `${item.type !== 'private' && last.from && !last.new_chat_members && !last.left_chat_member && !last.group_chat_created ? `${last.from.id === person.id ? t('you') : last.from.first_name}: ` : ''}${previewOf(last, t)}`
                        : item.type === 'private'
                          ? `@${item.username ?? ''}`
                          : ''}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      </aside>
      <main className="main">
        {chat ? (
          <ChatView
            key={chat.id}
            chat={chat}
            messages={messages}
            me={person.id}
            lang={lang}
            t={t}
            onBack={() => setChatId(null)}
            onInfo={() => setDialog('info')}
            onSendText={(text) => act(() => control.sendText(chat.id, person.id, text))}
            onSendFile={(file, as, caption) =>
              act(async () => {
                if (as === 'photo') {
                  // Compressed to JPEG first, as Telegram's clients send a photo.
                  const photo = await compressPhoto(file).catch((error: unknown) => {
                    throw error instanceof NotAPictureError ? new Error(t('notAPicture')) : error;
                  });
                  await control.sendPhoto(chat.id, person.id, await readBase64(photo), caption);
                  return;
                }
                const base64 = await readBase64(file);
                await control.sendDocument(chat.id, person.id, {
                  fileName: file.name,
                  ...(file.type ? { mimeType: file.type } : {}),
                  base64,
                  ...(caption ? { caption } : {}),
                });
              })
            }
            onStart={() => act(() => control.start(person.id, chat.id))}
            onButton={(message, button) => void onButton(message, button)}
            onLink={openLink}
          />
        ) : (
          <p className="placeholder">
            <span>{t('pickChat')}</span>
          </p>
        )}
      </main>
      {miniApp ? (
        <MiniAppPanel
          key={miniApp.url}
          url={miniApp.url}
          title={miniApp.title}
          theme={themeParams}
          t={t}
          onClose={() => setMiniApp(null)}
          onOpenLink={(url) => window.open(url, '_blank', 'noopener,noreferrer')}
          onOpenTelegramLink={(url) => void openTelegramLink(url, chatId)}
        />
      ) : null}
      {dialog === 'newGroup' ? (
        <NewGroupDialog
          people={people}
          t={t}
          onClose={() => setDialog(null)}
          onCreate={(input) =>
            act(async () => {
              const id = await control.createGroup(person.id, input.title, input.members);
              if (input.bot !== null) await control.addBot(id, input.bot, person.id, true);
              setChatId(id);
            })
          }
        />
      ) : null}
      {dialog === 'info' && chat && chat.type !== 'private' ? (
        <GroupInfoDialog
          title={chat.title}
          people={people}
          members={members}
          t={t}
          onClose={() => setDialog(null)}
          onAdd={(user, isBot) =>
            act(() =>
              isBot
                ? control.addBot(chat.id, user, person.id, false)
                : control.addMember(chat.id, user, person.id),
            )
          }
          onRemove={(user) =>
            act(async () => {
              await control.removeMember(chat.id, user, person.id);
              if (user === person.id) {
                setDialog(null);
                setChatId(null);
              }
            })
          }
          onPromote={(user) => act(() => control.promote(chat.id, user, person.id))}
        />
      ) : null}
      {toast ? <Toast text={toast} onDone={() => setToast(null)} /> : null}
    </div>
  );
}
