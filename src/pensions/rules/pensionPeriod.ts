/**
 * A pension period is a calendar month, written YYYY-MM, in the organization's time zone: a run scheduled for
 * 00:30 on the 1st in Porto-Novo is still the previous day in UTC. Pure (the monthly run workflow uses it).
 */

/** CNSS Bénin's time zone (UTC+1, no daylight saving). */
export const DEFAULT_TIME_ZONE = 'Africa/Porto-Novo';

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPeriod(text: string): boolean {
  return PERIOD_PATTERN.test(text);
}

/** True for an IANA time zone name this runtime knows (e.g. Africa/Porto-Novo). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day (YYYY-MM-DD) of `instant` in `timeZone`. */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string): string => parts.find((candidate) => candidate.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The month (YYYY-MM) `instant` falls in, in `timeZone`. */
export function periodOf(instant: Date, timeZone: string): string {
  return dayIn(instant, timeZone).slice(0, 7);
}

/** First and last day (YYYY-MM-DD) of a period. */
export function periodBounds(period: string): { first: string; last: string } {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) throw new RangeError(`Not a period (YYYY-MM): ${period}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { first: `${period}-01`, last: `${period}-${String(lastDay).padStart(2, '0')}` };
}

/** `date` (YYYY-MM-DD) moved back `months` calendar months; the 31st becomes the month's last day. */
export function monthsBefore(date: string, months: number): string {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Not a date (YYYY-MM-DD): ${date}`);
  const monthIndex = Number(match[1]) * 12 + (Number(match[2]) - 1) - months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(Number(match[3]), lastDay);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** YYYY-MM-DD naming a real day (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return (
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() === Number(match[2]) - 1 &&
    date.getUTCDate() === Number(match[3])
  );
}
