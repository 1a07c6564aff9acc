// The box's jobs table end to end on a simulated clock (the box's `now`; no real waits): the deadline
// sweep tells the department of a ticket due soon (notice, audit, SMS outbox row to its phone) once, and
// escalates (督办) an overdue one automatically once; the admin API lists and runs jobs with roles enforced;
// a failing job raises the `job-failed:<name>` alarm and its next good run clears it; the calendar check
// warns about next year's missing holiday calendar.
import t from 'tap';
import { systemClock } from '../../common/clock.js';
import { alarmsOf } from '../../firmware-agent/alarms/install.js';
import { jobsOf } from '../../firmware-agent/jobs/install.js';
import { SmsOutbox } from '../../firmware-agent/sms/outbox.js';
import { defaultSmsConfig } from '../../firmware-agent/sms/config.js';
import type { SmsModemPort } from '../../firmware-agent/sms/port.js';
import { complaint, staff, startTestBox } from '../helpers/box.js';

const hour = 3_600_000;

t.test('deadline sweep, jobs API and job alarms on a simulated clock', async (t) => {
  // Thursday 2026-12-03 10:00 China time.
  let clock = new Date('2026-12-03T02:00:00.000Z');
  const tb = await startTestBox({ now: () => clock });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  t.equal((await tb.admin.patch(`/api/departments/${s.dept.id}`, { phone: '13900000001' })).statusCode, 200);
  // The SMS channel's real outbox (never started here: no modem); the sweep queues into it.
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  alarmsOf(tb.box).sms = new SmsOutbox({ db: tb.box.db, port: {} as SmsModemPort, config: () => defaultSmsConfig, clock: systemClock, log });

  const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const due = new Date(clock.getTime() + 2 * hour).toISOString();
  t.equal((await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id, dueAt: due })).statusCode, 200);

  const run = async (name: string) => {
    const r = await s.tech.post(`/api/admin/jobs/${name}/run`);
    t.equal(r.statusCode, 200, `${name} runs`);
    return r.json().run as { outcome: string; detail: Record<string, number>; error: string | null };
  };
  let r = await run('deadline-sweep');
  t.equal(r.outcome, 'ok');
  t.match(r.detail, { dueSoon: 1, smsQueued: 1, escalated: 0 }, 'due within a working day: the department is told');
  const sms = tb.box.db.prepare("SELECT recipient, text, kind, ticket_number FROM sms_outbox").all() as { recipient: string; text: string; ticket_number: string }[];
  t.equal(sms.length, 1);
  t.equal(sms[0]!.recipient, '13900000001');
  t.match(sms[0]!.text, new RegExp(`工单 ${n} 将于 2026-12-03 12:00 到期`));
  const notices = await s.taxi.get('/api/deadline-notices');
  t.equal(notices.statusCode, 200);
  t.match(notices.json().items, [{ ticketNumber: n, kind: 'due-soon', sms: true }], "in the department's notices");
  t.same((await s.bus.get('/api/deadline-notices')).json().items, [], 'another department does not see it');
  const trail = (await s.supervisor.get(`/api/tickets/${n}/audit`)).json().items as { action: string; actor: { name: string } }[];
  t.ok(trail.some((a) => a.action === 'due-soon-notice' && a.actor.name === 'deadline-sweep'), 'the notice is audited');
  r = await run('deadline-sweep');
  t.match(r.detail, { dueSoon: 0, escalated: 0 }, 'told once per due date');

  clock = new Date(clock.getTime() + 3 * hour);
  r = await run('deadline-sweep');
  t.match(r.detail, { escalated: 1 }, 'overdue: escalated automatically');
  const tk = (await s.taxi.get(`/api/tickets/${n}`)).json();
  t.equal(tk.status, 'dispatched', 'the status stays');
  t.match(tk.escalation.note, /系统自动督办/, 'the department sees the escalation');
  t.match((await s.taxi.get('/api/deadline-notices')).json().items[0], { kind: 'overdue', ticketNumber: n });
  r = await run('deadline-sweep');
  t.match(r.detail, { escalated: 0 }, 'escalated once per due date');

  // The jobs API: roles, listing, unknown names.
  t.equal((await s.agent.get('/api/admin/jobs')).statusCode, 403, 'agents do not see jobs');
  t.equal((await s.supervisor.post('/api/admin/jobs/backup/run')).statusCode, 403, 'supervisors may not run jobs');
  const missing = await s.tech.post('/api/admin/jobs/no-such-job/run');
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().error.code, 'job-not-found');
  const list = (await s.supervisor.get('/api/admin/jobs')).json();
  t.equal(list.timezone, 'Asia/Shanghai');
  const names = (list.jobs as { name: string }[]).map((j) => j.name);
  for (const name of ['store-maintenance', 'deadline-sweep', 'backup', 'retention', 'calendar-check', 'daily-stats', 'network-retention', 'kb-sync', 'alarm-sample']) t.ok(names.includes(name), `${name} is in the table`);
  t.notOk(names.includes('system-sample'), 'one health sample (alarm-sample) feeds the alarms and /healthz');
  const sweep = (list.jobs as { name: string; schedule: string; lastRun: { outcome: string; durationMs: number } }[]).find((j) => j.name === 'deadline-sweep')!;
  t.equal(sweep.schedule, '*/5 * * * *');
  t.equal(sweep.lastRun.outcome, 'ok');
  t.ok(sweep.lastRun.durationMs >= 0);

  // A failing job raises its alarm; the next good run clears it.
  let broken = true;
  jobsOf(tb.box).define({ name: 'flaky', schedule: '0 4 * * *', description: 'test', run: () => { if (broken) throw new Error('the USB stick is gone'); } });
  r = await run('flaky');
  t.equal(r.outcome, 'failed');
  const active = () => (tb.box.db.prepare('SELECT key, message FROM alarms WHERE cleared_at IS NULL').all() as { key: string; message: string }[]);
  t.match(active().find((a) => a.key === 'job-failed:flaky'), { message: /the USB stick is gone/ }, 'job-failed alarm raised');
  broken = false;
  await run('flaky');
  t.notOk(active().some((a) => a.key === 'job-failed:flaky'), 'cleared by the next good run');

  // December: next year's official holiday calendar is not in the box yet.
  r = await run('calendar-check');
  t.ok((r.detail as unknown as { warned: number[] }).warned.includes(2027));
  t.ok(active().some((a) => a.key === 'calendar-missing:2027'), 'the missing calendar is an alarm');
  const hz = (await s.tech.get('/healthz')).json();
  t.ok(hz.warnings.some((w: string) => w.startsWith('alarms: calendar-missing:2027')), 'next year’s missing calendar is listed on /healthz');
  t.equal(hz.parts.alarms.critical, 0, 'as a warning');
  t.equal(hz.parts.alarms.ok, true, 'a warning alone does not degrade the box (a fresh install in December is healthy)');

  const backup = await run('backup');
  t.equal(backup.outcome, 'ok');
  t.match(String(backup.detail.file), /backups\/edgebox-20261203T050000Z\.ebk$/);
});

