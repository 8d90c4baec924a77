import type { DeadlineReminderKind, RequestStatus } from '@payreq/contracts';

import type { Pipeline } from './pipeline';

/**
 * Reminders of a standard request's offers deadline: a day before and an hour before, to the
 * client and to the agents who offered. Each is sent once (the api records it); one that was
 * missed (the job did not run in its window) is not sent late once the next one is due.
 */
export const deadlineReminders = [
  { kind: 'deadline:24h', beforeMs: 24 * 3600 * 1000 },
  { kind: 'deadline:1h', beforeMs: 3600 * 1000 },
] as const satisfies readonly { kind: DeadlineReminderKind; beforeMs: number }[];

/** The reminder due now for a request, if any: the latest whose moment has come. */
export function deadlineReminderDue(
  request: { pipeline: Pipeline; status: RequestStatus; offersDeadline: Date | null },
  now: Date,
): DeadlineReminderKind | null {
  if (!request.pipeline.hasDeadlines || request.status !== 'COLLECTING_OFFERS') return null;
  if (!request.offersDeadline) return null;
  const left = request.offersDeadline.getTime() - now.getTime();
  if (left <= 0) return null;
  const due = deadlineReminders.filter((reminder) => left <= reminder.beforeMs);
  return due.at(-1)?.kind ?? null;
}

/** Who a deadline reminder goes to, as `user:<id>` / `agent:<id>` keys (each once). */
export function deadlineReminderRecipients(request: {
  memberUserIds: readonly string[];
  filedByAgentId: string | null;
  offers: readonly { agentId: string; status: string }[];
}): string[] {
  const recipients = new Set(request.memberUserIds.map((id) => `user:${id}`));
  if (request.filedByAgentId) recipients.add(`agent:${request.filedByAgentId}`);
  // Agents still in the running; one who withdrew or was rejected has nothing left to do.
  for (const offer of request.offers)
    if (offer.status === 'PENDING') recipients.add(`agent:${offer.agentId}`);
  return [...recipients];
}
