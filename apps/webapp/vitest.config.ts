import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real api in-process (real database) serving the built Mini App, and
 * Debian's Chromium (playwright-core) opening it the way Telegram does. The global setup
 * builds the app when its build is missing or older than its sources.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One browser and one api per file; files share the machine, so keep them in one worker.
    fileParallelism: false,
  },
});
