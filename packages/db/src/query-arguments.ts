import { Debug as runtimeDebug } from '@prisma/client/runtime/client';
import { clearLogs } from '@prisma/debug';

/**
 * Prisma keeps the arguments of its last 100 debug calls in memory whether debugging is on or
 * not (they go into its crash reports): the client runtime records every raw statement with its
 * values, and `@prisma/debug`, which the PostgreSQL driver adapter uses, every query with its
 * arguments. After a bulk statement of a megabyte (a batch of an imported chat) the last hundred
 * of them stay reachable, up to 100 MB that no one needs. This lets them go.
 */
export function forgetRecentQueryArguments(): void {
  // The driver adapter's history: @prisma/debug offers this.
  clearLogs();
  // The runtime bundles its own copy of @prisma/debug, with no way to clear it: a hundred empty
  // notes of our own (its MAX_ARGS_HISTORY) push the statements' values out.
  for (let note = 0; note < RUNTIME_HISTORY_LENGTH; note += 1) forgetting('');
}

/** The length of the history in Prisma Client's runtime (`MAX_ARGS_HISTORY`, 100 in 7.x). */
const RUNTIME_HISTORY_LENGTH = 100;
const forgetting = runtimeDebug('payreq:db:forget');