t.test('a backlog of overdue tickets is escalated in slices: the event loop turns, and a ticket handled meanwhile is left alone', async (t) => {
  let clock = new Date('2026-12-03T02:00:00.000Z');
  const tb = await startTestBox({ now: () => clock });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const numbers: string[] = [];
  const due = new Date(clock.getTime() + 2 * hour).toISOString();
  for (let i = 0; i < 12; i++) {
    const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
    t.equal((await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id, dueAt: due })).statusCode, 200);
    numbers.push(n);
  }
  clock = new Date(clock.getTime() + 48 * hour);
  const { sweepDeadlines } = await import('../../firmware-agent/tickets/deadlines.js');
  const box = tb.box;
  let turns = 0;
  let handled = false;
  // Every turn the sweep gives the loop, count it; at the first, a supervisor escalates the last ticket by
  // hand (the sweep selected it as overdue before): the sweep must not escalate it a second time.
  const tick = () =>
    setImmediate(() => {
      turns += 1;
      if (!handled) {
        handled = true;
        const sup = box.db.prepare(`SELECT id FROM users WHERE username = 'super1'`).get() as { id: number };
        box.tickets.act(numbers.at(-1)!, 'escalate', { note: '人工督办' }, { id: sup.id, name: 'super1', role: 'supervisor' });
      }
      if (turns < 1000) tick();
    });
  tick();
  const r = await sweepDeadlines(
    { db: box.db, tickets: box.tickets, audit: box.tickets.audit, calendar: box.calendar, dueSoonWorkingDays: () => 1, timezone: 'Asia/Shanghai', sms: () => null },
    clock,
    500,
    0, // a turn before every ticket
  );
  t.ok(turns >= 11, `the loop turned ${turns} times during the sweep`);
  t.equal(r.escalated, 11, 'every overdue ticket escalated once, except the one a supervisor escalated meanwhile');
  t.same(r.failed, []);
  const escalations = box.db.prepare(`SELECT count(*) AS n FROM audit WHERE entity_id = ? AND action = 'escalate'`).get(numbers.at(-1)) as { n: number };
  t.equal(escalations.n, 1, 'the hand-escalated ticket has one escalation');
});
