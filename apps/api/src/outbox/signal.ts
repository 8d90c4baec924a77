import { AsyncLocalStorage } from 'node:async_hooks';

import type { OutboxTargetName } from './store';

/**
 * Wakes this process's outbox workers as soon as a call has committed messages for them,
 * instead of leaving the messages to the next poll (up to OUTBOX_POLL_MS later): a submitted
 * request reaches 1C at once. Other api instances still find the messages at their own poll.
 *
 * The write is only recorded inside the caller's transaction; the wake happens after the call
 * (so after its commit), since a worker woken before the commit would find nothing.
 */
export class OutboxSignal {
  private readonly listeners = new Map<OutboxTargetName, Set<() => void>>();
  private readonly written = new AsyncLocalStorage<Set<OutboxTargetName>>();

  /** Calls `listener` after each call that wrote messages for `target`; returns the unsubscriber. */
  onWritten(target: OutboxTargetName, listener: () => void): () => void {
    const set = this.listeners.get(target) ?? new Set();
    set.add(listener);
    this.listeners.set(target, set);
    return () => set.delete(listener);
  }

  /** Runs one call; when it has finished (committed or not), wakes the targets it wrote to. */
  async around<T>(call: () => Promise<T>): Promise<T> {
    const targets = new Set<OutboxTargetName>();
    try {
      return await this.written.run(targets, call);
    } finally {
      for (const target of targets) this.notify(target);
    }
  }

  /** Called where outbox rows are written (outside `around`, nothing is recorded). */
  recordWrite(target: OutboxTargetName): void {
    this.written.getStore()?.add(target);
  }

  notify(target: OutboxTargetName): void {
    for (const listener of this.listeners.get(target) ?? []) listener();
  }
}

/** The process's signal: procedures, REST routes and workers of one process share it. */
export const outboxSignal = new OutboxSignal();
