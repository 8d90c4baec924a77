import { randomUUID } from 'node:crypto';

import { onecHeaders } from '@payreq/contracts';
import { signOnecBody } from '@payreq/onec';

import { EmulatorError } from './config';
import type { ResolvedPlatformConfig } from './config';
import type { EmulatorMetrics } from './metrics';
import type { Delivery, DeliveryOperation, EmulatorStore } from './store';

export interface GetResult {
  status: number;
  body: unknown;
}

const USER_AGENT = '1C+Enterprise/8.3';

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(
      current.message === 'fetch failed' && typeof code === 'string' ? code : current.message,
    );
    current = current.cause;
  }
  return parts.filter(Boolean).join(': ') || String(error);
}

/**
 * The emulated 1C's outgoing exchange with the platform: every logical call is a Delivery
 * (stored, so a restart resumes it) sent with the same idempotency key and the same bytes on
 * every attempt, retried like a 1C scheduled job: exponential pauses on network errors, 5xx
 * and 429; a 4xx other than 429 is a refusal and is not retried.
 */
/**
 * A failed answer as the operator reads it: the platform's own message (in Russian, asked for
 * with Accept-Language) and the status, not the JSON body; a body of another shape, cut short.
 */
function answerError(status: number | null, text: string | null): string {
  try {
    const message = (JSON.parse(text ?? '') as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string' && message) return `${message} (HTTP ${status})`;
  } catch {
    // not JSON: shown as it came
  }
  return `HTTP ${status}: ${(text ?? '').slice(0, 500)}`;
}

export class PlatformLink {
  private readonly running = new Map<string, Promise<Delivery>>();
  private controller = new AbortController();

  constructor(
    private readonly config: ResolvedPlatformConfig | null,
    private readonly store: EmulatorStore,
    private readonly now: () => Date,
    private readonly onDelivered: (delivery: Delivery) => void,
    private readonly metrics: EmulatorMetrics | null = null,
  ) {}

  get configured(): boolean {
    return this.config !== null;
  }

  private requireConfig(): ResolvedPlatformConfig {
    if (!this.config) {
      throw new EmulatorError(
        503,
        'PLATFORM_NOT_CONFIGURED',
        'The platform URL is not configured in the emulator',
      );
    }
    return this.config;
  }

  /** Records a new logical call and starts delivering it. */
  enqueue(
    operation: DeliveryOperation,
    requestRef: string,
    objectRef: string | null,
    path: string,
    body: unknown,
  ): Delivery {
    this.requireConfig();
    const at = this.now().toISOString();
    const delivery: Delivery = {
      id: randomUUID(),
      operation,
      requestRef,
      objectRef,
      method: 'POST',
      path,
      idempotencyKey: randomUUID(),
      rawBody: JSON.stringify(body),
      state: 'PENDING',
      attempts: 0,
      lastStatus: null,
      lastError: null,
      response: null,
      createdAt: at,
      updatedAt: at,
    };
    this.store.addDelivery(delivery);
    this.deliver(delivery).catch(() => undefined);
    return delivery;
  }

  /** Delivers (or joins the running delivery of) a stored call; resolves when it settles. */
  deliver(delivery: Delivery): Promise<Delivery> {
    const running = this.running.get(delivery.id);
    if (running) return running;
    const promise = this.run(delivery).finally(() => this.running.delete(delivery.id));
    this.running.set(delivery.id, promise);
    return promise;
  }

  /** Waits for a delivery to settle (DELIVERED or FAILED). */
  wait(delivery: Delivery): Promise<Delivery> {
    return this.running.get(delivery.id) ?? Promise.resolve(delivery);
  }

  /** Resumes every PENDING delivery (after a restart) and retries FAILED ones when asked. */
  resume(includeFailed = false): Promise<Delivery>[] {
    if (!this.config) return [];
    return this.store.deliveries
      .filter((d) => d.state === 'PENDING' || (includeFailed && d.state === 'FAILED'))
      .map((d) => {
        if (d.state === 'FAILED') this.store.update(d, { state: 'PENDING', attempts: 0 });
        return this.deliver(d);
      });
  }

  /** Settles when nothing is being sent. */
  async idle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running.values()]);
    }
  }

  stop(): void {
    this.controller.abort(new Error('emulator stopped'));
  }

  /** Allows sending again after `stop()`. */
  reopen(): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  private headersFor(delivery: Delivery, config: ResolvedPlatformConfig): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      // A refusal's message in Russian: the console shows it to the operator (as the kit does).
      'accept-language': 'ru',
      'user-agent': USER_AGENT,
      [onecHeaders.apiKey]: config.apiKey,
      [onecHeaders.idempotencyKey]: delivery.idempotencyKey,
    };
    if (config.hmacSecret)
      headers[onecHeaders.signature] = signOnecBody(delivery.rawBody, config.hmacSecret);
    return headers;
  }

  private async sleep(ms: number): Promise<boolean> {
    const signal = this.controller.signal;
    if (signal.aborted) return false;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async exchange(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body: string | null,
    deliveryId: string | null,
    attempt: number,
    timeoutMs: number,
  ): Promise<{ status: number | null; text: string | null; error: string | null }> {
    const started = Date.now();
    let status: number | null = null;
    let text: string | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: body ?? undefined,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.controller.signal]),
      });
      status = response.status;
      text = await response.text();
    } catch (caught) {
      error =
        (caught as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : errorText(caught);
    }
    this.metrics?.platformCall(method, url, status);
    const recorded = { ...headers };
    if (recorded[onecHeaders.apiKey]) recorded[onecHeaders.apiKey] = '***';
    this.store.recordCall({
      deliveryId,
      attempt,
      method,
      url,
      headers: recorded,
      body,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      status,
      responseBody: text,
      error,
    });
    return { status, text, error };
  }

  private async run(delivery: Delivery): Promise<Delivery> {
    const config = this.requireConfig();
    const { attempts, baseDelayMs, maxDelayMs } = config.retry;
    const url = `${config.url}${delivery.path}`;
    const headers = this.headersFor(delivery, config);
    for (let attempt = delivery.attempts + 1; ; attempt += 1) {
      if (this.controller.signal.aborted) return delivery;
      const { status, text, error } = await this.exchange(
        'POST',
        url,
        headers,
        delivery.rawBody,
        delivery.id,
        attempt,
        config.timeoutMs,
      );
      if (this.controller.signal.aborted) return delivery;
      let response: unknown = text;
      try {
        response = text ? JSON.parse(text) : null;
      } catch {
        // keep the text
      }
      const at = this.now().toISOString();
      if (status !== null && status >= 200 && status < 300) {
        this.store.update(delivery, {
          state: 'DELIVERED',
          attempts: attempt,
          lastStatus: status,
          lastError: null,
          response,
          updatedAt: at,
        });
        this.onDelivered(delivery);
        return delivery;
      }
      const retryable = status === null || status >= 500 || status === 429 || status === 408;
      const lastError = error ?? answerError(status, text);
      if (!retryable || attempt >= attempts) {
        this.store.update(delivery, {
          state: 'FAILED',
          attempts: attempt,
          lastStatus: status,
          lastError,
          response,
          updatedAt: at,
        });
        this.onDelivered(delivery);
        return delivery;
      }
      this.store.update(delivery, {
        attempts: attempt,
        lastStatus: status,
        lastError,
        response,
        updatedAt: at,
      });
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      if (!(await this.sleep(delay))) return delivery;
    }
  }

  /** A GET to the platform (e.g. `/onec/v1/requests/{id}`), retried on network errors and 5xx. */
  async get(path: string): Promise<GetResult> {
    const config = this.requireConfig();
    const url = `${config.url}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-language': 'ru',
      'user-agent': USER_AGENT,
      [onecHeaders.apiKey]: config.apiKey,
    };
    // A GET has no body: the signature covers the empty body.
    if (config.hmacSecret) headers[onecHeaders.signature] = signOnecBody('', config.hmacSecret);
    const { attempts, baseDelayMs, maxDelayMs } = config.retry;
    for (let attempt = 1; ; attempt += 1) {
      const { status, text, error } = await this.exchange(
        'GET',
        url,
        headers,
        null,
        null,
        attempt,
        config.timeoutMs,
      );
      const retryable = status === null || status >= 500 || status === 429;
      if ((!retryable || attempt >= attempts) && status !== null) {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // keep the text
        }
        return { status, body };
      }
      if (attempt >= attempts)
        throw new EmulatorError(
          502,
          'PLATFORM_UNREACHABLE',
          `The platform did not answer: ${error}`,
        );
      if (!(await this.sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))))) {
        throw new EmulatorError(503, 'STOPPED', 'The emulator is stopping');
      }
    }
  }
}
