import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(target: string): number {
  if (!statSync(target).isDirectory()) return statSync(target).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true }))
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  return newest;
}

/** Builds the web stand-in unless dist/web is newer than its sources (turbo usually built it). */
export default async function setup(): Promise<void> {
  const index = path.join(packageDir, 'dist/web/index.html');
  const sources = Math.max(
    newestMtime(path.join(packageDir, 'web')),
    statSync(path.join(packageDir, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // The production build, as `vite build` makes it (vitest runs with NODE_ENV=test).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: path.join(packageDir, 'web'),
      configFile: path.join(packageDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
