// Issue 13 finding 10: SMS replies were capped per modem but not per sender, so anyone could make the box
// text one number (a victim, or the box's own plan) without end by messaging or calling in its name. At most
// `maxRepliesPerSenderPerHour` automatic replies go to one number per hour; notices a person triggers
// (results, alerts) are not capped.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { recordingLogger } from '../../common/log.js';
import { smsConfig } from '../../firmware-agent/sms/config.js';
import { SmsOutbox } from '../../firmware-agent/sms/outbox.js';
import type { SmsModemPort } from '../../firmware-agent/sms/port.js';
import { openDb } from '../../firmware-agent/store/db.js';

t.test('one number gets at most maxRepliesPerSenderPerHour automatic replies an hour', async (t) => {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock(Date.UTC(2026, 11, 4, 2));
  const port: SmsModemPort = { onMessage: () => () => {}, onStatusReport: () => () => {}, sendSms: async () => ({ references: [1] }), delete: async () => {} };
  const log = recordingLogger();
  const outbox = new SmsOutbox({ db, port, config: () => smsConfig({ maxRepliesPerSenderPerHour: 3 }), clock, log });
  t.teardown(() => db.close());
  const ids = Array.from({ length: 5 }, (_, i) => outbox.enqueue({ recipient: '13800000001', text: `ack ${i}`, kind: i % 2 ? 'query-reply' : 'auto-reply' }));
  t.same(ids.map((x) => x !== null), [true, true, true, false, false], 'three replies, then silence');
  t.ok(outbox.enqueue({ recipient: '13800000002', text: 'ack', kind: 'auto-reply' }), 'another number is not affected');
  t.ok(outbox.enqueue({ recipient: '13800000001', text: 'result', kind: 'result' }), 'a result notice is never capped');
  t.ok(outbox.enqueue({ recipient: '13800000001', text: 'alert', kind: 'alert' }), 'nor an alert');
  t.match(JSON.stringify(log.entries), /hourly share/, 'the refusal is logged');
  t.notMatch(JSON.stringify(log.entries), /13800000001/, 'with the number masked');
  await clock.advance(3_600_001);
  t.ok(outbox.enqueue({ recipient: '13800000001', text: 'ack later', kind: 'auto-reply' }), 'an hour later the number may be answered again');
  t.throws(() => smsConfig({ maxRepliesPerSenderPerHour: 0 }), /maxRepliesPerSenderPerHour/, 'the setting is validated');
});
