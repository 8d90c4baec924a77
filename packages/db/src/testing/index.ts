// @payreq/db/testing: fresh migrated databases for integration tests (this and other packages).
export { createTestDb, isPostgresAvailable } from './test-db';
export type { CreateTestDbOptions, TestDb, TestDbKind } from './test-db';
export { findPostgresBinDir, startTemporaryPostgres } from './postgres-server';
export type { StartTemporaryPostgresOptions, TemporaryPostgres } from './postgres-server';
export { POSTGRES_NOT_FOUND, setupPostgresForTests } from './postgres-setup';
