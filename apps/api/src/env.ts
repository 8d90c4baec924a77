import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** Every setting of the api, validated once at start. Other files never read process.env. */
export const ApiEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: embedded PGlite in PGLITE_DATA_DIR. `postgresql://...`: a real server. */
  DATABASE_URL: z.string().optional(),
  PGLITE_DATA_DIR: z.string().default(path.join(repoRoot, '.data/pglite')),
  /** Signs platform session tokens (development identity and the platform UI). */
  PLATFORM_TOKEN_SECRET: z.string().min(16).default('development-only-platform-token-secret'),
  SEED_MASTER_TENANT_NAME: z.string().default('Банк'),
  /** The agents' whitelist: `Name:telegramId,Name:telegramId`. */
  SEED_AGENTS: z.string().default(''),
  /** Run the scheduled jobs (deadline expiry) in this process. */
  JOBS_ENABLED: booleanFlag.default(true),
  JOBS_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
});
export type ApiEnv = z.infer<typeof ApiEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = ApiEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid api configuration:\n${lines.join('\n')}`);
  }
  if (
    parsed.data.NODE_ENV === 'production' &&
    parsed.data.PLATFORM_TOKEN_SECRET.startsWith('development-only')
  ) {
    throw new Error(
      'Invalid api configuration:\n  PLATFORM_TOKEN_SECRET: set a real secret in production',
    );
  }
  return parsed.data;
}
