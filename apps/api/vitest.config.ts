import { defineConfig } from 'vitest/config';

/**
 * Unit tests run once; integration tests (`*.int.test.ts`, real HTTP on a real database)
 * run twice: on embedded PGlite and on a real PostgreSQL server.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // The reliability suite has its own config (`test:reliability`).
          exclude: ['test/**/*.int.test.ts', 'test/reliability/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['test/**/*.int.test.ts'],
          // Migrating as a step of its own is PostgreSQL's (PGlite always migrates at start).
          exclude: ['test/migration-gate.int.test.ts'],
          env: { TEST_DB: 'pglite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/**/*.int.test.ts'],
          env: { TEST_DB: 'postgres' },
          globalSetup: ['@payreq/db/testing/global-setup-postgres'],
        },
      },
    ],
  },
});
