import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { Locale } from '@payreq/contracts';
import { Banner, Button } from '@payreq/ui';

import { createClient, isSignedOut, signOut, trpc } from './api';
import { Failure } from './parts';
import { AppLink, usePath } from './route';
import { Admin } from './screens/Admin';
import { RequestList } from './screens/RequestList';
import { RequestPage } from './screens/RequestPage';
import { RoomPage } from './screens/RoomPage';
import { SignIn } from './screens/SignIn';
import {
  StandardNav,
  isStandardNavPath,
  standardPage,
  useInvitationThroughSignIn,
} from './standard/routes';
import { standardWords } from './standard/words';
import type { PortalI18n } from './words';
import { createPortalI18n } from './words';
import '@payreq/ui/ui.css';
import './styles.css';

type Theme = 'light' | 'dark';

const stored = (key: string) => {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
};
const store = (key: string, value: string) => {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // A browser without storage keeps the choice for this page only.
  }
};

/** The theme the person chose with the toggle, if ever: until then the system's is followed. */
function chosenTheme(): Theme | null {
  const chosen = stored('payreq.portal.theme');
  return chosen === 'light' || chosen === 'dark' ? chosen : null;
}

const systemDark = () => window.matchMedia?.('(prefers-color-scheme: dark)');
const systemTheme = (): Theme => (systemDark()?.matches ? 'dark' : 'light');

function Shell(props: {
  i18n: PortalI18n;
  onLocale: () => void;
  theme: Theme;
  onTheme: () => void;
}) {
  const { i18n } = props;
  const path = usePath();
  const me = trpc.portal.me.useQuery(undefined, { retry: false });
  const utils = trpc.useUtils();
  useInvitationThroughSignIn(me.isSuccess, isSignedOut(me.error), path);
  if (me.isPending) return <p className="muted page">{i18n.t('loading')}</p>;
  if (me.error) {
    if (isSignedOut(me.error))
      return (
        <SignIn
          i18n={i18n}
          onLocale={props.onLocale}
          themeLabel={props.theme === 'dark' ? i18n.p('themeLight') : i18n.p('themeDark')}
          onTheme={props.onTheme}
        />
      );
    return (
      <main className="page">
        <Failure i18n={i18n} error={me.error} />
      </main>
    );
  }
  const requestMatch = /^\/portal\/requests\/([0-9a-f-]{36})\/?$/.exec(path);
  const roomMatch = /^\/portal\/rooms\/(-?\d{1,16})\/?$/.exec(path);
  const isAdminPath = /^\/portal\/admin\/?$/.test(path);
  const standardScreen = standardPage(path, me.data, i18n);
  return (
    <div className="app">
      <header className="topbar">
        <AppLink href="/portal/" className="brand">
          {i18n.p('portalTitle')}
        </AppLink>
        <nav className="nav">
          <AppLink
            href="/portal/"
            className={!isAdminPath && !isStandardNavPath(path, me.data) ? 'nav-on' : ''}
            testId="nav-requests"
          >
            {me.data.kind === 'person'
              ? standardWords(i18n.locale)('navMyRequests')
              : i18n.p('navRequests')}
          </AppLink>
          <StandardNav i18n={i18n} me={me.data} path={path} />
          {me.data.isAdmin ? (
            <AppLink
              href="/portal/admin"
              className={isAdminPath ? 'nav-on' : ''}
              testId="nav-admin"
            >
              {i18n.p('navAdmin')}
            </AppLink>
          ) : null}
        </nav>
        <div className="topbar-end">
          <span className="who" data-testid="who">
            {me.data.name} · {me.data.tenantName ?? standardWords(i18n.locale)('personNoCompany')}
          </span>
          <ThemeToggle
            label={props.theme === 'dark' ? i18n.p('themeLight') : i18n.p('themeDark')}
            dark={props.theme === 'dark'}
            onClick={props.onTheme}
          />
          <button className="link-button" onClick={props.onLocale} data-testid="language">
            {i18n.p('language')}
          </button>
          <Button
            onClick={() => void signOut().then(() => utils.portal.me.invalidate())}
            testId="sign-out"
          >
            {i18n.p('signOut')}
          </Button>
        </div>
      </header>
      <main className="page">
        {standardScreen ??
          (requestMatch ? (
            <RequestPage i18n={i18n} requestId={requestMatch[1]!} isAdmin={me.data.isAdmin} />
          ) : roomMatch ? (
            <RoomPage i18n={i18n} chatId={Number(roomMatch[1])} />
          ) : isAdminPath ? (
            me.data.isAdmin ? (
              <Admin i18n={i18n} />
            ) : (
              <Banner tone="warning">{i18n.p('notAdmin')}</Banner>
            )
          ) : /^\/portal\/?$/.test(path) ? (
            <RequestList i18n={i18n} />
          ) : (
            <Banner tone="warning">{i18n.p('notFound')}</Banner>
          ))}
      </main>
    </div>
  );
}

/**
 * The theme switch as a sun or a moon (its words as its name and tooltip): the bar keeps the
 * bank's name, four tabs and the controls on one line at 1280 px in either theme.
 */
function ThemeToggle(props: { label: string; dark: boolean; onClick: () => void }) {
  return (
    <button
      className="link-button icon-button"
      onClick={props.onClick}
      aria-label={props.label}
      title={props.label}
      data-testid="theme"
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        {props.dark ? (
          <g fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <circle cx="12" cy="12" r="4" />
            <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
          </g>
        ) : (
          <path fill="currentColor" d="M20.5 14.6A8.5 8.5 0 0 1 9.4 3.5a8.5 8.5 0 1 0 11.1 11.1Z" />
        )}
      </svg>
    </button>
  );
}

function App() {
  const [locale, setLocale] = useState<Locale>(
    stored('payreq.portal.locale') === 'en' ? 'en' : 'ru',
  );
  const [chosen, setChosen] = useState<Theme | null>(chosenTheme);
  const [system, setSystem] = useState<Theme>(systemTheme);
  const theme = chosen ?? system;
  const i18n = useMemo(() => createPortalI18n(locale), [locale]);
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            retry: (count, error) =>
              count < 2 && !(error as { data?: { appCode?: string } }).data?.appCode,
          },
        },
      }),
  );
  const [client] = useState(() => createClient(() => localeRef.current));
  useEffect(() => {
    localeRef.current = locale;
    document.documentElement.lang = locale;
    document.title = i18n.p('portalTitle');
    store('payreq.portal.locale', locale);
    void queryClient.invalidateQueries();
  }, [locale, i18n, queryClient]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  // The system's theme as it changes (a phone's night mode), while the person has not chosen.
  useEffect(() => {
    const query = systemDark();
    if (!query) return;
    const follow = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, []);
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <Shell
          i18n={i18n}
          onLocale={() => setLocale((current) => (current === 'ru' ? 'en' : 'ru'))}
          theme={theme}
          onTheme={() => {
            const next = theme === 'dark' ? 'light' : 'dark';
            store('payreq.portal.theme', next);
            setChosen(next);
          }}
        />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

/** The chosen language, read by the tRPC client's headers at each call. */
const localeRef = { current: stored('payreq.portal.locale') === 'en' ? 'en' : 'ru' };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
