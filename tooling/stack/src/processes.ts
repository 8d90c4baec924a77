import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

/**
 * A part runs from its TypeScript source in its own `node`, with the stack's tsx as a loader
 * (`node --import tsx`), or from its build (`node dist/….js`, no loader: as production runs it).
 * Not through the `tsx` command: that is a parent process which SIGKILLs its child when the
 * child has not acknowledged a signal within ~60 ms (a busy or descheduled process on a loaded
 * machine), skipping the part's graceful shutdown.
 */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `node`'s arguments for an entry: built JavaScript as it is, TypeScript through tsx. */
export const nodeArgs = (entry: string, args: string[] = []) =>
  entry.endsWith('.js') ? [entry, ...args] : ['--import', tsxLoader, entry, ...args];

/** Starts one part of the product as its own process, its output going to a log file. */
export function startChild(
  name: string,
  entry: string,
  env: Record<string, string>,
  logDir: string,
  args: string[] = [],
): Child {
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, nodeArgs(entry, args), {
    cwd: path.dirname(path.dirname(entry)),
    env: { ...env, FORCE_COLOR: '0' },
    // Own process group: Ctrl-C reaches us, and we stop the children in order.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { name, process: child, logFile, exited };
}

/** Whether the child's process is still running. */
export const isRunning = (child: Child) =>
  child.process.exitCode === null && child.process.signalCode === null;

/** Waits until a URL answers 2xx, or fails with the child's log path when it exits first. */
export async function waitUntilUp(
  child: Child,
  url: string,
  timeoutMs = 120_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (exited) throw new Error(`${child.name} stopped while starting: see ${child.logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `${child.name} did not come up within ${timeoutMs / 1000} s: see ${child.logFile}`,
  );
}

/** Stops children in reverse order of start, each with SIGTERM, then SIGKILL after a grace period. */
export async function stopAll(children: Child[], graceMs = 10_000): Promise<void> {
  for (const child of [...children].reverse()) {
    if (!isRunning(child)) continue;
    try {
      process.kill(-child.process.pid!, 'SIGTERM');
    } catch {
      continue;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.process.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await child.exited;
    clearTimeout(timer);
  }
}

/**
 * Last resort when this process exits without stopping its children (an uncaught error, a
 * second Ctrl-C): kills their process groups at once, so nothing is left behind.
 */
export function killOnExit(children: Child[]): () => void {
  const kill = () => {
    for (const child of children) {
      if (!isRunning(child)) continue;
      try {
        process.kill(-child.process.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', kill);
  return () => process.removeListener('exit', kill);
}

/** `count` distinct TCP ports nobody listens on right now (the OS picks them). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              resolve(typeof address === 'object' && address ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}
