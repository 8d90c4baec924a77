import {
  PortalDeadMessage,
  RequeueRequestInput,
  displayRequestNumber,
  AddAgentInput,
  HistoryExport,
  HistoryExportInput,
  SetAgentActiveInput,
  WhitelistAgent,
} from '@payreq/contracts';
import { pipelineFor } from '@payreq/domain';
import { z } from 'zod';

import {
  deliveryFailureOf,
  listDeadOutbox,
  listDelayedOutbox,
  requeueDead,
  requeueDeadOf,
} from '../../outbox/store';
import type { OutboxMessage } from '@payreq/db';
import type { Db } from '../../db';
import { AppError } from '../../errors';
import { exportHistory, viewWithFullHistory } from '../../services/history-export';
import { addAgent, listWhitelist, setAgentActive } from '../../services/whitelist';
import { adminProcedure, answerDone, Done, router } from '../trpc';

/** Outbox rows in words: what each was about (the request's number, a link to its page). */
async function undeliveredViews(db: Db, rows: OutboxMessage[]): Promise<PortalDeadMessage[]> {
  const requestIdOf = (row: OutboxMessage) => {
    const id = (row.payload as { requestId?: unknown } | null)?.requestId;
    return typeof id === 'string' ? id : null;
  };
  const requests = await db.paymentRequest.findMany({
    where: { id: { in: rows.flatMap((row) => requestIdOf(row) ?? []) } },
    select: {
      id: true,
      number: true,
      telegramChatId: true,
      source: true,
      tenant: { select: { isMaster: true } },
    },
  });
  const byId = new Map(requests.map((request) => [request.id, request]));
  return rows.map((row) => {
    const request = byId.get(requestIdOf(row) ?? '');
    return {
      key: row.id.toString(),
      target: row.target,
      kind: row.kind,
      about: request ? displayRequestNumber(request.number) : null,
      request: request ? { id: request.id, pipeline: pipelineFor(request).kind } : null,
      attempts: row.attempts,
      failure: deliveryFailureOf(row),
      createdAt: row.createdAt.toISOString(),
      nextAttemptAt: row.state === 'PENDING' ? row.nextAttemptAt.toISOString() : null,
    };
  });
}

/** The portal's administration: master-tenant administrators only (`mayAdminister`). */
export const adminRouter = router({
  agents: adminProcedure
    .output(z.array(WhitelistAgent))
    .query(({ ctx }) => listWhitelist(ctx.db, ctx.actor)),

  addAgent: adminProcedure
    .input(AddAgentInput)
    .output(Done)
    .mutation(answerDone(({ ctx, input }) => addAgent(ctx.db, ctx.actor, input, ctx.now()))),

  setAgentActive: adminProcedure
    .input(SetAgentActiveInput)
    .output(Done)
    .mutation(answerDone(({ ctx, input }) => setAgentActive(ctx.db, ctx.actor, input, ctx.now()))),

  /** The outbox's dead messages, newest first, with what they were about in words. */
  deadMessages: adminProcedure
    .output(z.array(PortalDeadMessage))
    .query(async ({ ctx }) =>
      undeliveredViews(ctx.db, (await listDeadOutbox(ctx.db, { limit: 200 })).reverse()),
    ),

  /** Messages still tried after failures (the receiver down, slow, refusing): oldest first. */
  delayedMessages: adminProcedure
    .output(z.array(PortalDeadMessage))
    .query(async ({ ctx }) =>
      undeliveredViews(ctx.db, await listDelayedOutbox(ctx.db, { limit: 200 })),
    ),

  /** A request's dead messages to 1C, sent again from its page (oldest first, in order). */
  requeueRequest: adminProcedure
    .input(RequeueRequestInput)
    .output(z.object({ requeued: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const requeued = await requeueDeadOf(ctx.db, `request:${input.requestId}`, 'ONEC', {
        now: ctx.now(),
      });
      if (requeued === 0)
        throw new AppError('NOT_FOUND', {
          ru: 'У этой заявки нет недоставленных в 1С сообщений',
          en: 'This request has no undelivered messages to 1C',
        });
      ctx.logger.info(
        { requestId: input.requestId, requeued, by: ctx.actor.name },
        'outbox messages of a request requeued (portal)',
      );
      return { requeued };
    }),

  requeue: adminProcedure
    .input(z.strictObject({ key: z.string().regex(/^\d{1,19}$/) }))
    .output(Done)
    .mutation(async ({ ctx, input }) => {
      const message = await requeueDead(ctx.db, input.key, { now: ctx.now() });
      if (!message)
        throw new AppError('NOT_FOUND', {
          ru: 'Это сообщение уже не в списке недоставленных',
          en: 'This message is no longer among the undelivered ones',
        });
      ctx.logger.info(
        { outboxId: input.key, by: ctx.actor.name },
        'outbox message requeued (portal)',
      );
      return { ok: true as const };
    }),

  /** Who sees the bank's in-house deal rooms: every agent of the platform, or the bank's only. */
  inHouseVisibility: adminProcedure
    .output(z.object({ visibility: z.enum(['ALL_AGENTS', 'MASTER_ONLY']) }))
    .query(async ({ ctx }) => {
      const tenant = await ctx.db.tenant.findUniqueOrThrow({
        where: { id: ctx.actor.tenantId },
        select: { inHouseVisibility: true },
      });
      return { visibility: tenant.inHouseVisibility };
    }),

  setInHouseVisibility: adminProcedure
    .input(z.strictObject({ visibility: z.enum(['ALL_AGENTS', 'MASTER_ONLY']) }))
    .output(Done)
    .mutation(async ({ ctx, input }) => {
      await ctx.db.tenant.update({
        where: { id: ctx.actor.tenantId },
        data: { inHouseVisibility: input.visibility },
      });
      ctx.logger.info(
        { visibility: input.visibility, by: ctx.actor.name },
        'in-house visibility changed (portal)',
      );
      return { ok: true as const };
    }),

  exportHistory: adminProcedure
    .input(HistoryExportInput)
    .output(HistoryExport)
    .query(async ({ ctx, input }) => {
      const view = await viewWithFullHistory(ctx.db, ctx.actor, input.requestId);
      return exportHistory(view, input.format, ctx.locale);
    }),
});
