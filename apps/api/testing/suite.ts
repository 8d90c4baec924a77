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

/**
 * One real api on a real database for the file, every table emptied before each test. The
 * answer is filled in before the file's first test runs: read it inside the tests.
 */
export function useTestApi(...start: Parameters<typeof startTestApi>): TestApi {
  const api = {} as TestApi;
  beforeAll(async () => {
    Object.assign(api, await startTestApi(...start));
  });
  afterAll(async () => {
    await (api as Partial<TestApi>).close?.();
  });
  beforeEach(async () => {
    await resetDatabase(api.prisma);
  });
  return api;
}
