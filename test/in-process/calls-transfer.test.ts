// An agent's transfer of a live call (POST /api/calls/:id/transfer) on a whole box: composition root, HTTP
// API, roles, the simulated trunk (fast prompts and stations, real time) and the call record.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { SimulatorTrunk, type SimCall } from '../../drivers/simulator/trunk.js';
import { callCenterOf, registerTrunkDriver } from '../../firmware-agent/calls/install.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { staff, startTestBox, strongPassword, tempDir, type TestBox } from '../helpers/box.js';

let seq = 0;

/** A box whose trunk is a simulator the test drives; open around the clock so callers reach the queue. */
async function transferBox(extra: Record<string, unknown> = {}) {
  const sim = new SimulatorTrunk({ promptMs: () => 20 });
  for (const st of ['8101', '8102']) sim.addStation(st, { answerAfterMs: 20, talkMs: Infinity });
  const name = `transfer-sim-${++seq}`;
  registerTrunkDriver(name, async () => sim);
  const dir = tempDir();
  const calls = { ivr: { hours: { open: '00:00', close: '24:00', days: 'every-day' } }, queue: { transferNumbers: ['95105'] }, ...extra };
  fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify(calls));
  const tb = await startTestBox({ dataDir: dir, flags: { driver: name } });
  const center = callCenterOf(tb.box)!;
  const events: LiveEvent[] = [];
  const waiters = new Set<() => void>();
  center.events.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) w();
  });
  /** Resolves with the first event (already seen or still to come) that matches. */
  const waitFor = <T extends LiveEvent['type']>(type: T, pred: (e: Extract<LiveEvent, { type: T }>) => boolean = () => true) =>
    new Promise<Extract<LiveEvent, { type: T }>>((resolve) => {
      const check = () => {
        const hit = events.find((e): e is Extract<LiveEvent, { type: T }> => e.type === type && pred(e as Extract<LiveEvent, { type: T }>));
        if (!hit) return;
        waiters.delete(check);
        resolve(hit);
      };
      waiters.add(check);
      check();
    });
  return { tb, sim, center, events, waitFor };
}

async function secondAgent(tb: TestBox) {
  const r = await tb.admin.post('/api/users', { username: 'agent2', password: strongPassword, role: 'agent' });
  if (r.statusCode !== 201) throw new Error(r.body);
  return { id: (r.json() as { id: number }).id, client: await tb.login('agent2', strongPassword) };
}

/** A caller who asks for a person (0) at once. */
function callForAgent(sim: SimulatorTrunk, caller = '13800138000'): SimCall {
  const call = sim.placeCall({ caller });
  call.press('0');
  return call;
}

