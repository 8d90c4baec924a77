import { createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

/**
 * A platform session token: `pt.<base64url JSON>.<base64url HMAC-SHA256>`. The platform
 * UI and development tools use it; Telegram users authenticate with init data instead.
 */
const TokenClaims = z.object({
  sub: z.string().regex(/^(user|agent):[0-9a-f-]{36}$/),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function issuePlatformToken(
  subject: { kind: 'user' | 'agent'; id: string },
  secret: string,
  ttlSeconds = 12 * 3600,
  now = Date.now(),
): string {
  const claims: TokenClaims = {
    sub: `${subject.kind}:${subject.id}`,
    exp: Math.floor(now / 1000) + ttlSeconds,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `pt.${payload}.${sign(payload, secret)}`;
}

/** The token's subject, or null for anything forged, malformed or expired. */
export function verifyPlatformToken(
  token: string,
  secret: string,
  now = Date.now(),
): { kind: 'user' | 'agent'; id: string } | null {
  const [prefix, payload, signature, ...rest] = token.split('.');
  if (prefix !== 'pt' || !payload || !signature || rest.length > 0) return null;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let claims: TokenClaims;
  try {
    claims = TokenClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
  if (claims.exp * 1000 <= now) return null;
  const [kind, id] = claims.sub.split(':') as ['user' | 'agent', string];
  return { kind, id };
}
