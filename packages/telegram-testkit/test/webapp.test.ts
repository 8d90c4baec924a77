import { createHmac } from 'node:crypto';
import { validate } from '@tma.js/init-data-node';
import { describe, expect, it } from 'vitest';
import {
  buildLaunchUrl,
  parseLaunchUrl,
  parseTelegramLink,
  signInitData,
  TelegramWorld,
} from '../src/index';

const TOKEN = '7345610023:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';

/** Telegram's documented algorithm, implemented independently of @tma.js. */
function telegramHash(
  initData: string,
  botToken: string,
): { expected: string; actual: string | null } {
  const params = new URLSearchParams(initData);
  const actual = params.get('hash');
  params.delete('hash');
  const dataCheckString = [...params.entries()]
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  return { expected: createHmac('sha256', secret).update(dataCheckString).digest('hex'), actual };
}

describe('Mini App launch data', () => {
  it('signs init data exactly as Telegram does', () => {
    const alice = {
      id: 6123450017,
      first_name: 'Alice',
      last_name: 'Ivanova',
      username: 'alice_i',
      language_code: 'ru',
      allows_write_to_pm: true,
    };
    const initData = signInitData(
      {
        user: alice,
        chat_instance: '-4937562395012345678',
        chat_type: 'sender',
        start_param: 'deal_42',
        auth_date: 1_780_000_000,
      },
      TOKEN,
    );
    const params = new URLSearchParams(initData);
    expect([...params.keys()]).toEqual([
      'user',
      'chat_instance',
      'chat_type',
      'start_param',
      'auth_date',
      'signature',
      'hash',
    ]);
    expect(JSON.parse(params.get('user') ?? '')).toEqual(alice);
    expect(params.get('auth_date')).toBe('1780000000');
    expect(params.get('signature')).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const { expected, actual } = telegramHash(initData, TOKEN);
    expect(actual).toBe(expected);
    expect(() => validate(initData, TOKEN, { expiresIn: 0 })).not.toThrow();
    expect(() => validate(initData, '1:wrong', { expiresIn: 0 })).toThrow();
  });

  it('builds the launch URL the way Telegram opens a Mini App', () => {
    const initData = signInitData({ user: { id: 1, first_name: 'A' } }, TOKEN);
    const url = buildLaunchUrl('https://app.example.com/miniapp?lang=ru', {
      initData,
      startParam: 'deal_42',
      platform: 'android',
      themeParams: { bg_color: '#ffffff', text_color: '#000000' },
    });
    const parsed = new URL(url);
    expect(parsed.origin + parsed.pathname).toBe('https://app.example.com/miniapp');
    expect(parsed.searchParams.get('lang')).toBe('ru');
    expect(parsed.searchParams.get('tgWebAppStartParam')).toBe('deal_42');
    expect(parsed.hash.startsWith('#tgWebAppData=')).toBe(true);
    const hash = new URLSearchParams(parsed.hash.slice(1));
    expect([...hash.keys()]).toEqual([
      'tgWebAppData',
      'tgWebAppVersion',
      'tgWebAppPlatform',
      'tgWebAppThemeParams',
      'tgWebAppStartParam',
    ]);
    expect(hash.get('tgWebAppData')).toBe(initData);
    expect(hash.get('tgWebAppVersion')).toBe('8.0');
    expect(JSON.parse(hash.get('tgWebAppThemeParams') ?? '')).toEqual({
      bg_color: '#ffffff',
      text_color: '#000000',
    });
    expect(parseLaunchUrl(url)).toMatchObject({
      initData,
      platform: 'android',
      startParam: 'deal_42',
    });
  });

  it('parses t.me links', () => {
    expect(parseTelegramLink('https://t.me/payreq_bot/deal?startapp=tok')).toEqual({
      botUsername: 'payreq_bot',
      appShortName: 'deal',
      startApp: 'tok',
    });
    expect(parseTelegramLink('https://t.me/payreq_bot?startapp=')).toEqual({
      botUsername: 'payreq_bot',
      startApp: '',
    });
    expect(parseTelegramLink('t.me/payreq_bot?start=abc')).toEqual({
      botUsername: 'payreq_bot',
      start: 'abc',
    });
    expect(parseTelegramLink('https://example.com/x')).toBeUndefined();
  });

  it('launches a Mini App for a world user from a direct link (no HTTP needed)', () => {
    const world = new TelegramWorld();
    const bot = world.createBot({ token: TOKEN, username: 'payreq_bot' });
    world.setMiniApp(bot.token, { shortName: 'deal', url: 'https://app.example.com/' });
    const alice = world.createUser({ first_name: 'Alice' });
    world.startBot(alice.id, bot.token);
    const opened = world.openLink({
      user: alice.id,
      link: 'https://t.me/payreq_bot/deal?startapp=tok_1',
      chat: bot.id,
    });
    if (opened.kind !== 'miniapp') throw new Error('expected a Mini App launch');
    expect(opened.launch.params).toMatchObject({ chat_type: 'sender', start_param: 'tok_1' });
    expect(opened.launch.params.chat_instance).toMatch(/^-?\d+$/);
    expect(telegramHash(opened.launch.initData, TOKEN).actual).toBe(
      telegramHash(opened.launch.initData, TOKEN).expected,
    );
    expect(() =>
      world.openLink({ user: alice.id, link: 'https://t.me/payreq_bot/unknown?startapp=1' }),
    ).toThrow(/no Mini App "unknown"/);
  });
});
