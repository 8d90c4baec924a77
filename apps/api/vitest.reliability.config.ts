import { defineConfig } from 'vitest/config';

/**
 * The reliability and security suite (`pnpm test:reliability`): forgeries, the access matrix,
 * generated bad input and secrets in logs, on PGlite and on PostgreSQL, ending with a table of
 * figures. `RELIABILITY=1` lets these files run (the default config sees them too and skips them).
 */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', ['@payreq/testing/reliability-reporter', { suite: 'api' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'reliability-pglite',
          include: ['test/reliability/**/*.test.ts'],
          // Two api processes need one PostgreSQL (PGlite is one process's database).
          exclude: ['test/reliability/7-two-instances.test.ts'],
          env: { TEST_DB: 'pglite', RELIABILITY: '1', RELIABILITY_SUITE: 'api' },
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability-postgres',
          include: ['test/reliability/**/*.test.ts'],
          env: { TEST_DB: 'postgres', RELIABILITY: '1', RELIABILITY_SUITE: 'api' },
          globalSetup: ['@payreq/db/testing/global-setup-postgres'],
        },
      },
    ],
  },
});
