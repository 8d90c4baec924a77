import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Starts a throwaway PostgreSQL (or uses TEST_POSTGRES_URL) for the PostgreSQL half of the tests.
    globalSetup: ['./src/testing/global-setup-postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
