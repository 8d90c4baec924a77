import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

import { setUpFrontEnd } from '@payreq/testing/builds';

export { chromiumPath } from '@payreq/testing/builds';
export const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appDir, 'dist');
/** The Mini App, served beside the portal: the test sees a chat file arrive in it. */
const webappDir = path.join(appDir, '../webapp');
export const webappDistDir = path.join(webappDir, 'dist');
const sharedUi = path.join(appDir, '../../packages/ui/src');

/** Builds the portal and the Mini App unless each `dist/` is newer than its sources. */
export default async function setup(): Promise<void> {
  await setUpFrontEnd(build, appDir, [sharedUi]);
  await setUpFrontEnd(build, webappDir, [path.join(webappDir, 'dev'), sharedUi]);
}
