import { AsyncLocalStorage } from 'node:async_hooks';

/** Where the effects of handling an update are recorded: the update journal. */
export interface EffectLedger {
  effectOf(updateId: number, effect: string): string | null;
  recordEffect(updateId: number, effect: string, record: string): Promise<void>;
}

interface UpdateScope {
  updateId: number;
  ledger: EffectLedger;
  posts: number;
}

const scope = new AsyncLocalStorage<UpdateScope>();

/**
 * Handles one update with its effects recorded. Handling is at least once (a crash before the
 * journal hears an update was handled replays it), so a message the bot posts while handling
 * it is recorded in the journal as posted, by its place in the handling (the first post, the
 * second, ...), and the replay posts only those not recorded yet.
 */
export function handlingUpdate<T>(updateId: number, ledger: EffectLedger, fn: () => T): T {
  return scope.run({ updateId, ledger, posts: 0 }, fn);
}

/**
 * The next post of the update being handled: what was recorded of it when it was posted before
 * a crash (null: not posted yet), and how to record it once it is. Null outside an update
 * (nothing to replay).
 */
export function nextPost(): {
  postedBefore: string | null;
  posted: (record: string) => Promise<void>;
} | null {
  const current = scope.getStore();
  if (!current) return null;
  current.posts += 1;
  const effect = `post${current.posts}`;
  return {
    postedBefore: current.ledger.effectOf(current.updateId, effect),
    posted: (record) => current.ledger.recordEffect(current.updateId, effect, record),
  };
}
