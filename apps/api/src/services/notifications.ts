import type { Locale, NotificationView } from '@payreq/contracts';
import { DeadlineReminderKind } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { createFormatter, deadlineReminderText, offerNoticeText } from '@payreq/i18n';
import { z } from 'zod';

import type { Db, Tx } from '../db';
import { forbidden } from '../errors';

/** What the portal tells a person: stored as a kind with its params, worded when read. */

const ReminderParams = z.object({
  displayNumber: z.string(),
  reminder: DeadlineReminderKind,
  deadline: z.string(),
});

function ownerOf(actor: Actor): { userId: string } | { agentId: string } {
  if (actor.kind === 'user') return { userId: actor.userId };
  if (actor.kind === 'agent') return { agentId: actor.agentId };
  throw forbidden();
}

const OfferNoticeParams = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('offerReceived'),
    displayNumber: z.string(),
    agentName: z.string(),
    changed: z.boolean(),
  }),
  z.object({ kind: z.literal('offerChosen'), displayNumber: z.string() }),
  z.object({ kind: z.literal('offerNotChosen'), displayNumber: z.string() }),
  z.object({ kind: z.literal('offerOutdated'), displayNumber: z.string() }),
]);
type OfferNoticeParams = z.infer<typeof OfferNoticeParams>;

function textOf(kind: string, params: unknown, locale: Locale): string | null {
  const format = createFormatter(locale);
  if (kind === 'deadlineReminder') {
    const parsed = ReminderParams.safeParse(params);
    return parsed.success ? deadlineReminderText(parsed.data, format) : null;
  }
  const parsed = OfferNoticeParams.safeParse({ ...(params as object), kind });
  return parsed.success ? offerNoticeText(parsed.data, format) : null;
}

/**
 * Writes one notice of a standard request's offers for each recipient key (`user:<id>`,
 * `agent:<id>`, from `@payreq/domain`'s notices), in the caller's transaction: the change and
 * its word to people are one.
 */
export async function notifyOffer(
  tx: Tx,
  requestId: string,
  recipients: readonly string[],
  notice: OfferNoticeParams,
): Promise<void> {
  if (recipients.length === 0) return;
  const { kind, ...params } = notice;
  await tx.notification.createMany({
    data: recipients.map((key) => {
      const [side, id] = key.split(':') as ['user' | 'agent', string];
      return {
        userId: side === 'user' ? id : null,
        agentId: side === 'agent' ? id : null,
        requestId,
        kind,
        params,
      };
    }),
  });
}

export async function listNotifications(
  db: Db,
  actor: Actor,
  locale: Locale,
  input: { limit: number; before?: string },
): Promise<{ items: NotificationView[]; unread: number; nextBefore: string | null }> {
  const owner = ownerOf(actor);
  const [rows, unread] = await Promise.all([
    db.notification.findMany({
      where: { ...owner, ...(input.before ? { id: { lt: BigInt(input.before) } } : {}) },
      orderBy: { id: 'desc' },
      take: input.limit + 1,
    }),
    db.notification.count({ where: { ...owner, readAt: null } }),
  ]);
  const page = rows.slice(0, input.limit);
  const items: NotificationView[] = [];
  for (const row of page) {
    // A kind this version cannot word is left out rather than shown raw.
    const text = textOf(row.kind, row.params, locale);
    if (text === null) continue;
    items.push({
      id: row.id.toString(),
      at: row.createdAt.toISOString(),
      text,
      requestId: row.requestId,
      read: row.readAt !== null,
    });
  }
  return {
    items,
    unread,
    nextBefore: rows.length > input.limit ? page.at(-1)!.id.toString() : null,
  };
}

/** Marks read everything up to what the caller has seen; someone else's are never touched. */
export async function markNotificationsRead(
  db: Db,
  actor: Actor,
  upTo: string,
  now: Date,
): Promise<{ marked: number }> {
  const owner = ownerOf(actor);
  const marked = await db.notification.updateMany({
    where: { ...owner, id: { lte: BigInt(upTo) }, readAt: null },
    data: { readAt: now },
  });
  return { marked: marked.count };
}
