/**
 * The real Telegram bot (apps/bot `createBot`, telegraf) in its own process, between the
 * Telegram test server and the api. Started by lib/child.ts.
 *
 * Env: BENCH_TELEGRAM_API_ROOT, BENCH_API_URL (required); BENCH_BOT_MODE (`polling`, the
 * default, or `webhook` with BENCH_WEBHOOK_PORT, on which it listens for the test server's POSTs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createBot } from '../../apps/bot/src/bot.ts';
import { loadConfig } from '../../apps/bot/src/env.ts';
import { secrets } from '../lib/config.ts';
import { serve } from './ipc.ts';

const apiRoot = process.env.BENCH_TELEGRAM_API_ROOT;
const apiUrl = process.env.BENCH_API_URL;
if (!apiRoot || !apiUrl) throw new Error('BENCH_TELEGRAM_API_ROOT and BENCH_API_URL must be set');
const mode = process.env.BENCH_BOT_MODE === 'webhook' ? 'webhook' : 'polling';
const webhookPort = process.env.BENCH_WEBHOOK_PORT ?? '';
// A journal of its own for each run: nothing of an earlier run is replayed into this one.
const journalDir = mkdtempSync(join(tmpdir(), 'payreq-bench-bot-journal-'));

// The bot's production settings, except where it connects to (and silence: the api is silent too).
const app = createBot(
  loadConfig({
    TELEGRAM_BOT_TOKEN: secrets.botToken,
    TELEGRAM_API_ROOT: apiRoot,
    MINI_APP_SHORT_NAME: 'deal',
    WEBAPP_URL: 'https://miniapp.payreq.test/app',
    API_URL: apiUrl,
    BOT_SERVICE_TOKEN: secrets.botServiceToken,
    BOT_MODE: mode,
    LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '1000',
    JOURNAL_DIR: journalDir,
    ...(mode === 'webhook'
      ? {
          WEBHOOK_URL: `http://127.0.0.1:${webhookPort}`,
          WEBHOOK_SECRET: secrets.webhookSecret,
          HOST: '127.0.0.1',
          PORT: webhookPort,
        }
      : {}),
  }),
);
await app.start();

serve({
  port: app.webhookPort,
  async close() {
    await app.stop('bench end');
    rmSync(journalDir, { recursive: true, force: true });
  },
});
