import { defineConfig } from 'vitest/config';

/**
 * The bot's part of the reliability suite (`pnpm test:reliability`): generated bad updates at
 * the webhook, and Telegram's faults (429 + retry_after, 5xx, hangs, lost answers) while the
 * outbox is delivered. Figures are recorded under the `bot` suite and printed with the api's in
 * one table (`test-results/reliability/table.md`). `RELIABILITY=1` lets these files run; the
 * default config does not include them.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', ['@payreq/testing/reliability-reporter', { suite: 'bot' }]],
    env: { TEST_DB: 'pglite', RELIABILITY: '1', RELIABILITY_SUITE: 'bot' },
  },
});
