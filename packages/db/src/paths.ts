import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The folder holding `prisma/`: `packages/db` when running from the sources, the bundle's own
 * folder once an app is built (its build copies `prisma/` beside the bundle, see `payreq-bundle`).
 */
export const packageDir = existsSync(path.join(here, 'prisma', 'schema.prisma'))
  ? here
  : path.resolve(here, '..');
/** The monorepo root: `packages/db/src` and an app's `dist/` are both three levels down. */
export const repoRoot = path.resolve(here, '..', '..', '..');
/** The Prisma schema the client is generated from. */
export const defaultSchemaPath = path.join(packageDir, 'prisma', 'schema.prisma');
/** The committed migration history. */
export const defaultMigrationsDir = path.join(packageDir, 'prisma', 'migrations');
/** Where the embedded PGlite keeps its files when neither DATABASE_URL nor PGLITE_DATA_DIR says otherwise. */
export const defaultPgliteDataDir = path.join(repoRoot, '.data', 'pglite');
