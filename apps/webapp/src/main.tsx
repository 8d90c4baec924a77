import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';

import { createApi, trpc } from './api';
import type { I18n } from '@payreq/ui';
import { createI18n, localeFromLanguageCode } from '@payreq/ui';
import { DealRoom } from './screens/DealRoom';
import { Loading } from './screens/Messages';
import { startTelegram } from './telegram';
import '@payreq/ui/ui.css';
import './styles.css';

/**
 * Which screen: the deal room when Telegram passed our launch token (`startapp` from the
 * group's button); the agents' board at `/board` or when opened without one (the bot's
 * private chat).
 */
function isBoard(startParam: string | null): boolean {
  return /\/board\/?$/.test(window.location.pathname) || !startParam;
}

// The board is the agents' screen from the bot's private chat: a deal room's first screen
// (the form) does not load its code.
const Board = lazy(async () => ({ default: (await import('./screens/Board')).Board }));

/** Opened in a plain browser (no Telegram client around it): where to open it instead. */
function OutsideTelegram(props: { i18n: I18n }) {
  return (
    <main className="screen screen-center" data-testid="outside-telegram">
      <h1 className="outside-title">{props.i18n.t('notInTelegram')}</h1>
      <p className="outside-text">{props.i18n.t('notInTelegramHow')}</p>
    </main>
  );
}

async function boot(): Promise<void> {
  if (import.meta.env.DEV) {
    const { prepareDevLaunch } = await import('./dev/mock-telegram');
    if (!prepareDevLaunch()) return;
  }
  const root = createRoot(document.getElementById('root')!);
  const launch = startTelegram();
  if (!launch) {
    const i18n = createI18n(localeFromLanguageCode(navigator.language));
    document.documentElement.lang = i18n.locale;
    document.title = i18n.t('notInTelegram');
    root.render(<OutsideTelegram i18n={i18n} />);
    return;
  }
  const i18n = createI18n(localeFromLanguageCode(launch.languageCode));
  document.documentElement.lang = i18n.locale;
  document.title = i18n.t('appTitle');
  const api = createApi(launch.initDataRaw);
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // Answers of the api (403, 404, 409…) are final; only a lost connection is retried.
        retry: (count, error) =>
          count < 2 && !(error as { data?: { appCode?: string } }).data?.appCode,
      },
    },
  });
  root.render(
    <StrictMode>
      <trpc.Provider client={api.client} queryClient={queryClient}>
        <QueryClientProvider client={queryClient}>
          {isBoard(launch.startParam) ? (
            <Suspense fallback={<Loading i18n={i18n} />}>
              <Board api={api} fallbackI18n={i18n} />
            </Suspense>
          ) : (
            <DealRoom api={api} launch={launch} fallbackI18n={i18n} />
          )}
        </QueryClientProvider>
      </trpc.Provider>
    </StrictMode>,
  );
}

void boot();
