#!/usr/bin/env node
/**
 * `payreq-bundle`: builds one deployable of the monorepo into `dist/` as plain JavaScript that
 * `node dist/<name>.js` runs with no TypeScript loader.
 *
 *   payreq-bundle src/main.ts [../../packages/db/scripts/migrate.ts=migrate] [--copy from=to]
 *
 * - The workspace packages (`@payreq/*`, which export their TypeScript `src`) are inlined.
 * - Every npm package stays an import, resolved at run time from the app's own node_modules:
 *   some carry files they load beside their code (PGlite's and Prisma's WebAssembly, fonts),
 *   and Node resolving the real package is what the development run does too. So each one the
 *   bundle imports must be a production dependency of the app: the build fails naming any that
 *   is not, so that `pnpm install --prod` of the app (the container images) is always enough.
 * - `--copy` puts files the code reads beside the bundle (the Prisma schema and migrations).
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { build } from 'esbuild';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { copy: { type: 'string', multiple: true, default: [] } },
});
if (positionals.length === 0) {
  console.error('usage: payreq-bundle <entry.ts>[=<name>] ... [--copy <from>=<to>]');
  process.exit(2);
}

const appDir = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8'));
const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
const outdir = path.join(appDir, 'dist');

const entryPoints = positionals.map((spec) => {
  const [file, name] = spec.split('=');
  return { in: file, out: name ?? path.basename(file, path.extname(file)) };
});

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

const imported = new Set();
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@payreq/')) return undefined;
      imported.add(packageName(args.path));
      return { path: args.path, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  // Stack traces and log lines keep the real function and class names.
  keepNames: true,
  outExtension: { '.js': '.js' },
  logLevel: 'warning',
  plugins: [externalNpmPackages],
});

const builtins = new Set((await import('node:module')).builtinModules);
const missing = [...imported].filter((name) => !builtins.has(name) && !dependencies.has(name));
if (missing.length > 0) {
  console.error(
    `${manifest.name}: the bundle imports ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not among its dependencies.\n` +
      'Add them to "dependencies" in its package.json (a production install must bring them).',
  );
  process.exit(1);
}

for (const spec of values.copy) {
  const [from, to] = spec.split('=');
  cpSync(path.resolve(appDir, from), path.join(outdir, to ?? path.basename(from)), {
    recursive: true,
  });
}
console.log(
  `${manifest.name}: ${entryPoints.map((entry) => `dist/${entry.out}.js`).join(', ')} (imports ${[...imported].sort().join(', ') || 'nothing'})`,
);
