import http from 'node:http';
import https from 'node:https';

import { Telegram, TelegramError } from 'telegraf';

import type { SendPacer } from './pacer';
import { paced } from './pacer';

/** The kinds of update whose object carries the chat it happened in (`.chat`). */
export const CHAT_UPDATE_TYPES = [
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
] as const;

/**
 * How a Bot API call failed, as far as the bot can know:
 * - `rateLimited` (429 + retry_after), `serverError` (5xx answered by Telegram or its proxy),
 *   `notSent` (the connection was never made): Telegram definitely did not do it — try again;
 * - `migrated`: the group became a supergroup — send to the new id;
 * - `refused`: any other 4xx (kicked from the chat, chat not found, bad request) — final;
 * - `unknown`: the request may have reached Telegram and the answer was lost (connection
 *   reset, timeout) — trying again could post the message twice.
 */
export type TelegramFailure =
  | { kind: 'rateLimited'; retryAfterMs: number; description: string }
  | { kind: 'serverError'; status: number; description: string }
  | { kind: 'notSent'; description: string }
  | { kind: 'migrated'; toChatId: number; description: string }
  | { kind: 'refused'; status: number; description: string }
  | { kind: 'unknown'; description: string };

const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

export function classifyTelegramError(error: unknown): TelegramFailure {
  if (error instanceof TelegramError) {
    const description = error.description ?? error.message;
    const parameters = error.parameters;
    if (error.code === 429) {
      const seconds = parameters?.retry_after ?? 5;
      return { kind: 'rateLimited', retryAfterMs: seconds * 1000, description };
    }
    if (parameters?.migrate_to_chat_id !== undefined)
      return { kind: 'migrated', toChatId: parameters.migrate_to_chat_id, description };
    if (error.code >= 500) return { kind: 'serverError', status: error.code, description };
    return { kind: 'refused', status: error.code, description };
  }
  const e = error as { name?: unknown; code?: unknown; message?: unknown; type?: unknown };
  const description = typeof e?.message === 'string' ? e.message : String(error);
  if (typeof e?.code === 'string' && NEVER_CONNECTED.has(e.code))
    return { kind: 'notSent', description };
  return { kind: 'unknown', description };
}

/** For calls that change nothing visible (getFile, getMe, leaveChat...): anything but a 4xx refusal may be retried. */
export function isTransientTelegramError(error: unknown): boolean {
  const failure = classifyTelegramError(error);
  return failure.kind !== 'refused' && failure.kind !== 'migrated';
}

/** For calls that post something: only a definite refusal may be retried. */
export function isDefiniteRefusal(error: unknown): boolean {
  const kind = classifyTelegramError(error).kind;
  return kind === 'rateLimited' || kind === 'serverError' || kind === 'notSent';
}

export function retryAfterOf(error: unknown): number | null {
  const failure = classifyTelegramError(error);
  return failure.kind === 'rateLimited' ? failure.retryAfterMs : null;
}

/** An HTTP(S) agent that fits the api root (telegraf's default is an https agent only). */
export function agentFor(apiRoot: string, keepAlive: boolean): http.Agent {
  return new URL(apiRoot).protocol === 'http:'
    ? new http.Agent({ keepAlive, keepAliveMsecs: 10_000 })
    : new https.Agent({ keepAlive, keepAliveMsecs: 10_000 });
}

/**
 * A Telegram client for posting the outbox's messages: fresh connections (no keep-alive), so
 * a reset can only mean the request itself was cut, never a stale pooled socket; its sends
 * wait for the pacer.
 */
export function deliveryTelegram(token: string, apiRoot: string, pacer: SendPacer): Telegram {
  return paced(
    new Telegram(token, { apiRoot, agent: agentFor(apiRoot, false), webhookReply: false }),
    pacer,
  );
}
