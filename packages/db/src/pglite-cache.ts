import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { packageDir } from './paths';

/**
 * A new in-memory PGlite runs initdb (2–3 s). Loading a dump of a data folder takes ~0.4 s, so the
 * dumps are kept: in this process, and as uncompressed tarballs in `packages/db/.cache` (gitignored)
 * for the next processes. Names carry the PGlite version; contents are never trusted across versions.
 */

export const PGLITE_CONF = ['log_startup_progress_interval = 0'];

const dumps = new Map<string, Promise<Blob>>();

export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@electric-sql/pglite'));
  return (require(path.join(dist, '..', 'package.json')) as { version: string }).version;
}

/** `build` once per `name` (per process, and per machine through the disk cache). */
export function cachedDump(name: string, build: () => Promise<Blob>): Promise<Blob> {
  const cached = dumps.get(name);
  if (cached) return cached;
  const promise = (async () => {
    const file = path.join(packageDir, '.cache', `${name}.tar`);
    if (existsSync(file)) {
      try {
        return new Blob([await readFile(file)]);
      } catch {
        // unreadable: rebuild below
      }
    }
    const dump = await build();
    // Write-then-rename: parallel test workers may build the same dump at once. A read-only
    // package folder (a container image) just means no disk cache.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
      await rename(tmp, file);
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
    return dump;
  })();
  dumps.set(name, promise);
  promise.catch(() => dumps.delete(name));
  return promise;
}

/** Dumps a PGlite's data folder (uncompressed: loading a gzipped one is three times slower). */
export async function dumpPglite(client: PGlite): Promise<Blob> {
  return client.dumpDataDir('none');
}

/** A fresh, empty in-memory PGlite, loaded from the cached dump of a just-initialised cluster. */
export async function openMemoryPglite(from?: Blob): Promise<PGlite> {
  const loadDataDir =
    from ??
    (await cachedDump(`pglite-empty-${pgliteVersion()}`, async () => {
      const client = await PGlite.create({ postgresqlconf: PGLITE_CONF });
      try {
        return await dumpPglite(client);
      } finally {
        await client.close();
      }
    }));
  return PGlite.create({ loadDataDir, postgresqlconf: PGLITE_CONF });
}
