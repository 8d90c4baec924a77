import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

export const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appDir, 'dist');
/** The Mini App, served beside the portal: the test sees a chat file arrive in it. */
const webappDir = path.join(appDir, '../webapp');
export const webappDistDir = path.join(webappDir, 'dist');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds a front end unless its `dist/` is newer than its sources and the shared UI package's. */
async function buildIfStale(dir: string): Promise<void> {
  const index = path.join(dir, 'dist/index.html');
  const sources = Math.max(
    newestMtime(path.join(dir, 'src')),
    newestMtime(path.join(appDir, '../../packages/ui/src')),
    statSync(path.join(dir, 'index.html')).mtimeMs,
    statSync(path.join(dir, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // The production build, as `vite build` makes it (vitest runs with NODE_ENV=test).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: dir,
      configFile: path.join(dir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install Debian's package (apt-get install chromium). ` +
        'The tests never download a browser.',
    );
  }
  await buildIfStale(appDir);
  await buildIfStale(webappDir);
}
