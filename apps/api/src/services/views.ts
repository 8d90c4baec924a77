import type {
  DocumentRequestView,
  DocumentView,
  HistoryActor,
  HistoryChange,
  HistoryEntry,
  HistoryPage,
  PaymentMark,
  PaymentRequestFieldName,
  OfferView,
  PaymentRequestFields,
  PaymentRequestSummary,
  PaymentRequestView,
} from '@payreq/contracts';
import {
  DocumentKind,
  HISTORY_PAGE_SIZE,
  PaymentStatus,
  RequestStatus,
  displayRequestNumber,
  paymentRequestFieldNames,
} from '@payreq/contracts';
import type { Pipeline, PricedTerms, ViewScope } from '@payreq/domain';
import {
  areFieldsEditable,
  pricedTermsChanged,
  pricedTermsOf,
  responsibleAgentOf,
} from '@payreq/domain';
import type { Prisma } from '@payreq/db';
import type { z } from 'zod';

import { requestWithAccess } from './access';
import { historyActorNamed } from './history';

export const requestViewInclude = {
  tenant: true,
  agent: true,
  clientUser: true,
  chat: true,
  offers: {
    include: { agent: { include: { tenant: { select: { name: true } } } } },
    orderBy: { createdAt: 'asc' },
  },
  documents: { orderBy: { createdAt: 'asc' } },
  documentRequests: { orderBy: { createdAt: 'asc' } },
  // The latest entries, newest first: one more than a view shows, to know if there are older.
  history: { orderBy: { id: 'desc' }, take: HISTORY_PAGE_SIZE + 1 },
} satisfies Prisma.PaymentRequestInclude;

type HistoryRow = Prisma.RequestHistoryGetPayload<object>;

export type RequestViewRow = Prisma.PaymentRequestGetPayload<{
  include: typeof requestViewInclude;
}> & {
  /** The latest history row of each payment status (the payment marks), oldest first. */
  paymentMarks: HistoryRow[];
};

/** What the caller's access is decided from (tenant, accepted offer), and who and where the request is. */
export const requestSummaryInclude = {
  ...requestWithAccess,
  // The accepted offer's agent is the responsible one in the standard pipeline: named in the row.
  offers: {
    where: { status: 'ACCEPTED' },
    select: { agentId: true, status: true, agent: { select: { name: true } } },
  },
  agent: true,
  clientUser: true,
  chat: true,
} satisfies Prisma.PaymentRequestInclude;

export type RequestSummaryRow = Prisma.PaymentRequestGetPayload<{
  include: typeof requestSummaryInclude;
}>;

const money = (value: Prisma.Decimal | null, digits = 2) =>
  value === null ? null : value.toFixed(digits);
const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function fieldsOf(row: Prisma.PaymentRequestGetPayload<object>): PaymentRequestFields {
  return {
    payerName: row.payerName,
    payerTaxId: row.payerTaxId,
    direction: row.direction,
    amount: money(row.amount),
    currency: row.currency,
    clientCurrency: row.clientCurrency,
    beneficiaryName: row.beneficiaryName,
    beneficiaryCountry: row.beneficiaryCountry,
    beneficiaryAddress: row.beneficiaryAddress,
    beneficiaryBankName: row.beneficiaryBankName,
    beneficiarySwift: row.beneficiarySwift,
    beneficiaryAccount: row.beneficiaryAccount,
    purpose: row.purpose,
    contractNumber: row.contractNumber,
    contractDate: row.contractDate,
    invoiceNumber: row.invoiceNumber,
    desiredDate: row.desiredDate,
    comment: row.comment,
  };
}

/**
 * The summary of a request as one caller may see it (the board's row, the head of every view).
 * Every view the api returns is built here or in `toRequestView`, from the caller's `ViewScope`
 * (the domain's visibility rules): no procedure picks fields of its own.
 */
