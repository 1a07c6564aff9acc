// The SMS channel's durable outbox on a virtual clock with a fake modem port: rate limit, retries
// with backoff, permanent failures, status reports, and the config it reads.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { recordingLogger } from '../../common/log.js';
import { smsConfig, render } from '../../firmware-agent/sms/config.js';
import { SmsError } from '../../firmware-agent/sms/errors.js';
import { SmsOutbox } from '../../firmware-agent/sms/outbox.js';
import type { SmsModemPort } from '../../firmware-agent/sms/port.js';
import { openDb } from '../../firmware-agent/store/db.js';

function setup(t: { teardown(fn: () => unknown): void }, behaviour: (to: string, n: number) => Promise<{ references: number[] }>) {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 2));
  const sends: Array<{ to: string; at: number }> = [];
  let report: ((r: { reference: number; recipient: string; outcome: 'delivered' | 'pending' | 'failed' }) => void) | undefined;
  const port: SmsModemPort = {
    onMessage: () => () => {},
    onStatusReport: (l) => {
      report = l;
      return () => {};
    },
    sendSms: (to) => {
      sends.push({ to, at: clock.now() });
      return behaviour(to, sends.length);
    },
    delete: async () => {},
  };
  port.onStatusReport(() => {});
  const cfg = smsConfig({ minSendIntervalMs: 3000, retryBaseMs: 1000, maxAttempts: 3 });
  const outbox = new SmsOutbox({ db, port, config: () => cfg, clock, log: recordingLogger() });
  t.teardown(async () => {
    await outbox.stop();
    db.close();
  });
  const settled = (n: number) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      outbox.onSettled(() => ++seen === n && resolve());
    });
  return { db, clock, outbox, sends, settled, report: () => report! };
}

t.test('messages go out in order, at most one per minSendIntervalMs', async (t) => {
  const { clock, outbox, sends, settled } = setup(t, async (_to, n) => ({ references: [n] }));
  for (const to of ['13800000001', '13800000002', '13800000003']) outbox.enqueue({ recipient: to, text: 'x', kind: 'result' });
  const done = settled(3);
  outbox.start();
  await clock.until(done);
  t.same(sends.map((s) => s.to), ['13800000001', '13800000002', '13800000003']);
  t.same(sends.map((s) => s.at - sends[0]!.at), [0, 3000, 6000]);
  t.same(outbox.rows().map((r) => [r.status, r.refs]), [['sent', '[1]'], ['sent', '[2]'], ['sent', '[3]']]);
});

t.test('the rate limit counts parts: a three-part message holds the next one back three intervals', async (t) => {
  const { clock, outbox, sends, settled } = setup(t, async (to, n) => ({ references: to === 'long' ? [n, n + 1, n + 2] : [n] }));
  outbox.enqueue({ recipient: 'long', text: '长'.repeat(150), kind: 'result' });
  outbox.enqueue({ recipient: '13800000002', text: 'x', kind: 'result' });
  outbox.enqueue({ recipient: '13800000003', text: 'y', kind: 'result' });
  const done = settled(3);
  outbox.start();
  await clock.until(done);
  t.same(sends.map((s) => s.at - sends[0]!.at), [0, 9000, 12000]);
});

t.test('a transient failure is retried with backoff; a permanent one is given up at once', async (t) => {
  let calls = 0;
  const { clock, outbox, sends, settled } = setup(t, async (to) => {
    calls++;
    if (to === 'bad') throw new SmsError('sms-send-permanent', 'unassigned number');
    if (calls < 3) throw new SmsError('sms-send-transient', 'network timeout');
    return { references: [9] };
  });
  outbox.enqueue({ recipient: '13800000001', text: 'x', kind: 'result' });
  outbox.enqueue({ recipient: 'bad', text: 'y', kind: 'alert' });
  const done = settled(2);
  outbox.start();
  await clock.until(done);
  const rows = outbox.rows();
  t.match(rows[0], { status: 'sent', attempts: 2 });
  t.match(rows[1], { status: 'failed', attempts: 1, last_error: 'unassigned number' });
  t.same(sends.map((s) => s.to), ['13800000001', 'bad', '13800000001'], 'a row waiting for its retry does not hold up the others');
  t.ok(sends.every((s, i) => i === 0 || s.at - sends[i - 1]!.at >= 3000), 'every attempt, failed or not, respects the rate limit');
});

t.test('after maxAttempts transient failures the message is marked failed', async (t) => {
  const { clock, outbox } = setup(t, async () => {
    throw new SmsError('sms-send-transient', 'no network service');
  });
  outbox.enqueue({ recipient: '13800000001', text: 'x', kind: 'result' });
  const done = new Promise((resolve) => outbox.onSettled(resolve));
  outbox.start();
  await clock.until(done);
  t.match(outbox.rows()[0], { status: 'failed', attempts: 3 });
});

t.test('a stopping modem leaves the message pending for the next start', async (t) => {
  const { clock, outbox } = setup(t, async () => {
    throw new SmsError('sms-modem-stopped', 'stopped');
  });
  outbox.enqueue({ recipient: '13800000001', text: 'x', kind: 'result' });
  outbox.start();
  await clock.advance(10);
  await outbox.stop();
  t.match(outbox.rows()[0], { status: 'pending', attempts: 0 });
});

t.test('a status report marks the message that carried its reference', async (t) => {
  const { clock, outbox, report } = setup(t, async () => ({ references: [41, 42] }));
  outbox.enqueue({ recipient: '13800000001', text: 'x', kind: 'result' });
  const done = new Promise((resolve) => outbox.onSettled(resolve));
  outbox.start();
  await clock.until(done);
  outbox.onStatusReport({ reference: 42, recipient: '13800000001', outcome: 'delivered' });
  t.equal(outbox.rows()[0]!.delivery, 'delivered');
  void report;
});

t.test('sms.json is validated and names the bad field; templates fill placeholders', async (t) => {
  t.throws(() => smsConfig({ bogus: 1 } as never), { name: 'SmsError', code: 'sms-config-invalid', field: 'bogus' });
  t.throws(() => smsConfig({ autoReply: 'no number here' }), { name: 'SmsError', code: 'sms-config-invalid', field: 'autoReply' });
  t.throws(() => smsConfig({ dutyPhones: { taxi: 'call me' } }), { name: 'SmsError', code: 'sms-config-invalid', field: 'dutyPhones.taxi' });
  t.throws(() => smsConfig({ minSendIntervalMs: -1 }), { name: 'SmsError', code: 'sms-config-invalid', field: 'minSendIntervalMs' });
  t.ok(Object.isFrozen(smsConfig()));
  t.equal(render('工单{number}：{result}{oops}', { number: '1', result: '好' }), '工单1：好{oops}');
});
