import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';

import { forgetRecentQueryArguments } from '../src';
import { describeOnEachDb } from './helpers';

// A full collection on demand, to read what is still reachable.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const liveHeapMb = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

describeOnEachDb('forgetRecentQueryArguments', (db, skip) => {
  it.skipIf(skip)('lets go of the values of the last statements Prisma remembers', async () => {
    const statements = 30;
    const before = liveHeapMb();
    // Like an import's batches: each statement carries a megabyte-sized value of its own.
    for (let index = 0; index < statements; index += 1) {
      const value = `${index}:`.padEnd(1024 * 1024, 'x');
      const [row] = await db().prisma.$queryRaw<Array<{ length: number }>>`
        SELECT length(${value})::int AS length`;
      expect(row?.length).toBe(1024 * 1024);
    }
    // Prisma still holds them (it keeps the arguments of its last 100 debug calls)...
    const held = liveHeapMb() - before;
    expect(held).toBeGreaterThan(statements * 0.9);
    // ...until they are forgotten.
    forgetRecentQueryArguments();
    const left = liveHeapMb() - before;
    expect(left).toBeLessThan(held / 4);
  });
});
