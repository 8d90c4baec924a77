import { existsSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { buildIsStale } from '../src/demo/webapp';
import { repoRoot } from '../src/env';

/**
 * `npm start` rebuilds the Mini App when it is older than what it is built from: its own
 * sources, and the shared packages it imports (a change to the words in @payreq/i18n must
 * reach the page too). Mtimes are moved and put back; a stand-in build made here is removed.
 */
describe('which built pages are stale', () => {
  const built = path.join(repoRoot, 'apps/webapp/dist/index.html');
  const sharedSource = path.join(repoRoot, 'packages/i18n/src/labels.ts');
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const undo of restore.splice(0).reverse()) undo();
  });

  function moveMtime(file: string, at: Date) {
    const before = statSync(file);
    utimesSync(file, at, at);
    restore.push(() => utimesSync(file, before.atime, before.mtime));
  }

  it('sees a change in a shared package the page imports', () => {
    if (!existsSync(built)) {
      mkdirSync(path.dirname(built), { recursive: true });
      writeFileSync(built, '<!doctype html>');
      restore.push(() => rmSync(built));
    }
    const now = Date.now();
    moveMtime(built, new Date(now + 3600_000));
    expect(buildIsStale('webapp')).toBe(false);
    moveMtime(sharedSource, new Date(now + 7200_000));
    expect(buildIsStale('webapp')).toBe(true);
  });
});
