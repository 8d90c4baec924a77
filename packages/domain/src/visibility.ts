import type { PaymentRequestFieldName, Permission } from '@payreq/contracts';

import type { Actor, Relation } from './access';

/**
 * How much of a request a caller sees. One place decides it for every view the api builds (the
 * Mini App's, the board's, the portal's), so no procedure can hand out a field its caller may not
 * see:
 * - full: every field, the people, the chat, the documents and history their permissions allow;
 * - market: what an agent needs to price an offer on a standard request, and no more;
 * - summary: what keeps a board alive for agents of other tenants: number, status, amount and
 *   currency, direction, age and the linked agent's name. No tax ids, accounts, names of people,
 *   chat or 1C link.
 */
export type RequestDetail = 'full' | 'market' | 'summary';

export interface ViewScope {
  detail: RequestDetail;
  /** The form fields shown (the others are sent as null). */
  fields: readonly PaymentRequestFieldName[] | 'all';
  /** all: every offer (the client compares them); own: the caller's own offers only. */
  offers: 'all' | 'own';
  documents: boolean;
  history: boolean;
  /** 1C's reference and web-client link: for the bank's people and 1C, never for clients. */
  onecLink: boolean;
  /** The deal room's chat (id and title) and the client's name. */
  chat: boolean;
  /** The request's tenant (for a standard request, the client company). */
  tenant: boolean;
}

export const summaryFieldNames = [
  'direction',
  'amount',
  'currency',
] as const satisfies readonly PaymentRequestFieldName[];

/** What pricing an offer needs: the money, where it goes and by when. */
export const marketFieldNames = [
  ...summaryFieldNames,
  'clientCurrency',
  'beneficiaryCountry',
  'desiredDate',
] as const satisfies readonly PaymentRequestFieldName[];

export function viewScopeFor(
  actor: Actor,
  relation: Relation,
  permissions: readonly Permission[],
): ViewScope {
  const full = permissions.includes('application.viewDetails');
  const detail: RequestDetail = full ? 'full' : relation === 'offeringAgent' ? 'market' : 'summary';
  const onTheRequestsSide =
    relation === 'client' ||
    relation === 'onec' ||
    relation === 'system' ||
    relation === 'colleague';
  return {
    detail,
    fields: full ? 'all' : detail === 'market' ? marketFieldNames : summaryFieldNames,
    offers: onTheRequestsSide ? 'all' : 'own',
    documents: permissions.includes('documents.view'),
    history: permissions.includes('history.view'),
    onecLink: full && (actor.kind === 'agent' || actor.kind === 'onec'),
    chat: full && relation !== 'onec' && relation !== 'system',
    tenant: full,
  };
}
