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
