// Vitest globalSetup: a PostgreSQL server for createTestDb('postgres') (see setupPostgresForTests).
// In another package's vitest.config.ts:
//   test: { globalSetup: ['@payreq/db/testing/global-setup-postgres'] }
import { setupPostgresForTests } from './postgres-setup';

export default async function setup(): Promise<() => Promise<void>> {
  return setupPostgresForTests();
}
