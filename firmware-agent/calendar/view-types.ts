// A day of the official calendar (GET /api/calendar, PUT /api/calendar/days/:day) as types with no runtime
// import: the calendar builds it (workdays.ts) and the admin page's calendar reads it (web-ui/src/pages/admin.tsx).

export type DayKind = 'workday' | 'holiday' | 'weekend';

export interface DayInfo {
  day: string;
  kind: DayKind;
  working: boolean;
  name: string | null;
  source: 'admin' | 'package' | 'weekday-rule';
  /** True when no official data exists for the day's year: the answer is a guess from the weekday. */
  uncertain: boolean;
}
