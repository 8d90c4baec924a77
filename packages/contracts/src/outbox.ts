import { z } from 'zod';

import { DocumentKind, Locale, OfferStatus, PaymentStatus, RequestStatus } from './enums';
import { telegramId } from './fields';
import {
  HistoryActor,
  OfferTermsView,
  PaymentRequestFields,
  PaymentRequestSummary,
} from './payment-request';
import { paymentRequestFieldNames } from './form-fields';

/**
 * The messages the api sends to outside systems through its transactional outbox: what the bot
 * posts in a deal room (TELEGRAM) and what the 1C bridge tells 1C (ONEC). One union, kind →
 * payload, written by the api's `enqueueOutbox` and read back by whoever delivers it, so the two
 * sides cannot drift.
 */

/**
 * A Telegram chat id on the wire is a JSON number, as Telegram itself sends it (at most 52
 * significant bits: exact in a double); inside the api it is the database's bigint. This codec
 * is the one place the two meet.
 */
export const ChatIdCodec = z.codec(z.number().int().refine(Number.isSafeInteger), z.bigint(), {
  decode: (wire) => BigInt(wire),
  encode: (stored) => Number(stored),
});
export const chatIdToWire = (stored: bigint): number => ChatIdCodec.encode(stored);
export const chatIdFromWire = (wire: number): bigint => ChatIdCodec.decode(wire);

/**
 * Why a delivery to 1C or Telegram failed, as a word the bank's operators can read: the worker
 * (or the bot) names it when it records the failure, beside the technical line it logs.
 * - `unreachable`: no connection (refused, reset, DNS, TLS, the request never left).
 * - `timeout`: no complete answer in time (the call may have been applied; calls are idempotent).
 * - `unavailable`: the receiver answered 5xx.
 * - `rateLimited`: the receiver asked to slow down (429).
 * - `refused`: the receiver answered 4xx: sending it again as it is cannot help.
 * - `forbidden`: Telegram answered 403: the bot may not write in that chat (removed, blocked).
 * - `invalid`: the answer, or the message itself, does not match the contract.
 * - `gone`: what the message is about no longer exists (a request, a document).
 * - `waitsForEarlier`: an earlier message of the same request is not delivered (1C has not
 *   created the request yet): it goes once that one does.
 * - `outcomeUnknown`: the answer was lost after sending: not retried, so nothing is posted twice.
 * - `internal`: the platform's own trouble (the database, a fault in the code).
 */
export const DeliveryFailureReason = z.enum([
  'unreachable',
  'timeout',
  'unavailable',
  'rateLimited',
  'refused',
  'forbidden',
  'invalid',
  'gone',
  'waitsForEarlier',
  'outcomeUnknown',
  'internal',
]);
export type DeliveryFailureReason = z.infer<typeof DeliveryFailureReason>;

/** A failure as the portal shows it: the reason, the receiver's HTTP status, the logged line. */
export const DeliveryFailure = z.object({
  /** Null for a row recorded before reasons were (its `detail` is all there is). */
  reason: DeliveryFailureReason.nullable(),
  status: z.number().int().nullable(),
  /** The technical line, in English as logged: for whoever takes it to the engineers. */
  detail: z.string(),
});
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

/**
 * Who caused a change announced in the group. Rows written before the actor was typed carry
 * only a name (kept readable for the messages still queued at an upgrade).
 */
const AnnouncedBy = z.union([
  HistoryActor,
  z.string().transform((name): HistoryActor => ({ kind: 'agent', name })),
]);

const InChat = { requestId: z.uuid(), chatId: telegramId };

/** Which reminder of a standard request's offers deadline: a day before, an hour before. */
export const DeadlineReminderKind = z.enum(['deadline:24h', 'deadline:1h']);
export type DeadlineReminderKind = z.infer<typeof DeadlineReminderKind>;

export const telegramKinds = {
  requestCreated: 'telegram.requestCreated',
  requestFilled: 'telegram.requestFilled',
  statusChanged: 'telegram.statusChanged',
  paymentStatusChanged: 'telegram.paymentStatusChanged',
  offerAccepted: 'telegram.offerAccepted',
  document: 'telegram.document',
  chatFileAdded: 'telegram.chatFileAdded',
  deadlineReminder: 'telegram.deadlineReminder',
} as const;

export const onecKinds = {
  createRequest: 'onec.createRequest',
  requestDocument: 'onec.requestDocument',
  updateRequest: 'onec.updateRequest',
} as const;

/**
 * One change of a submitted request that 1C is told of (`onec.updateRequest`, and the body of
 * 1C's `POST /v1/requests/{Ref_Key}/updates`). Field edits carry every field as it is after
 * the edit, so 1C replaces its copy rather than patching it.
 */
export const OnecRequestChange = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('fields'),
    /** The fields that changed in this edit. */
    changed: z.array(z.enum(paymentRequestFieldNames)).min(1),
    fields: PaymentRequestFields,
  }),
  z.object({ type: z.literal('status'), from: RequestStatus, to: RequestStatus }),
  /** The request was cancelled on the platform (by `by` of the update). */
  z.object({ type: z.literal('cancelled'), from: RequestStatus }),
  z.object({ type: z.literal('paymentStatus'), from: PaymentStatus, to: PaymentStatus }),
  /** A document added on the platform (an upload in the Mini App, a file from the chat). */
  z.object({
    type: z.literal('document'),
    documentId: z.uuid(),
    kind: DocumentKind,
    fileName: z.string().min(1),
    mime: z.string().min(1),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
]);
export type OnecRequestChange = z.infer<typeof OnecRequestChange>;