t.test('an agent transfers the caller on their station to 12306: the agent goes to wrap-up, the call record has the transfer leg, and the live event says so', async (t) => {
  const { tb, sim, waitFor } = await transferBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const other = await secondAgent(tb);
  const me = (await s.agent.put('/api/agent/state', { state: 'ready', station: '8101' })).json() as { agentId: number };

  const call = callForAgent(sim);
  const connected = await waitFor('call.connected', (e) => e.callId === call.callId);
  t.equal(connected.agentId, me.agentId, 'the ready agent answers');

  let r = await other.client.post(`/api/calls/${call.callId}/transfer`, { to: '12306' });
  t.equal(r.statusCode, 403, 'another agent cannot transfer a call that is not on their station');
  t.equal(r.json().error.code, 'call-not-yours');
  r = await s.agent.post(`/api/calls/${call.callId}/transfer`, { to: '110' });
  t.equal(r.statusCode, 422, 'only the hotline and configured numbers');
  t.equal(r.json().error.code, 'transfer-number-not-allowed');
  r = await s.agent.post(`/api/calls/${call.callId}/transfer`, { to: 'abc' });
  t.equal(r.statusCode, 400, 'a number is digits');
  t.equal((await s.taxi.post(`/api/calls/${call.callId}/transfer`, { to: '12306' })).statusCode, 403, 'departments cannot transfer calls');

  r = await s.agent.post(`/api/calls/${call.callId}/transfer`, { to: '12306' });
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.json().outcome, 'connected');
  const live = await waitFor('call.transferred', (e) => e.callId === call.callId);
  t.match(live, { agentId: me.agentId, to: '12306', by: 'agent1', outcome: 'connected' });
  const ended = await waitFor('call.ended', (e) => e.callId === call.callId);
  t.equal(ended.outcome, 'transferred');
  const log = await call.ended;
  t.equal(log.transferredTo, '12306', 'the caller reached 12306');
  t.ok(log.stationReleasedAt !== undefined && log.stationReleasedAt <= log.hangup!.at, 'the station was released before the caller left the box');

  const agents = (await s.supervisor.get('/api/agents')).json() as { agentId: number; state: string; callId: string | null }[];
  t.match(agents.find((a) => a.agentId === me.agentId), { state: 'wrap-up', callId: null }, 'the agent is in wrap-up');

  const rec = (await s.agent.get(`/api/calls/${call.callId}`)).json() as {
    call: { outcome: string; transferred_to: string; transferred_at: number; agent_id: number };
    legs: { kind: string; target: string | null; started_at: number; ended_at: number | null; outcome: string | null }[];
  };
  t.match(rec.call, { outcome: 'transferred', transferred_to: '12306', agent_id: me.agentId });
  const agentLeg = rec.legs.find((l) => l.kind === 'agent')!;
  const transferLeg = rec.legs.find((l) => l.kind === 'transfer')!;
  t.match(agentLeg, { target: String(me.agentId), outcome: 'transferred' });
  t.match(transferLeg, { target: '12306', outcome: 'connected' });
  t.ok(transferLeg.started_at >= agentLeg.ended_at! && rec.call.transferred_at >= transferLeg.started_at, 'the leg has its times');

  r = await s.agent.post(`/api/calls/${call.callId}/transfer`, { to: '12306' });
  t.equal(r.statusCode, 409, 'a call that has left cannot be transferred again');
  t.equal(r.json().error.code, 'call-not-connected');
  r = await s.agent.post('/api/calls/no-such-call/transfer', { to: '12306' });
  t.equal(r.statusCode, 404);
  t.equal(r.json().error.code, 'call-not-found');
});

t.test('a supervisor transfers an agent’s call to a configured outside number', async (t) => {
  const { tb, sim, waitFor } = await transferBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  await s.agent.put('/api/agent/state', { state: 'ready', station: '8101' });
  const call = callForAgent(sim, '13900139000');
  await waitFor('call.connected', (e) => e.callId === call.callId);
  const r = await s.supervisor.post(`/api/calls/${call.callId}/transfer`, { to: '95105' });
  t.equal(r.statusCode, 200, r.body);
  t.equal((await call.ended).transferredTo, '95105');
});

t.test('a transfer that does not connect puts the caller back at the head of the queue, and another agent answers', async (t) => {
  const { tb, sim, waitFor } = await transferBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const other = await secondAgent(tb);
  sim.setOutside('12395', 'busy');
  const me = (await s.agent.put('/api/agent/state', { state: 'ready', station: '8101' })).json() as { agentId: number };
  const call = callForAgent(sim);
  await waitFor('call.connected', (e) => e.callId === call.callId && e.agentId === me.agentId);
  await other.client.put('/api/agent/state', { state: 'ready', station: '8102' });

  const r = await s.agent.post(`/api/calls/${call.callId}/transfer`, { to: '12395' });
  t.equal(r.statusCode, 502, r.body);
  t.match(r.json().error, { code: 'transfer-failed', details: { outcome: 'busy' } });
  const again = await waitFor('call.connected', (e) => e.callId === call.callId && e.agentId === other.id);
  t.ok(again, 'the second agent answers the caller');
  t.ok(call.log.prompts.includes('route.transfer-failed'), 'the caller heard that the transfer failed');
  call.hangup();
  t.equal((await waitFor('call.ended', (e) => e.callId === call.callId)).outcome, 'answered');
  const rec = (await s.agent.get(`/api/calls/${call.callId}`)).json() as { call: { agent_id: number }; legs: { kind: string; target: string; outcome: string }[] };
  t.same(
    rec.legs.filter((l) => l.kind === 'agent' || l.kind === 'transfer').map((l) => [l.kind, l.target, l.outcome]),
    [
      ['agent', String(me.agentId), 'transferred'],
      ['transfer', '12395', 'busy'],
      ['agent', String(other.id), 'ended'],
    ],
  );
  t.equal(rec.call.agent_id, other.id);
  const agents = (await s.supervisor.get('/api/agents')).json() as { agentId: number; state: string }[];
  t.equal(agents.find((a) => a.agentId === me.agentId)?.state, 'wrap-up', 'the first agent was released at the transfer');
});
