import { describe, expect, it } from 'vitest';

import { createI18n } from '../src';

describe('the apps’ times, in the device’s zone', () => {
  it('name the zone only where its clock is not Moscow’s, which the bot’s «МСК» is', () => {
    const instant = '2026-12-15T20:59:00.000Z';
    expect(createI18n('ru', 'Europe/Moscow').dateTime(instant)).toBe('15.12.2026, 23:59');
    expect(createI18n('ru', 'UTC').dateTime(instant)).toBe('15.12.2026, 20:59 UTC');
    expect(createI18n('en', 'Asia/Novosibirsk').dateTime(instant)).toBe('16/12/2026, 03:59 GMT+7');
    // A calendar date is the same day everywhere.
    expect(createI18n('ru', 'Asia/Novosibirsk').date('2026-12-15')).toBe('15.12.2026');
  });
});