export function toSummary(
  row: RequestSummaryRow,
  pipeline: Pipeline,
  scope: ViewScope,
): PaymentRequestSummary {
  const full = scope.detail === 'full';
  return {
    id: row.id,
    number: row.number,
    displayNumber: displayRequestNumber(row.number),
    tenantId: scope.tenant ? row.tenantId : null,
    tenantName: scope.tenant ? row.tenant.name : null,
    source: row.source,
    pipeline: pipeline.kind,
    inHouse: pipeline.inHouse,
    telegramChatId: scope.chat && row.telegramChatId !== null ? Number(row.telegramChatId) : null,
    chatTitle: scope.chat ? (row.chat?.title ?? null) : null,
    ...responsibleAgentIn(row, pipeline),
    clientName: full ? (row.payerName ?? row.clientUser?.name ?? null) : null,
    clientShown: full,
    status: row.status,
    paymentStatus: row.paymentStatus,
    direction: row.direction,
    amount: money(row.amount),
    currency: row.currency,
    offersDeadline: iso(row.offersDeadline),
    onecUrl: scope.onecLink ? row.onecUrl : null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The responsible agent (`responsibleAgentOf`) and their name, from the row's agent or its accepted offer's. */
function responsibleAgentIn(
  row: RequestSummaryRow,
  pipeline: Pipeline,
): { agentId: string | null; agentName: string | null } {
  const accepted = row.offers.find((offer) => offer.status === 'ACCEPTED');
  const agentId = responsibleAgentOf({
    pipeline,
    agentId: row.agentId,
    acceptedOfferAgentId: accepted?.agentId ?? null,
  });
  if (agentId === null) return { agentId: null, agentName: null };
  const name = agentId === row.agentId ? row.agent?.name : accepted?.agent.name;
  return { agentId, agentName: name ?? null };
}

/** The form fields the scope shows; the others go out as null. */
export function visibleFields(
  fields: PaymentRequestFields,
  scope: ViewScope,
): PaymentRequestFields {
  if (scope.fields === 'all') return fields;
  const shown = Object.fromEntries(
    Object.keys(fields).map((name) => [name, null]),
  ) as PaymentRequestFields;
  for (const name of scope.fields) (shown as Record<string, unknown>)[name] = fields[name];
  return shown;
}

/** The currency an offer's fees and total are in: the one the client pays in. */
const totalCurrencyOf = (row: Pick<RequestViewRow, 'clientCurrency' | 'currency'>) =>
  row.clientCurrency ?? row.currency;

type OfferRow = RequestViewRow['offers'][number];

/**
 * What an offer priced, as it was when the agent sent it: its own snapshot of the request's
 * amount and currencies, or the request's current ones for an offer from before offers kept it.
 */
function pricedOf(
  offer: OfferRow,
  row: RequestViewRow,
): { amount: string | null; currency: string | null; totalCurrency: string | null } {
  const snapshot =
    offer.pricedAmount !== null ||
    offer.pricedCurrency !== null ||
    offer.pricedDirection !== null ||
    offer.pricedTotalCurrency !== null;
  if (!snapshot)
    return {
      amount: money(row.amount),
      currency: row.currency,
      totalCurrency: totalCurrencyOf(row),
    };
  return {
    amount: money(offer.pricedAmount),
    currency: offer.pricedCurrency,
    totalCurrency: offer.pricedTotalCurrency,
  };
}

/** What a request's offers are priced on now (`@payreq/domain`'s `PricedTerms`). */
export function requestPricedTerms(
  row: Pick<
    Prisma.PaymentRequestGetPayload<object>,
    'amount' | 'currency' | 'direction' | 'clientCurrency'
  >,
): PricedTerms {
  return pricedTermsOf({
    amount: money(row.amount),
    currency: row.currency,
    direction: row.direction,
    clientCurrency: row.clientCurrency,
  });
}

/** What an offer was priced on; null for one from before offers kept it. */
export function offerPricedTerms(
  offer: Pick<
    Prisma.OfferGetPayload<object>,
    'pricedAmount' | 'pricedCurrency' | 'pricedDirection' | 'pricedTotalCurrency'
  >,
): PricedTerms | null {
  if (
    offer.pricedAmount === null &&
    offer.pricedCurrency === null &&
    offer.pricedDirection === null &&
    offer.pricedTotalCurrency === null
  )
    return null;
  return {
    amount: money(offer.pricedAmount),
    currency: offer.pricedCurrency,
    direction: offer.pricedDirection,
    totalCurrency: offer.pricedTotalCurrency,
  };
}

export function toOfferView(offer: OfferRow, row: RequestViewRow): OfferView {
  const priced = pricedOf(offer, row);
  const snapshot = offerPricedTerms(offer);
  const current = requestPricedTerms(row);
  return {
    id: offer.id,
    agentId: offer.agentId,
    agentName: offer.agent.name,
    agentTenantName: offer.agent.tenant.name,
    totalCurrency: priced.totalCurrency,
    pricedAmount: priced.amount,
    pricedCurrency: priced.currency,
    // As the client's acceptance judges it: an offer from before offers kept their terms is not.
    outdated: snapshot !== null && pricedTermsChanged(snapshot, current).length > 0,
    rate: offer.rate.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''),
    feePercent: offer.feePercent.toFixed(4).replace(/0+$/, '').replace(/\.$/, ''),
    fixedFee: offer.fixedFee.toFixed(2),
    totalToPay: offer.totalToPay.toFixed(2),
    settlementDays: offer.settlementDays,
    validUntil: iso(offer.validUntil),
    comment: offer.comment,
    source: offer.source,
    status: offer.status,
    createdAt: offer.createdAt.toISOString(),
  };
}

export function toDocumentView(document: RequestViewRow['documents'][number]): DocumentView {
  return {
    id: document.id,
    kind: document.kind,
    fileName: document.fileName,
    mime: document.mime,
    size: document.size,
    sha256: document.sha256,
    source: document.source,
    createdAt: document.createdAt.toISOString(),
    deliveredToChat: document.telegramMessageId !== null,
  };
}

export function toDocumentRequestView(
  item: RequestViewRow['documentRequests'][number],
): DocumentRequestView {
  return {
    id: item.id,
    kind: item.kind,
    state: item.state,
    requestedBy: item.requestedBy,
    documentId: item.documentId,
    error: item.error,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}

/** Who made a change, as people name them (the stored actor kind is the platform's own). */
const historyActor = (row: HistoryRow): HistoryActor =>
  historyActorNamed(row.actorKind, row.actorName);

const asText = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

const isFormField = (field: string): field is PaymentRequestFieldName =>
  (paymentRequestFieldNames as readonly string[]).includes(field);

/** A stored move between two values of `schema`; null when the new one is none (a row from before). */
function moveOf<Value>(
  schema: z.ZodType<Value>,
  from: unknown,
  to: unknown,
): { from: Value | null; to: Value } | null {
  const next = schema.safeParse(to);
  if (!next.success) return null;
  const previous = schema.safeParse(from);
  return { from: previous.success ? previous.data : null, to: next.data };
}

/**
 * A stored history row as a typed change, with what the words need (the offer's terms, the
 * document's kind and source) looked up in the same view row. A row of no kind people read
 * about is left out rather than shown raw.
 */
function historyChange(
  entry: HistoryRow,
  row: RequestViewRow,
  pipeline: Pipeline,
): HistoryChange | null {
  const to = entry.toValue as unknown;
  const from = entry.fromValue as unknown;
  switch (entry.field) {
    case 'created':
      return { type: 'created' };
    case 'status': {
      const move = moveOf(RequestStatus, from, to);
      return move && { type: 'status', ...move, inHouse: pipeline.inHouse, comment: entry.comment };
    }
    case 'paymentStatus': {
      const move = moveOf(PaymentStatus, from, to);
      return move && { type: 'paymentStatus', ...move, comment: entry.comment };
    }
    case 'offer':
    case 'offerAccepted': {
      const offer = row.offers.find((candidate) => candidate.id === to);
      // The offer as it was priced, never the request's amount since.
      return {
        type: entry.field,
        offer: offer
          ? {
              source: offer.source,
              agentName: offer.agent.name,
              ...pricedOf(offer, row),
              totalToPay: offer.totalToPay.toFixed(2),
            }
          : null,
      };
    }
    case 'offerWithdrawn': {
      const offer = row.offers.find((candidate) => candidate.id === from);
      return { type: 'offerWithdrawn', agentName: offer?.agent.name ?? null };
    }
    case 'document': {
      const stored = (to ?? {}) as {
        id?: unknown;
        kind?: unknown;
        fileName?: unknown;
        number?: unknown;
      };
      const document = row.documents.find((candidate) => candidate.id === stored.id);
      const fileName = asText(stored.fileName) ?? asText(to) ?? document?.fileName;
      const kind = DocumentKind.safeParse(stored.kind ?? document?.kind);
      if (!fileName) return null;
      return {
        type: 'document',
        kind: kind.success ? kind.data : (document?.kind ?? 'OTHER'),
        fileName,
        number: asText(stored.number),
        source: document?.source ?? (entry.actorKind === 'onec' ? 'ONEC' : 'UPLOAD'),
      };
    }
    case 'documentRequest': {
      const kind = DocumentKind.safeParse((to as { kind?: unknown } | null)?.kind);
      return kind.success ? { type: 'documentRequested', kind: kind.data } : null;
    }
    case 'onecRef':
      return to ? { type: 'sentToOnec' } : null;
    case 'onecStaleRefused': {
      const what = (to as { what?: unknown } | null)?.what;
      return what === 'offer' || what === 'status' ? { type: 'onecStaleRefused', what } : null;
    }
    default:
      if (!isFormField(entry.field)) return null;
      return { type: 'field', field: entry.field, from: asText(from), to: asText(to) };
  }
}

/**
 * History rows (in any order) as people read them, oldest first. `row` gives what the words
 * look up (the offers, the documents, the amount).
 */
export function historyOf(
  rows: readonly HistoryRow[],
  row: RequestViewRow,
  pipeline: Pipeline,
): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const oldestFirst = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const entry of oldestFirst) {
    const change = historyChange(entry, row, pipeline);
    if (!change) continue;
    // 1C's answers are recorded by the platform's exchange with it: they are 1C's doing.
    const actor: HistoryActor =
      change.type === 'sentToOnec' ? { kind: 'onec', name: null } : historyActor(entry);
    entries.push({ id: entry.id.toString(), at: entry.at.toISOString(), actor, change });
  }
  return entries;
}

