import { notFound } from '../../errors';
import { requirePermission } from '../../services/access';
import { listRequests, loadRequestView, viewOf } from '../../services/requests';
import { agentProcedure, authedProcedure, router } from '../trpc';
import * as types from './standard.types';

/**
 * The standard pipeline's pages in the portal: a request with the caller's permissions (the
 * client's form and offers, an offering agent's market view), and the market agents work from.
 */
export const standardRouter = router({
  /** A request and what the caller may do with it; the view is cut to the caller's scope. */
  request: authedProcedure
    .input(types.RequestId)
    .output(types.StandardRequestOutput)
    .query(async ({ ctx, input }) => {
      const loaded = await loadRequestView(ctx.db, ctx.actor, { id: input.requestId });
      if (!loaded) throw notFound();
      requirePermission(loaded.access, 'application.view');
      return {
        request: viewOf(ctx.actor, loaded.access, loaded.row),
        permissions: loaded.access.permissions,
      };
    }),

  /**
   * The market, for agents of every tenant: standard requests collecting offers, and those the
   * caller offered on or filed for a client (to follow what became of them). Each is cut to what
   * the caller may see: an offering agent sees what pricing needs, no more.
   */
  market: agentProcedure
    .input(types.ListRequestsInput)
    .output(types.ListRequestsOutput)
    .query(({ ctx, input }) =>
      listRequests(ctx, { ...input, mine: false }, [
        { telegramChatId: null },
        {
          OR: [
            { status: 'COLLECTING_OFFERS' },
            { offers: { some: { agentId: ctx.actor.agentId } } },
            { filedByAgentId: ctx.actor.agentId },
          ],
        },
      ]),
    ),
});
