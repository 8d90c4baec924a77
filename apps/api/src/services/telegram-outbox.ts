import type {
  ChatMessageInput,
  ClaimedTelegramMessage,
  RequestCard,
  TelegramOutboxMessage,
} from '@payreq/contracts';
import {
  TelegramOutboxMessage as TelegramMessage,
  chatIdToWire,
  displayRequestNumber,
} from '@payreq/contracts';
import { pipelineFor } from '@payreq/domain';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import type { ClaimedOutboxMessage, OutboxLogger } from '../outbox/store';
import { claimOutboxBatch, completeOutbox, failOutbox } from '../outbox/store';
import { upsertChatMessageRows } from './chat-messages';

/**
 * The TELEGRAM side of the outbox, for the bot: it claims the messages the api wrote with the
 * changes that caused them, each with the card its words need (so a delivery costs no call
 * but the claim and its report), posts them and reports back. The state machine (leases,
 * backoff, DEAD) is the outbox's own.
 */

const trimDecimal = (value: { toFixed(digits: number): string }, digits: number) =>
  value.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');

/** The cards of the claimed messages: one read of their requests, offers and documents. */
async function cardsFor(
  db: Db,
  messages: readonly TelegramOutboxMessage[],
): Promise<Map<TelegramOutboxMessage, RequestCard>> {
  const requestIds = [...new Set(messages.map((message) => message.payload.requestId))];
  const documentIds = messages.flatMap((message) =>
    message.kind === 'telegram.document' || message.kind === 'telegram.chatFileAdded'
      ? [message.payload.documentId]
      : [],
  );
  const [requests, documents, numbers] = await Promise.all([
    db.paymentRequest.findMany({
      where: { id: { in: requestIds } },
      include: { tenant: true, agent: true, chat: true, offers: { orderBy: { createdAt: 'asc' } } },
    }),
    documentIds.length
      ? db.document.findMany({ where: { id: { in: documentIds } } })
      : Promise.resolve([]),
    // 1C's number of a document is kept with its history entry.
    documentIds.length
      ? db.$queryRaw<{ id: string; number: string | null }[]>`
          SELECT "toValue"->>'id' AS id, "toValue"->>'number' AS number FROM "RequestHistory"
          WHERE field = 'document' AND "requestId" = ANY(${requestIds}::uuid[])
            AND "toValue"->>'id' = ANY(${documentIds}::text[])`
      : Promise.resolve([]),
  ]);
  const byId = new Map(requests.map((request) => [request.id, request]));
  const cards = new Map<TelegramOutboxMessage, RequestCard>();
  for (const message of messages) {
    const request = byId.get(message.payload.requestId);
    if (!request) continue;
    const offer =
      message.kind === 'telegram.offerAccepted'
        ? request.offers.find((candidate) => candidate.id === message.payload.offerId)
        : request.offers.findLast((candidate) => candidate.status === 'ACCEPTED');
    const document =
      message.kind === 'telegram.document' || message.kind === 'telegram.chatFileAdded'
        ? documents.find((candidate) => candidate.id === message.payload.documentId)
        : undefined;
    cards.set(message, {
      requestId: request.id,
      displayNumber: displayRequestNumber(request.number),
      chatId: request.telegramChatId === null ? null : chatIdToWire(request.telegramChatId),
      // A reminder goes to one person's private chat, in their language; the rest, in the group's.
      locale:
        message.kind === 'telegram.deadlineReminder'
          ? message.payload.locale
          : request.chat?.locale === 'en'
            ? 'en'
            : 'ru',
      status: request.status,
      paymentStatus: request.paymentStatus,
      inHouse: pipelineFor(request).inHouse,
      amount: request.amount === null ? null : request.amount.toFixed(2),
      currency: request.currency,
      clientCurrency: request.clientCurrency,
      agentName: request.agent?.name ?? null,
      offer: offer
        ? {
            status: offer.status,
            rate: trimDecimal(offer.rate, 6),
            feePercent: trimDecimal(offer.feePercent, 4),
            fixedFee: offer.fixedFee.toFixed(2),
            totalToPay: offer.totalToPay.toFixed(2),
            settlementDays: offer.settlementDays,
            validUntil: offer.validUntil === null ? null : offer.validUntil.toISOString(),
            comment: offer.comment,
          }
        : null,
      document: document
        ? {
            id: document.id,
            kind: document.kind,
            fileName: document.fileName,
            number: numbers.find((row) => row.id === document.id)?.number ?? null,
          }
        : null,
    });
  }
  return cards;
}

