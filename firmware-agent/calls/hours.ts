// Business hours: open between `open` and `close` local time, on official working days (holidays and 调休
// make-up days from the box's calendar) or every day. Routing rules do not depend on this — a distress call
// is transferred at any hour.
import type { BusinessHours } from './config.js';

export interface WorkdayCalendar {
  /** 'YYYY-MM-DD' local day → is it an official working day. */
  isWorkday(day: string): boolean;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(at: number, tz: string): { day: string; minutes: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(at))) p[part.type] = part.value;
  return { day: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export function isOpen(at: number, hours: BusinessHours, calendar: WorkdayCalendar): boolean {
  const { day, minutes: now } = localParts(at, hours.timezone);
  if (hours.days === 'workdays' && !calendar.isWorkday(day)) return false;
  return now >= minutes(hours.open) && now < minutes(hours.close);
}

/** Weekday rule only, for tests and boxes without a calendar. */
export const weekdayCalendar: WorkdayCalendar = {
  isWorkday(day) {
    const wd = new Date(`${day}T12:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6;
  },
};

/**
 * The next time the centre opens after `at` (the opening of the next working day, or of today when `at` is
 * before today's opening): when an after-hours caller's callback task falls due. Looks up to 60 days ahead
 * (the longest run of official holidays is 8 days); past that it answers `at` itself, so a misconfigured
 * calendar makes a task due at once rather than never.
 */
export function nextOpening(at: number, hours: BusinessHours, calendar: WorkdayCalendar): number {
  const openMin = minutes(hours.open);
  const { day, minutes: now } = localParts(at, hours.timezone);
  // Local midnight of `at`'s day as an instant: the zone's offset at `at` (no DST in China; elsewhere an
  // opening near a DST change is off by the change, which a callback time can bear).
  const offsetMs = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) + now * 60_000 - Math.floor(at / 60_000) * 60_000;
  const midnight = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) - offsetMs;
  for (let d = 0; d <= 60; d++) {
    const start = midnight + d * 86_400_000;
    const local = localParts(start + 12 * 3_600_000, hours.timezone).day;
    if (hours.days === 'workdays' && !calendar.isWorkday(local)) continue;
    const opening = start + openMin * 60_000;
    if (opening > at || (d === 0 && now < openMin)) return opening;
  }
  return at;
}
