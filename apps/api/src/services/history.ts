import type { HistoryActor } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';

export interface HistoryChange {
  field: string;
  from: Prisma.InputJsonValue | null;
  to: Prisma.InputJsonValue | null;
  /** Why (1C's status comment, say): kept with the entry and shown with it. */
  comment?: string | null;
}

export function actorRef(actor: Actor): {
  actorKind: string;
  actorId: string | null;
  actorName: string;
} {
  switch (actor.kind) {
    case 'agent':
      return { actorKind: 'agent', actorId: actor.agentId, actorName: actor.name };
    case 'user':
      return { actorKind: 'user', actorId: actor.userId, actorName: actor.name };
    case 'onec':
      return { actorKind: 'onec', actorId: actor.integrationId, actorName: actor.name };
    default:
      return { actorKind: actor.kind, actorId: null, actorName: actor.name };
  }
}

/** Who caused a change, as the words of a history entry or a group message name them. */
export function historyActorOf(actor: Actor): HistoryActor {
  return historyActorNamed(actor.kind, actor.name);
}

/**
 * The same from a stored actor kind (the platform's own: user, agent, onec, …) and name:
 * people are named, 1C and the system are not.
 */
export function historyActorNamed(kind: string, name: string | null): HistoryActor {
  switch (kind) {
    case 'user':
      return { kind: 'client', name };
    case 'agent':
      return { kind: 'agent', name };
    case 'onec':
      return { kind: 'onec', name: null };
    default:
      return { kind: 'system', name: null };
  }
}

/** One history row per change: who, when, from, to. */
export async function recordHistory(
  tx: Tx,
  requestId: string,
  actor: Actor,
  changes: HistoryChange[],
  at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  const who = actorRef(actor);
  await tx.requestHistory.createMany({
    data: changes.map((change) => ({
      requestId,
      ...who,
      field: change.field,
      fromValue: change.from ?? undefined,
      toValue: change.to ?? undefined,
      comment: change.comment ?? null,
      at,
    })),
  });
}
