import { z } from 'zod';

import { optionalSetting as optional } from '../env';

const schema = z.object({
  /** Admin URL of a PostgreSQL server for `createTestDb('postgres')`; set by the globalSetup when it starts one. */
  TEST_POSTGRES_URL: optional,
  /** Folder with PostgreSQL's `initdb` and `postgres` (default: /usr/lib/postgresql/<newest>/bin, then PATH). */
  POSTGRES_BIN_DIR: optional,
  /** Set on CI: a missing PostgreSQL fails the run instead of skipping. */
  CI: optional.transform((v) => v !== undefined && v !== 'false' && v !== '0'),
  PATH: optional,
});

export type TestingEnv = z.infer<typeof schema>;

export function readTestingEnv(): TestingEnv {
  return schema.parse(process.env);
}

/** Hands the PostgreSQL admin URL to the test workers (they inherit the environment). */
export function setTestPostgresUrl(url: string | undefined): void {
  if (url === undefined) delete process.env.TEST_POSTGRES_URL;
  else process.env.TEST_POSTGRES_URL = url;
}
