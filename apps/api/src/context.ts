import type { Locale } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';

import type { Db } from './db';
import type { PortalSessionSettings } from './auth/portal-session';
import {
  csrfRefusal,
  resolvePortalSession,
  sessionCookieHeader,
  sessionTokenOf,
} from './auth/portal-session';
import { resolveActor } from './auth/resolve-actor';
import { AppError } from './errors';
import type { TelegramLaunch } from './auth/telegram';
import type { FileStore } from './storage/file-store';
import type { MembershipCheck } from './telegram/membership';

export interface AppDeps {
  db: Db;
  logger: FastifyBaseLogger;
  platformTokenSecret: string;
  now: () => Date;
  files: FileStore;
  /** Telegram settings the api needs: the bot token signs Mini App init data. */
  telegram: {
    botToken: string;
    initDataMaxAgeSeconds: number;
    botServiceToken: string;
    uploadMaxBytes: number;
    exportMaxBytes: number;
    /** Asks Telegram about members the bot has not seen (getChatMember). */
    checkMembership?: MembershipCheck;
  };
  /** The web portal: its session cookie and how agents sign in (Telegram's website login). */
  portal: PortalSettings;
}

export interface PortalSettings {
  session: PortalSessionSettings;
  login: {
    /** `test-server`: the project's Telegram test server's login page; `telegram`: the real widget. */
    provider: 'test-server' | 'telegram';
    /** The test server's root (its `/auth` page) when `provider` is `test-server`. */
    testServerUrl: string;
    /** The bot's username: the real widget names it (`data-telegram-login`). */
    botUsername: string | null;
    /** A login confirmation older than this is refused. */
    maxAgeSeconds: number;
  };
}

export const defaultPortalSettings: PortalSettings = {
  session: { ttlSeconds: 12 * 3600, rotateAfterSeconds: 15 * 60, secure: false },
  login: {
    provider: 'test-server',
    testServerUrl: 'http://127.0.0.1:8081',
    botUsername: null,
    maxAgeSeconds: 600,
  },
};

export interface Context {
  deps: AppDeps;
  db: Db;
  logger: FastifyBaseLogger;
  actor: Actor | null;
  /** The verified Mini App launch (user, start_param) when the call came from the Mini App. */
  telegram: TelegramLaunch | null;
  /** Set when the caller sent credentials that do not verify: every procedure refuses then. */
  authError: AppError | null;
  /** The portal session the call came with (cookie), if any. */
  portalSession: { id: string; token: string } | null;
  locale: Locale;
  now: () => Date;
}

function localeFrom(header: string | undefined): Locale {
  return header?.trim().toLowerCase().startsWith('en') ? 'en' : 'ru';
}

/**
 * Builds the request context: who calls (authentication happens here), in which language. A call
 * with an Authorization header is authenticated by it; one without, by the portal's session
 * cookie, whose writes must pass the CSRF check. With `reply`, a rotated cookie is sent back.
 */
export async function createContext(
  deps: AppDeps,
  req: FastifyRequest,
  reply?: FastifyReply,
): Promise<Context> {
  const base = { deps, db: deps.db, logger: req.log, now: deps.now, portalSession: null };
  const fallbackLocale = localeFrom(req.headers['accept-language']);
  try {
    const sessionToken = req.headers.authorization
      ? null
      : sessionTokenOf(req, deps.portal.session);
    if (sessionToken) {
      const refused = csrfRefusal(req);
      if (refused) throw refused;
      const session = await resolvePortalSession(
        deps.db,
        sessionToken,
        deps.portal.session,
        deps.now(),
      );
      if (session.rotatedToken && reply)
        void reply.header(
          'set-cookie',
          sessionCookieHeader(deps.portal.session, session.rotatedToken),
        );
      return {
        ...base,
        actor: session.actor,
        telegram: null,
        authError: null,
        locale: fallbackLocale,
        portalSession: { id: session.sessionId, token: session.rotatedToken ?? sessionToken },
      };
    }
    const resolved = await resolveActor(deps, req.headers.authorization);
    return {
      ...base,
      actor: resolved.actor,
      telegram: resolved.telegram ?? null,
      authError: null,
      locale: resolved.locale ?? fallbackLocale,
    };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ...base, actor: null, telegram: null, authError: error, locale: fallbackLocale };
  }
}
