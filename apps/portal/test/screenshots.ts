import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

import { appDir } from './global-setup';

/**
 * A page in the light and the dark theme, through the page's own switch (the choice is kept, so
 * it is switched back after). The README's pictures are refreshed on request
 * (UPDATE_SCREENSHOTS=1); a plain run writes them to test-results/ and leaves the README's be.
 */
export async function screenshot(
  page: Page,
  name: string,
  // A modal dialog's backdrop covers the window only: such a picture is of the window.
  options: { fullPage?: boolean } = {},
): Promise<void> {
  const dir = path.join(
    appDir,
    process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
  );
  mkdirSync(dir, { recursive: true });
  const toggle = page.getByTestId('theme');
  // A click dispatched on the switch itself: an open modal dialog keeps the page under it inert.
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await toggle.dispatchEvent('click');
    await page.evaluate(`document.activeElement && document.activeElement.blur()`);
    await page.screenshot({
      path: path.join(dir, `${name}-${theme}.png`),
      fullPage: options.fullPage ?? true,
      animations: 'disabled',
    });
  }
  await toggle.dispatchEvent('click');
}
