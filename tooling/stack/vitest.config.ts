import { defineConfig } from 'vitest/config';

/**
 * The demo, run as `pnpm demo` runs it: a whole stack of child processes and Chromium per run,
 * so the timeouts are generous and the runs go one after the other (a 2-core machine).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    // TEST_POSTGRES_URL's server, or a throwaway one (the demo's PostgreSQL run, the api image).
    globalSetup: ['@payreq/db/testing/global-setup-postgres'],
  },
});
