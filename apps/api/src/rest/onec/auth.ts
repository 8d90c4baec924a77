import { createHash } from 'node:crypto';

import { onecHeaders } from '@payreq/contracts';
import { verifyOnecSignature } from '@payreq/onec';

import type { Db } from '../../db';
import { AppError } from '../../errors';
import type { OnecActor } from '../../services/onec-inbound';

/** API keys are stored as their sha256 (hex); the key itself never is. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * Creates or updates the integration 1C calls with (at start, from the settings): the key is
 * stored hashed; with a secret, every call must be signed.
 */
export async function seedOnecIntegration(
  db: Db,
  input: { name?: string; apiKey: string; hmacSecret?: string | null },
): Promise<{ id: string; name: string }> {
  const name = input.name ?? 'onec';
  const data = {
    keyHash: hashApiKey(input.apiKey),
    hmacSecret: input.hmacSecret ?? null,
    active: true,
  };
  const integration = await db.integration.upsert({
    where: { name },
    create: { name, ...data },
    update: data,
    select: { id: true, name: true },
  });
  return integration;
}

const unauthenticated = (en: string, ru: string) => new AppError('UNAUTHENTICATED', { ru, en });

function singleHeader(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/**
 * Who is calling the REST shim: the active integration whose key hash matches `x-api-key`;
 * when it has a secret, `x-signature` must be the hex HMAC-SHA256 of the exact raw body
 * (the empty body for a GET), compared in constant time.
 */
export async function authenticateOnec(
  db: Db,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Uint8Array,
): Promise<OnecActor> {
  const apiKey = singleHeader(headers[onecHeaders.apiKey])?.trim();
  if (!apiKey) {
    throw unauthenticated(
      `Missing ${onecHeaders.apiKey} header: send the integration's API key`,
      `Нет заголовка ${onecHeaders.apiKey}: передайте API-ключ интеграции`,
    );
  }
  const integration = await db.integration.findUnique({ where: { keyHash: hashApiKey(apiKey) } });
  if (!integration || !integration.active) {
    throw unauthenticated('Unknown or inactive API key', 'Неизвестный или отключённый API-ключ');
  }
  if (integration.hmacSecret) {
    const signature = singleHeader(headers[onecHeaders.signature]);
    if (!signature) {
      throw unauthenticated(
        `Missing ${onecHeaders.signature} header: this integration must sign every call (hex HMAC-SHA256 of the raw body)`,
        `Нет заголовка ${onecHeaders.signature}: интеграция должна подписывать каждый вызов (HMAC-SHA256 тела, hex)`,
      );
    }
    if (!verifyOnecSignature(rawBody, integration.hmacSecret, signature)) {
      throw unauthenticated(
        `Wrong ${onecHeaders.signature}: it must be the lower-case hex HMAC-SHA256 of the exact body bytes sent, keyed with the integration's secret`,
        `Неверная подпись ${onecHeaders.signature}: нужен HMAC-SHA256 (hex) точных байтов тела на секрете интеграции`,
      );
    }
  }
  return { kind: 'onec', integrationId: integration.id, name: integration.name };
}
