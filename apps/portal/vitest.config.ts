import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real api in-process (real database) serving the built portal, the
 * Telegram test server (its login page, the bot's mirror), and Debian's Chromium
 * (playwright-core). The global setup builds the portal when its build is missing or stale.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
