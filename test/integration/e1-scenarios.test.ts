// Scenarios of the calls issue (issue 3) on the E1 driver instead of the simulated trunk: the same
// CallCenter (IVR, routing rules, queue, call records) takes real ISDN calls from the telco simulator
// through the span worker, on the real clock (shifted to a Monday morning or night in China time).
// Callers press their menu choice as in-band DTMF, which the worker's DTMF receiver must hear.
import t from 'tap';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { TelcoSim, type IncomingBehaviour, type SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig, type CallsConfig, type DeepPartial } from '../../firmware-agent/calls/config.js';
import type { CallTicketInput } from '../../firmware-agent/calls/context.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { Clock } from '../../drivers/trunk/clock.js';
import { systemClock } from '../../drivers/trunk/clock.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dchannelUp } from './e1-harness.js';

const mondayMorning = Date.UTC(2026, 10, 30, 2, 0, 0);
const mondayNight = Date.UTC(2026, 10, 30, 14, 0, 0);

/** Real timers, but `now()` reads as if the test started at `start`. */
function shiftedClock(start: number): Clock {
  const offset = start - Date.now();
  return { now: () => Date.now() + offset, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
}

async function centre(o: { start?: number; config?: DeepPartial<CallsConfig>; behaviour?: (n: string) => IncomingBehaviour; stations?: Record<string, string> } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-sc-'));
  const clock = shiftedClock(o.start ?? mondayMorning);
  const driver = new E1PriDriver({ config: { dchannel: path.join(dir, 'd'), stations: o.stations ?? {} }, clock });
  const db = openDb({ file: ':memory:' });
  const config = callsConfig(o.config ?? {}, defaultCallsConfig(dir, '623000'));
  const tickets: (CallTicketInput & { number: string })[] = [];
  const center = new CallCenter({
    db, driver, config, clock,
    tickets: { create: (i) => (tickets.push({ ...i, number: `62300020261130${String(tickets.length + 1).padStart(5, '0')}` }), { number: tickets.at(-1)!.number }) },
  });
  const events: LiveEvent[] = [];
  center.events.subscribe((e) => events.push(e));
  await center.start();
  const up = dchannelUp(driver);
  const telco = new TelcoSim({ dchannel: path.join(dir, 'd'), ...(o.behaviour ? { behaviour: o.behaviour } : {}) });
  await telco.connect();
  await up;
  const ended = (callId: () => string | undefined) =>
    new Promise<LiveEvent & { type: 'call.ended' }>((resolve) => {
      const check = (e: LiveEvent) => {
        if (e.type === 'call.ended' && e.callId === callId()) resolve(e);
      };
      for (const e of events) check(e);
      center.events.subscribe(check);
    });
  /** A caller dials in, waits for the box to answer, and presses digits (in-band DTMF). */
  const call = async (caller: string, presses: string, called = '12328') => {
    const arrived = new Promise<string>((resolve) => center.events.subscribe((e) => e.type === 'call.arrived' && e.caller === caller && resolve(e.callId)));
    const line = telco.placeCall({ caller, called });
    const callId = await arrived;
    await line.waitFor('answered');
    if (presses) line.pressDigits(presses, { onMs: 70, offMs: 70, levelDbm0: -12 });
    return { line, callId, ended: ended(() => callId) };
  };
  return {
    dir, driver, telco, center, db, tickets, events, call,
    async close() {
      telco.close();
      await center.stop();
      await driver.stop().catch(() => {});
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

t.test('a distress caller (menu 1) is transferred to 12395 over the E1', async (t) => {
  const c = await centre();
  t.teardown(() => c.close());
  const rescue = new Promise<SimLine>((r) => c.telco.once('incoming', r));
  const x = await c.call('13900000002', '1');
  const rescueLine = await rescue;
  t.equal(rescueLine.called, '12395', 'the box placed the second call to 12395');
  const end = await x.ended;
  t.equal(end.outcome, 'transferred');
  c.center.records.flush();
  const rec = c.center.records.get(x.callId)!;
  t.equal(rec.call.route, 'distress');
  t.ok(rec.legs.some((l) => l.kind === 'transfer' && l.target === '12395' && l.outcome === 'connected'));
  rescueLine.hangup();
  const rel = await x.line.released;
  t.equal(rel.by, 'box', 'the caller is released when 12395 hangs up');
});

t.test('a railway caller (menu 5, 1) hears the 12306 referral and the call record says so', async (t) => {
  const c = await centre();
  t.teardown(() => c.close());
  const x = await c.call('13700000004', '51');
  const end = await x.ended;
  t.equal(end.outcome, 'announced');
  c.center.records.flush();
  const rec = c.center.records.get(x.callId)!;
  t.equal(rec.call.route, 'railway');
  t.equal(rec.call.caller, '13700000004');
  await x.line.released;
  t.equal(x.line.releasedBy, 'box', 'the box hung up after the announcement');
});

t.test('a queued caller is answered by a ready agent whose station is rung on the span', async (t) => {
  const c = await centre({ stations: { '801': '6801' }, behaviour: () => ({ kind: 'answer', afterMs: 200 }) });
  t.teardown(() => c.close());
  c.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready', station: '801', skills: [] });
  const agentLine = new Promise<SimLine>((r) => c.telco.once('incoming', r));
  const x = await c.call('13600000001', '3');
  const agent = await agentLine;
  t.equal(agent.called, '6801');
  await new Promise<void>((r) => c.center.events.subscribe((e) => e.type === 'call.connected' && e.callId === x.callId && r()));
  t.pass('caller and agent are connected');
  agent.hangup();
  const end = await x.ended;
  t.equal(end.outcome, 'answered');
  c.center.records.flush();
  const rec = c.center.records.get(x.callId)!;
  t.equal(rec.call.agent_id, 1);
  t.equal(rec.call.route, 'queue');
  await x.line.released;
});

t.test("an after-hours caller's voicemail becomes a ticket", async (t) => {
  const c = await centre({ start: mondayNight, config: { queue: { voicemailMaxMs: 3000 } } });
  t.teardown(() => c.close());
  const x = await c.call('13300000001', '2');
  x.line.play(Buffer.alloc(8000 * 2, 0x55)); // 2 s of "speech" for the voicemail
  const end = await x.ended;
  t.equal(end.outcome, 'voicemail');
  t.equal(c.tickets.length, 1);
  t.equal(c.tickets[0]!.type, 'complaint');
  t.equal(c.tickets[0]!.callerPhone, '13300000001');
  c.center.records.flush();
  const rec = c.center.records.get(x.callId)!;
  t.ok(rec.call.voicemail_file && fs.existsSync(rec.call.voicemail_file), 'the voicemail WAV exists');
});

t.test('a legacy local number hears the transition prompt, then the menu works as for 12328', async (t) => {
  const c = await centre({ config: { ivr: { legacyNumbers: ['96196'] } } });
  t.teardown(() => c.close());
  const x = await c.call('13200000001', '53', '96196');
  const end = await x.ended;
  t.equal(end.outcome, 'announced');
  c.center.records.flush();
  const rec = c.center.records.get(x.callId)!;
  t.equal(rec.call.legacy, 1);
  t.equal(rec.call.called, '96196');
  t.equal(rec.call.route, 'postal');
});

t.test('when the span worker dies mid-call the call record says failed and the trunk comes back', async (t) => {
  const c = await centre();
  t.teardown(() => c.close());
  const x = await c.call('13200000009', '');
  const failed = x.ended;
  c.driver.killWorker();
  const end = await failed;
  t.equal(end.outcome, 'failed');
  const trunkUp = new Promise<void>((r) => c.center.events.subscribe((e) => e.type === 'trunk.state' && e.up && r()));
  await trunkUp;
  t.pass('the call centre sees the trunk up again');
});
