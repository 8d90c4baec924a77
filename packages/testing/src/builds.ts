import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { chromiumPath } from './browser';

export { chromiumPath };

/** The newest modification time of a file, or of any file below a folder. */
export function newestMtime(target: string): number {
  if (!statSync(target).isDirectory()) return statSync(target).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true }))
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  return newest;
}

/** Whether `built` exists and is newer than every one of `sources` (files or folders). */
export function isBuiltAfter(built: string, sources: string[]): boolean {
  return existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/** Vite's `build`, handed in so that each app builds with the Vite it declares. */
export type ViteBuild = (config: {
  root: string;
  configFile: string;
  mode: 'production';
  logLevel: 'warn';
}) => Promise<unknown>;

/**
 * A front end's production build, as `vite build` makes it, unless `index` is newer than every
 * one of `sources` (turbo usually built it just before). vitest runs with NODE_ENV=test, which
 * would otherwise give React's development build (and the development launch mock).
 */
export async function buildUnlessFresh(
  build: ViteBuild,
  app: { root: string; configFile: string; index: string; sources: string[] },
): Promise<void> {
  if (isBuiltAfter(app.index, app.sources)) return;
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: app.root,
      configFile: app.configFile,
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * The global setup of a front end's browser suite: Debian's Chromium must be there (the tests
 * never download a browser), and the app's production build in `<appDir>/dist` is made unless
 * it is newer than its sources (`src`, `index.html`, `vite.config.ts` and `moreSources`).
 */
export async function setUpFrontEnd(
  build: ViteBuild,
  appDir: string,
  moreSources: string[] = [],
): Promise<void> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install Debian's package (apt-get install chromium). ` +
        'The tests never download a browser.',
    );
  }
  const configFile = path.join(appDir, 'vite.config.ts');
  await buildUnlessFresh(build, {
    root: appDir,
    configFile,
    index: path.join(appDir, 'dist', 'index.html'),
    sources: [
      path.join(appDir, 'src'),
      path.join(appDir, 'index.html'),
      configFile,
      ...moreSources,
    ],
  });
}

/**
 * The JS files a first load fetches: the entry script of index.html and, through it, every
 * chunk imported statically (`import … from "./x.js"`, `import "./x.js"`); a dynamic
 * `import("./x.js")` is loaded later, when its screen is shown or the app asks for it.
 */
export function firstScreenFiles(dir: string): Set<string> {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const pending = [...html.matchAll(/<script[^>]+src="\/?assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(path.join(dir, 'assets', file), 'utf8');
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g))
      pending.push(match[1]!);
  }
  return seen;
}
