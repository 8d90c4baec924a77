import {
  ExpiredError,
  SignatureInvalidError,
  SignatureMissingError,
  validate,
} from '@tma.js/init-data-node';
import { z } from 'zod';
import type { Locale } from '@payreq/contracts';
import type { UserRole } from '@payreq/db';
import type { Actor } from '@payreq/domain';
import { isOnWhitelist } from '@payreq/domain';

import type { AppDeps } from '../context';
import { unauthenticated } from '../errors';

/** What Telegram told the Mini App, once its signature checked out. */
export interface TelegramLaunch {
  user: {
    id: number;
    firstName: string;
    lastName: string | null;
    username: string | null;
    languageCode: string | null;
  };
  /** The `startapp` value: our launch token for the chat, if opened from a group's button. */
  startParam: string | null;
  chatType: string | null;
  chatInstance: string | null;
  authDate: Date;
  /**
   * What authentication read for this call (set by `resolveActor`, not by the signature
   * check): later steps of the same call use it instead of reading it again.
   */
  prefetched?: {
    caller: TelegramCaller;
    /** The `start_param`'s launch token, its chat and the caller's membership; absent if not looked up. */
    binding?: LaunchBinding;
  };
}

/** A launch token, its chat and a Telegram user's membership of it, as one read finds them. */
export interface LaunchBinding {
  tokenFound: boolean;
  revokedAt: Date | null;
  chatId: bigint | null;
  chatTitle: string | null;
  chatAgentId: string | null;
  chatMigratedToChatId: bigint | null;
  memberStatus: string | null;
}

/** What `start_param` must look like to be one of our launch tokens. */
export const launchTokenPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** The platform's record of a Mini App caller, as read when the call was authenticated. */
export type TelegramCaller =
  | { kind: 'agent'; agentId: string; tenant: { id: string; name: string; isMaster: boolean } }
  | {
      kind: 'user';
      user: {
        id: string;
        name: string;
        role: UserRole;
        locale: string;
        tenant: { id: string; name: string; isMaster: boolean } | null;
      };
    };

/**
 * The fields of init data the platform reads, once its HMAC has verified. Read here rather than
 * by the library's parser, which requires the Ed25519 `signature` that clients older than Bot
 * API 8.0 do not send: the HMAC (`hash`) is what authenticates the data for a bot.
 */
const LaunchFields = z.object({
  auth_date: z.coerce.number().int().positive(),
  user: z
    .string()
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z.object({
        id: z.number().int().positive().refine(Number.isSafeInteger),
        first_name: z.string(),
        last_name: z.string().optional(),
        username: z.string().optional(),
        language_code: z.string().optional(),
      }),
    ),
  start_param: z.string().optional(),
  chat_type: z.string().optional(),
  chat_instance: z.string().optional(),
});

/** Telegram's clock and ours may differ a little; an auth_date further ahead is forged. */
const allowedClockSkewMs = 60_000;

/**
 * Init data that verified, by bot token and exact text: a Mini App sends the same init data with
 * every call of its session, so the signature is checked (and the data parsed) once per launch,
 * not on every call. Only the age is checked again. A different text, even one byte, is checked
 * afresh. Bounded: the oldest entry goes when it is full.
 */
class VerifiedInitData {
  private readonly byToken = new Map<string, Map<string, TelegramLaunch>>();
  constructor(private readonly capacity: number) {}

  get(botToken: string, raw: string): TelegramLaunch | undefined {
    return this.byToken.get(botToken)?.get(raw);
  }

  set(botToken: string, raw: string, launch: TelegramLaunch): void {
    let launches = this.byToken.get(botToken);
    if (!launches) this.byToken.set(botToken, (launches = new Map()));
    if (launches.size >= this.capacity) launches.delete(launches.keys().next().value!);
    launches.set(raw, launch);
  }
}

/** ~1–2 kB each: at most ~10 MB, for the Mini App sessions opened in the last while. */
const verifiedInitData = new VerifiedInitData(5_000);

/**
 * Checks Mini App init data (HMAC-SHA256 with the key HMAC("WebAppData", bot token)) and
 * its age. Anything that does not verify is refused: there is no anonymous fallback.
 */
