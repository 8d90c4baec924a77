import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { isBuiltAfter, newestMtime } from '@payreq/testing/builds';

import { inheritedEnv, repoRoot } from '../env';

/**
 * The pages the stack serves from a `vite build`: the Mini App (apps/webapp) and the portal
 * (apps/portal), served by the api, and the Telegram web stand-in (the test kit's web/, served
 * by the Telegram test server).
 * `npm start` and turbo build them; the demo and the browser tests build one that is missing
 * or older than its sources.
 */
const pages = {
  webapp: {
    dir: path.join(repoRoot, 'apps/webapp'),
    index: 'dist/index.html',
    sources: ['src', 'index.html', 'vite.config.ts', '../../packages/ui/src'],
  },
  portal: {
    dir: path.join(repoRoot, 'apps/portal'),
    index: 'dist/index.html',
    sources: ['src', 'index.html', 'vite.config.ts', '../../packages/ui/src'],
  },
  standin: {
    dir: path.join(repoRoot, 'packages/telegram-testkit'),
    index: 'dist/web/index.html',
    sources: ['web', 'vite.config.ts'],
  },
} as const;

export type BuiltPage = keyof typeof pages;

export { newestMtime };

/** The workspace packages' folders, by package name (`@payreq/i18n` → packages/i18n). */
function workspacePackages(): Map<string, string> {
  const found = new Map<string, string>();
  const root = path.join(repoRoot, 'packages');
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const manifest = path.join(root, entry.name, 'package.json');
    if (entry.isDirectory() && existsSync(manifest))
      found.set(
        (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name,
        path.dirname(manifest),
      );
  }
  return found;
}

/**
 * The `src` folders of the workspace packages a page is built from, its dependencies'
 * dependencies included: a change to the shared words or contracts makes the page stale too.
 */
function workspaceSourcesOf(
  dir: string,
  known = workspacePackages(),
  seen = new Set<string>(),
): string[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const sources: string[] = [];
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    const packageDir = known.get(name);
    if (!packageDir || seen.has(name)) continue;
    seen.add(name);
    const src = path.join(packageDir, 'src');
    if (existsSync(src)) sources.push(src);
    sources.push(...workspaceSourcesOf(packageDir, known, seen));
  }
  return sources;
}

/** Whether the page's build is missing or older than its sources or the packages it uses. */
export function buildIsStale(page: BuiltPage): boolean {
  const { dir, index, sources } = pages[page];
  const built = path.join(dir, index);
  if (!existsSync(built)) return true;
  const inputs = [...sources.map((source) => path.join(dir, source)), ...workspaceSourcesOf(dir)];
  return !isBuiltAfter(built, inputs);
}

/** `vite build` of the page; its output is shown only when it fails. */
export function build(page: BuiltPage): Promise<void> {
  const { dir } = pages[page];
  const vite = path.join(dir, 'node_modules/.bin/vite');
  return new Promise((resolve, reject) => {
    const child = spawn(vite, ['build', '--logLevel', 'warn'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A production build whatever runs the demo: under vitest NODE_ENV is `test`, which makes
      // vite bundle React's development build (the Mini App's tests refuse it).
      env: { ...inheritedEnv(), NODE_ENV: 'production', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`vite build of ${page} failed (${code}):\n${output.slice(-2000)}`)),
    );
  });
}

/** Builds whichever of the pages is stale. */
export async function buildStalePages(): Promise<BuiltPage[]> {
  const stale = (Object.keys(pages) as BuiltPage[]).filter(buildIsStale);
  for (const page of stale) await build(page);
  return stale;
}
