/**
 * Everything a run starts (PostgreSQL, databases, child servers, temp files) registers its
 * stop here, so a failure or Ctrl-C leaves nothing running. Stops run last-in first-out.
 */
type Stop = () => Promise<void> | void;

const stops: { name: string; stop: Stop }[] = [];

/** Registers a stop; returns it wrapped: calling it stops now (once) and unregisters it. */
export function track(name: string, stop: Stop): () => Promise<void> {
  let done: Promise<void> | undefined;
  const entry = { name, stop: () => (done ??= Promise.resolve().then(stop)) };
  stops.push(entry);
  return async () => {
    const index = stops.indexOf(entry);
    if (index >= 0) stops.splice(index, 1);
    await entry.stop();
  };
}

let all: Promise<void> | undefined;

/** Stops everything still registered (on the way out, normal or not). */
export function cleanupAll(): Promise<void> {
  all ??= (async () => {
    while (stops.length > 0) {
      const { name, stop } = stops.pop()!;
      try {
        await stop();
      } catch (error) {
        console.error(
          `cleanup: stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  })();
  return all;
}
