import { describe, expect, it } from 'vitest';

import { bankTimeZone, createFormatter } from '../src';

// One instant: 23:59 in Moscow (UTC+3 all year), 20:59 UTC, 03:59 next day in Novosibirsk.
const instant = '2026-12-15T20:59:00.000Z';
const device = { nameZone: 'unlessMoscowTime' } as const;

describe('a time says whose clock it is', () => {
  it.each([
    ['ru', bankTimeZone, undefined, '15.12.2026, 23:59 МСК'],
    ['en', bankTimeZone, undefined, '15/12/2026, 23:59 Moscow time'],
    ['ru', 'Europe/Moscow', device, '15.12.2026, 23:59'],
    ['en', 'Europe/Moscow', device, '15/12/2026, 23:59'],
    // Moscow's clock under another zone's name: nothing to reconcile with the bot's «МСК».
    ['ru', 'Europe/Minsk', device, '15.12.2026, 23:59'],
    ['ru', 'UTC', device, '15.12.2026, 20:59 UTC'],
    ['en', 'UTC', device, '15/12/2026, 20:59 UTC'],
    ['ru', 'Asia/Novosibirsk', device, '16.12.2026, 03:59 GMT+7'],
    ['en', 'Asia/Novosibirsk', device, '16/12/2026, 03:59 GMT+7'],
    // A zone named always but not Moscow's: its own short name, not «МСК».
    ['ru', 'UTC', undefined, '15.12.2026, 20:59 UTC'],
  ] as const)('%s in %s (%o): %s', (locale, timeZone, options, expected) => {
    expect(createFormatter(locale, timeZone, options).dateTime(instant)).toBe(expected);
  });

  it('names a zone by its offset at that instant, summer time included', () => {
    const berlin = createFormatter('en', 'Europe/Berlin', device);
    expect(berlin.dateTime('2026-12-15T20:59:00.000Z')).toBe('15/12/2026, 21:59 CET');
    expect(berlin.dateTime('2026-07-15T20:59:00.000Z')).toBe('15/07/2026, 22:59 CEST');
  });

  it('leaves dates without a time as they are', () => {
    for (const format of [
      createFormatter('ru'),
      createFormatter('ru', 'UTC', device),
      createFormatter('ru', 'Asia/Novosibirsk', device),
    ]) {
      expect(format.date('2026-12-15')).toBe('15.12.2026');
    }
    expect(createFormatter('en', 'UTC', device).date('2026-12-15')).toBe('15/12/2026');
  });
});
