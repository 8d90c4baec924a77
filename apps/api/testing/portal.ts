import { signLoginData } from '@payreq/telegram-testkit';
import { createTRPCClient, httpLink } from '@trpc/client';

import type { AppRouter } from '../src/trpc/router';
import { TEST_BOT_TOKEN } from './harness';

/** The portal's session cookie in development and tests (no `Secure`, no `__Host-` prefix). */
export const PORTAL_COOKIE = 'payreq_portal';

/** A website login signed as Telegram signs it (the test server's own signer). */
export function websiteLogin(
  user: { id: number | bigint; first_name: string; last_name?: string; username?: string },
  options: { authDate?: Date; botToken?: string } = {},
): URLSearchParams {
  const data = signLoginData(
    { ...user, id: Number(user.id) },
    options.botToken ?? TEST_BOT_TOKEN,
    options.authDate ?? new Date(),
  );
  return new URLSearchParams(
    Object.entries(data).map(([k, v]): [string, string] => [k, String(v)]),
  );
}

/** The value of a cookie the answer sets (null when it sets none, '' when it clears it). */
export function setCookieValue(response: Response, name = PORTAL_COOKIE): string | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq) === name) return pair!.slice(eq + 1);
  }
  return null;
}

/** Signs in through the api's Telegram callback; the session cookie's token, or the refusal. */
export async function portalSignIn(
  apiUrl: string,
  login: URLSearchParams,
): Promise<{ status: number; location: string | null; token: string | null }> {
  const response = await fetch(`${apiUrl}/portal/auth/telegram?${login}`, { redirect: 'manual' });
  return {
    status: response.status,
    location: response.headers.get('location'),
    token: setCookieValue(response),
  };
}

/**
 * A tRPC client as the portal's page is one: the session cookie, the CSRF header and the page's
 * Origin (each can be left out or changed, to try the refusals).
 */
export function portalClient(
  apiUrl: string,
  token: string,
  options: {
    csrfHeader?: boolean;
    origin?: string | null;
    onSetCookie?: (value: string) => void;
  } = {},
) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        headers: () => ({
          cookie: `${PORTAL_COOKIE}=${token}`,
          ...(options.csrfHeader === false ? {} : { 'x-payreq-portal': '1' }),
          ...(options.origin === null ? {} : { origin: options.origin ?? apiUrl }),
        }),
        fetch: async (url, init) => {
          const response = await fetch(url, init as RequestInit);
          const rotated = setCookieValue(response);
          if (rotated) options.onSetCookie?.(rotated);
          return response;
        },
      }),
    ],
  });
}
