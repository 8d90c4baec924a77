import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `packages/db` (this package's root). */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** The monorepo root. */
export const repoRoot = path.resolve(packageDir, '..', '..');
/** The Prisma schema the client is generated from. */
export const defaultSchemaPath = path.join(packageDir, 'prisma', 'schema.prisma');
/** The committed migration history. */
export const defaultMigrationsDir = path.join(packageDir, 'prisma', 'migrations');
/** Where the embedded PGlite keeps its files when neither DATABASE_URL nor PGLITE_DATA_DIR says otherwise. */
export const defaultPgliteDataDir = path.join(repoRoot, '.data', 'pglite');
