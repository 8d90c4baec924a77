/**
 * 1C's `Edm.DateTime` carries no time zone: "2024-03-31T02:30:00" means wall-clock time in
 * the 1C server's zone (a setting). These helpers convert between JS Dates (instants) and
 * that wall-clock form with Intl only.
 *
 * A 1C `Дата` is never null: a date left blank is `Дата(1, 1, 1)`, which `ЗаписатьJSON` writes
 * as "0001-01-01T00:00:00" and `Формат` as "". Both mean "no date" here (null), never an
 * instant in year 1 (which, read in Moscow's local mean time, would even land in year 0).
 */

import { ONEC_EMPTY_DATE } from '@payreq/contracts';

export { ONEC_EMPTY_DATE };

/** Whether a 1C date text means "no date": the empty date, or the empty string `Формат` makes of it. */
export function isOnecEmptyDate(value: string): boolean {
  return value === ONEC_EMPTY_DATE || value === '';
}

const ONEC_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    parts[part.type] = part.value;
  }
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    // Some engines still print midnight as "24" even with h23.
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function wallClockAsUtc(clock: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(clock.year, clock.month - 1, clock.day);
  date.setUTCHours(clock.hour, clock.minute, clock.second, 0);
  return date.getTime();
}

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallClockAsUtc(wallClock(whole, timeZone)) - whole;
}

/** Throws a RangeError for a zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`Unknown time zone: ${timeZone}`);
  }
}

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/**
 * A JS Date as 1C wall-clock time in `timeZone`: "YYYY-MM-DDTHH:mm:ss" (milliseconds dropped);
 * null (no date) as 1C's empty date.
 */
export function toOnecDateTime(date: Date | null, timeZone: string): string {
  if (date === null) return ONEC_EMPTY_DATE;
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid Date');
  const clock = wallClock(time, timeZone);
  if (clock.year < 1 || clock.year > 9999) throw new RangeError('Date out of 1C range');
  return `${pad(clock.year, 4)}-${pad(clock.month)}-${pad(clock.day)}T${pad(clock.hour)}:${pad(clock.minute)}:${pad(clock.second)}`;
}

/** Whether a string has 1C's `YYYY-MM-DDTHH:mm:ss` shape and names a real calendar time. */
export function isOnecDateTime(value: string): boolean {
  return parseWallClock(value) !== null;
}

function parseWallClock(value: string): WallClock | null {
  const match = ONEC_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const clock = { year, month, day, hour, minute, second };
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const check = new Date(wallClockAsUtc(clock));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return clock;
}

/**
 * 1C wall-clock time in `timeZone` as a JS Date; 1C's empty date (or "") as null.
 *
 * Around DST changes it behaves like Temporal's `disambiguation: 'compatible'`: a time that
 * occurs twice (clocks set back) is the earlier instant; a time that does not exist (clocks set
 * forward) is moved forward by the length of the gap (02:30 in a 1-hour gap is 03:30).
 */
export function fromOnecDateTime(value: string, timeZone: string): Date | null {
  if (isOnecEmptyDate(value)) return null;
  const clock = parseWallClock(value);
  if (!clock)
    throw new RangeError(`Not a 1C date-time (YYYY-MM-DDTHH:mm:ss): ${JSON.stringify(value)}`);
  const asUtc = wallClockAsUtc(clock);
  const day = 86_400_000;
  const offsets = [
    ...new Set([
      offsetAt(asUtc - day, timeZone),
      offsetAt(asUtc, timeZone),
      offsetAt(asUtc + day, timeZone),
    ]),
  ];
  const matches = offsets
    .map((offset) => asUtc - offset)
    .filter((candidate) => wallClockAsUtc(wallClock(candidate, timeZone)) === asUtc)
    .sort((a, b) => a - b);
  if (matches.length > 0) return new Date(matches[0]!);
  // In a gap: read the wall time with the offset in force before the change.
  return new Date(asUtc - offsetAt(asUtc - day, timeZone));
}
