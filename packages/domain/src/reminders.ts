import type { RequestStatus } from '@payreq/contracts';

import type { Pipeline } from './pipeline';

/**
 * Reminders of a standard request's offers deadline: a day before and an hour before, to the
 * client and to the agents who offered. Each is sent once (the api records it); one that was
 * missed (the job did not run in its window) is not sent late once the next one is due.
 */
export const deadlineReminders = [
  { kind: 'deadline:24h', beforeMs: 24 * 3600 * 1000 },
  { kind: 'deadline:1h', beforeMs: 3600 * 1000 },
] as const;

export type DeadlineReminderKind = (typeof deadlineReminders)[number]['kind'];

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
