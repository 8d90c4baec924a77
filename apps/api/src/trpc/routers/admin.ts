import {
  AddAgentInput,
  HistoryExport,
  HistoryExportInput,
  SetAgentActiveInput,
  WhitelistAgent,
} from '@payreq/contracts';
import { z } from 'zod';

import { exportHistory } from '../../services/history-export';
import { getRequestView } from '../../services/requests';
import { addAgent, listWhitelist, setAgentActive } from '../../services/whitelist';
import { adminProcedure, router } from '../trpc';

/** The portal's administration: master-tenant administrators only (`mayAdminister`). */
export const adminRouter = router({
  agents: adminProcedure
    .output(z.array(WhitelistAgent))
    .query(({ ctx }) => listWhitelist(ctx.db, ctx.actor)),

  addAgent: adminProcedure
    .input(AddAgentInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await addAgent(ctx.db, ctx.actor, input, ctx.now());
      return { ok: true as const };
    }),

  setAgentActive: adminProcedure
    .input(SetAgentActiveInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setAgentActive(ctx.db, ctx.actor, input, ctx.now());
      return { ok: true as const };
    }),

  exportHistory: adminProcedure
    .input(HistoryExportInput)
    .output(HistoryExport)
    .query(async ({ ctx, input }) => {
      const view = await getRequestView(ctx.db, ctx.actor, input.requestId);
      return exportHistory(view, input.format, ctx.locale);
    }),
});
