import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { httpLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

import type { AppRouter } from '@payreq/api';

/**
 * The bench's floor for the Mini App's weight (bench/modules/webapp-weight.ts): the stack the
 * Mini App is built on and nothing of the app — React, react-query and tRPC's React client
 * asking the api one question, built with the same settings. What this weighs, no Mini App on
 * this stack can weigh less.
 */
const trpc = createTRPCReact<AppRouter>();

function Session() {
  const session = trpc.miniApp.session.useQuery();
  if (session.isPending) return <p>…</p>;
  if (session.isError) return <p>{session.error.message}</p>;
  return <p>{session.data.request?.displayNumber ?? '—'}</p>;
}

function App() {
  const [queryClient] = useState(() => new QueryClient());
  const [client] = useState(() =>
    trpc.createClient({ links: [httpLink({ url: '/trpc', headers: () => ({}) })] }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <Session />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
