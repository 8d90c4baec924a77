import type { OutboxMessage, RequestStatus } from '@payreq/contracts';
import { chatIdToWire, onecKinds, telegramKinds } from '@payreq/contracts';
import type { Actor, ChangePlan, RequestChange, TransitionCause } from '@payreq/domain';
import {
  actingRoleOf,
  byHandCauses,
  onecChangesOfSteps,
  planChanges,
  tellsOnec,
} from '@payreq/domain';
import type { Prisma } from '@payreq/db';

import type { Tx } from '../db';
import { forbidden, versionConflict } from '../errors';
import type { RequestAccess } from './access';
import { loadAccess, requirePermission } from './access';
import { historyActorOf, recordHistory } from './history';
import { onecUpdate } from './onec-updates';
import { enqueueOutbox } from './outbox';
import { fieldsOf } from './views';

export interface TransitionOptions {
  now: Date;
  /** The version the caller saw: a stale one is refused with VERSION_CONFLICT. */
  version?: number;
  /** Why (1C's status comment, say): kept with the change and told in the chat. */
  comment?: string | null;
  /** The roads this call may take (default: submit, a move by hand, a cancel). */
  causes?: readonly TransitionCause[];
  /** False when the caller tells the chat in its own words (an accepted offer's terms). */
  announce?: boolean;
}

export interface AppliedTransition {
  access: RequestAccess;
  plan: ChangePlan;
  /** The request's version after the change. */
  version: number;
  status: RequestStatus;
  paymentStatus: RequestAccess['request']['paymentStatus'];
}

/** Bumps the version only if nobody else did since the request was read (and locked). */
export async function writeRequest(
  tx: Tx,
  access: RequestAccess,
  data: Prisma.PaymentRequestUpdateManyMutationInput,
  guard: Prisma.PaymentRequestWhereInput = {},
): Promise<number> {
  const { count } = await tx.paymentRequest.updateMany({
    where: { id: access.request.id, version: access.request.version, ...guard },
    data: { ...data, version: { increment: 1 } },
  });
  if (count !== 1) throw versionConflict(access.request.version + 1);
  return access.request.version + 1;
}

export function assertVersion(access: RequestAccess, version: number | undefined): void {
  if (version !== undefined && access.request.version !== version)
    throw versionConflict(access.request.version);
}

/** What a change of status tells the deal room's group, when the pipeline keeps the chat in sync. */
export function announcements(
  access: RequestAccess,
  plan: ChangePlan,
  actor: Actor,
  comment: string | null,
): OutboxMessage[] {
  const { request, pipeline } = access;
  if (!pipeline.syncsChat || request.telegramChatId === null) return [];
  const chatId = chatIdToWire(request.telegramChatId);
  const by = historyActorOf(actor);
  return plan.steps.map((step): OutboxMessage =>
    step.field === 'status'
      ? {
          target: 'TELEGRAM',
          kind: telegramKinds.statusChanged,
          payload: {
            requestId: request.id,
            chatId,
            from: step.from as RequestStatus,
            to: step.to as RequestStatus,
            by,
            comment,
          },
        }
      : {
          target: 'TELEGRAM',
          kind: telegramKinds.paymentStatusChanged,
          payload: {
            requestId: request.id,
            chatId,
            from: step.from as RequestAccess['request']['paymentStatus'],
            to: step.to as RequestAccess['request']['paymentStatus'],
            by,
            comment,
          },
        },
  );
}

/**
 * Every change of a request's status or payment status goes through here, in the caller's
 * transaction: the request is locked and read once, the domain checks who may do it and plans
 * the write (`planChanges`), then one guarded UPDATE, the history rows and the outbox messages
 * (the group's announcements; an in-house submit's message to 1C) are written together.
 */
export async function applyTransition(
  tx: Tx,
  actor: Actor,
  /** The request's id, or the request already locked and read in this transaction. */
  request: string | RequestAccess,
  changes: readonly RequestChange[],
  options: TransitionOptions,
): Promise<AppliedTransition> {
  const access =
    typeof request === 'string' ? await loadAccess(tx, actor, request, { lock: true }) : request;
  requirePermission(access, 'application.view');
  const role = actingRoleOf(access.relation);
  if (!role) throw forbidden();
  const plan = planChanges(
    {
      ...access.facts,
      fields: fieldsOf(access.request),
      offersDeadline: access.request.offersDeadline,
    },
    changes,
    role,
    options.now,
    options.causes ?? byHandCauses,
  );
  assertVersion(access, options.version);
  const comment = options.comment ?? null;
  const version =
    plan.steps.length > 0
      ? await writeRequest(tx, access, plan.set, guardFor(access))
      : access.request.version;
  await recordHistory(
    tx,
    access.request.id,
    actor,
    plan.steps.map((step) => ({ ...step, comment })),
    options.now,
  );
  const outbox = options.announce === false ? [] : announcements(access, plan, actor, comment);
  // 1C keeps a copy from the submit on: it hears of every later step it did not make itself.
  if (tellsOnec({ pipeline: access.pipeline, status: access.request.status }, actor)) {
    const changes = onecChangesOfSteps(plan.steps);
    if (changes.length > 0) {
      outbox.push(
        onecUpdate(access.request.id, { version, at: options.now, actor, comment, changes }),
      );
    }
  }
  if (plan.sendToOnec) {
    outbox.push({
      target: 'ONEC',
      kind: onecKinds.createRequest,
      payload: { requestId: access.request.id },
    });
  }
  await enqueueOutbox(tx, outbox);
  return {
    access,
    plan,
    version,
    status: plan.set.status ?? access.request.status,
    paymentStatus: plan.set.paymentStatus ?? access.request.paymentStatus,
  };
}

/** The write also holds only while the request is still where it was read (status, payment). */
function guardFor(access: RequestAccess): Prisma.PaymentRequestWhereInput {
  return { status: access.request.status, paymentStatus: access.request.paymentStatus };
}
