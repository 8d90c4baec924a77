import type { AppRouter } from '@payreq/api';
import type { DocumentKind, UploadMimeType, UploadResult } from '@payreq/contracts';
import { TRPCClientError, createTRPCClient, httpLink } from '@trpc/client';

import type { Logger } from './logger';
import type { BotObserver } from './ops';
import { silentObserver } from './ops';
import type { RetryOptions } from './retry';
import { ShutdownError, retrying } from './retry';

export type ApiTrpc = ReturnType<typeof createTRPCClient<AppRouter>>;

/** A non-tRPC answer of the api (the file routes) that was not 2xx. */
export class ApiHttpError extends Error {
  override readonly name = 'ApiHttpError';
  constructor(
    readonly status: number,
    readonly appCode: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of a failed api call, or null when no answer came (network, timeout). */
export function apiStatusOf(error: unknown): number | null {
  if (error instanceof ApiHttpError) return error.status;
  if (error instanceof TRPCClientError) {
    const data = error.data as { httpStatus?: unknown } | undefined;
    if (typeof data?.httpStatus === 'number') return data.httpStatus;
    const response = (error.meta as { response?: { status?: unknown } } | undefined)?.response;
    if (typeof response?.status === 'number') return response.status;
    // An answer that was not tRPC's JSON (see `trpcFetch`).
    if (error.cause instanceof ApiHttpError) return error.cause.status;
  }
  return null;
}

export function apiAppCodeOf(error: unknown): string | null {
  if (error instanceof ApiHttpError) return error.appCode;
  if (error instanceof TRPCClientError) {
    const data = error.data as { appCode?: unknown } | undefined;
    return typeof data?.appCode === 'string' ? data.appCode : null;
  }
  return null;
}

/**
 * Worth another try: no answer at all (the api is restarting, a timeout), 5xx, 429, and
 * 401/403 too (a rotated service token is a configuration problem to fix, not a reason to
 * drop what Telegram sent). A 4xx answer about the input itself (400, 404, 409, 413, 415, 422)
 * is final.
 */
export function isTransientApiError(error: unknown): boolean {
  const status = apiStatusOf(error);
  if (status === null) return true;
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403;
}

/**
 * fetch for the tRPC client. An error answer that is not JSON (Node's own 431 for a request
 * line too long, a proxy's page) would reach tRPC as "Unexpected end of JSON input" with no
 * status, which reads as "no answer" and is retried for ever: its status is kept instead.
 */
async function trpcFetch(
  input: string | URL,
  init: RequestInit,
  send: (input: string | URL, init: RequestInit) => Promise<Response> = fetch,
): Promise<Response> {
  const response = await send(input, init);
  if (response.ok || /\bjson\b/i.test(response.headers.get('content-type') ?? '')) return response;
  await response.body?.cancel().catch(() => undefined);
  throw new ApiHttpError(response.status, null, `${response.status} ${response.statusText}`);
}

export interface StoredDocument {
  bytes: Buffer;
  mime: string;
  fileName: string;
  kind: DocumentKind | null;
  sha256: string | null;
}

export interface PlatformApiOptions {
  url: string;
  serviceToken: string;
  timeoutMs: number;
  logger: Logger;
  /** Told whether each call got an answer (for /healthz). */
  observer?: BotObserver;
}

function withTimeout(signal: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * The api as the bot sees it: the typed tRPC client (service token) and the two binary
 * routes (chat files up, documents down), each call bounded by a timeout, and `call` to
 * retry with backoff on network errors and 5xx.
 */
export class PlatformApi {
  readonly trpc: ApiTrpc;
  private readonly url: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly observer: BotObserver;
  /** The api's last answer refused the service token (logged once per refusal). */
  private tokenRefused = false;

  constructor(options: PlatformApiOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.authorization = `Bearer ${options.serviceToken}`;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.observer = options.observer ?? silentObserver;
    this.trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${this.url}/trpc`,
          headers: () => ({ authorization: this.authorization }),
          fetch: (input, init) =>
            trpcFetch(
              input as string | URL,
              {
                ...(init as RequestInit),
                signal: withTimeout(init?.signal as AbortSignal | null | undefined, this.timeoutMs),
              },
              (url, options) => this.fetch(url, options),
            ),
        }),
      ],
    });
  }

  /** Every call to the api goes through here: it tells the observer whether the api answered. */
  private async fetch(input: string | URL, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      // A timeout counts; our own shutdown cutting a call short does not.
      if ((error as Error).name !== 'AbortError') this.observer.apiFailed(error);
      throw error;
    }
    const { status } = response;
    if (status === 401 || status === 403) {
      // Not an outage: the two sides hold different tokens. Said once, until the api takes it.
      const refusal = new Error(
        `the api refused BOT_SERVICE_TOKEN (${status}): the bot's and the api's BOT_SERVICE_TOKEN must be the same; updates wait in the journal until they are`,
      );
      if (!this.tokenRefused) this.logger.error(refusal.message);
      this.tokenRefused = true;
      this.observer.apiFailed(refusal, { refused: true });
    } else if (status >= 500) {
      this.observer.apiFailed(new Error(`the api answered ${status}`));
    } else {
      if (this.tokenRefused) this.logger.info('the api takes BOT_SERVICE_TOKEN again');
      this.tokenRefused = false;
      this.observer.apiAnswered();
    }
    return response;
  }

  /**
   * Runs an api call with retries: forever (until shutdown) when `forever`, otherwise a few
   * times. Errors that are not transient are thrown at once.
   */
  call<T>(
    what: string,
    fn: () => Promise<T>,
    options: { signal?: AbortSignal; forever?: boolean; maxAttempts?: number } = {},
  ): Promise<T> {
    const retry: RetryOptions = {
      isTransient: isTransientApiError,
      maxAttempts: options.forever ? Infinity : (options.maxAttempts ?? 4),
      baseMs: 250,
      maxMs: 15_000,
      onRetry: (error, attempt, delayMs) => {
        const log =
          attempt >= 5 ? this.logger.warn.bind(this.logger) : this.logger.debug.bind(this.logger);
        log({ err: error, call: what, attempt, delayMs }, 'api call failed; retrying');
      },
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return retrying(fn, retry);
  }

  /**
   * Runs an api call until the api answers (a shutdown is thrown on): its result, or the error
   * with which it refused the call, which retrying cannot change.
   */
  async untilAnswered<T>(
    what: string,
    fn: () => Promise<T>,
    signal: AbortSignal,
  ): Promise<{ ok: true; value: T } | { ok: false; refusal: unknown }> {
    try {
      return { ok: true, value: await this.call(what, fn, { signal, forever: true }) };
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
      return { ok: false, refusal: error };
    }
  }

  /** Uploads a file of a chat (raw bytes); content-addressed on the api side. */
  async uploadAsset(
    chatId: number,
    bytes: Uint8Array,
    meta: {
      mime: UploadMimeType;
      fileName: string | null;
      telegramFileId: string;
      telegramFileUniqueId: string;
    },
  ): Promise<UploadResult> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      'content-type': meta.mime,
      'x-telegram-file-id': meta.telegramFileId,
      'x-telegram-file-unique-id': meta.telegramFileUniqueId,
    };
    if (meta.fileName) headers['x-file-name'] = encodeURIComponent(meta.fileName);
    const response = await this.fetch(`${this.url}/bot/v1/chats/${chatId}/assets`, {
      method: 'POST',
      headers,
      body: bytes as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw await httpError(response);
    return (await response.json()) as UploadResult;
  }

  /** A stored document's bytes, mime type, file name and kind. */
  async fetchDocument(documentId: string): Promise<StoredDocument> {
    const response = await this.fetch(
      `${this.url}/bot/v1/documents/${encodeURIComponent(documentId)}`,
      {
        headers: { authorization: this.authorization },
        signal: AbortSignal.timeout(this.timeoutMs),
      },
    );
    if (!response.ok) throw await httpError(response);
    const bytes = Buffer.from(await response.arrayBuffer());
    const header = (name: string) => response.headers.get(name);
    const fileName = decodeHeader(header('x-file-name')) ?? `document-${documentId.slice(0, 8)}`;
    return {
      bytes,
      mime: header('content-type')?.split(';')[0]?.trim() || 'application/octet-stream',
      fileName,
      kind: (header('x-document-kind') as DocumentKind | null) ?? null,
      sha256: header('x-document-sha256'),
    };
  }
}

function decodeHeader(value: string | null): string | null {
  if (!value) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function httpError(response: Response): Promise<ApiHttpError> {
  let code: string | null = null;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string')
      message = `${response.status}: ${body.error.message}`;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiHttpError(response.status, code, message);
}
