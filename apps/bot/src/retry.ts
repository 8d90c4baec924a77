/** The bot is stopping: work in progress gives up, and its update is not confirmed to Telegram. */
export class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
  constructor() {
    super('the bot is stopping');
  }
}

export function isShutdown(error: unknown): boolean {
  return error instanceof ShutdownError;
}

/** Waits `ms`; rejects with ShutdownError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new ShutdownError());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ShutdownError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with jitter: about base · 2^(attempt-1), between half and all of it, capped. */
export function backoffMs(attempt: number, baseMs = 250, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export interface RetryOptions {
  /** Aborted on shutdown: the retry loop then throws ShutdownError. */
  signal?: AbortSignal;
  /** Whether an error is worth another try (network, 5xx, 429...). Others are thrown at once. */
  isTransient: (error: unknown) => boolean;
  /** Infinity: keep trying until it works or the bot stops. */
  maxAttempts?: number;
  /** A wait the other side asked for (Telegram's retry_after), overriding the backoff when longer. */
  retryAfterMs?: (error: unknown) => number | null;
  baseMs?: number;
  maxMs?: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds, a non-transient error comes, the attempts run out, or shutdown. */
export async function retrying<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? Infinity;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw new ShutdownError();
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
      if (!options.isTransient(error) || attempt >= maxAttempts) throw error;
      const asked = options.retryAfterMs?.(error) ?? 0;
      const delay = Math.max(asked, backoffMs(attempt, options.baseMs, options.maxMs));
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
