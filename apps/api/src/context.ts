import type { Locale } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

import type { Db } from './db';
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
}

export interface Context {
  deps: AppDeps;
  db: Db;
  logger: FastifyBaseLogger;
  actor: Actor | null;
  /** The verified Mini App launch (user, start_param) when the call came from the Mini App. */
  telegram: TelegramLaunch | null;
  /** Set when the caller sent credentials that do not verify: every procedure refuses then. */
  authError: AppError | null;
  locale: Locale;
  now: () => Date;
}

function localeFrom(header: string | undefined): Locale {
  return header?.trim().toLowerCase().startsWith('en') ? 'en' : 'ru';
}

/** Builds the request context: who calls (authentication happens here), in which language. */
export async function createContext(deps: AppDeps, req: FastifyRequest): Promise<Context> {
  const base = { deps, db: deps.db, logger: req.log, now: deps.now };
  const fallbackLocale = localeFrom(req.headers['accept-language']);
  try {
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
