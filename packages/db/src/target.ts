import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PoolConfig } from 'pg';
import { readDbEnv } from './env';
import { defaultPgliteDataDir } from './paths';
import { openMemoryPglite, PGLITE_CONF } from './pglite-cache';

/** In-memory PGlite: `DATABASE_URL=memory://`. */
export const MEMORY_URL = 'memory://';

/**
 * Which database to talk to.
 * - `pglite` with a `dataDir`: embedded PGlite, file-backed, or in memory when `dataDir` is `memory://`;
 * - `pglite` with a `client`: an already open PGlite (the caller keeps ownership and closes it);
 * - `postgres`: a real PostgreSQL server.
 */
export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite'; client: PGlite }
  | { kind: 'postgres'; url: string };

export interface ResolveTargetOptions {
  /** `postgresql://…`, `postgres://…`, `memory://`, or unset for the file-backed embedded PGlite. */
  url?: string;
  /** Data folder of the embedded PGlite when `url` is unset. */
  pgliteDataDir?: string;
}

/**
 * Picks the database the way every entry point does (client, migrations, seed):
 * no URL → file-backed PGlite at `pgliteDataDir` / `PGLITE_DATA_DIR` / `<repo>/.data/pglite`;
 * `memory://` → in-memory PGlite; `postgresql://` → PostgreSQL.
 *
 * Options win over the environment: `url` defaults to `DATABASE_URL`, except that an explicit
 * `pgliteDataDir` (without `url`) selects the embedded PGlite whatever `DATABASE_URL` says.
 */
export function resolveDatabaseTarget(options: ResolveTargetOptions = {}): DatabaseTarget {
  const env = readDbEnv();
  const url = options.url ?? (options.pgliteDataDir ? undefined : env.DATABASE_URL);
  if (!url) {
    const dataDir = path.resolve(
      options.pgliteDataDir ?? env.PGLITE_DATA_DIR ?? defaultPgliteDataDir,
    );
    return { kind: 'pglite', dataDir };
  }
  if (url.startsWith('memory://')) return { kind: 'pglite', dataDir: MEMORY_URL };
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) {
    const problem = credentialsProblem(url);
    if (problem) throw new Error(`DATABASE_URL "${redactUrl(url)}": ${problem}`);
    return { kind: 'postgres', url };
  }
  throw new Error(
    `Unsupported database URL "${redactUrl(url)}": use postgresql://…, memory://, or leave it unset for the embedded PGlite`,
  );
}

/**
 * The URL without its user and password, for messages and logs: everything between `//` and the
 * last `@`, so a password with an unencoded `@` or `/` in it is hidden whole too.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('//');
  const at = url.lastIndexOf('@');
  if (start < 0 || at < start) return url;
  const credentials = url.slice(start + 2, at);
  const user = credentials.split(':')[0] ?? '';
  // Only a plain user name survives; anything that may hold a password is masked.
  const shown = credentials.includes(':') || /[/?#@]/.test(user) ? `${safeUser(user)}:***` : user;
  return `${url.slice(0, start + 2)}${shown}@${url.slice(at + 1)}`;
}

const safeUser = (user: string) => (/^[\w.-]*$/.test(user) ? user : '***');

/**
 * Why a PostgreSQL URL's user or password would be read wrongly: an unencoded `@`, `/`, `?` or
 * `#` ends them early (the rest is taken for the host), and a `%` must start an escape.
 */
function credentialsProblem(url: string): string | null {
  const rest = url.slice(url.indexOf('//') + 2);
  const at = rest.lastIndexOf('@');
  if (at < 0) return null;
  const credentials = rest.slice(0, at);
  if (/[@/?#]/.test(credentials) || /%(?![0-9a-fA-F]{2})/.test(credentials))
    return 'the user name or password holds a character a URL must percent-encode (@ as %40, / as %2F, ? as %3F, # as %23, % as %25); or use a password of letters and digits (openssl rand -hex 32)';
  return null;
}

/**
 * Discrete `pg` pool fields from a PostgreSQL URL. `@prisma/adapter-pg` must get these rather than a
 * `connectionString` (a connection string overrides the `database` it sets for other databases).
 */
export function pgConfigFromUrl(url: string): PoolConfig {
  const u = new URL(url);
  const params = u.searchParams;
  const config: PoolConfig = {
    host: params.get('host') ?? (decodeURIComponent(u.hostname) || 'localhost'),
    port: Number(params.get('port') ?? (u.port || 5432)),
    user: decodeURIComponent(u.username) || params.get('user') || undefined,
    password: u.password ? decodeURIComponent(u.password) : (params.get('password') ?? undefined),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  const sslmode = params.get('sslmode');
  if (sslmode && sslmode !== 'disable' && sslmode !== 'allow' && sslmode !== 'prefer') {
    config.ssl =
      sslmode === 'verify-full' || sslmode === 'verify-ca' ? true : { rejectUnauthorized: false };
  }
  const schema = params.get('schema');
  if (schema && schema !== 'public') {
    throw new Error('Only the "public" schema is supported (the ?schema= parameter was given)');
  }
  const max = params.get('connection_limit');
  if (max) config.max = Number(max);
  return config;
}

/** The same URL pointing at another database of the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

const openDataDirs = new Set<string>();
const lockedBy = new WeakMap<PGlite, string>();

/**
 * Opens PGlite. For a file-backed data folder it takes a lock (in this process and, through a
 * `<dataDir>.lock` file holding the pid, across processes) because two instances on one folder corrupt it.
 * Close it with {@link closePglite}.
 */
export async function openPglite(
  dataDir: string,
  options?: { loadDataDir?: Blob },
): Promise<PGlite> {
  if (dataDir.startsWith('memory://')) return openMemoryPglite(options?.loadDataDir);
  const dir = path.resolve(dataDir);
  if (openDataDirs.has(dir)) {
    throw new Error(
      `PGlite data folder ${dir} is already open in this process: never open it twice`,
    );
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  acquireLock(dir);
  openDataDirs.add(dir);
  try {
    const client = await PGlite.create({
      dataDir: dir,
      postgresqlconf: PGLITE_CONF,
      loadDataDir: options?.loadDataDir,
    });
    lockedBy.set(client, dir);
    return client;
  } catch (error) {
    openDataDirs.delete(dir);
    releaseLock(dir);
    throw error;
  }
}

/** Closes a PGlite opened with {@link openPglite} and releases its data-folder lock. */
export async function closePglite(client: PGlite): Promise<void> {
  try {
    if (!client.closed) await client.close();
  } finally {
    const dir = lockedBy.get(client);
    if (dir !== undefined) {
      lockedBy.delete(client);
      openDataDirs.delete(dir);
      releaseLock(dir);
    }
  }
}

function lockPath(dir: string): string {
  return `${dir}.lock`;
}

function acquireLock(dir: string): void {
  const file = lockPath(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `PGlite data folder ${dir} is in use by process ${pid} (${file}): PGlite allows one process per folder`,
          { cause: error },
        );
      }
      rmSync(file, { force: true }); // stale lock left by a crashed process
    }
  }
  throw new Error(`Could not lock the PGlite data folder ${dir}`);
}

function releaseLock(dir: string): void {
  rmSync(lockPath(dir), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