/**
 * Due TELEGRAM messages, oldest first and at most one per chat (their order is kept), with
 * their cards. A row that is no message of the contract (a kind this api does not know, a
 * broken payload) is parked as DEAD with the reason, never handed out.
 */
export async function claimTelegramDeliveries(
  db: Db,
  options: { workerId: string; limit: number; leaseMs: number; now: Date; logger: OutboxLogger },
): Promise<ClaimedTelegramMessage[]> {
  const rows = await claimOutboxBatch(db, { target: 'TELEGRAM', ...options });
  const valid: { row: ClaimedOutboxMessage; message: TelegramOutboxMessage }[] = [];
  for (const row of rows) {
    const parsed = TelegramMessage.safeParse({
      target: 'TELEGRAM',
      kind: row.kind,
      payload: row.payload,
    });
    if (parsed.success) valid.push({ row, message: parsed.data });
    else
      await failOutbox(
        db,
        row.id,
        options.workerId,
        {
          error: `not a Telegram message of the contract: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
          retryable: false,
          reason: 'invalid',
        },
        { now: options.now, logger: options.logger },
      );
  }
  const cards = await cardsFor(
    db,
    valid.map(({ message }) => message),
  );
  return valid.map(({ row, message }) => ({
    id: row.id.toString(),
    attempts: row.attempts,
    lockedUntil: row.lockedUntil.toISOString(),
    createdAt: row.createdAt.toISOString(),
    traceparent: row.traceparent,
    message,
    card: cards.get(message) ?? null,
  }));
}

/**
 * Delivered. For a document, the Telegram message id is written on the Document in the same
 * transaction, and the posted message joins the deal room's archive (Telegram never sends a bot
 * its own messages, so the mirror cannot see it): a document's row is filed with the
 * document's own file. False when the lease had expired (another worker holds the row now).
 */
export async function completeTelegramDelivery(
  db: Db,
  input: {
    id: string;
    workerId: string;
    telegramMessageId?: number;
    chatId?: number;
    message?: ChatMessageInput;
  },
  now: Date,
): Promise<boolean> {
  return transaction(db, async (tx) => {
    const row = await tx.outboxMessage.findUnique({
      where: { id: BigInt(input.id) },
      select: { kind: true, payload: true, target: true },
    });
    if (!row || row.target !== 'TELEGRAM') return false;
    const result =
      input.telegramMessageId !== undefined || input.chatId !== undefined
        ? { telegramMessageId: input.telegramMessageId ?? null, chatId: input.chatId ?? null }
        : undefined;
    const done = await completeOutbox(tx, input.id, input.workerId, result, { now });
    if (!done) return false;
    const parsed = TelegramMessage.safeParse({
      target: 'TELEGRAM',
      kind: row.kind,
      payload: row.payload,
    });
    const documentId =
      parsed.success && parsed.data.kind === 'telegram.document'
        ? parsed.data.payload.documentId
        : null;
    if (documentId !== null && input.telegramMessageId !== undefined)
      await tx.document.updateMany({
        where: { id: documentId },
        data: { telegramMessageId: input.telegramMessageId },
      });
    if (input.message && input.chatId !== undefined)
      await archivePosted(tx, input.chatId, input.message, documentId);
    return true;
  });
}

/** A message the bot posted, into its deal room's archive; nothing for a chat without one. */
async function archivePosted(
  tx: Tx,
  chatId: number,
  message: ChatMessageInput,
  documentId: string | null,
): Promise<void> {
  const room = await tx.telegramChat.findUnique({
    where: { id: BigInt(chatId) },
    select: { id: true },
  });
  if (!room) return;
  const document =
    documentId === null
      ? null
      : await tx.document.findUnique({ where: { id: documentId }, select: { assetId: true } });
  await upsertChatMessageRows(
    tx,
    room.id,
    [document ? { ...message, assetId: document.assetId } : message],
    'bot',
  );
}