/**
 * The newest `size` of history rows read newest first with one extra (or more, after a save
 * added its own), and the cursor for the ones before them when there are any.
 */
export function historyPageOf(
  newestFirst: readonly HistoryRow[],
  size: number,
): { rows: HistoryRow[]; before: string | null } {
  const sorted = [...newestFirst].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const rows = sorted.slice(0, size);
  const oldest = rows.at(-1);
  return { rows, before: sorted.length > size && oldest ? oldest.id.toString() : null };
}

/**
 * A page of history before a cursor (`miniApp.history`, `requests.history`): the rows read by
 * `historyRowsBefore` (newest first, one extra), for a caller whose scope shows history.
 */
export function toHistoryPage(
  newestFirst: readonly HistoryRow[],
  limit: number,
  row: RequestViewRow,
  pipeline: Pipeline,
  scope: ViewScope,
): HistoryPage {
  if (!scope.history) return { entries: [], before: null };
  const page = historyPageOf(newestFirst, limit);
  return { entries: historyOf(page.rows, row, pipeline), before: page.before };
}

/** The latest mark of each payment status: who set it and when. */
export function paymentMarksOf(history: readonly HistoryEntry[]): PaymentMark[] {
  const latest = new Map<string, PaymentMark>();
  for (const entry of history) {
    if (entry.change.type !== 'paymentStatus') continue;
    latest.set(entry.change.to, { status: entry.change.to, actor: entry.actor, at: entry.at });
  }
  return [...latest.values()];
}

