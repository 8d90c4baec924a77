import { describe, expect, it } from 'vitest';

import {
  isDarkColor,
  launchQuery,
  parseLaunchParams,
  versionAtLeast,
} from '../src/telegram-launch';

// The browser tests drive the bridge through a real Chromium; these pin what it reads.

describe('versionAtLeast', () => {
  it.each([
    ['7.10', '6.2', true],
    ['7.10', '7.2', true],
    ['7.2', '7.10', false],
    ['6.1', '6.1', true],
    ['6', '6.1', false],
    ['8.0', '8', true],
    ['6.0', '6.2', false],
  ])('%s ≥ %s is %s', (version, minimum, expected) => {
    expect(versionAtLeast(version, minimum)).toBe(expected);
  });
});

describe('isDarkColor', () => {
  it.each([
    ['#17212b', true],
    ['#ffffff', false],
    ['#000000', true],
    ['#8e8e93', false],
    ['not a colour', false],
    [undefined, false],
  ])('%s is dark: %s', (hex, expected) => {
    expect(isDarkColor(hex)).toBe(expected);
  });
});

describe('the launch parameters', () => {
  const initData = new URLSearchParams({
    user: JSON.stringify({ id: 5000000001, first_name: 'Анна', language_code: 'ru' }),
    start_param: 'launch-token-abcdefgh',
    auth_date: '1764700000',
    hash: 'ab'.repeat(32),
  }).toString();
  const launchHash = (extra: Record<string, string> = {}) =>
    `#${new URLSearchParams({
      tgWebAppData: initData,
      tgWebAppVersion: '8.0',
      tgWebAppPlatform: 'android',
      tgWebAppThemeParams: JSON.stringify({ bg_color: '#17212b' }),
      ...extra,
    }).toString()}`;
  const read = (search: string, hash: string) => {
    const query = launchQuery(search, hash);
    return query ? parseLaunchParams(query) : null;
  };

  it('reads the hash Telegram gives', () => {
    expect(read('', launchHash())).toEqual({
      initDataRaw: initData,
      version: '8.0',
      platform: 'android',
      themeParams: { bg_color: '#17212b' },
      startParam: 'launch-token-abcdefgh',
      user: { id: 5000000001, languageCode: 'ru' },
    });
  });

  it('keeps only Telegram’s parameters, and the hash’s copy of one a direct link repeats', () => {
    const query = launchQuery(
      '?tgWebAppStartParam=from-query&tgWebAppPlatform=ios&q=1',
      launchHash(),
    );
    expect(query?.get('tgWebAppPlatform')).toBe('android');
    expect(query?.has('q')).toBe(false);
    expect(query?.get('tgWebAppStartParam')).toBe('from-query');
    // The signed init data's start parameter is the one the app uses.
    expect(parseLaunchParams(query!)?.startParam).toBe('launch-token-abcdefgh');
  });

  it('is null without init data, and survives a broken theme or user', () => {
    expect(launchQuery('', '#tgWebAppVersion=8.0')).toBeNull();
    const broken = read('', launchHash({ tgWebAppThemeParams: '{not json' }));
    expect(broken?.themeParams).toEqual({});
    const noUser = read('', `#tgWebAppData=${encodeURIComponent('user=%7Bbad&hash=00')}`);
    expect(noUser?.user).toBeNull();
    expect(noUser?.version).toBe('6.0');
  });
});
