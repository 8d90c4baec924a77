import type { DeadlineReminderKind, OutboxMessage } from '@payreq/contracts';
import { displayRequestNumber, telegramKinds } from '@payreq/contracts';
import { deadlineReminderDue, deadlineReminderRecipients, pipelineFor } from '@payreq/domain';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import { enqueueOutbox } from '../services/outbox';

/** The furthest reminder ahead of a deadline: requests further out are not looked at. */
const lookAheadMs = 24 * 3600 * 1000;

interface Recipient {
  key: string;
  userId: string | null;
  agentId: string | null;
  telegramId: bigint | null;
  locale: 'ru' | 'en';
}

/**
 * Reminds the people of standard requests whose offers deadline is near (a day, an hour before):
 * a notification in the portal, and a private message from the bot to those who have started a
 * chat with it (through the outbox). Each reminder reaches each person once, with any number of
 * api instances running it: the Reminder row's key decides, `ON CONFLICT DO NOTHING`.
 * Returns how many reminders were sent.
 */
export async function sendDeadlineReminders(db: Db, now: Date): Promise<number> {
  const requests = await db.paymentRequest.findMany({
    where: {
      status: 'COLLECTING_OFFERS',
      telegramChatId: null,
      offersDeadline: { gt: now, lte: new Date(now.getTime() + lookAheadMs) },
    },
    select: { id: true },
    orderBy: { offersDeadline: 'asc' },
    take: 500,
  });
  let sent = 0;
  for (const { id } of requests) sent += await remindFor(db, id, now);
  return sent;
}

async function remindFor(db: Db, requestId: string, now: Date): Promise<number> {
  return transaction(db, async (tx) => {
    const request = await tx.paymentRequest.findUnique({
      where: { id: requestId },
      include: {
        offers: { select: { agentId: true, status: true } },
        tenant: {
          select: {
            isMaster: true,
            users: { select: { id: true, telegramId: true, locale: true } },
          },
        },
      },
    });
    if (!request?.offersDeadline) return 0;
    const reminder = deadlineReminderDue(
      {
        pipeline: pipelineFor(request),
        status: request.status,
        offersDeadline: request.offersDeadline,
      },
      now,
    );
    if (!reminder) return 0;
    const keys = deadlineReminderRecipients({
      memberUserIds: request.tenant.users.map((user) => user.id),
      filedByAgentId: request.filedByAgentId,
      offers: request.offers,
    });
    const fresh = await claimReminders(tx, requestId, reminder, keys);
    if (fresh.length === 0) return 0;
    const recipients = await recipientsOf(tx, fresh, request.tenant.users);
    const deadline = request.offersDeadline.toISOString();
    const params = { displayNumber: displayRequestNumber(request.number), reminder, deadline };
    await tx.notification.createMany({
      data: recipients.map((recipient) => ({
        userId: recipient.userId,
        agentId: recipient.agentId,
        requestId,
        kind: 'deadlineReminder',
        params,
      })),
    });
    await enqueueOutbox(tx, await privateMessages(tx, requestId, reminder, deadline, recipients));
    return recipients.length;
  });
}

/** Records the reminders not sent yet and returns their recipients: only these are told. */
async function claimReminders(
  tx: Tx,
  requestId: string,
  reminder: DeadlineReminderKind,
  keys: readonly string[],
): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await tx.$queryRaw<{ recipient: string }[]>`
    INSERT INTO "Reminder" ("requestId", kind, recipient)
    SELECT ${requestId}::uuid, ${reminder}, unnest(${keys}::text[])
    ON CONFLICT DO NOTHING
    RETURNING recipient`;
  return rows.map((row) => row.recipient);
}

async function recipientsOf(
  tx: Tx,
  keys: readonly string[],
  members: readonly { id: string; telegramId: bigint | null; locale: string }[],
): Promise<Recipient[]> {
  const agentIds = keys.filter((key) => key.startsWith('agent:')).map((key) => key.slice(6));
  const agents = agentIds.length
    ? await tx.agent.findMany({
        where: { id: { in: agentIds }, active: true },
        select: { id: true, telegramId: true },
      })
    : [];
  const recipients: Recipient[] = [];
  for (const key of keys) {
    const [kind, id] = key.split(':') as ['user' | 'agent', string];
    // A client is written to in the language they chose, an agent in Russian.
    const person =
      kind === 'user'
        ? members.find((member) => member.id === id)
        : agents.find((candidate) => candidate.id === id);
    if (!person) continue;
    recipients.push({
      key,
      userId: kind === 'user' ? id : null,
      agentId: kind === 'agent' ? id : null,
      telegramId: person.telegramId,
      locale: 'locale' in person && person.locale === 'en' ? 'en' : 'ru',
    });
  }
  return recipients;
}

/** The bot writes privately only to people who started a chat with it and have not blocked it. */
async function privateMessages(
  tx: Tx,
  requestId: string,
  reminder: DeadlineReminderKind,
  deadline: string,
  recipients: readonly Recipient[],
): Promise<OutboxMessage[]> {
  const telegramIds = recipients.flatMap((recipient) =>
    recipient.telegramId === null ? [] : [recipient.telegramId],
  );
  if (telegramIds.length === 0) return [];
  const open = await tx.botPrivateChat.findMany({
    where: { telegramUserId: { in: telegramIds }, blockedAt: null },
    select: { telegramUserId: true },
  });
  const reachable = new Set(open.map((chat) => chat.telegramUserId));
  return recipients
    .filter((recipient) => recipient.telegramId !== null && reachable.has(recipient.telegramId))
    .map((recipient) => ({
      target: 'TELEGRAM',
      kind: telegramKinds.deadlineReminder,
      payload: {
        requestId,
        chatId: Number(recipient.telegramId),
        reminder,
        deadline,
        locale: recipient.locale,
      },
    }));
}
