import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { inheritedEnv, repoRoot } from '../env';

const appDir = path.join(repoRoot, 'apps/webapp');
export const webappDist = path.join(appDir, 'dist');

export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether `apps/webapp/dist` is missing or older than the Mini App's sources. */
export function webappBuildIsStale(): boolean {
  const index = path.join(webappDist, 'index.html');
  if (!existsSync(index)) return true;
  const sources = Math.max(
    newestMtime(path.join(appDir, 'src')),
    ...['index.html', 'vite.config.ts'].map((file) => statSync(path.join(appDir, file)).mtimeMs),
  );
  return statSync(index).mtimeMs < sources;
}

/** `vite build` of the Mini App (the api serves `dist/`); its output is shown only when it fails. */
export function buildWebapp(): Promise<void> {
  const vite = path.join(appDir, 'node_modules/.bin/vite');
  return new Promise((resolve, reject) => {
    const child = spawn(vite, ['build', '--logLevel', 'warn'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inheritedEnv(), FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`vite build of the Mini App failed (${code}):\n${output.slice(-2000)}`)),
    );
  });
}
