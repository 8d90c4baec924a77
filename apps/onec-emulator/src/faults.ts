import { z } from 'zod';

const count = z.number().int().positive();

/**
 * Faults the 1C service endpoints (`/hs/...`) can be told to show. `count` limits a fault to
 * the next N service calls; without it the fault lasts until `off`.
 */
export const FaultInput = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('off') }),
  /** The service is down: the socket is destroyed (a connection reset) or a proxy answers 503. */
  z.strictObject({
    mode: z.literal('down'),
    behavior: z.enum(['reset', '503']).default('reset'),
    count: count.nullish(),
  }),
  /** The call is processed, then the answer is held back `delayMs` (a late answer). */
  z.strictObject({
    mode: z.literal('slow'),
    delayMs: z.number().int().min(0).max(600_000),
    count: count.nullish(),
  }),
  /** The next N calls fail with 500 before being processed, with a text (1C), HTML (web server) or JSON body. */
  z.strictObject({
    mode: z.literal('error500'),
    count: count.default(1),
    body: z.enum(['text', 'html', 'json']).default('text'),
  }),
  /** The next N calls answer 200 with a broken JSON body (not processed). */
  z.strictObject({ mode: z.literal('malformed'), count: count.default(1) }),
  /** The next N calls answer 429 with Retry-After. */
  z.strictObject({
    mode: z.literal('throttle'),
    count: count.default(1),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  }),
]);
export type FaultInput = z.input<typeof FaultInput>;
export type Fault = z.output<typeof FaultInput>;

export interface FaultState {
  fault: Fault;
  /** Calls left before the fault turns itself off; null = until `off`. */
  remaining: number | null;
  /** Service calls the fault has hit so far. */
  hits: number;
}

export class Faults {
  private state: FaultState = { fault: { mode: 'off' }, remaining: null, hits: 0 };
  private readonly sleepers = new Set<() => void>();

  get current(): FaultState {
    return { ...this.state };
  }

  set(input: FaultInput): FaultState {
    const fault = FaultInput.parse(input);
    const remaining = 'count' in fault ? (fault.count ?? null) : null;
    this.state = { fault, remaining, hits: 0 };
    return this.current;
  }

  /** The fault for the service call now arriving (counts it), or null. */
  take(): Fault | null {
    const { fault } = this.state;
    if (fault.mode === 'off') return null;
    this.state.hits += 1;
    if (this.state.remaining !== null) {
      this.state.remaining -= 1;
      if (this.state.remaining <= 0)
        this.state = { fault: { mode: 'off' }, remaining: null, hits: this.state.hits };
    }
    return fault;
  }

  /** A delay that `stop()` cuts short. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  stop(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