export const TelegramOutboxMessage = z.discriminatedUnion('kind', [
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.requestCreated),
    payload: z.object({ ...InChat, by: AnnouncedBy }),
  }),
  /** The client filled every required field of the draft: the agent may check and submit it. */
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.requestFilled),
    payload: z.object({ ...InChat, by: HistoryActor }),
  }),
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.statusChanged),
    payload: z.object({
      ...InChat,
      from: RequestStatus,
      to: RequestStatus,
      by: AnnouncedBy,
      comment: z.string().nullish(),
    }),
  }),
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.paymentStatusChanged),
    payload: z.object({
      ...InChat,
      from: PaymentStatus,
      to: PaymentStatus,
      by: AnnouncedBy,
      comment: z.string().nullish(),
    }),
  }),
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.offerAccepted),
    payload: z.object({ ...InChat, offerId: z.uuid() }),
  }),
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.document),
    payload: z.object({ ...InChat, documentId: z.uuid() }),
  }),
  /**
   * A file sent in the group became a document of the request (the portal): said in words, in
   * answer to the file's message (`replyTo`, absent when that message is in the chat's
   * pre-migration group), never sent again.
   */
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.chatFileAdded),
    payload: z.object({
      ...InChat,
      documentId: z.uuid(),
      by: AnnouncedBy,
      replyTo: z.number().int().positive().nullish(),
    }),
  }),
  /**
   * A standard request's offers deadline is near: to one person, in their private chat with the
   * bot (`chatId` is their Telegram id), in their language.
   */
  z.object({
    target: z.literal('TELEGRAM'),
    kind: z.literal(telegramKinds.deadlineReminder),
    payload: z.object({
      ...InChat,
      reminder: DeadlineReminderKind,
      deadline: z.iso.datetime({ offset: true }),
      locale: z.enum(['ru', 'en']),
    }),
  }),
]);
export type TelegramOutboxMessage = z.output<typeof TelegramOutboxMessage>;

export const OnecOutboxMessage = z.discriminatedUnion('kind', [
  z.object({
    target: z.literal('ONEC'),
    kind: z.literal(onecKinds.createRequest),
    payload: z.object({ requestId: z.uuid() }),
  }),
  z.object({
    target: z.literal('ONEC'),
    kind: z.literal(onecKinds.requestDocument),
    payload: z.object({ requestId: z.uuid(), documentRequestId: z.uuid(), kind: DocumentKind }),
  }),
  z.object({
    target: z.literal('ONEC'),
    kind: z.literal(onecKinds.updateRequest),
    payload: z.object({
      requestId: z.uuid(),
      /** 1C's idempotency key for this update: a redelivery carries the same one. */
      updateId: z.uuid(),
      /** The request's version after the change: what 1C names when it posts back. */
      version: z.number().int().positive(),
      /** When the change was made (ISO 8601). */
      at: z.iso.datetime({ offset: true }),
      by: HistoryActor,
      comment: z.string().nullable(),
      /** In the order they were made (a payout and the completion in one change, say). */
      changes: z.array(OnecRequestChange).min(1),
    }),
  }),
]);
export type OnecOutboxMessage = z.output<typeof OnecOutboxMessage>;

export const OutboxMessage = z.union([TelegramOutboxMessage, OnecOutboxMessage]);
/** A message as the api writes it (chat ids as numbers, actors typed). */
export type OutboxMessage =
  z.input<typeof TelegramOutboxMessage> | z.input<typeof OnecOutboxMessage>;

/**
 * Messages with one key are delivered in the order they were written: a deal room's messages
 * in the chat's order, 1C's in the request's.
 */
export function aggregateKeyOf(message: OutboxMessage): string {
  return message.target === 'TELEGRAM'
    ? `chat:${message.payload.chatId}`
    : `request:${message.payload.requestId}`;
}

/** What the bot's messages about a request say: sent with every claimed TELEGRAM message. */
export const RequestCard = PaymentRequestSummary.pick({
  displayNumber: true,
  status: true,
  paymentStatus: true,
  inHouse: true,
  amount: true,
  currency: true,
  agentName: true,
}).extend({
  requestId: z.string(),
  /** The chat the request lives in now (after a group became a supergroup, its new id). */
  chatId: z.number().nullable(),
  locale: Locale,
  clientCurrency: z.string().nullable(),
  /** The offer the message is about (`telegram.offerAccepted`'s), else the accepted one. */
  offer: OfferTermsView.extend({ status: OfferStatus }).nullable(),
  /** The document of a `telegram.document` or `telegram.chatFileAdded` message. */
  document: z
    .object({
      id: z.string(),
      kind: DocumentKind,
      fileName: z.string(),
      number: z.string().nullable(),
    })
    .nullable(),
});
export type RequestCard = z.infer<typeof RequestCard>;

/** A claimed TELEGRAM message: the lease, the message and the card to word it with. */
export const ClaimedTelegramMessage = z.object({
  id: z.string().regex(/^\d{1,19}$/),
  attempts: z.number().int(),
  lockedUntil: z.string(),
  createdAt: z.string(),
  /** The trace of the change that wrote it (W3C traceparent): the delivery continues it. */
  traceparent: z.string().nullable(),
  message: TelegramOutboxMessage,
  /** Null when the request is gone: the message cannot be worded and is parked. */
  card: RequestCard.nullable(),
});
export type ClaimedTelegramMessage = z.output<typeof ClaimedTelegramMessage>;
