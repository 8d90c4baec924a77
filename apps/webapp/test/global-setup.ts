import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

import { setUpFrontEnd } from '@payreq/testing/builds';

export { chromiumPath } from '@payreq/testing/builds';
export const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appDir, 'dist');

/** Builds the Mini App unless `dist/` is newer than every source (turbo usually built it just before). */
export default (): Promise<void> =>
  setUpFrontEnd(build, appDir, [
    path.join(appDir, 'dev'),
    // The shared components and words the Mini App imports.
    path.join(appDir, '../../packages/ui/src'),
  ]);
