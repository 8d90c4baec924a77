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
import type { TelegramLogin } from '../auth/telegram-login';
import { verifyTelegramLogin } from '../auth/telegram-login';

/** The person with this Telegram id, created at their first sign-in (with no company yet). */
async function personOf(
  deps: AppDeps,
  telegramId: bigint,
  login: TelegramLogin,
): Promise<{ id: string }> {
  const name =
    [login.firstName, login.lastName].filter(Boolean).join(' ').trim() ||
    login.username ||
    String(login.telegramId);
  // One row per Telegram id, also when the Mini App or a second sign-in creates it at once.
  return deps.db.user.upsert({
    where: { telegramId },
    create: { telegramId, name, role: 'CLIENT' },
    update: {},
    select: { id: true },
  });
}

/** Why a sign-in was refused, as the portal's sign-in page names it to the person. */
export type SignInRefusal = 'incomplete' | 'forged' | 'expired' | 'not_agent';

function refusalOf(error: AppError): SignInRefusal {
  if (/expired|future/.test(error.messages.en)) return 'expired';
  if (/signature/.test(error.messages.en)) return 'forged';
  return 'incomplete';
}

/**
 * The portal's sign-in and sign-out. Telegram's website login redirects the browser to
 * `/portal/auth/telegram` with the signed fields; a sound login starts a session (the cookie)
 * and opens the portal: an agent on the whitelist (of any tenant) as that agent, anyone else as
 * a person (a client company's member, or one about to register or join a company). A
 * deactivated agent, and anything unsound, opens the sign-in page with the reason and writes
 * nothing.
 */
export function registerPortalAuth(app: FastifyInstance, deps: AppDeps): void {
  const settings = deps.portal;
  app.get('/portal/auth/telegram', async (req, reply) => {
    const back = (reason: SignInRefusal) =>
      reply.code(303).header('location', `/portal/?signIn=${reason}`).send();
    let login: TelegramLogin;
    try {
      login = verifyTelegramLogin(
        req.query as Record<string, unknown>,
        deps.telegram.botToken,
        settings.login.maxAgeSeconds,
        deps.now(),
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      req.log.info({ reason: error.messages.en }, 'portal sign-in refused');
      return back(refusalOf(error));
    }
    const telegramId = BigInt(login.telegramId);
    const agent = await deps.db.agent.findUnique({ where: { telegramId } });
    // A deactivated agent opens nothing here, not even as a person (the domain's `isFormerAgent`).
    if (agent && !isOnWhitelist(agent)) return back('not_agent');
    const owner = agent
      ? { agentId: agent.id }
      : { userId: (await personOf(deps, telegramId, login)).id };
    const token = await startPortalSession(deps.db, owner, settings.session, deps.now());
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
