import { z } from 'zod';

import { onecGuid } from '@payreq/contracts';
import type { PaymentRequestFields } from '@payreq/contracts';

import {
  OnecCreateRequestAnswer,
  OnecCreateRequestBody,
  OnecDocumentJobAnswer,
  OnecDocumentRequestBody,
  OnecErrorBody,
  OnecRequestState,
  OnecUpdateRequestAnswer,
  OnecUpdateRequestBody,
  onecServicePaths,
} from './contract';
import type { OnecAgent, OnecDocumentJobState, OnecRequestChange } from './contract';
import { assertTimeZone, toOnecDateTime } from './datetime';
import { OnecError } from './errors';
import { onecWebLink } from './link';
import type { DocumentKind } from '@payreq/contracts';

export interface OnecRetryOptions {
  /** Total attempts, the first included. Default 4. */
  attempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. Default 200. */
  baseDelayMs: number;
  /** Backoff cap; also the longest Retry-After the client waits for. Default 5000. */
  maxDelayMs: number;
}

export interface OnecClientConfig {
  /** The 1C infobase's publication, e.g. `http://127.0.0.1:4020/bank` (no credentials in it). */
  baseUrl: string;
  /** The HTTP service's root URL (`/hs/<root>`). Default `payreq`. */
  root?: string;
  /** The 1C user of the integration (HTTP Basic). */
  username: string;
  password: string;
  /** Base of web-client links. Default: baseUrl. */
  webClientUrl?: string;
  /** The 1C document's metadata name used in links. Default `ЗаявкаНаПлатеж`. */
  documentName?: string;
  /** The 1C server's time zone (IANA). Default `Europe/Moscow`. */
  timeZone?: string;
  /** Per attempt, including reading the answer. Default 10000. */
  timeoutMs?: number;
  retries?: Partial<OnecRetryOptions>;
  /** Called before each retry: for logs and metrics. */
  onRetry?: (event: OnecRetryEvent) => void;
}

export interface OnecRetryEvent {
  method: string;
  path: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: OnecError;
}

export interface ResolvedOnecClientConfig {
  baseUrl: string;
  root: string;
  username: string;
  webClientUrl: string;
  documentName: string;
  timeZone: string;
  timeoutMs: number;
  retries: OnecRetryOptions;
}

export interface OnecCreateRequestInput {
  platformId: string;
  number: number;
  displayNumber: string;
  fields: PaymentRequestFields;
  agent: OnecAgent | null;
  /** A Date (converted to 1C local time in `timeZone`) or an already formatted 1C date-time. */
  createdAt: Date | string;
  version: number;
}

export interface OnecUpdateRequestInput {
  updateId: string;
  platformId: string;
  version: number;
  /** A Date (converted to 1C local time in `timeZone`) or an already formatted 1C date-time. */
  at: Date | string;
  by: OnecUpdateRequestBody['by'];
  comment: string | null;
  changes: OnecRequestChange[];
}

export interface OnecAppliedUpdate {
  /** False when 1C had applied this updateId before (a redelivery). */
  applied: boolean;
  /** The newest version 1C holds. */
  version: number;
}

export interface OnecCreatedRequest {
  /** 1C's `Ref_Key` (GUID, lower case). */
  ref: string;
  /** 1C's document number. */
  number: string;
  /** False when 1C already had a document for this platformId. */
  created: boolean;
  /** Web-client link to the document. */
  url: string;
}

export interface OnecDocumentRequestInput {
  kind: DocumentKind;
  documentRequestId: string;
}

export interface OnecDocumentJob {
  /** The job's GUID in 1C. */
  jobRef: string;
  state: OnecDocumentJobState;
  /** False when 1C already had a job for this documentRequestId. */
  created: boolean;
}

export interface OnecCallOptions {
  /** Aborting stops waiting and retrying; the abort reason is thrown as is. */
  signal?: AbortSignal;
}

