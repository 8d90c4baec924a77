import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { track } from './cleanup.ts';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A server in its own Node process (so its memory and CPU are its own), driven over IPC. */
export interface ChildServer {
  name: string;
  pid: number;
  /** `http://127.0.0.1:<port>`; empty for a child that listens on nothing (the bot in polling mode). */
  url: string;
  /** Calls `listener` with each message the child sends on its own (not an answer to `ask`). */
  onMessage(listener: (message: Record<string, unknown>) => void): void;
  /** Sends a message and waits for the child's answer to it. */
  ask<T = unknown>(message: Record<string, unknown>): Promise<T>;
  /** Asks the child to close (server, database) and exit; killed if it does not within 15 s. */
  stop(): Promise<void>;
  /** Runs `work` with the child's CPU profiler on when `file` is given (BENCH_CPU_PROF=1). */
  profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T>;
}

/**
 * Starts `bench/servers/<script>` as `node --import tsx <script>` (not through the tsx CLI,
 * which would put a second process between us and the server whose memory we sample).
 */
export async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  options: {
    nodeArgs?: string[];
    /** The `bench/` folder of another checkout of the project, to run its server (api-compare). */
    fromBenchDir?: string;
  } = {},
): Promise<ChildServer> {
  const dir = options.fromBenchDir ?? benchDir;
  const loader = options.fromBenchDir
    ? pathToFileURL(createRequire(path.join(dir, 'package.json')).resolve('tsx')).href
    : tsxLoader;
  const args = [...(options.nodeArgs ?? []), '--import', loader, path.join(dir, 'servers', script)];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = track(`${name} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });

  let nextId = 1;
  const pending = new Map<number, (value: unknown) => void>();
  const listeners: ((message: Record<string, unknown>) => void)[] = [];
  child.on('message', (message: { type?: string; replyTo?: number; value?: unknown }) => {
    if (message.replyTo !== undefined) {
      pending.get(message.replyTo)?.(message.value);
      pending.delete(message.replyTo);
    } else if (message.type !== 'ready') {
      for (const listener of listeners) listener(message);
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s`)), 90_000);
    child.on('message', (message: { type?: string; port?: number | null }) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port ?? 0);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited while starting (code ${code}, signal ${signal})`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  const server: ChildServer = {
    name,
    pid: child.pid!,
    url: port ? `http://127.0.0.1:${port}` : '',
    onMessage(listener) {
      listeners.push(listener);
    },
    ask<T>(message: Record<string, unknown>): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${name} is gone`));
        pending.set(id, resolve as (value: unknown) => void);
        child.send({ ...message, id });
      });
    },
    stop,
    async profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
      if (!file) return work();
      await server.ask({ type: 'profile.start' });
      try {
        return await work();
      } finally {
        await server.ask({ type: 'profile.stop', file });
      }
    },
  };
  return server;
}
