import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The stack's settings. With none of them set, everything runs locally: the Telegram test
 * server instead of Telegram, the 1C emulator instead of 1C, PGlite instead of PostgreSQL.
 * Set the real ones and the same command runs against them.
 */
export const StackEnv = z.object({
  API_PORT: z.coerce.number().int().default(3000),
  /** api instances on API_PORT, API_PORT+1, … (more than one needs DATABASE_URL=postgresql://…). */
  API_INSTANCES: z.coerce.number().int().min(1).max(8).default(1),
  TELEGRAM_TEST_SERVER_PORT: z.coerce.number().int().default(8081),
  ONEC_EMULATOR_PORT: z.coerce.number().int().default(4020),
  /** The bot's ops listener (/healthz, /metrics; the bot alone reads OPS_PORT). */
  BOT_OPS_PORT: z.coerce.number().int().default(3100),
  /** A real bot: with TELEGRAM_API_ROOT unset, the bot talks to api.telegram.org. */
  TELEGRAM_BOT_TOKEN: z.string().optional(),
  TELEGRAM_API_ROOT: z.string().optional(),
  /** A real 1C HTTP service (ONEC_USERNAME / ONEC_PASSWORD pass through to the api). */
  ONEC_BASE_URL: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  /** Public https URL of the Mini App (a real bot needs one); locally the api serves it over http. */
  WEBAPP_URL: z.string().optional(),
  /** `npm start`'s data: PGlite, files, the stand-ins' state, logs (each may be set on its own). */
  STACK_DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  STACK_LOG_DIR: z.string().optional(),
  /** The demo's browser: Debian's Chromium (never a downloaded one). */
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Admin URL of a PostgreSQL server for the demo's `--postgres` runs (CI sets it). */
  TEST_POSTGRES_URL: z.string().optional(),
});
export type StackEnv = z.infer<typeof StackEnv>;

export const loadEnv = () => {
  const env = StackEnv.parse(process.env);
  return { ...env, STACK_LOG_DIR: env.STACK_LOG_DIR ?? path.join(env.STACK_DATA_DIR, 'logs') };
};

/** Everything else in the environment goes to the children unchanged (DATABASE_URL, ONEC_*, ...). */
export const inheritedEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );

/** Sets a variable for this process and its children (the database helpers read it). */
export function exportEnv(name: string, value: string): void {
  process.env[name] = value;
}
