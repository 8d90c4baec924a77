import type { Locale } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { isOnWhitelist } from '@payreq/domain';

import type { AppDeps } from '../context';
import type { Db } from '../db';
import { unauthenticated } from '../errors';
import { timingSafeEqual } from 'node:crypto';

import { verifyPlatformToken } from './platform-token';
import type { TelegramLaunch } from './telegram';
import { telegramActor, verifyInitData } from './telegram';

export interface ResolvedActor {
  actor: Actor | null;
  locale: Locale | null;
  /** Set for Mini App calls (`Authorization: tma <init data>`). */
  telegram?: TelegramLaunch;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
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
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const credentials = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'tma') {
    const launch = verifyInitData(
      credentials,
      deps.telegram.botToken,
      deps.telegram.initDataMaxAgeSeconds,
      deps.now(),
    );
    const { actor, locale, prefetched } = await telegramActor(deps, launch);
    return { actor, locale, telegram: { ...launch, prefetched } };
  }
  if (scheme === 'Bearer' && credentials.startsWith('pt.')) {
    const subject = verifyPlatformToken(
      credentials,
      deps.platformTokenSecret,
      deps.now().getTime(),
    );
    if (!subject) throw unauthenticated('invalid or expired token');
    return subject.kind === 'agent'
      ? agentActor(deps, subject.id)
      : personActor(deps.db, subject.id);
  }
  if (scheme === 'Bearer' && sameSecret(credentials, deps.telegram.botServiceToken)) {
    return { actor: { kind: 'bot', name: 'Telegram bot' }, locale: null };
  }
  throw unauthenticated(scheme === 'Bearer' ? 'invalid token' : 'unsupported authorization scheme');
}

async function agentActor(deps: AppDeps, agentId: string): Promise<ResolvedActor> {
  const agent = await deps.db.agent.findUnique({
    where: { id: agentId },
    include: { tenant: true },
  });
  // The whitelist is checked on every call: a deactivated agent is refused at once.
  if (!isOnWhitelist(agent)) throw unauthenticated('the agent is not active');
  return { actor: portalActor(agent), locale: null };
}

/** An agent's record (with its tenant), read on this call, as the caller. */
export function portalActor(agent: {
  id: string;
  telegramId: bigint | null;
  name: string;
  tenantId: string;
  isAdmin: boolean;
  tenant: { isMaster: boolean };
}): Extract<Actor, { kind: 'agent' }> {
  return {
    kind: 'agent',
    agentId: agent.id,
    userId: null,
    telegramId: agent.telegramId === null ? null : Number(agent.telegramId),
    name: agent.name,
    tenantId: agent.tenantId,
    tenantIsMaster: agent.tenant.isMaster,
    isAdmin: agent.isAdmin,
  };
}

/** A person (a platform token's subject, or a portal session's) as the caller, read on this call. */
export async function personActor(
  db: Db,
  userId: string,
): Promise<{ actor: Extract<Actor, { kind: 'user' }>; locale: Locale }> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: { tenant: { select: { isMaster: true } } },
  });
  if (!user) throw unauthenticated('unknown user');
  // An agent taken off the whitelist is no client of the deal rooms either (`isFormerAgent`).
  const former =
    user.telegramId === null
      ? null
      : await db.agent.findUnique({
          where: { telegramId: user.telegramId },
          select: { id: true, active: true },
        });
  return {
    actor: {
      kind: 'user',
      userId: user.id,
      telegramId: user.telegramId === null ? null : Number(user.telegramId),
      name: user.name,
      // A client company's member; the bank's own tenant is no client company.
      tenantId: user.tenant && !user.tenant.isMaster ? user.tenantId : null,
      ...(former && !former.active ? { formerAgentId: former.id } : {}),
    },
    locale: user.locale === 'en' ? 'en' : 'ru',
  };
}
