import { randomUUID } from 'node:crypto';

import type { DocumentKind, OnecRequestChange, OutboxMessage } from '@payreq/contracts';
import { onecKinds } from '@payreq/contracts';
import type { Actor, Pipeline } from '@payreq/domain';
import { tellsOnec } from '@payreq/domain';

import type { Tx } from '../db';
import { historyActorOf } from './history';
import { enqueueOutbox } from './outbox';

/**
 * The message that tells 1C of one change made on the platform after the submit (what the
 * domain's `tellsOnec` lets through), written in the change's transaction. The update id is
 * drawn here, once: every redelivery of the row carries it, and 1C applies it once.
 */
export function onecUpdate(
  requestId: string,
  change: {
    /** The request's version after the change. */
    version: number;
    at: Date;
    actor: Actor;
    comment: string | null;
    changes: OnecRequestChange[];
  },
): OutboxMessage {
  return {
    target: 'ONEC',
    kind: onecKinds.updateRequest,
    payload: {
      requestId,
      updateId: randomUUID(),
      version: change.version,
      at: change.at.toISOString(),
      by: historyActorOf(change.actor),
      comment: change.comment,
      changes: change.changes,
    },
  };
}

/**
 * A document added on the platform (the Mini App's attachments), told to 1C when it holds the
 * request. A document does not move the version: the update names the version it was added at.
 */
export async function tellOnecOfDocument(
  tx: Tx,
  actor: Actor,
  pipeline: Pick<Pipeline, 'sendsToOnec'>,
  document: {
    id: string;
    requestId: string;
    kind: DocumentKind;
    fileName: string;
    mime: string;
    size: number;
    sha256: string;
  },
  now: Date,
): Promise<void> {
  const request = await tx.paymentRequest.findUniqueOrThrow({
    where: { id: document.requestId },
    select: { status: true, version: true },
  });
  if (!tellsOnec({ pipeline, status: request.status }, actor)) return;
  await enqueueOutbox(tx, [
    onecUpdate(document.requestId, {
      version: request.version,
      at: now,
      actor,
      comment: null,
      changes: [
        {
          type: 'document',
          documentId: document.id,
          kind: document.kind,
          fileName: document.fileName,
          mime: document.mime,
          size: document.size,
          sha256: document.sha256,
        },
      ],
    }),
  ]);
}
