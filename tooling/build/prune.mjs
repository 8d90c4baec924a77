#!/usr/bin/env node
/**
 * `payreq-prune <dir>`: after `pnpm deploy --prod <dir>`, removes from `<dir>/node_modules/.pnpm`
 * every package the app cannot reach at run time. pnpm also installs the peers of production
 * dependencies, and @prisma/client names the Prisma CLI (with its studio, React and a dozen
 * more) and TypeScript as peers: about 150 MB the bundle never loads. Reachable: the app's
 * dependencies and, from each package, its dependencies, optional dependencies and peers,
 * except the build-time peers below.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';

const buildTimePeers = new Set(['prisma', 'typescript']);
const dir = path.resolve(process.argv[2] ?? '.');
const store = path.join(dir, 'node_modules', '.pnpm');
if (!existsSync(store)) {
  console.error(`payreq-prune: no ${store} (run pnpm deploy first)`);
  process.exit(2);
}

/** `.pnpm/<key>` of a package directory reached through node_modules symlinks. */
const keyOf = (packageDir) => path.relative(store, realpathSync(packageDir)).split(path.sep)[0];
const manifest = (packageDir) =>
  JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
const names = (m, peers) => [
  ...Object.keys(m.dependencies ?? {}),
  ...Object.keys(m.optionalDependencies ?? {}),
  ...(peers
    ? Object.keys(m.peerDependencies ?? {}).filter(
        (name) => !buildTimePeers.has(name) && !name.startsWith('@types/'),
      )
    : []),
];

const reachable = new Set();
const queue = [];
const visit = (from, name) => {
  const link = path.join(from, 'node_modules', name);
  if (!existsSync(link)) return; // an optional dependency or peer that is not installed
  const real = realpathSync(link);
  const key = keyOf(link);
  if (key.startsWith('..')) return; // not in the store (a workspace link)
  if (reachable.has(real)) return;
  reachable.add(real);
  queue.push({ real, key });
};
for (const name of names(manifest(dir), false)) visit(dir, name);
while (queue.length > 0) {
  const { real, key } = queue.pop();
  const m = manifest(real);
  // A package's own dependencies are its siblings in `.pnpm/<key>/node_modules`.
  const siblings = path.join(store, key);
  for (const name of names(m, true)) visit(siblings, name);
}

const keep = new Set([...reachable].map((real) => path.relative(store, real).split(path.sep)[0]));
let removed = 0;
for (const entry of readdirSync(store)) {
  if (entry === 'node_modules' || entry === 'lock.yaml' || keep.has(entry)) continue;
  rmSync(path.join(store, entry), { recursive: true, force: true });
  removed += 1;
}
// pnpm's hidden hoisting folder (`.pnpm/node_modules`, for packages that import what they do
// not declare): its links to what is gone are dropped, the others kept.
const hoisted = path.join(store, 'node_modules');
const dropDangling = (folder) => {
  for (const entry of existsSync(folder) ? readdirSync(folder) : []) {
    const link = path.join(folder, entry);
    if (entry.startsWith('@') && !lstatSync(link).isSymbolicLink()) dropDangling(link);
    else if (!existsSync(link)) rmSync(link, { force: true });
  }
};
dropDangling(hoisted);
console.log(`payreq-prune: kept ${keep.size} packages, removed ${removed}`);
