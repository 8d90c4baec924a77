import { describe, expect, it } from 'vitest';

import {
  ONEC_EMPTY_DATE,
  fromOnecDateTime,
  isOnecDateTime,
  isOnecEmptyDate,
  toOnecDateTime,
} from '../src';

/** The 1C wall-clock time of an ISO instant in `timeZone`. */
const localOf = (instant: string, timeZone: string) => toOnecDateTime(new Date(instant), timeZone);

/** The instant, as an ISO string, that a 1C wall-clock time names in `timeZone` (none: undefined). */
const instantOf = (local: string, timeZone: string) =>
  fromOnecDateTime(local, timeZone)?.toISOString();

describe('1C date-times (no zone) in Europe/Moscow', () => {
  it('converts both ways at UTC+3', () => {
    expect(localOf('2025-03-15T07:00:00.987Z', 'Europe/Moscow')).toBe('2025-03-15T10:00:00');
    expect(instantOf('2025-03-15T10:00:00', 'Europe/Moscow')).toBe('2025-03-15T07:00:00.000Z');
    expect(localOf('2024-12-31T21:30:00Z', 'Europe/Moscow')).toBe('2025-01-01T00:30:00');
    expect(instantOf('2025-01-01T00:00:00', 'Europe/Moscow')).toBe('2024-12-31T21:00:00.000Z');
  });

  it('knows Moscow kept summer time until 2011', () => {
    expect(localOf('2010-07-01T12:00:00Z', 'Europe/Moscow')).toBe('2010-07-01T16:00:00');
  });
});

describe('1C date-times across DST in Europe/Berlin', () => {
  const tz = 'Europe/Berlin';

  it('follows the offset change in spring (clocks go 02:00 → 03:00)', () => {
    expect(localOf('2024-03-31T00:59:59Z', tz)).toBe('2024-03-31T01:59:59');
    expect(localOf('2024-03-31T01:00:00Z', tz)).toBe('2024-03-31T03:00:00');
    expect(instantOf('2024-03-31T01:30:00', tz)).toBe('2024-03-31T00:30:00.000Z');
    expect(instantOf('2024-03-31T03:30:00', tz)).toBe('2024-03-31T01:30:00.000Z');
  });

  it('moves a time inside the spring gap forward by the gap', () => {
    expect(instantOf('2024-03-31T02:30:00', tz)).toBe('2024-03-31T01:30:00.000Z');
    expect(toOnecDateTime(fromOnecDateTime('2024-03-31T02:30:00', tz), tz)).toBe(
      '2024-03-31T03:30:00',
    );
  });

  it('reads a repeated autumn time as the earlier instant', () => {
    expect(localOf('2024-10-27T00:30:00Z', tz)).toBe('2024-10-27T02:30:00');
    expect(localOf('2024-10-27T01:30:00Z', tz)).toBe('2024-10-27T02:30:00');
    expect(instantOf('2024-10-27T02:30:00', tz)).toBe('2024-10-27T00:30:00.000Z');
    expect(instantOf('2024-10-27T03:00:00', tz)).toBe('2024-10-27T02:00:00.000Z');
  });

  it('round-trips every quarter hour of both DST days', () => {
    for (const day of ['2024-03-30T22:00:00Z', '2024-10-26T22:00:00Z']) {
      const start = Date.parse(day);
      for (let t = start; t < start + 6 * 3_600_000; t += 15 * 60_000) {
        const local = toOnecDateTime(new Date(t), tz);
        expect(toOnecDateTime(fromOnecDateTime(local, tz), tz)).toBe(local);
        // Outside the repeated hour the instant itself comes back.
        const repeated = local.startsWith('2024-10-27T02:');
        if (!repeated) expect(fromOnecDateTime(local, tz)?.getTime()).toBe(t);
      }
    }
  });
});

describe('1C date-time format', () => {
  it('accepts only real calendar times in YYYY-MM-DDTHH:mm:ss', () => {
    expect(isOnecDateTime('2024-02-29T23:59:59')).toBe(true);
    expect(isOnecDateTime('2023-02-29T00:00:00')).toBe(false);
    expect(isOnecDateTime('2024-01-01 10:00:00')).toBe(false);
    expect(isOnecDateTime('2024-01-01T10:00:00Z')).toBe(false);
    expect(isOnecDateTime('2024-01-01T24:00:00')).toBe(false);
    expect(() => fromOnecDateTime('2024-13-01T00:00:00', 'Europe/Moscow')).toThrow(RangeError);
    expect(() => toOnecDateTime(new Date('nope'), 'Europe/Moscow')).toThrow(RangeError);
    expect(() => toOnecDateTime(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });

  it('pads midnight and small years', () => {
    expect(toOnecDateTime(new Date('2025-06-01T00:00:00Z'), 'UTC')).toBe('2025-06-01T00:00:00');
    expect(toOnecDateTime(new Date('0999-06-01T12:00:00Z'), 'UTC')).toBe('0999-06-01T12:00:00');
    expect(fromOnecDateTime('0999-06-01T12:00:00', 'UTC')?.toISOString()).toBe(
      '0999-06-01T12:00:00.000Z',
    );
  });
});

describe('1C empty date', () => {
  it('reads 1C’s empty date (and the "" Формат makes of it) as no date, not as year 1 or 0', () => {
    // Read as a wall time in Moscow's local mean time, 0001-01-01T00:00:00 is 0000-12-31T21:29:43Z.
    expect(fromOnecDateTime('0001-01-01T00:00:00', 'Europe/Moscow')).toBeNull();
    expect(fromOnecDateTime('', 'Europe/Moscow')).toBeNull();
    expect(isOnecEmptyDate(ONEC_EMPTY_DATE)).toBe(true);
    expect(isOnecEmptyDate('0001-01-01T00:00:01')).toBe(false);
    // The first second after it is a real date again.
    expect(fromOnecDateTime('0001-01-01T00:00:01', 'UTC')?.toISOString()).toBe(
      '0001-01-01T00:00:01.000Z',
    );
  });

  it('writes no date as 1C’s empty date', () => {
    expect(toOnecDateTime(null, 'Europe/Moscow')).toBe('0001-01-01T00:00:00');
  });
});