export function verifyInitData(
  raw: string,
  botToken: string,
  maxAgeSeconds: number,
  now: Date,
): TelegramLaunch {
  let launch = verifiedInitData.get(botToken, raw);
  if (!launch) {
    launch = checkInitData(raw, botToken, maxAgeSeconds);
    verifiedInitData.set(botToken, raw, launch);
  }
  const age = now.getTime() - launch.authDate.getTime();
  if (age > maxAgeSeconds * 1000)
    throw unauthenticated('the Mini App session has expired, reopen it');
  if (-age > allowedClockSkewMs) throw unauthenticated('init data is dated in the future');
  // A copy: callers add what they read for this call (`prefetched`).
  return { ...launch, user: { ...launch.user } };
}

/** The signature and shape of init data not seen before (the age is checked by the caller). */
function checkInitData(raw: string, botToken: string, maxAgeSeconds: number): TelegramLaunch {
  try {
    validate(raw, botToken, { expiresIn: maxAgeSeconds });
  } catch (error) {
    // The library's errors are told apart by `is`: `instanceof` does not hold for them.
    if (ExpiredError.is(error))
      throw unauthenticated('the Mini App session has expired, reopen it');
    if (SignatureMissingError.is(error)) throw unauthenticated('init data carries no signature');
    if (SignatureInvalidError.is(error)) throw unauthenticated('init data signature is invalid');
    throw unauthenticated('init data is malformed');
  }
  const data = LaunchFields.safeParse(Object.fromEntries(new URLSearchParams(raw)));
  if (!data.success) {
    const names = new Set(data.error.issues.map((issue) => String(issue.path[0] ?? '')));
    throw unauthenticated(names.has('user') ? 'init data names no user' : 'init data is malformed');
  }
  const { user } = data.data;
  return {
    user: {
      id: user.id,
      firstName: user.first_name,
      lastName: user.last_name ?? null,
      username: user.username ?? null,
      languageCode: user.language_code ?? null,
    },
    startParam: data.data.start_param ?? null,
    chatType: data.data.chat_type ?? null,
    chatInstance: data.data.chat_instance ?? null,
    authDate: new Date(data.data.auth_date * 1000),
  };
}

function displayName(user: TelegramLaunch['user']): string {
  return (
    [user.firstName, user.lastName].filter(Boolean).join(' ').trim() ||
    user.username ||
    `id${user.id}`
  );
}

/**
 * The agent and the user with a Telegram id, with their tenants, and (for a Mini App opened
 * from a deal room) the launch token's chat and the caller's membership of it: one statement.
 */
interface IdentityRow extends LaunchBinding {
  agentId: string | null;
  agentName: string | null;
  agentActive: boolean | null;
  agentTenantId: string | null;
  agentTenantName: string | null;
  agentTenantIsMaster: boolean | null;
  userId: string | null;
  userName: string | null;
  userRole: UserRole | null;
  userLocale: string | null;
  userTenantId: string | null;
  userTenantName: string | null;
  userTenantIsMaster: boolean | null;
}

async function readIdentity(
  deps: AppDeps,
  telegramId: bigint,
  launchToken: string | null,
): Promise<IdentityRow> {
  const [row] = await deps.db.$queryRaw<IdentityRow[]>`
    SELECT a.id AS "agentId", a.name AS "agentName", a.active AS "agentActive",
      at.id AS "agentTenantId", at.name AS "agentTenantName", at."isMaster" AS "agentTenantIsMaster",
      u.id AS "userId", u.name AS "userName", u.role::text AS "userRole", u.locale AS "userLocale",
      ut.id AS "userTenantId", ut.name AS "userTenantName", ut."isMaster" AS "userTenantIsMaster",
      t.token IS NOT NULL AS "tokenFound", t."revokedAt", c.id AS "chatId", c.title AS "chatTitle",
      c."agentId" AS "chatAgentId", c."migratedToChatId" AS "chatMigratedToChatId",
      m.status::text AS "memberStatus"
    FROM (SELECT ${telegramId}::bigint AS id, ${launchToken}::text AS token) AS k
    LEFT JOIN "Agent" AS a ON a."telegramId" = k.id
    LEFT JOIN "Tenant" AS at ON at.id = a."tenantId"
    LEFT JOIN "User" AS u ON u."telegramId" = k.id
    LEFT JOIN "Tenant" AS ut ON ut.id = u."tenantId"
    LEFT JOIN "LaunchToken" AS t ON t.token = k.token
    LEFT JOIN "TelegramChat" AS c ON c.id = t."chatId"
    LEFT JOIN "ChatMember" AS m ON m."chatId" = c.id AND m."telegramUserId" = k.id`;
  return row!;
}

