// The running box's business hours follow the official calendar: the box's own WorkCalendar (chinese-days
// data plus an admin's corrections), not a weekday rule or a fake. Default hours: working days 08:00-18:00.
import t from 'tap';
import { startTestBox } from '../helpers/box.js';

// 10:00 China time on a given day, as UTC ms.
const tenAm = (day: string) => Date.parse(`${day}T10:00:00+08:00`);

t.test('on the running box a public holiday weekday is closed and an adjusted working Saturday (调休) is open', async (t) => {
  // The box's clock starts at a chosen day and then runs in real time, so calls take their real course.
  let start = tenAm('2026-10-15');
  let realStart = Date.now();
  const tb = await startTestBox({ shortPrompts: true, now: () => new Date(start + (Date.now() - realStart)) });
  t.teardown(() => tb.close());
  const at = (day: string) => {
    start = tenAm(day);
    realStart = Date.now();
  };
  /** A caller who presses 3 (信息咨询, for an agent) and hangs up after a second; what the IVR decided. */
  const callOn = async (day: string) => {
    at(day);
    const admin = await tb.login('admin', tb.adminPassword); // a session does not outlive a jump of days
    const r = await admin.post('/api/simulator/call', { from: '13800138000', digits: '3', timeoutS: 1 });
    t.equal(r.statusCode, 200, r.body);
    const rec = (await admin.get(`/api/calls/${r.json().callId as string}`)).json() as { call: { after_hours: number; route: string; arrived_at: number } };
    t.equal(rec.call.arrived_at - (rec.call.arrived_at % 60_000), tenAm(day), `the call arrived at 10:00 on ${day}`);
    return { afterHours: rec.call.after_hours === 1, route: rec.call.route };
  };

  t.same(await callOn('2026-10-01'), { afterHours: true, route: 'voicemail' }, 'Thursday 1 October (国庆节) is closed: voicemail');
  t.same(await callOn('2026-10-10'), { afterHours: false, route: 'queue' }, 'Saturday 10 October, a 调休 working day, is open: the queue');
  t.same(await callOn('2026-10-17'), { afterHours: true, route: 'voicemail' }, 'an ordinary Saturday is closed');
  t.same(await callOn('2026-10-15'), { afterHours: false, route: 'queue' }, 'an ordinary Thursday is open');

  // An admin's correction of the calendar (e.g. a local holiday) applies to the next call at once.
  const set = await (await tb.login('admin', tb.adminPassword)).put('/api/calendar/days/2026-10-15', { kind: 'holiday', name: '地方假日' });
  t.equal(set.statusCode, 200, set.body);
  t.same(await callOn('2026-10-15'), { afterHours: true, route: 'voicemail' }, 'a day the admin made a holiday is closed');
});
