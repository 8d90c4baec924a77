import { createHash, randomBytes } from 'node:crypto';

import type { Actor } from '@payreq/domain';
import { isOnWhitelist } from '@payreq/domain';
import type { FastifyRequest } from 'fastify';

import type { Db } from '../db';
import { AppError, unauthenticated } from '../errors';
import { personActor, portalActor } from './resolve-actor';

/** How the portal's session cookie behaves (from the api's settings). */
export interface PortalSessionSettings {
  /** A session unused this long ends; every rotation starts the count again. */
  ttlSeconds: number;
  /** A session's token is replaced by a new one after this long (the cookie rotates). */
  rotateAfterSeconds: number;
  /** Production: `Secure`, and the `__Host-` prefix (no Domain, Path=/, HTTPS only). */
  secure: boolean;
}

/** How long a replaced token still works: calls the browser sent before it saw the new cookie. */
const rotationGraceMs = 30_000;

export const cookieNameFor = (settings: Pick<PortalSessionSettings, 'secure'>) =>
  settings.secure ? '__Host-payreq_portal' : 'payreq_portal';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** `Set-Cookie` for a session token (or, with null, the header that clears the cookie). */
export function sessionCookieHeader(settings: PortalSessionSettings, token: string | null): string {
  const parts = [
    `${cookieNameFor(settings)}=${token ?? ''}`,
    'Path=/',
    'HttpOnly',
    // Lax: the sign-in redirect from Telegram's page is a top-level GET that must carry it.
    'SameSite=Lax',
    token === null ? 'Max-Age=0' : `Max-Age=${settings.ttlSeconds}`,
  ];
  if (settings.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session token a request carries in its cookie, if any. */
export function sessionTokenOf(
  req: FastifyRequest,
  settings: Pick<PortalSessionSettings, 'secure'>,
): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  const name = cookieNameFor(settings);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  }
  return null;
}

/** Whose a session is: a bank's (or another tenant's) agent, or a person of a client company. */
export type SessionOwner =
  { agentId: string; userId?: never } | { userId: string; agentId?: never };

/** Starts a session for an agent or a person: a new random token, stored only as its hash. */
export async function startPortalSession(
  db: Db,
  owner: SessionOwner,
  settings: PortalSessionSettings,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.portalSession.create({
    data: {
      tokenHash: hashToken(token),
      agentId: owner.agentId ?? null,
      userId: owner.userId ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000),
    },
  });
  return token;
}

export interface ResolvedPortalSession {
  sessionId: string;
  actor: Extract<Actor, { kind: 'agent' | 'user' }>;
  /** Set when this call rotated the session: the new token to send back as the cookie. */
  rotatedToken: string | null;
}

function readSession(db: Db, token: string) {
  return db.portalSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { agent: { include: { tenant: true } } },
  });
}

/**
 * The agent or person behind a session cookie. The whitelist is read on every call: a
 * deactivated agent's sessions are deleted and the call refused at once (a person's company is
 * read on every call too, so joining one takes effect at once). A session older than the
 * rotation age is replaced by a new token (the old one works a few seconds more, for calls
 * already in flight).
 */
export async function resolvePortalSession(
  db: Db,
  token: string,
  settings: PortalSessionSettings,
  now: Date,
): Promise<ResolvedPortalSession> {
  const session = await readSession(db, token);
  if (!session || session.expiresAt <= now)
    throw new AppError('UNAUTHENTICATED', {
      ru: 'Сеанс закончился: войдите снова',
      en: 'Your session has ended: sign in again',
    });
  let actor: ResolvedPortalSession['actor'];
  let owner: SessionOwner;
  if (session.userId !== null) {
    actor = (await personActor(db, session.userId)).actor;
    owner = { userId: session.userId };
  } else {
    if (!session.agent || !isOnWhitelist(session.agent)) {
      await db.portalSession.deleteMany({ where: { agentId: session.agentId } });
      throw unauthenticated('the agent is not active');
    }
    actor = portalActor(session.agent);
    owner = { agentId: session.agent.id };
  }
  let rotatedToken: string | null = null;
  const graceEnd = new Date(now.getTime() + rotationGraceMs);
  if (
    now.getTime() - session.createdAt.getTime() >= settings.rotateAfterSeconds * 1000 &&
    session.expiresAt > graceEnd
  ) {
    // Only the call that shortens the old session rotates it: two calls at once make one new token.
    const claimed = await db.portalSession.updateMany({
      where: { id: session.id, expiresAt: { gt: graceEnd } },
      data: { expiresAt: graceEnd },
    });
    if (claimed.count === 1) rotatedToken = await startPortalSession(db, owner, settings, now);
  }
  return { sessionId: session.id, actor, rotatedToken };
}

/** Sign-out: the session's token stops working, whatever cookie the browser keeps. */
export async function endPortalSession(db: Db, token: string): Promise<void> {
  await db.portalSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** Every session of an agent ends (on deactivation). */
export async function endAgentSessions(db: Db, agentId: string): Promise<number> {
  return (await db.portalSession.deleteMany({ where: { agentId } })).count;
}

/** The header the portal's tRPC client sends with every call; no other site can set it. */
export const csrfHeader = 'x-payreq-portal';

/**
 * CSRF protection for cookie-authenticated calls (OWASP's "custom request header" defence, with
 * its Origin check): a write must carry `x-payreq-portal: 1`, which a page of another site cannot
 * send without a CORS preflight the api never grants, and its Origin (or, without one, its
 * Referer) must be the api's own. Reads (GET, HEAD) change nothing and pass.
 */
export function csrfRefusal(req: FastifyRequest): AppError | null {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return null;
  const refuse = new AppError('FORBIDDEN', {
    ru: 'Запрос отклонён: он пришёл не со страницы портала',
    en: 'The request was refused: it did not come from the portal’s page',
  });
  if (req.headers[csrfHeader] !== '1') return refuse;
  const own = `${req.protocol}://${req.host}`;
  const origin = req.headers.origin;
  if (typeof origin === 'string') return origin === own ? null : refuse;
  const referer = req.headers.referer;
  if (typeof referer !== 'string') return refuse;
  try {
    return new URL(referer).origin === own ? null : refuse;
  } catch {
    return refuse;
  }
}
