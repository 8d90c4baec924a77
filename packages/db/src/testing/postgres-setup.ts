import { readTestingEnv, setTestPostgresUrl } from './env';
import { findPostgresBinDir, startTemporaryPostgres } from './postgres-server';

export const POSTGRES_NOT_FOUND = 'PostgreSQL not found: skipping the PostgreSQL run';

/**
 * What the globalSetup does, for setups that want to compose it:
 * - `TEST_POSTGRES_URL` already set → use that server, start nothing;
 * - else, PostgreSQL binaries found → start a throwaway cluster and set `TEST_POSTGRES_URL` for the
 *   test workers (they inherit the environment);
 * - else → on CI (`CI` set) throw; locally print {@link POSTGRES_NOT_FOUND} and leave it unset, so
 *   `isPostgresAvailable()` is false and PostgreSQL tests skip.
 * Returns the teardown (stops the server it started).
 */
export async function setupPostgresForTests(): Promise<() => Promise<void>> {
  const env = readTestingEnv();
  if (env.TEST_POSTGRES_URL) return async () => undefined;
  if (!findPostgresBinDir()) {
    if (env.CI) {
      throw new Error(
        'PostgreSQL not found (no initdb/postgres in /usr/lib/postgresql/*/bin, POSTGRES_BIN_DIR or PATH) and CI is set: ' +
          'install PostgreSQL (apt-get install postgresql) or set TEST_POSTGRES_URL',
      );
    }
    console.log(POSTGRES_NOT_FOUND);
    return async () => undefined;
  }
  const server = await startTemporaryPostgres();
  setTestPostgresUrl(server.url);
  return async () => {
    setTestPostgresUrl(undefined);
    await server.stop();
  };
}