/**
 * The view of a request for one caller, from their `ViewScope`: fields, offers (all, or the
 * caller's own), documents, history and the 1C link only as far as the scope reaches.
 */
export function toRequestView(
  row: RequestViewRow,
  pipeline: Pipeline,
  scope: ViewScope,
  visible: { ownAgentId: string | null; next: PaymentRequestView['next'] },
): PaymentRequestView {
  const offers = row.offers
    .filter((offer) => scope.offers === 'all' || offer.agentId === visible.ownAgentId)
    .map((offer) => toOfferView(offer, row));
  const page = historyPageOf(row.history, HISTORY_PAGE_SIZE);
  return {
    ...toSummary(row, pipeline, scope),
    fields: visibleFields(fieldsOf(row), scope),
    readOnly: !areFieldsEditable(row.status),
    onecRef: scope.onecLink ? row.onecRef : null,
    acceptedOffer: offers.find((offer) => offer.status === 'ACCEPTED') ?? null,
    offers,
    documents: scope.documents ? row.documents.map(toDocumentView) : [],
    documentRequests: scope.documents ? row.documentRequests.map(toDocumentRequestView) : [],
    history: scope.history ? historyOf(page.rows, row, pipeline) : [],
    historyBefore: scope.history ? page.before : null,
    paymentMarks: paymentMarksOf(historyOf(row.paymentMarks, row, pipeline)),
    next: visible.next,
  };
}
