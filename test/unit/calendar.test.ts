import t from 'tap';
import { WorkCalendar } from '../../firmware-agent/calendar/workdays.js';
import { endOfLocalDay, localDay } from '../../firmware-agent/calendar/time.js';
import { openDb } from '../../firmware-agent/store/db.js';

const tz = 'Asia/Shanghai';
const cal = () => {
  const db = openDb({ file: ':memory:' });
  return { db, cal: new WorkCalendar(db, tz) };
};

t.test('local days are counted in China time', async (t) => {
  t.equal(localDay(new Date('2026-11-27T16:30:00Z'), tz), '2026-11-28', '00:30 in Beijing is the next day');
  t.equal(endOfLocalDay('2026-11-28', tz).toISOString(), '2026-11-28T15:59:59.999Z');
});

t.test('holidays and make-up working days come from the official calendar', async (t) => {
  const { db, cal: c } = cal();
  t.teardown(() => db.close());
  t.equal(c.info('2026-10-01').kind, 'holiday', 'National Day');
  t.equal(c.info('2026-10-01').name, '国庆节');
  t.equal(c.isWorkday('2026-10-05'), false, 'a Monday inside the Golden Week is a holiday');
  // 2026-02-14 is a Saturday that the State Council made a working day (春节调休).
  t.equal(c.info('2026-02-14').working, true, 'a make-up Saturday is a working day');
  t.equal(c.isWorkday('2026-11-28'), false, 'an ordinary Saturday is not');
});

t.test('deadlines count working days and skip the Golden Week', async (t) => {
  const { db, cal: c } = cal();
  t.teardown(() => db.close());
  // Received Wednesday 2026-09-30; 1–7 Oct are holidays and Saturday 10 Oct is a make-up working day.
  const due = c.addWorkingDays(new Date('2026-09-30T02:00:00Z'), 3);
  t.equal(localDay(due.dueAt, tz), '2026-10-10', 'three working days after 30 Sep: 8, 9 and the make-up Saturday 10 Oct');
  t.equal(due.uncertain, false);
  t.equal(c.workingDaysBetween(new Date('2026-09-30T02:00:00Z'), new Date('2026-10-12T02:00:00Z')), 4);
});

t.test('a year without official data never passes silently', async (t) => {
  const { db, cal: c } = cal();
  t.teardown(() => db.close());
  const info = c.info('2027-01-01');
  t.equal(info.uncertain, true, 'no data for 2027 in the package');
  t.same(c.coverage(new Date('2026-11-28T00:00:00Z')).missing, [2027], 'coverage names the missing year');
  const due = c.addWorkingDays(new Date('2026-12-30T02:00:00Z'), 3);
  t.equal(due.uncertain, true, 'a deadline reaching into 2027 says it is uncertain');
  c.setDay('2027-01-01', 'holiday', '元旦');
  t.equal(c.isWorkday('2027-01-01'), false, 'an admin enters the holiday');
  c.confirmYear(2027, 'admin', new Date());
  t.same(c.coverage(new Date('2026-11-28T00:00:00Z')).missing, []);
  t.equal(c.addWorkingDays(new Date('2026-12-30T02:00:00Z'), 3).uncertain, false, 'once confirmed, deadlines are certain');
  c.setDay('2026-10-01', 'workday', 'test');
  t.equal(c.isWorkday('2026-10-01'), true, 'an admin correction wins over the package');
  c.setDay('2026-10-01', null, null);
  t.equal(c.isWorkday('2026-10-01'), false, 'and can be removed');
});
