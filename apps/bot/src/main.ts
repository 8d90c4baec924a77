import { startTracing } from '@payreq/telemetry';

import { createBot } from './bot';
import { loadConfig } from './env';
import { createLogger } from './logger';

/** The bot process: `pnpm --filter @payreq/bot start` (configuration from the environment). */
async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = config.telemetry
    ? startTracing('payreq-bot', config.telemetry)
    : { shutdown: async () => undefined };
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.token, config.serviceToken, config.webhook?.secret ?? ''],
  });
  const app = createBot(config, {
    logger,
    onFatal: () => {
      process.exitCode = 1;
      void shutdown('fatal');
    },
  });

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    // A hard limit, in case something hangs beyond the grace period: updates not confirmed
    // by then come again on the next start.
    const hard = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 30_000);
    hard.unref();
    try {
      await app.stop(signal);
    } catch (error) {
      logger.error({ err: error }, 'stopping failed');
      process.exitCode = 1;
    }
    clearTimeout(hard);
    await tracing.shutdown().catch(() => undefined);
    logger.flush();
  }
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await app.start();
  } catch (error) {
    if (stopping) return;
    logger.fatal(
      { err: error },
      `the bot could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
    await app.stop('start failed').catch(() => undefined);
  }
}

void main().catch((error: unknown) => {
  // Configuration errors: no logger yet; the message names the variable, never its value.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
