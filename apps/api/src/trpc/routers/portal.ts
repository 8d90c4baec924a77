import { PortalMe, PortalSignInOptions } from '@payreq/contracts';

import { agentProcedure, publicProcedure, router } from '../trpc';

/** The web portal: who is signed in, how to sign in. */
export const portalRouter = router({
  /** What the sign-in page needs to send a person to Telegram's login (no secret in it). */
  signInOptions: publicProcedure.output(PortalSignInOptions).query(({ ctx }) => {
    const { login } = ctx.deps.portal;
    return {
      provider: login.provider,
      testServerAuthUrl:
        login.provider === 'test-server' ? new URL('/auth', login.testServerUrl).toString() : null,
      // The part of the token before the colon is the bot's public id (getMe's id).
      botId: ctx.deps.telegram.botToken.split(':')[0] ?? '',
      botUsername: login.botUsername,
    };
  }),

  me: agentProcedure.output(PortalMe).query(async ({ ctx }) => {
    const tenant = await ctx.db.tenant.findUniqueOrThrow({
      where: { id: ctx.actor.tenantId },
      select: { name: true },
    });
    return {
      name: ctx.actor.name,
      tenantName: tenant.name,
      tenantIsMaster: ctx.actor.tenantIsMaster,
      isAdmin: ctx.actor.isAdmin === true && ctx.actor.tenantIsMaster,
    };
  }),
});
