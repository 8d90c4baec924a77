import type { Actor } from '@payreq/domain';
import { DomainError, actorMayAdminister } from '@payreq/domain';
import { TRPCError, initTRPC } from '@trpc/server';
import { z } from 'zod';

import type { Context } from '../context';
import { AppError, describeError, forbidden, toTrpcError, unauthenticated } from '../errors';
import { resolveBoundChat } from '../services/chats';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const described = describeError(error, ctx?.locale ?? 'ru');
    return {
      ...shape,
      message: described.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appCode: described.appCode,
        issues: described.issues,
        details: described.details,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Rule errors thrown by services become answers with their own HTTP status and code. */
const mapErrors = t.middleware(async ({ ctx, next }) => {
  if (ctx.authError) throw toTrpcError(ctx.authError);
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError || cause instanceof AppError)
      return { ...result, error: toTrpcError(cause) };
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw toTrpcError(unauthenticated());
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

export const agentProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.kind !== 'agent') throw toTrpcError(forbidden());
  return next({ ctx: { ...ctx, actor: ctx.actor as Extract<Actor, { kind: 'agent' }> } });
});

/** The bank's own agents look after the integrations: agents of the master tenant only. */
export const masterAgentProcedure = agentProcedure.use(({ ctx, next }) => {
  if (!ctx.actor.tenantIsMaster) throw toTrpcError(forbidden());
  return next();
});

/** The portal's administration: active master-tenant agents with the administrator role. */
export const adminProcedure = agentProcedure.use(({ ctx, next }) => {
  if (!actorMayAdminister(ctx.actor)) throw toTrpcError(forbidden());
  return next();
});

export const userProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.kind !== 'user') throw toTrpcError(forbidden());
  return next({ ctx: { ...ctx, actor: ctx.actor as Extract<Actor, { kind: 'user' }> } });
});

/** Server-to-server calls of the Telegram bot process (service token). */
export const botProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.kind !== 'bot') throw toTrpcError(forbidden());
  return next({ ctx: { ...ctx, actor: ctx.actor as Extract<Actor, { kind: 'bot' }> } });
});

/**
 * Mini App calls inside a deal room: Telegram-signed init data, and the chat bound by the
 * launch token in its `start_param` (checked against the caller's membership).
 */
export const miniAppProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (!ctx.telegram || (ctx.actor.kind !== 'user' && ctx.actor.kind !== 'agent')) {
    throw toTrpcError(unauthenticated('open the app from Telegram'));
  }
  const actor = ctx.actor as Extract<Actor, { kind: 'user' | 'agent' }>;
  const chat = await resolveBoundChat(
    ctx.db,
    actor,
    ctx.telegram,
    ctx.deps.telegram.checkMembership,
  ).catch((error: unknown) => {
    throw toTrpcError(error);
  });
  return next({ ctx: { ...ctx, actor, chat } });
});

/**
 * The resolver of a thin procedure: hands the caller's context and the checked input to one
 * service function and answers with what it returns.
 */
export function callService<Ctx, Input, Output>(
  service: (ctx: Ctx, input: Input) => Output,
): (opts: { ctx: Ctx; input: Input }) => Output {
  return ({ ctx, input }) => service(ctx, input);
}

/** The answer of a command that reports only that it was done. */
export const Done = z.object({ ok: z.literal(true) });

/** A resolver for such a command: runs `command`, then answers `{ ok: true }`. */
export function answerDone<Opts>(
  command: (opts: Opts) => Promise<unknown>,
): (opts: Opts) => Promise<z.infer<typeof Done>> {
  return async (opts) => {
    await command(opts);
    return { ok: true as const };
  };
}

export { TRPCError };
