/** What went wrong talking to 1C. */
export type OnecErrorKind =
  /** The connection failed (refused, reset, DNS, TLS...). Retryable. */
  | 'network'
  /** No complete answer within `timeoutMs`. Retryable (the call may have been applied: calls are idempotent). */
  | 'timeout'
  /** 1C answered 4xx/5xx. Retryable for 5xx and 429 only. */
  | 'http'
  /** The answer (or our own payload) does not match the contract. Not retryable. */
  | 'protocol';

export interface OnecErrorInit {
  kind: OnecErrorKind;
  message: string;
  status?: number | null;
  code?: string | null;
  retryable: boolean;
  method?: string;
  path?: string;
  attempts?: number;
  retryAfterMs?: number | null;
  cause?: unknown;
}

/**
 * Every failure of the 1C client. The message is English and never contains the password
 * or the Authorization header.
 */
export class OnecError extends Error {
  override readonly name = 'OnecError';
  readonly kind: OnecErrorKind;
  /** HTTP status when 1C answered, else null. */
  readonly status: number | null;
  /** `error.code` from a JSON error body, else null. */
  readonly code: string | null;
  /** Whether trying again later can help (the platform's outbox keeps retrying these). */
  readonly retryable: boolean;
  readonly method: string | null;
  /** The request path (no host, no credentials). */
  readonly path: string | null;
  /** How many attempts were made before giving up. */
  readonly attempts: number;
  /** When 1C sent Retry-After longer than the client would wait: how long to wait. */
  readonly retryAfterMs: number | null;

  constructor(init: OnecErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.code = init.code ?? null;
    this.retryable = init.retryable;
    this.method = init.method ?? null;
    this.path = init.path ?? null;
    this.attempts = init.attempts ?? 1;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }

  toJSON() {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      retryable: this.retryable,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isOnecError(error: unknown): error is OnecError {
  return error instanceof OnecError;
}
