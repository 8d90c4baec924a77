import type { AppRouter } from '@payreq/api';
import type { inferRouterOutputs } from '@trpc/server';
import { TRPCClientError } from '@trpc/client';

type Outputs = inferRouterOutputs<AppRouter>;
export type StandardPage = Outputs['standard']['request'];
export type StandardView = StandardPage['request'];
export type OfferItem = StandardView['offers'][number];
export type Company = NonNullable<Outputs['companies']['mine']>;

/** The api's words about each field of a refused input (`fields.amount` → amount). */
export function issuesOf(error: unknown): { path: string; message: string }[] {
  if (!(error instanceof TRPCClientError)) return [];
  const data = error.data as { issues?: { path: string; message: string }[] } | null;
  return data?.issues ?? [];
}

/** The invitation's link as people pass it on: the portal's join page with the token. */
export const invitationLink = (token: string) => `${window.location.origin}/portal/join/${token}`;

/** The token of a pasted invitation link (or of a bare token). */
export function tokenOfLink(text: string): string | null {
  const match = /(?:\/portal\/join\/)?([A-Za-z0-9_-]{32,64})\/?\s*$/.exec(text.trim());
  return match ? match[1]! : null;
}
