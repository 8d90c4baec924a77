import { displayRequestNumber } from '@payreq/contracts';
import type { BotRequestDocumentInput, BotRequestDocumentResult } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { DomainError } from '@payreq/domain';

import type { Db, Tx } from '../db';
import { AppError } from '../errors';
import { bodyHash, runIdempotent } from '../rest/onec/idempotency';
import { loadAccess } from './access';
import { currentChat } from './chats';
import { requestDocumentGenerationInTx } from './documents';

/**
 * `/document` in a deal room: the bot asks 1C for a document as the person who sent the
 * command. They must be a whitelisted, active agent and the request's linked agent, and the
 * request must take documents now (`documents.generate`, as in the Mini App); then the same
 * queue as the Mini App's (`requestDocumentGenerationInTx`). Anyone else is refused with a
 * reason the bot can put in words, and nothing is written. One command (`commandId`: the
 * Telegram message or button press) queues at most one document request, however often
 * Telegram delivers its update.
 */
export async function requestDocumentFromChat(
  db: Db,
  now: Date,
  input: BotRequestDocumentInput,
): Promise<BotRequestDocumentResult> {
  const chat = await currentChat(db, BigInt(input.chatId));
  if (!chat) return { outcome: 'refused', reason: 'NOT_REGISTERED', locale: 'ru' };
  const locale = chat.locale;
  const refused = (reason: 'NO_REQUEST' | 'NOT_LINKED_AGENT' | 'NOT_ALLOWED_NOW') =>
    ({ outcome: 'refused', reason, locale }) as const;

  const request = await db.paymentRequest.findUnique({
    where: { telegramChatId: chat.id },
    select: { id: true, number: true },
  });
  if (!request) return refused('NO_REQUEST');
  const agent = await db.agent.findUnique({
    where: { telegramId: BigInt(input.telegramUserId) },
    include: { tenant: true },
  });
  // The whitelist is the Agent table: an unknown or deactivated agent is not one.
  if (!agent || !agent.active) return refused('NOT_LINKED_AGENT');
  const actor: Actor = {
    kind: 'agent',
    agentId: agent.id,
    userId: null,
    telegramId: input.telegramUserId,
    name: agent.name,
    tenantId: agent.tenantId,
    tenantIsMaster: agent.tenant.isMaster,
  };
  const access = await loadAccess(db as unknown as Tx, actor, request.id);
  if (access.relation !== 'linkedAgent') return refused('NOT_LINKED_AGENT');
  if (!access.permissions.includes('documents.generate')) return refused('NOT_ALLOWED_NOW');
  const displayNumber = displayRequestNumber(request.number);
  if (input.kind === null) return { outcome: 'allowed', displayNumber, locale };

  const kind = input.kind;
  try {
    const answer = await runIdempotent(
      db,
      {
        scope: `bot:document:${chat.id}`,
        key: input.commandId,
        requestHash: bodyHash({ kind, telegramUserId: input.telegramUserId }),
      },
      request.id,
      async (tx) => ({
        status: 200,
        body: {
          documentRequestId: await requestDocumentGenerationInTx(tx, actor, now, {
            requestId: request.id,
            kind,
          }),
        },
      }),
    );
    return { outcome: 'queued', kind, displayNumber, locale, repeated: answer.replayed };
  } catch (error) {
    // The request moved on between the check and the write (e.g. completed): still a refusal.
    if (
      (error instanceof AppError && error.code === 'FORBIDDEN') ||
      (error instanceof DomainError && error.code === 'FORBIDDEN')
    ) {
      return refused('NOT_ALLOWED_NOW');
    }
    throw error;
  }
}
