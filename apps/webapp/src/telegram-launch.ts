/**
 * What the Mini App reads of Telegram's launch (the address's `tgWebApp*` parameters) and of the
 * client it runs in: plain functions without the DOM, so that they are tested as they are.
 */

/** The launch parameters Telegram puts in the page's address (`#tgWebAppData=…`). */
export interface LaunchParams {
  initDataRaw: string;
  version: string;
  platform: string;
  themeParams: Record<string, string>;
  startParam: string | null;
  user: { id: number; languageCode: string | null } | null;
}

/**
 * The launch parameters of an address (its query string and hash), or null when it has no init
 * data. Direct links repeat some parameters in the query string: the hash's copy wins.
 */
export function launchQuery(search: string, hash: string): URLSearchParams | null {
  const merged = new URLSearchParams(search);
  for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ''))) merged.set(key, value);
  if (!merged.get('tgWebAppData')) return null;
  const launch = new URLSearchParams();
  for (const [key, value] of merged) if (key.startsWith('tgWebApp')) launch.set(key, value);
  return launch;
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The launch parameters in `query` (as `launchQuery` gives them), or null without init data. */
export function parseLaunchParams(query: URLSearchParams): LaunchParams | null {
  const initDataRaw = query.get('tgWebAppData');
  if (!initDataRaw) return null;
  const initData = new URLSearchParams(initDataRaw);
  const user = parseJson(initData.get('user')) as { id?: unknown; language_code?: unknown } | null;
  const theme = parseJson(query.get('tgWebAppThemeParams'));
  return {
    initDataRaw,
    version: query.get('tgWebAppVersion') ?? '6.0',
    platform: query.get('tgWebAppPlatform') ?? 'unknown',
    themeParams: theme && typeof theme === 'object' ? (theme as Record<string, string>) : {},
    startParam: initData.get('start_param') ?? query.get('tgWebAppStartParam'),
    user:
      user && typeof user.id === 'number'
        ? {
            id: user.id,
            languageCode: typeof user.language_code === 'string' ? user.language_code : null,
          }
        : null,
  };
}

/** Whether the client's version (`7.10`) is at least `minimum` (`6.2`). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let index = 0; index < Math.max(have.length, need.length); index += 1) {
    const difference = (have[index] ?? 0) - (need[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

/** A colour's darkness, as Telegram's own script judges it (perceived brightness under 120). */
export function isDarkColor(hex: string | undefined): boolean {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
  if (!match) return false;
  const [r, g, b] = match.slice(1).map((part) => parseInt(part, 16)) as [number, number, number];
  return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
}
