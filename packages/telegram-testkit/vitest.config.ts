import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The web stand-in's browser test needs its build (made when missing or stale).
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
  },
});
