import {
  AttachChatFileInput,
  ChatArchiveInput,
  ChatArchiveMessage,
  ChatArchivePage,
  ChatArchivePollInput,
  PortalOnecSync,
  DocumentRequestView,
  DocumentView,
  ListRequestsOutput,
  PaymentRequestView,
  Permission,
  PortalListInput,
  PortalMe,
  PortalRequestDocumentInput,
  PortalSignInOptions,
  RequestId,
  RoomsBeforeRequestInput,
  RoomsBeforeRequestPage,
} from '@payreq/contracts';
import { isFormerAgent } from '@payreq/domain';
import { z } from 'zod';

import { forbidden, notFound, unauthenticated } from '../../errors';
import { delayedOutboxWhere, deliveryFailureOf } from '../../outbox/store';
import { requirePermission } from '../../services/access';
import {
  attachChatFile,
  chatArchivePage,
  chatArchivePoll,
  roomsBeforeRequest,
} from '../../services/chat-archive';
import { requestDocumentGeneration } from '../../services/documents';
import { portalFilters } from '../../services/portal-list';
import { fullDetailWhere, listRequests, loadRequestView, viewOf } from '../../services/requests';
import { agentProcedure, authedProcedure, publicProcedure, router } from '../trpc';

/** The bot's Telegram id: its token's part before the colon is the bot's public id (getMe's). */
const botTelegramIdOf = (ctx: { deps: { telegram: { botToken: string } } }): bigint | null => {
  const id = /^(\d+):/.exec(ctx.deps.telegram.botToken)?.[1];
  return id === undefined ? null : BigInt(id);
};

