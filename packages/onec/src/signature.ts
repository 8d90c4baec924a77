import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The optional HMAC signature of a 1C call to the platform (header `x-signature`):
 * HMAC-SHA256 of the exact raw request body (the UTF-8 bytes sent), keyed with the
 * integration's secret, as lower-case hex.
 */
export function signOnecBody(rawBody: string | Uint8Array, secret: string): string {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return createHmac('sha256', secret).update(bytes).digest('hex');
}

/** Constant-time check of an `x-signature` header against the raw body. */
export function verifyOnecSignature(
  rawBody: string | Uint8Array,
  secret: string,
  signature: string | null | undefined,
): boolean {
  if (typeof signature !== 'string') return false;
  const given = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = Buffer.from(signOnecBody(rawBody, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