/**
 * The platform identity of a Telegram user: a whitelisted, active agent, or else a
 * platform user, created on first contact as a client. The whitelist is read on every
 * call, so a deactivated agent loses agent rights at once.
 */
export async function telegramActor(
  deps: AppDeps,
  launch: TelegramLaunch,
): Promise<{
  actor: Actor;
  locale: Locale;
  prefetched: NonNullable<TelegramLaunch['prefetched']>;
}> {
  const telegramId = BigInt(launch.user.id);
  const name = displayName(launch.user);
  // The agent (and its tenant), the user (and theirs) and the deal room's binding in one
  // read: the common case, a known person, costs one statement.
  const launchToken =
    launch.startParam && launchTokenPattern.test(launch.startParam) ? launch.startParam : null;
  const known = await readIdentity(deps, telegramId, launchToken);
  const binding: LaunchBinding | undefined = launchToken
    ? {
        tokenFound: known.tokenFound,
        revokedAt: known.revokedAt,
        chatId: known.chatId,
        chatTitle: known.chatTitle,
        chatAgentId: known.chatAgentId,
        chatMigratedToChatId: known.chatMigratedToChatId,
        memberStatus: known.memberStatus,
      }
    : undefined;
  const languageLocale: Locale = launch.user.languageCode?.startsWith('en') ? 'en' : 'ru';
  // The identity read matched the agent by this Telegram id: active decides the whitelist.
  if (known.agentId !== null && isOnWhitelist({ active: Boolean(known.agentActive), telegramId })) {
    return {
      actor: {
        kind: 'agent',
        agentId: known.agentId,
        userId: null,
        telegramId: launch.user.id,
        name: known.agentName!,
        tenantId: known.agentTenantId!,
        tenantIsMaster: known.agentTenantIsMaster!,
      },
      locale: languageLocale,
      prefetched: {
        caller: {
          kind: 'agent',
          agentId: known.agentId,
          tenant: {
            id: known.agentTenantId!,
            name: known.agentTenantName!,
            isMaster: known.agentTenantIsMaster!,
          },
        },
        binding,
      },
    };
  }
  const user: Extract<TelegramCaller, { kind: 'user' }>['user'] =
    known.userId !== null
      ? {
          id: known.userId,
          name: known.userName!,
          role: known.userRole!,
          locale: known.userLocale!,
          tenant:
            known.userTenantId === null
              ? null
              : {
                  id: known.userTenantId,
                  name: known.userTenantName!,
                  isMaster: known.userTenantIsMaster!,
                },
        }
      : await deps.db.user
          .create({ data: { telegramId, name, role: 'CLIENT', locale: languageLocale } })
          // A new client belongs to no organisation.
          .then((created) => ({ ...created, tenant: null }))
          .catch(async (error: unknown) => {
            // Two first calls of the same person at once: the other one created the row.
            const existing = await deps.db.user.findUnique({
              where: { telegramId },
              include: { tenant: true },
            });
            if (!existing) throw error;
            return existing;
          });
  const locale: Locale = user.locale === 'en' ? 'en' : 'ru';
  // An agent taken off the whitelist is not a client either (the domain's `isFormerAgent`).
  const formerAgentId = known.agentId !== null && !known.agentActive ? known.agentId : null;
  return {
    actor: {
      kind: 'user',
      userId: user.id,
      telegramId: launch.user.id,
      name: user.name,
      tenantId: user.tenant?.isMaster ? null : (user.tenant?.id ?? null),
      ...(formerAgentId ? { formerAgentId } : {}),
    },
    locale,
    prefetched: { caller: { kind: 'user', user }, binding },
  };
}