/** One call to the 1C service: what to send, and the answers that count as success. */
interface OnecCall<T> {
  method: 'GET' | 'POST';
  /** Below the service's path, e.g. `onecServicePaths.requests`. */
  path: string;
  /** Sent as JSON; none for a GET. */
  body?: unknown;
  /** The contract of a success answer's body. */
  schema: z.ZodType<T>;
  /** The statuses of a success answer. */
  expected: readonly number[];
}

export interface OnecClient {
  readonly config: ResolvedOnecClientConfig;
  createRequest(
    payload: OnecCreateRequestInput,
    options?: OnecCallOptions,
  ): Promise<OnecCreatedRequest>;
  requestDocument(
    ref: string,
    payload: OnecDocumentRequestInput,
    options?: OnecCallOptions,
  ): Promise<OnecDocumentJob>;
  /** Tells 1C of a change made on the platform (idempotent there on `updateId`). */
  updateRequest(
    ref: string,
    payload: OnecUpdateRequestInput,
    options?: OnecCallOptions,
  ): Promise<OnecAppliedUpdate>;
  getRequest(ref: string, options?: OnecCallOptions): Promise<OnecRequestState & { url: string }>;
  /** The web-client link of a request document. */
  linkFor(ref: string): string;
}

const ConfigSchema = z.object({
  baseUrl: z
    .string()
    .url()
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be http(s)')
    .refine((value) => {
      const url = new URL(value);
      return !url.username && !url.password;
    }, 'must not contain credentials: use username/password')
    .refine((value) => {
      const url = new URL(value);
      return !url.search && !url.hash;
    }, 'must not contain a query or fragment'),
  root: z
    .string()
    .regex(/^[^/?#\s]+$/, 'a single path segment')
    .default('payreq'),
  username: z
    .string()
    .min(1)
    .refine((value) => !value.includes(':'), 'must not contain ":"'),
  password: z.string(),
  webClientUrl: z.string().url().optional(),
  documentName: z.string().min(1).default('ЗаявкаНаПлатеж'),
  timeZone: z.string().min(1).default('Europe/Moscow'),
  timeoutMs: z.number().int().positive().default(10_000),
  retries: z
    .object({
      attempts: z.number().int().min(1).max(20).default(4),
      baseDelayMs: z.number().int().min(0).default(200),
      maxDelayMs: z.number().int().min(0).default(5_000),
    })
    .default({ attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 }),
});

const RETRYABLE_STATUSES = new Set([429]);

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Plain text of an HTML or text error page, shortened. */
function textOf(body: string, max = 300): string {
  const text = body
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Retry-After as milliseconds (seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const text = current.message && current.message !== 'fetch failed' ? current.message : '';
      if (text) parts.push(text);
      else if (typeof code === 'string') parts.push(code);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.length ? parts.join(': ') : 'connection failed';
}

/** The typed client of the bank's 1C HTTP service (see README.md for the contract). */
export function createOnecClient(input: OnecClientConfig): OnecClient {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    // Never echo the config: it holds the password.
    throw new TypeError(`Invalid 1C client config: ${summarizeIssues(parsed.error)}`);
  }
  const settings = parsed.data;
  assertTimeZone(settings.timeZone);
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  const config: ResolvedOnecClientConfig = {
    baseUrl,
    root: settings.root,
    username: settings.username,
    webClientUrl: (settings.webClientUrl ?? baseUrl).replace(/\/+$/, ''),
    documentName: settings.documentName,
    timeZone: settings.timeZone,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
  };
  const token = Buffer.from(`${settings.username}:${settings.password}`, 'utf8').toString('base64');
  const authorization = `Basic ${token}`;
  const secrets = [settings.password, token].filter((secret) => secret.length >= 4);
  const redact = (text: string) =>
    secrets.reduce((acc, secret) => acc.split(secret).join('***'), text);
  const servicePrefix = `${baseUrl}/hs/${encodeURIComponent(config.root)}`;
  const servicePath = new URL(servicePrefix).pathname;

  async function attempt<T>(
    request: OnecCall<T>,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ status: number; data: T }> {
    const { method, path, body, schema, expected } = request;
    const fullPath = `${servicePath}${path}`;
    const where = `${method} ${fullPath}`;
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
    const fail = (error: unknown): never => {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) {
        throw new OnecError({
          kind: 'timeout',
          message: `1C did not answer ${where} within ${config.timeoutMs} ms`,
          retryable: true,
          method,
          path: fullPath,
          cause: error,
        });
      }
      throw new OnecError({
        kind: 'network',
        message: redact(
          `Cannot reach 1C (${where} at ${new URL(baseUrl).origin}): ${describeNetworkError(error)}`,
        ),
        retryable: true,
        method,
        path: fullPath,
        cause: error,
      });
    };

    let response: Response;
    let text: string;
    try {
      response = await fetch(`${servicePrefix}${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: 'manual',
      });
      text = await response.text();
    } catch (error) {
      return fail(error);
    }

    const status = response.status;
    const json = (): { ok: true; value: unknown } | { ok: false } => {
      try {
        return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
      } catch {
        return { ok: false };
      }
    };

    if (expected.includes(status)) {
      const decoded = json();
      if (!decoded.ok) {
        throw new OnecError({
          kind: 'protocol',
          message: redact(
            `1C answered ${where} with ${status} but the body is not JSON: ${JSON.stringify(textOf(text, 120))}`,
          ),
          status,
          retryable: false,
          method,
          path: fullPath,
        });
      }
      const result = schema.safeParse(decoded.value);
      if (!result.success) {
        throw new OnecError({
          kind: 'protocol',
          message: redact(
            `1C answered ${where} with ${status} and a body that breaks the contract: ${summarizeIssues(result.error)}`,
          ),
          status,
          retryable: false,
          method,
          path: fullPath,
        });
      }
      return { status, data: result.data };
    }

    if (status < 400) {
      const location = response.headers.get('location');
      throw new OnecError({
        kind: status >= 300 ? 'http' : 'protocol',
        message: redact(
          status >= 300
            ? `1C redirected ${where} (${status}${location ? ` to ${location}` : ''}); check baseUrl`
            : `1C answered ${where} with unexpected status ${status}`,
        ),
        status,
        retryable: false,
        method,
        path: fullPath,
      });
    }

    let code: string | null = null;
    let detail: string;
    const decoded = json();
    const errorBody = decoded.ok ? OnecErrorBody.safeParse(decoded.value) : null;
    if (errorBody?.success) {
      code = errorBody.data.error.code;
      detail = textOf(errorBody.data.error.message);
    } else {
      detail = textOf(text) || response.statusText || 'no details';
    }
    const retryable = status >= 500 || RETRYABLE_STATUSES.has(status);
    const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after')) : null;
    throw new OnecError({
      kind: 'http',
      message: redact(`1C answered ${where} with ${status}${code ? ` ${code}` : ''}: ${detail}`),
      status,
      code,
      retryable,
      method,
      path: fullPath,
      retryAfterMs,
    });
  }

  async function call<T>(
    request: OnecCall<T>,
    options: OnecCallOptions | undefined,
  ): Promise<{ status: number; data: T }> {
    const { method, path } = request;
    const { attempts, baseDelayMs, maxDelayMs } = config.retries;
    for (let n = 1; ; n += 1) {
      try {
        return await attempt(request, options?.signal);
      } catch (error) {
        if (!(error instanceof OnecError)) throw error;
        const final = (extra?: { message?: string }) =>
          new OnecError({
            kind: error.kind,
            message:
              extra?.message ?? (n > 1 ? `${error.message} (after ${n} attempts)` : error.message),
            status: error.status,
            code: error.code,
            retryable: error.retryable,
            method: error.method ?? method,
            path: error.path ?? path,
            attempts: n,
            retryAfterMs: error.retryAfterMs,
            cause: error.cause,
          });
        if (!error.retryable || n >= attempts) throw final();
        let delayMs: number;
        if (error.retryAfterMs !== null) {
          if (error.retryAfterMs > maxDelayMs) {
            throw final({
              message: `${error.message} (1C asked to retry after ${error.retryAfterMs} ms)`,
            });
          }
          delayMs = error.retryAfterMs;
        } else {
          delayMs = backoffDelay(n, baseDelayMs, maxDelayMs);
        }
        input.onRetry?.({ method, path: error.path ?? path, attempt: n, delayMs, error });
        await sleep(delayMs, options?.signal);
      }
    }
  }

  const invalid = (what: string, detail: string) =>
    new OnecError({
      kind: 'protocol',
      message: `Invalid ${what}: ${detail}`,
      retryable: false,
      attempts: 0,
    });

  const checkRef = (ref: string, what: string) => {
    if (!onecGuid.safeParse(ref).success) throw invalid(what, `not a GUID: ${JSON.stringify(ref)}`);
    return ref.toLowerCase();
  };

  const linkFor = (ref: string) => onecWebLink(config.webClientUrl, config.documentName, ref);

  const localTime = (value: Date | string, what: string, field: string): string => {
    try {
      return value instanceof Date ? toOnecDateTime(value, config.timeZone) : value;
    } catch (error) {
      throw invalid(what, `${field}: ${(error as Error).message}`);
    }
  };

  return {
    config,
    linkFor,

    async createRequest(payload, options) {
      const createdAt = localTime(payload.createdAt, 'createRequest payload', 'createdAt');
      const body = OnecCreateRequestBody.safeParse({ ...payload, createdAt });
      if (!body.success) throw invalid('createRequest payload', summarizeIssues(body.error));
      const { data } = await call(
        {
          method: 'POST',
          path: onecServicePaths.requests,
          body: body.data,
          schema: OnecCreateRequestAnswer,
          expected: [200, 201],
        },
        options,
      );
      const ref = data.Ref_Key.toLowerCase();
      return { ref, number: data.Number, created: data.created, url: linkFor(ref) };
    },

    async requestDocument(ref, payload, options) {
      const key = checkRef(ref, 'requestDocument ref');
      const body = OnecDocumentRequestBody.safeParse(payload);
      if (!body.success) throw invalid('requestDocument payload', summarizeIssues(body.error));
      const { status, data } = await call(
        {
          method: 'POST',
          path: onecServicePaths.documents(key),
          body: body.data,
          schema: OnecDocumentJobAnswer,
          expected: [200, 201, 202],
        },
        options,
      );
      return {
        jobRef: data.Ref_Key.toLowerCase(),
        state: data.state,
        created: data.created ?? status !== 200,
      };
    },

    async updateRequest(ref, payload, options) {
      const key = checkRef(ref, 'updateRequest ref');
      const at = localTime(payload.at, 'updateRequest payload', 'at');
      const body = OnecUpdateRequestBody.safeParse({ ...payload, at });
      if (!body.success) throw invalid('updateRequest payload', summarizeIssues(body.error));
      const { data } = await call(
        {
          method: 'POST',
          path: onecServicePaths.updates(key),
          body: body.data,
          schema: OnecUpdateRequestAnswer,
          expected: [200, 201],
        },
        options,
      );
      return { applied: data.applied, version: data.version };
    },

    async getRequest(ref, options) {
      const key = checkRef(ref, 'getRequest ref');
      const { data } = await call(
        {
          method: 'GET',
          path: onecServicePaths.request(key),
          schema: OnecRequestState,
          expected: [200],
        },
        options,
      );
      if (data.Ref_Key.toLowerCase() !== key) {
        throw new OnecError({
          kind: 'protocol',
          message: `1C answered GET for ${key} with another document (${data.Ref_Key})`,
          retryable: false,
          method: 'GET',
          path: onecServicePaths.request(key),
        });
      }
      return { ...data, url: linkFor(key) };
    },
  };
}
