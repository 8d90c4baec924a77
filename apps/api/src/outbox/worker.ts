import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { DeliveryFailureReason } from '@payreq/contracts';
import { isOnecError } from '@payreq/onec';
import type { OnecError } from '@payreq/onec';

import type { Db } from '../db';
import { inOutboxTrace } from '../tracing';
import type {
  ClaimedOutboxMessage,
  OutboxLogger,
  OutboxRetryPolicy,
  OutboxTargetName,
} from './store';
import {
  claimOutboxBatch,
  completeOutbox,
  defaultOutboxRetryPolicy,
  describeOutboxError,
  failOutbox,
  renewOutboxLeases,
} from './store';

export interface OutboxHandlerContext {
  /** Aborted when the delivery's time is up: stop waiting, the message will be retried. */
  signal: AbortSignal;
  /** This is the last attempt before the message is parked as DEAD if it fails. */
  lastAttempt: boolean;
  logger: OutboxLogger;
}

/**
 * Delivers one message. Resolve (optionally with what the receiver answered) when it is
 * delivered; throw when it is not. An error with `retryable: false` (an OnecError of a 4xx,
 * an OutboxDeliveryError) parks the message as DEAD at once; any other error is retried with
 * backoff. Handlers must be idempotent: a message may be delivered more than once.
 */
export type OutboxHandler = (
  message: ClaimedOutboxMessage,
  context: OutboxHandlerContext,
) => Promise<unknown>;

