import { afterAll, beforeAll, beforeEach } from 'vitest';

import type { World } from '@payreq/testing';
import { createWorld } from '@payreq/testing';
import type { TestApi } from './harness';
import { resetDatabase, startTestApi } from './harness';

/**
 * The usual frame of an api test file: one real api on a real database for the file, and
 * before each test the clock reset, every table emptied and the test world (tenants, people,
 * agents) created again. Read `suite.api` and `suite.world` inside the tests.
 */
export function useTestApiWithWorld(): { readonly api: TestApi; readonly world: World } {
  const suite = {} as { api: TestApi; world: World };
  beforeAll(async () => {
    suite.api = await startTestApi();
  });
  afterAll(async () => {
    await suite.api?.close();
  });
  beforeEach(async () => {
    suite.api.clock.reset();
    await resetDatabase(suite.api.prisma);
    suite.world = await createWorld(suite.api.prisma);
  });
  return suite;
}
