import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readTestingEnv } from './env';

/** Where PostgreSQL's server binaries (`initdb`, `postgres`) are, or `undefined`. */
export function findPostgresBinDir(
  override = readTestingEnv().POSTGRES_BIN_DIR,
): string | undefined {
  const has = (dir: string) =>
    existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  if (override) {
    if (!has(override)) throw new Error(`No initdb/postgres in ${override}`);
    return override;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(root, v, 'bin');
      if (has(dir)) return dir;
    }
  }
  for (const dir of (readTestingEnv().PATH ?? '').split(path.delimiter)) {
    if (dir && has(dir)) return dir;
  }
  return undefined;
}

export interface TemporaryPostgres {
  /** Superuser URL of the `postgres` database: an admin URL for `createTestDb('postgres')`. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown) and deletes its files. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartTemporaryPostgresOptions {
  /** Folder with `initdb` and `postgres` (default: the newest `/usr/lib/postgresql/<v>/bin`, then PATH). */
  binDir?: string;
  /** Milliseconds to wait for the server to accept connections (default 30 000). */
  startTimeoutMs?: number;
}

/**
 * Starts a throwaway PostgreSQL cluster on a free 127.0.0.1 port in a temp folder (trust auth,
 * fsync off: for tests only). As root, `initdb` and `postgres` refuse to run, so they run as the
 * `postgres` user (the folder is chowned to it). The server is also killed if this process exits
 * without calling `stop()`.
 */
export async function startTemporaryPostgres(
  options: StartTemporaryPostgresOptions = {},
): Promise<TemporaryPostgres> {
  const binDir = findPostgresBinDir(options.binDir);
  if (!binDir) {
    throw new Error(
      'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH): apt-get install postgresql',
    );
  }
  const identity = runAs();
  const root = mkdtempSync(path.join(os.tmpdir(), 'payreq-pg-'));
  const dataDir = path.join(root, 'data');
  if (identity) chownSync(root, identity.uid, identity.gid);

  let child: ChildProcess | undefined;
  let stopped = false;
  const killOnExit = () => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  const cleanup = () => {
    process.removeListener('exit', killOnExit);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    execFileSync(
      path.join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { stdio: 'pipe', cwd: root, ...identity },
    );
    const port = await freePort();
    const log: string[] = [];
    child = spawn(
      path.join(binDir, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        root,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=32MB',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, ...identity },
    );
    process.on('exit', killOnExit);
    const exited = new Promise<never>((_, reject) => {
      child?.once('exit', (code, signal) =>
        reject(
          new Error(
            `postgres exited during startup (code ${code}, signal ${signal}):\n${log.join('').slice(-2000)}`,
          ),
        ),
      );
    });
    exited.catch(() => undefined);
    child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));

    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    await Promise.race([waitForConnection(url, options.startTimeoutMs ?? 30_000), exited]);
    const server = child;
    server.stdout?.removeAllListeners('data').resume();
    server.stderr?.removeAllListeners('data').resume();

    return {
      url,
      port,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (server.exitCode === null && server.signalCode === null) {
          const gone = new Promise<void>((resolve) => server.once('exit', () => resolve()));
          server.kill('SIGINT'); // fast shutdown
          const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
          await gone;
          clearTimeout(timer);
        }
        cleanup();
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    cleanup();
    if (error instanceof Error && 'stderr' in error && error.stderr) {
      error.message += `\n${String(error.stderr)}`;
    }
    throw error;
  }
}

/** As root, the `postgres` user's uid/gid (PostgreSQL refuses to run as root); otherwise nothing. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'Running as root, and there is no "postgres" user to run PostgreSQL as (initdb/postgres refuse root)',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForConnection(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms`, {
          cause: error,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