/** The web portal: who is signed in, how to sign in, the deal rooms and requests, their chats. */
export const portalRouter = router({
  /** What the sign-in page needs to send a person to Telegram's login (no secret in it). */
  signInOptions: publicProcedure.output(PortalSignInOptions).query(({ ctx }) => {
    const { login } = ctx.deps.portal;
    return {
      provider: login.provider,
      testServerAuthUrl:
        login.provider === 'test-server' ? new URL('/auth', login.testServerUrl).toString() : null,
      botId: String(botTelegramIdOf(ctx) ?? ''),
      botUsername: login.botUsername,
    };
  }),

  /** The signed-in agent or person: what the portal's top bar and navigation need. */
  me: authedProcedure.output(PortalMe).query(async ({ ctx }) => {
    const { actor } = ctx;
    // An agent taken off the whitelist is no person of the portal either (`isFormerAgent`).
    if (isFormerAgent(actor)) throw unauthenticated('the agent is not active');
    if (actor.kind === 'user') {
      const company = actor.tenantId
        ? await ctx.db.tenant.findUnique({ where: { id: actor.tenantId }, select: { name: true } })
        : null;
      return {
        kind: 'person' as const,
        name: actor.name,
        tenantName: company?.name ?? null,
        tenantIsMaster: false,
        isAdmin: false,
      };
    }
    if (actor.kind !== 'agent') throw forbidden();
    const tenant = await ctx.db.tenant.findUniqueOrThrow({
      where: { id: actor.tenantId },
      select: { name: true },
    });
    return {
      kind: 'agent' as const,
      name: actor.name,
      tenantName: tenant.name,
      tenantIsMaster: actor.tenantIsMaster,
      isAdmin: actor.isAdmin === true && actor.tenantIsMaster,
    };
  }),

  /** The agents of the caller's tenant, for the list's agent filter. */
  agents: agentProcedure
    .output(z.array(z.object({ agentId: z.string(), name: z.string() })))
    .query(async ({ ctx }) => {
      const agents = await ctx.db.agent.findMany({
        where: { tenantId: ctx.actor.tenantId },
        select: { id: true, name: true },
        orderBy: { name: 'asc' },
      });
      return agents.map((agent) => ({ agentId: agent.id, name: agent.name }));
    }),

  /** Deal rooms and requests the caller may see: searched, filtered, paged by the server. */
  requests: agentProcedure
    .input(PortalListInput)
    .output(ListRequestsOutput)
    .query(({ ctx, input }) =>
      listRequests(
        ctx,
        { status: input.status, limit: input.limit, cursor: input.cursor },
        portalFilters(input, ctx.now(), fullDetailWhere(ctx.actor)),
      ),
    ),

  /** A request's page: its view, what the caller may do, how its sending to 1C stands. */
  request: agentProcedure
    .input(RequestId)
    .output(
      z.object({
        request: PaymentRequestView,
        permissions: z.array(Permission),
        onecSync: PortalOnecSync,
        hasChat: z.boolean(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const loaded = await loadRequestView(ctx.db, ctx.actor, { id: input.requestId });
      if (!loaded) throw notFound();
      requirePermission(loaded.access, 'application.view');
      const key = `request:${input.requestId}`;
      const failureColumns = { lastError: true, failureReason: true, failureStatus: true };
      const [pending, delayed, dead] = await Promise.all([
        ctx.db.outboxMessage.count({
          where: { aggregateKey: key, target: 'ONEC', state: 'PENDING' },
        }),
        // The first in line is the one the others wait behind (one request's are sent in order).
        ctx.db.outboxMessage.findFirst({
          where: { aggregateKey: key, target: 'ONEC', ...delayedOutboxWhere },
          orderBy: { id: 'asc' },
          select: { attempts: true, nextAttemptAt: true, ...failureColumns },
        }),
        ctx.db.outboxMessage.findMany({
          where: { aggregateKey: key, target: 'ONEC', state: 'DEAD' },
          orderBy: { id: 'desc' },
          select: failureColumns,
        }),
      ]);
      const view = viewOf(ctx.actor, loaded.access, loaded.row);
      return {
        request: view,
        permissions: loaded.access.permissions,
        onecSync: {
          pending,
          dead: dead.length,
          failure: dead[0] ? deliveryFailureOf(dead[0]) : null,
          delayed: delayed
            ? {
                attempts: delayed.attempts,
                failure: deliveryFailureOf(delayed),
                nextAttemptAt: delayed.nextAttemptAt.toISOString(),
              }
            : null,
        },
        hasChat: view.telegramChatId !== null,
      };
    }),

  /**
   * The agent asks 1C for a document, as in the Mini App (`documents.generate`); the status and
   * payment steps are the shared `requests.setStatus` / `requests.setPaymentStatus`.
   */
  requestDocument: agentProcedure
    .input(PortalRequestDocumentInput)
    .output(z.array(DocumentRequestView))
    .mutation(({ ctx, input }) => requestDocumentGeneration(ctx, input)),

  /** The caller's deal rooms that have no request yet (their chat is readable all the same). */
  roomsBeforeRequest: agentProcedure
    .input(RoomsBeforeRequestInput)
    .output(RoomsBeforeRequestPage)
    .query(({ ctx, input }) => roomsBeforeRequest(ctx.db, ctx.actor, input)),

  chat: router({
    /** A page of the deal room's archive (the newest, or older with `before`; a search). */
    page: agentProcedure
      .input(ChatArchiveInput)
      .output(ChatArchivePage)
      .query(({ ctx, input }) =>
        chatArchivePage(ctx.db, ctx.actor, input, { telegramId: botTelegramIdOf(ctx) }),
      ),

    /** Short polling: what was written or edited in the room since the last answer. */
    poll: agentProcedure
      .input(ChatArchivePollInput)
      .output(z.object({ messages: z.array(ChatArchiveMessage), pollCursor: z.string() }))
      .query(({ ctx, input }) =>
        chatArchivePoll(ctx.db, ctx.actor, input, { telegramId: botTelegramIdOf(ctx) }),
      ),

    /** A file of the room becomes a document of the request, of the chosen kind. */
    attach: agentProcedure
      .input(AttachChatFileInput)
      .output(DocumentView)
      .mutation(({ ctx, input }) =>
        attachChatFile(ctx.db, ctx.actor, input, { telegramId: botTelegramIdOf(ctx) }, ctx.now()),
      ),
  }),
});
