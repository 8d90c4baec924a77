import type { Locale } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';

import type { AppDeps } from '../context';
import { unauthenticated } from '../errors';
import { verifyPlatformToken } from './platform-token';

export interface ResolvedActor {
  actor: Actor | null;
  locale: Locale | null;
}

/**
 * Who is calling. No header: anonymous (public procedures only). A header that does not
 * verify is an error, never anonymous, so a forged token cannot fall through.
 */
export async function resolveActor(
  deps: AppDeps,
  authorization: string | undefined,
): Promise<ResolvedActor> {
  if (!authorization) return { actor: null, locale: null };
  const [scheme, credentials] = authorization.split(' ', 2);
  if (scheme === 'Bearer' && credentials?.startsWith('pt.')) {
    const subject = verifyPlatformToken(
      credentials,
      deps.platformTokenSecret,
      deps.now().getTime(),
    );
    if (!subject) throw unauthenticated('invalid or expired token');
    return subject.kind === 'agent' ? agentActor(deps, subject.id) : userActor(deps, subject.id);
  }
  throw unauthenticated('unsupported authorization scheme');
}

async function agentActor(deps: AppDeps, agentId: string): Promise<ResolvedActor> {
  const agent = await deps.db.agent.findUnique({
    where: { id: agentId },
    include: { tenant: true },
  });
  // The whitelist is checked on every call: a deactivated agent is refused at once.
  if (!agent || !agent.active) throw unauthenticated('the agent is not active');
  return {
    actor: {
      kind: 'agent',
      agentId: agent.id,
      userId: null,
      telegramId: agent.telegramId === null ? null : Number(agent.telegramId),
      name: agent.name,
      tenantId: agent.tenantId,
      tenantIsMaster: agent.tenant.isMaster,
    },
    locale: null,
  };
}

async function userActor(deps: AppDeps, userId: string): Promise<ResolvedActor> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw unauthenticated('unknown user');
  return {
    actor: {
      kind: 'user',
      userId: user.id,
      telegramId: user.telegramId === null ? null : Number(user.telegramId),
      name: user.name,
    },
    locale: user.locale === 'en' ? 'en' : 'ru',
  };
}
