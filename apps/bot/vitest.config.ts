import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The reliability suite runs on its own (vitest.reliability.config.ts, `pnpm test:reliability`).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    // End-to-end tests drive a real api, bot and Telegram test server: on a loaded CI machine
    // (2 cores shared with other suites) the first calls alone can take tens of seconds.
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
