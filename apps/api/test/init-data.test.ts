import { describe, expect, it } from 'vitest';

import { verifyInitData } from '../src/auth/telegram';
import { TEST_BOT_TOKEN } from '../testing/harness';
import { signLaunch } from '../testing/telegram';

const MAX_AGE = 3600;
const anna = { id: 7001, first_name: 'Анна', last_name: 'Петрова', username: 'anna' };

/**
 * verifyInitData checks a launch's signature once and keeps what verified, by bot token and
 * exact text; these are the rules that must still hold on the second and later calls.
 */
describe('verifyInitData: why init data is refused', () => {
  const now = new Date();
  it.each([
    [
      'expired',
      signLaunch(anna, null, { authDate: new Date(now.getTime() - 2 * MAX_AGE * 1000) }),
      /session has expired, reopen it/,
    ],
    [
      'signed by another bot',
      signLaunch(anna, null, { botToken: '42:AAHsome-other-bot-token-here' }),
      /signature is invalid/,
    ],
    [
      'without its signature',
      signLaunch(anna, null).replace(/&?hash=[0-9a-f]+/, ''),
      /carries no signature/,
    ],
    ['not init data at all', 'hello', /no signature|malformed/],
  ])('%s: says so', (_case, raw, reason) => {
    expect(() => verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now)).toThrow(reason);
  });
});

describe('verifyInitData: init data seen before', () => {
  it('is accepted again, as a fresh copy each time', () => {
    const now = new Date();
    const raw = signLaunch(anna, 'launch-token-aaaaaaaaaaaa', { authDate: now });
    const first = verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now);
    first.user.firstName = 'changed by a caller';
    first.prefetched = { caller: { kind: 'agent', agentId: 'x', tenant: null as never } };
    const second = verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now);
    expect(second.user).toEqual({
      id: 7001,
      firstName: 'Анна',
      lastName: 'Петрова',
      username: 'anna',
      languageCode: null,
    });
    expect(second.startParam).toBe('launch-token-aaaaaaaaaaaa');
    expect(second.prefetched).toBeUndefined();
  });

  it('still expires: the age is checked on every call', () => {
    const signedAt = new Date(Date.now() - 10_000);
    const raw = signLaunch(anna, null, { authDate: signedAt });
    expect(verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, new Date()).user.id).toBe(7001);
    const later = new Date(signedAt.getTime() + MAX_AGE * 1000 + 1_000);
    expect(() => verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, later)).toThrow(/expired/);
    // A shorter limit applies to it at once.
    expect(() => verifyInitData(raw, TEST_BOT_TOKEN, 5, new Date())).toThrow(/expired/);
  });

  it('is refused under another bot token, though it verified under its own', () => {
    const now = new Date();
    const raw = signLaunch(anna, null, { authDate: now });
    verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now);
    expect(() =>
      verifyInitData(raw, '999999:AAHanother-bot-token-of-another-bot', MAX_AGE, now),
    ).toThrow(/signature is invalid/);
  });

  it('is checked afresh when one character differs', () => {
    const now = new Date();
    const raw = signLaunch(anna, 'launch-token-bbbbbbbbbbbb', { authDate: now });
    verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now);
    const forged = raw.replace('launch-token-bbbbbbbbbbbb', 'launch-token-cccccccccccc');
    expect(forged).not.toBe(raw);
    expect(() => verifyInitData(forged, TEST_BOT_TOKEN, MAX_AGE, now)).toThrow(
      /signature is invalid/,
    );
  });

  it('dated ahead of our clock is refused on every call', () => {
    const now = new Date();
    const raw = signLaunch(anna, null, { authDate: new Date(now.getTime() + 10 * 60_000) });
    expect(() => verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now)).toThrow(/future/);
    expect(() => verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now)).toThrow(/future/);
  });
});