/** A failure a handler reports with its own retry decision and its reason in a word. */
export class OutboxDeliveryError extends Error {
  override readonly name = 'OutboxDeliveryError';
  readonly retryAfterMs: number | null;
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly reason: DeliveryFailureReason,
    options: { retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** The handlers of one worker, by message `kind`. */
export class OutboxHandlerRegistry {
  private readonly handlers = new Map<string, OutboxHandler>();

  register(kind: string, handler: OutboxHandler): this {
    if (this.handlers.has(kind))
      throw new Error(`An outbox handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
    return this;
  }

  get(kind: string): OutboxHandler | undefined {
    return this.handlers.get(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }
}

/** How a thrown error is retried, and why it failed in a word (see `DeliveryFailureReason`). */
export interface DeliveryErrorClass {
  retryable: boolean;
  retryAfterMs: number | null;
  reason: DeliveryFailureReason;
  /** The receiver's HTTP status, when it answered. */
  status: number | null;
}

/** 1C's failures by kind; a handler's own by what it says; anything else is retried. */
export function classifyDeliveryError(error: unknown): DeliveryErrorClass {
  if (isOnecError(error)) {
    return {
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      reason: onecFailureReason(error),
      status: error.status,
    };
  }
  if (error instanceof OutboxDeliveryError) {
    return {
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      reason: error.reason,
      status: null,
    };
  }
  if (error && typeof error === 'object') {
    const { retryable, retryAfterMs } = error as { retryable?: unknown; retryAfterMs?: unknown };
    if (typeof retryable === 'boolean') {
      const wait = typeof retryAfterMs === 'number' ? retryAfterMs : null;
      return { retryable, retryAfterMs: wait, reason: 'internal', status: null };
    }
  }
  // Unknown trouble (the database, a bug) is retried: never drop a message on a guess.
  return { retryable: true, retryAfterMs: null, reason: 'internal', status: null };
}

function onecFailureReason(error: OnecError): DeliveryFailureReason {
  switch (error.kind) {
    case 'network':
      return 'unreachable';
    case 'timeout':
      return 'timeout';
    case 'protocol':
      return 'invalid';
    case 'http':
      if (error.status === 429) return 'rateLimited';
      return (error.status ?? 500) >= 500 ? 'unavailable' : 'refused';
  }
}

export interface OutboxWorkerOptions {
  db: Db;
  target: OutboxTargetName;
  handlers: OutboxHandlerRegistry;
  logger: OutboxLogger;
  /** Unique per process; default `<host>:<pid>:<random>`. */
  workerId?: string;
  /** Pause between polls when nothing was due. Default 500 ms. */
  pollMs?: number;
  /**
   * How long a claim holds without news of its worker. Default 15 s. The worker renews the
   * leases of its deliveries in flight every third of it, so a delivery may take longer; a
   * worker that dies (killed, out of memory) leaves its messages to the others within a lease.
   */
  leaseMs?: number;
  /** The longest one delivery may take before it is aborted and retried. Default 60 s. */
  deliveryTimeoutMs?: number;
  /** Messages claimed at once (delivered concurrently: they belong to different aggregates). Default 10. */
  batchSize?: number;
  retry?: Partial<OutboxRetryPolicy>;
  now?: () => Date;
}

/** The pause after the n-th failed poll in a row: doubling from the poll interval, at most 10 s. */
export function failedPollPauseMs(pollMs: number, failures: number): number {
  return Math.min(pollMs * 2 ** Math.min(failures - 1, 20), Math.max(pollMs, 10_000));
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Polls the outbox of one target and delivers what is due through the registered handlers:
 * claim (short statement) → deliver (outside any transaction) → complete or fail. Several
 * workers, in one process or in several api instances, can run against one database.
 */
export class OutboxWorker {
  readonly workerId: string;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly batchSize: number;
  /** The messages being delivered now, whose leases the heartbeat renews. */
  private readonly inFlight = new Set<bigint>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly retry: OutboxRetryPolicy;
  private readonly now: () => Date;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  /** A wake that came while polling: the next pause is skipped. */
  private wakeRequested = false;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.workerId = options.workerId ?? defaultWorkerId();
    this.pollMs = options.pollMs ?? 500;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 60_000;
    this.batchSize = options.batchSize ?? 10;
    this.retry = { ...defaultOutboxRetryPolicy, ...options.retry };
    this.now = options.now ?? (() => new Date());
  }

  get running(): boolean {
    return this.loop !== null;
  }

  start(): this {
    if (this.loop) return this;
    this.stopping = false;
    this.options.logger.info(
      {
        target: this.options.target,
        workerId: this.workerId,
        kinds: this.options.handlers.kinds(),
      },
      'outbox worker started',
    );
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(1, this.leaseMs / 3));
    this.heartbeat.unref();
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
    return this;
  }

  /**
   * Extends the leases of the deliveries in flight. A renewal that fails (the database is
   * away) is only logged: the lease then runs out and another worker may deliver the message
   * again, which handlers tolerate (they are idempotent).
   */
  private async renewLeases(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const ids = [...this.inFlight];
    try {
      await renewOutboxLeases(this.options.db, ids, this.workerId, {
        until: new Date(this.now().getTime() + this.leaseMs),
      });
    } catch (error) {
      this.options.logger.warn(
        { err: error, target: this.options.target, workerId: this.workerId, count: ids.length },
        'could not renew outbox leases; they may run out and the messages be delivered again',
      );
    }
  }

  /** Polls at once instead of waiting for the next tick (or right after the poll running now). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wakeRequested = true;
  }

  /** Stops polling; resolves when the delivery in flight (if any) has finished and been recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.options.logger.info(
      { target: this.options.target, workerId: this.workerId },
      'outbox worker stopped',
    );
  }

  private async run(): Promise<void> {
    /** Polls that failed in a row (the database away): they space out and are logged sparsely. */
    let failures = 0;
    while (!this.stopping) {
      let claimed: number;
      try {
        claimed = await this.runOnce();
        if (failures > 0)
          this.options.logger.info(
            { target: this.options.target, workerId: this.workerId, failures },
            'outbox poll works again',
          );
        failures = 0;
      } catch (error) {
        failures += 1;
        const pauseMs = failedPollPauseMs(this.pollMs, failures);
        // The first failure, then the 2nd, 4th, 8th…: an outage of an hour is a dozen lines.
        if ((failures & (failures - 1)) === 0)
          this.options.logger.error(
            { err: error, target: this.options.target, workerId: this.workerId, failures, pauseMs },
            failures === 1 ? 'outbox poll failed' : 'outbox poll still failing',
          );
        if (!this.stopping) await this.pause(pauseMs);
        continue;
      }
      if (claimed === 0 && !this.stopping) await this.pause(this.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** One poll: claims a batch and delivers it. Returns how many messages were claimed. */
  async runOnce(): Promise<number> {
    const messages = await claimOutboxBatch(this.options.db, {
      target: this.options.target,
      workerId: this.workerId,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      now: this.now(),
    });
    await Promise.all(
      messages.map((message) => inOutboxTrace(message, () => this.deliver(message))),
    );
    return messages.length;
  }

  private async deliver(message: ClaimedOutboxMessage): Promise<void> {
    const { db, logger } = this.options;
    const handler = this.options.handlers.get(message.kind);
    const signal = AbortSignal.timeout(this.deliveryTimeoutMs);
    this.inFlight.add(message.id);
    try {
      if (!handler) {
        throw new OutboxDeliveryError(
          `No outbox handler for kind ${message.kind}`,
          false,
          'internal',
        );
      }
      const result = await handler(message, {
        signal,
        lastAttempt: message.attempts >= this.retry.maxAttempts,
        logger,
      });
      const completed = await completeOutbox(db, message.id, this.workerId, result ?? undefined, {
        now: this.now(),
      });
      if (!completed) {
        logger.warn(
          { outboxId: message.id.toString(), kind: message.kind, workerId: this.workerId },
          'outbox message delivered after its lease was lost; it may be delivered again',
        );
      }
    } catch (error) {
      const { retryable, retryAfterMs, reason, status } = classifyDeliveryError(error);
      const outcome = await failOutbox(
        db,
        message.id,
        this.workerId,
        { error: describeOutboxError(error), retryable, retryAfterMs, reason, status },
        { ...this.retry, now: this.now(), logger },
      ).catch((recordError: unknown) => {
        logger.error(
          { err: recordError, outboxId: message.id.toString(), kind: message.kind },
          'could not record an outbox failure; the lease will expire and it will be retried',
        );
        return null;
      });
      if (outcome?.state === 'PENDING') {
        logger.info(
          {
            outboxId: message.id.toString(),
            kind: message.kind,
            attempts: outcome.attempts,
            nextAttemptAt: outcome.nextAttemptAt.toISOString(),
            error: describeOutboxError(error),
          },
          'outbox delivery failed; will retry',
        );
      }
    } finally {
      // Its outcome is recorded (or could not be): the heartbeat lets the lease go.
      this.inFlight.delete(message.id);
    }
  }
}
