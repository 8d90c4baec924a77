import themes from './themes.json' with { type: 'json' };

/**
 * Telegram's theme parameters (what a client passes to a Mini App as `tgWebAppThemeParams` and
 * in `theme_changed`): Telegram Desktop's default light theme and its night theme. They are data
 * in themes.json so that code which cannot load TypeScript reads them too: the web stand-in's
 * browser code, and the Mini App's development launch in its Vite config
 * (`@payreq/telegram-testkit/themes.json`).
 */
export const DEFAULT_THEME_PARAMS: Record<string, string> = themes.light;

export const DARK_THEME_PARAMS: Record<string, string> = themes.dark;
