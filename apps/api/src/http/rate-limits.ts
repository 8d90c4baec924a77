import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { verifyPlatformToken } from '../auth/platform-token';
import { verifyInitData } from '../auth/telegram';
import type { AppDeps } from '../context';
import { AppError } from '../errors';
import { hashApiKey } from '../rest/onec/auth';

/** Who a call counts against. A credential that does not verify counts against its address. */
export type CallerKind = 'miniApp' | 'platform' | 'bot' | 'onec' | 'anonymous';

export interface RateLimitOptions {
  enabled: boolean;
  /** Calls a minute, per caller of each kind (per api instance: the counters live in memory). */
  perMinute: Record<CallerKind, number>;
}

export const defaultRateLimits: RateLimitOptions = {
  enabled: true,
  perMinute: { miniApp: 600, platform: 1200, bot: 60_000, onec: 3000, anonymous: 300 },
};

const bearer = (value: string) => (value.startsWith('Bearer ') ? value.slice(7).trim() : null);

/**
 * Known 1C keys, by hash, for a minute: an unknown key counts against the caller's address, so a
 * stream of invented keys cannot open a budget of its own each.
 */
class OnecKeyCache {
  private readonly known = new Map<string, { active: boolean; until: number }>();
  constructor(private readonly deps: AppDeps) {}

  async isActive(keyHash: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.known.get(keyHash);
    if (hit && hit.until > now) return hit.active;
    const integration = await this.deps.db.integration.findUnique({
      where: { keyHash },
      select: { active: true },
    });
    if (this.known.size >= 1_000) this.known.clear();
    this.known.set(keyHash, { active: integration?.active ?? false, until: now + 60_000 });
    return integration?.active ?? false;
  }
}

/** The bucket a call counts in: `<kind>:<who>`. Only verified credentials get their own. */
export async function callerKey(
  deps: AppDeps,
  onecKeys: OnecKeyCache,
  req: FastifyRequest,
): Promise<string> {
  const anonymous = `anonymous:${req.ip}`;
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    if (authorization.startsWith('tma ')) {
      try {
        const launch = verifyInitData(
          authorization.slice(4).trim(),
          deps.telegram.botToken,
          deps.telegram.initDataMaxAgeSeconds,
          deps.now(),
        );
        return `miniApp:${launch.user.id}`;
      } catch {
        return anonymous;
      }
    }
    const token = bearer(authorization);
    if (token?.startsWith('pt.')) {
      const subject = verifyPlatformToken(token, deps.platformTokenSecret, deps.now().getTime());
      return subject ? `platform:${subject.kind}:${subject.id}` : anonymous;
    }
    if (token !== null && token === deps.telegram.botServiceToken) return 'bot:';
  }
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') {
    const keyHash = hashApiKey(apiKey.trim());
    return (await onecKeys.isActive(keyHash)) ? `onec:${keyHash.slice(0, 16)}` : anonymous;
  }
  return anonymous;
}

export const tooManyRequests = (retryAfterSeconds: number) =>
  Object.assign(
    new AppError('RATE_LIMITED', {
      ru: `Слишком много запросов: повторите через ${retryAfterSeconds} с`,
      en: `Too many requests: try again in ${retryAfterSeconds} s`,
    }),
    { statusCode: 429 },
  );

/**
 * Per-identity limits on every api road (tRPC, 1C's REST, files), with 429 and `Retry-After`
 * from @fastify/rate-limit. Generous by default: they stop a runaway client or a stolen
 * credential, not ordinary use. Routes that serve the built front ends opt out.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  deps: AppDeps,
  options: RateLimitOptions,
): Promise<void> {
  if (!options.enabled) return;
  const onecKeys = new OnecKeyCache(deps);
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    cache: 20_000,
    keyGenerator: (req) => callerKey(deps, onecKeys, req),
    max: (_req, key) => options.perMinute[key.slice(0, key.indexOf(':')) as CallerKind] ?? 300,
    errorResponseBuilder: (_req, context) => tooManyRequests(Math.ceil(context.ttl / 1000)),
  });
}
