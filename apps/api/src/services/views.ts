import type {
  DocumentRequestView,
  DocumentView,
  HistoryEntry,
  OfferView,
  PaymentRequestFields,
  PaymentRequestSummary,
  PaymentRequestView,
} from '@payreq/contracts';
import { displayRequestNumber } from '@payreq/contracts';
import type { Pipeline } from '@payreq/domain';
import { areFieldsEditable } from '@payreq/domain';
import type { Prisma } from '@payreq/db';

export const requestViewInclude = {
  tenant: true,
  agent: true,
  clientUser: true,
  chat: true,
  offers: { include: { agent: true }, orderBy: { createdAt: 'asc' } },
  documents: { orderBy: { createdAt: 'asc' } },
  documentRequests: { orderBy: { createdAt: 'asc' } },
  history: { orderBy: { id: 'asc' } },
} satisfies Prisma.PaymentRequestInclude;

export type RequestViewRow = Prisma.PaymentRequestGetPayload<{
  include: typeof requestViewInclude;
}>;

export const requestSummaryInclude = {
  tenant: true,
  agent: true,
  clientUser: true,
  chat: true,
  offers: { where: { status: 'ACCEPTED' }, select: { agentId: true } },
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

export function toSummary(row: RequestSummaryRow, pipeline: Pipeline): PaymentRequestSummary {
  return {
    id: row.id,
    number: row.number,
    displayNumber: displayRequestNumber(row.number),
    tenantId: row.tenantId,
    tenantName: row.tenant.name,
    source: row.source,
    pipeline: pipeline.kind,
    inHouse: pipeline.inHouse,
    telegramChatId: row.telegramChatId === null ? null : Number(row.telegramChatId),
    chatTitle: row.chat?.title ?? null,
    agentId: row.agentId,
    agentName: row.agent?.name ?? null,
    clientName: row.payerName ?? row.clientUser?.name ?? null,
    status: row.status,
    paymentStatus: row.paymentStatus,
    amount: money(row.amount),
    currency: row.currency,
    offersDeadline: iso(row.offersDeadline),
    onecUrl: row.onecUrl,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toOfferView(offer: RequestViewRow['offers'][number]): OfferView {
  return {
    id: offer.id,
    agentId: offer.agentId,
    agentName: offer.agent.name,
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

export function toHistoryEntry(entry: RequestViewRow['history'][number]): HistoryEntry {
  return {
    id: entry.id.toString(),
    at: entry.at.toISOString(),
    actorKind: entry.actorKind,
    actorName: entry.actorName,
    field: entry.field,
    from: entry.fromValue,
    to: entry.toValue,
  };
}

/**
 * The full view of a request for one caller. Parts the caller may not see (offers of
 * other agents, documents, history) are left out here, not in the client.
 */
export function toRequestView(
  row: RequestViewRow,
  pipeline: Pipeline,
  visible: {
    allOffers: boolean;
    ownAgentId: string | null;
    documents: boolean;
    history: boolean;
    /** The 1C reference and web-client link: for the bank's people, not for clients (UX.md). */
    onec: boolean;
    next: PaymentRequestView['next'];
  },
): PaymentRequestView {
  const offers = row.offers
    .filter(
      (offer) =>
        visible.allOffers || offer.status === 'ACCEPTED' || offer.agentId === visible.ownAgentId,
    )
    .map(toOfferView);
  return {
    ...toSummary({ ...row, offers: row.offers.filter((o) => o.status === 'ACCEPTED') }, pipeline),
    fields: fieldsOf(row),
    readOnly: !areFieldsEditable(row.status),
    onecUrl: visible.onec ? row.onecUrl : null,
    onecRef: visible.onec ? row.onecRef : null,
    acceptedOffer: offers.find((offer) => offer.status === 'ACCEPTED') ?? null,
    offers,
    documents: visible.documents ? row.documents.map(toDocumentView) : [],
    documentRequests: visible.documents ? row.documentRequests.map(toDocumentRequestView) : [],
    history: visible.history ? row.history.map(toHistoryEntry) : [],
    next: visible.next,
  };
}
