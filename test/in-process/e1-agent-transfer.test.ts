// An agent's transfer on the E1 driver: the caller is talking to an agent's station over the span; the
// agent transfers to 12306 — the station's leg is released (the agent's line hangs up, the caller stays),
// the box places the call to 12306 and links it to the caller (contract T5).
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { TelcoSim, type SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { dchannelUp } from '../rigs/e1-harness.js';

const mondayMorning = Date.UTC(2026, 10, 30, 2, 0, 0); // 10:00 in China: open

t.test('an agent transfers a caller to 12306 over the E1: the station is released, the caller reaches 12306', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-xfer-'));
  const offset = mondayMorning - Date.now();
  const clock: Clock = { now: () => Date.now() + offset, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
  const driver = new E1PriDriver({ config: { dchannel: path.join(dir, 'd'), stations: { '801': '6801' } }, clock });
  const db = openDb({ file: ':memory:' });
  const center = new CallCenter({ db, driver, clock, config: callsConfig({}, defaultCallsConfig(dir, '623000')) });
  const events: LiveEvent[] = [];
  const seen = new Set<() => void>();
  center.events.subscribe((e) => {
    events.push(e);
    for (const f of [...seen]) f();
  });
  const waitFor = (pred: (e: LiveEvent) => boolean) =>
    new Promise<LiveEvent>((resolve) => {
      const check = () => {
        const hit = events.find(pred);
        if (hit) (seen.delete(check), resolve(hit));
      };
      seen.add(check);
      check();
    });
  await center.start();
  const up = dchannelUp(driver);
  const telco = new TelcoSim({ dchannel: path.join(dir, 'd'), behaviour: () => ({ kind: 'answer', afterMs: 200 }) });
  await telco.connect();
  await up;
  t.teardown(async () => {
    telco.close();
    await center.stop();
    await driver.stop().catch(() => {});
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready', station: '801', skills: [] });
  const nextIncoming = () => new Promise<SimLine>((r) => telco.once('incoming', r));
  const agentRing = nextIncoming();
  const arrived = waitFor((e) => e.type === 'call.arrived' && e.caller === '13600000001');
  const caller = telco.placeCall({ caller: '13600000001', called: '12328' });
  const callId = ((await arrived) as Extract<LiveEvent, { type: 'call.arrived' }>).callId;
  await caller.waitFor('answered');
  caller.pressDigits('3', { onMs: 70, offMs: 70, levelDbm0: -12 });
  const agentLine = await agentRing;
  t.equal(agentLine.called, '6801', 'the agent station is rung on the span');
  await waitFor((e) => e.type === 'call.connected' && e.callId === callId);

  const outside = nextIncoming();
  const r = await center.transfer(callId, '12306', { userId: 1, name: 'agent1', anyCall: false });
  t.equal(r.outcome, 'connected');
  t.equal((await outside).called, '12306', 'the box placed the call to 12306');
  t.equal((await agentLine.released).by, 'box', "the agent's line was released by the box");
  const ended = await waitFor((e) => e.type === 'call.ended' && e.callId === callId);
  t.match(ended, { outcome: 'transferred' });
  t.equal(caller.state === 'released', false, 'the caller is still on the line, now with 12306');
  t.equal(center.acd.agents.get(1)?.state, 'wrap-up', 'the agent is in wrap-up');
  center.records.flush();
  const rec = center.records.get(callId)!;
  t.ok(rec.legs.some((l) => l.kind === 'agent' && l.outcome === 'transferred'), 'the agent leg ended with the transfer');
  t.ok(rec.legs.some((l) => l.kind === 'transfer' && l.target === '12306' && l.outcome === 'connected'), 'the transfer leg is recorded');
  (await outside).hangup();
  t.equal((await caller.released).by, 'box', 'the caller is released when 12306 hangs up');
});
