import type { OutboxTargetName } from './store';

/**
 * Wakes this process's outbox workers as soon as a transaction has committed messages for
 * them, instead of leaving the messages to the next poll (up to OUTBOX_POLL_MS later): a
 * submitted request reaches 1C at once. Other api instances still find the messages at their
 * own poll.
 *
 * Writes are recorded against the transaction's handle (`watch`, `recordWrite`), and the wake
 * happens after the commit (`transaction` in ../db.ts), since a worker woken before it would
 * find nothing. Kept by handle rather than in an AsyncLocalStorage: on Node 20 one `run` turns
 * on async hooks for every promise of the process, a cost measured on every api call.
 */
export class OutboxSignal {
  private readonly listeners = new Map<OutboxTargetName, Set<() => void>>();
  private readonly writes = new WeakMap<object, Set<OutboxTargetName>>();

  /** Calls `listener` after each commit that wrote messages for `target`; returns the unsubscriber. */
  onWritten(target: OutboxTargetName, listener: () => void): () => void {
    const set = this.listeners.get(target) ?? new Set();
    set.add(listener);
    this.listeners.set(target, set);
    return () => set.delete(listener);
  }

  /** Starts recording the targets written through `tx`; returns them, to `notify` after commit. */
  watch(tx: object): ReadonlySet<OutboxTargetName> {
    const targets = new Set<OutboxTargetName>();
    this.writes.set(tx, targets);
    return targets;
  }

  /** Called where outbox rows are written (in a transaction not watched, nothing is recorded). */
  recordWrite(tx: object, target: OutboxTargetName): void {
    this.writes.get(tx)?.add(target);
  }

  notify(target: OutboxTargetName): void {
    for (const listener of this.listeners.get(target) ?? []) listener();
  }
}

/** The process's signal: procedures, REST routes and workers of one process share it. */
export const outboxSignal = new OutboxSignal();
