import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

import { setUpFrontEnd } from '@payreq/testing/builds';

export { chromiumPath } from '@payreq/testing/builds';
export const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appDir, 'dist');

/** Builds the portal unless `dist/` is newer than its sources and the shared UI package's. */
export default (): Promise<void> =>
  setUpFrontEnd(build, appDir, [path.join(appDir, '../../packages/ui/src')]);
