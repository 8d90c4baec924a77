/** Debian's Chromium, which every browser test drives (`CHROMIUM_PATH` to point elsewhere). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A phone as Telegram opens the Mini App on it, as Playwright's browser context options: 360 px
 * wide at 2×, touch, Russian, Moscow time. Spread it and change what a test needs.
 */
export const phoneContextOptions = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'ru-RU',
  timezoneId: 'Europe/Moscow',
};
