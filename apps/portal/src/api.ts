import type { AppRouter } from '@payreq/api';
import { TRPCClientError, httpBatchLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import { createTRPCReact } from '@trpc/react-query';

import type { PortalI18n } from './words';

/**
 * The api as the portal calls it: same origin, so the browser sends the session cookie; every
 * call carries `x-payreq-portal: 1`, the header the api's CSRF check asks of cookie writes, and
 * the chosen language.
 */
export const trpc = createTRPCReact<AppRouter>();
type Outputs = inferRouterOutputs<AppRouter>;
export type RequestPage = Outputs['portal']['request'];
export type RequestListItem = Outputs['portal']['requests']['items'][number];
export type ArchiveMessage = Outputs['portal']['chat']['page']['messages'][number];

export function createClient(locale: () => string) {
  return trpc.createClient({
    links: [
      httpBatchLink({
        url: '/trpc',
        headers: () => ({ 'x-payreq-portal': '1', 'accept-language': locale() }),
      }),
    ],
  });
}

/** What went wrong, in words. */
export function failureText(error: unknown, i18n: PortalI18n): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { appCode?: string } | null;
    return data?.appCode ? error.message : i18n.t('networkError');
  }
  return i18n.t('unknownError');
}

export function isSignedOut(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    (error.data as { appCode?: string } | null)?.appCode === 'UNAUTHENTICATED'
  );
}

export async function signOut(): Promise<void> {
  await fetch('/portal/auth/sign-out', { method: 'POST', headers: { 'x-payreq-portal': '1' } });
}
