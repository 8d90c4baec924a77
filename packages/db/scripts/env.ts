import { z } from 'zod';

import { optionalSetting as optional } from '../src/env';

/** Environment of the package's CLI scripts (migrate, seed), validated in one place. */
const schema = z.object({
  /** Unset → embedded file-backed PGlite; `memory://` → in-memory PGlite; `postgresql://…` → PostgreSQL. */
  DATABASE_URL: optional,
  /** Data folder of the embedded PGlite (default `<repo>/.data/pglite`). */
  PGLITE_DATA_DIR: optional,
  /** Name of the master tenant (the bank). */
  SEED_MASTER_TENANT_NAME: optional.transform((v) => v ?? 'Банк'),
  /** Agents' whitelist: `Name:telegramId,Name2:telegramId2`. */
  SEED_AGENTS: optional,
  /** Print the schema engine's log lines. */
  SCHEMA_ENGINE_LOG: optional.transform((v) => v !== undefined && v !== '0' && v !== 'false'),
});

export type ScriptEnv = z.infer<typeof schema>;

export function readScriptEnv(): ScriptEnv {
  return schema.parse(process.env);
}
