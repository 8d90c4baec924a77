import { isOnWhitelist } from '@payreq/domain';
import type { FastifyInstance } from 'fastify';

import type { AppDeps } from '../context';
import { AppError } from '../errors';
import {
  csrfRefusal,
  endPortalSession,
  sessionCookieHeader,
  sessionTokenOf,
  startPortalSession,
} from '../auth/portal-session';
import { verifyTelegramLogin } from '../auth/telegram-login';

/** Why a sign-in was refused, as the portal's sign-in page names it to the person. */
export type SignInRefusal = 'incomplete' | 'forged' | 'expired' | 'not_agent';

function refusalOf(error: AppError): SignInRefusal {
  if (/expired|future/.test(error.messages.en)) return 'expired';
  if (/signature/.test(error.messages.en)) return 'forged';
  return 'incomplete';
}

/**
 * The portal's sign-in and sign-out. Telegram's website login redirects the browser to
 * `/portal/auth/telegram` with the signed fields; a sound login of an agent on the whitelist
 * starts a session (the cookie) and opens the portal, anything else opens the sign-in page with
 * the reason and writes nothing.
 */
export function registerPortalAuth(app: FastifyInstance, deps: AppDeps): void {
  const settings = deps.portal;
  app.get('/portal/auth/telegram', async (req, reply) => {
    const back = (reason: SignInRefusal) =>
      reply.code(303).header('location', `/portal/?signIn=${reason}`).send();
    let telegramId: number;
    try {
      telegramId = verifyTelegramLogin(
        req.query as Record<string, unknown>,
        deps.telegram.botToken,
        settings.login.maxAgeSeconds,
        deps.now(),
      ).telegramId;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      req.log.info({ reason: error.messages.en }, 'portal sign-in refused');
      return back(refusalOf(error));
    }
    const agent = await deps.db.agent.findUnique({ where: { telegramId: BigInt(telegramId) } });
    // Agents only: a client's Telegram account opens nothing here, and a deactivated agent neither.
    if (!isOnWhitelist(agent)) return back('not_agent');
    const token = await startPortalSession(deps.db, agent.id, settings.session, deps.now());
    return reply
      .code(303)
      .header('set-cookie', sessionCookieHeader(settings.session, token))
      .header('cache-control', 'no-store')
      .header('location', '/portal/')
      .send();
  });

  app.post('/portal/auth/sign-out', async (req, reply) => {
    const refused = csrfRefusal(req);
    if (refused)
      return reply.code(403).send({ error: { code: refused.code, message: refused.messages.en } });
    const token = sessionTokenOf(req, settings.session);
    if (token) await endPortalSession(deps.db, token);
    return reply.code(204).header('set-cookie', sessionCookieHeader(settings.session, null)).send();
  });
}
