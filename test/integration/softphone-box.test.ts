// Browser stations on a whole box (issue 17 §1–§2): an agent goes ready in the browser, a queued call rings
// it (the call pop on the live stream), the browser answers over the agent's session with its WebRTC offer,
// the caller and the agent hear each other, the call record has the agent's leg; the agent hangs up from the
// browser; a browser that drops during the call puts the caller back at the head of the queue. Real HTTP
// signalling through fastify, the simulated trunk's audio port, a werift peer as the browser.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { callCenterOf, registerTrunkDriver } from '../../firmware-agent/calls/install.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { staff, startTestBox, tempDir } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';
import { browser, firstHeard, talk } from '../helpers/webrtc-browser.js';

let seq = 0;

async function softphoneBox(capabilities: { audioPort?: boolean } = {}) {
  const sim = new SimulatorTrunk({ promptMs: () => 20, capabilities });
  const name = `softphone-sim-${++seq}`;
  registerTrunkDriver(name, async () => sim);
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify({ ivr: { hours: { open: '00:00', close: '24:00', days: 'every-day' } } }));
  const tb = await startTestBox({ dataDir: dir, flags: { driver: name } });
  const center = callCenterOf(tb.box)!;
  const events: LiveEvent[] = [];
  center.events.subscribe((e) => events.push(e));
  const s = await staff(tb);
  const agentId = ((await s.agent.get('/api/session')).json() as { user: { id: number } }).user.id;
  return { tb, sim, center, events, s, agentId };
}

t.test('an agent answers a queued call in the browser, talks, and hangs up there', async (t) => {
  const { tb, sim, center, events, s, agentId } = await softphoneBox();
  t.teardown(() => tb.close());
  t.same((await s.agent.get('/api/softphone')).json(), { available: true, station: 'browser', call: null });
  t.match((await s.agent.put('/api/agent/state', { state: 'ready', station: 'browser/99' })).json(), { error: { code: 'station-reserved' } });
  const ready = await s.agent.put('/api/agent/state', { state: 'ready', station: 'browser' });
  t.equal(ready.statusCode, 200, ready.body);
  t.match(ready.json(), { state: 'ready', station: `browser/${agentId}` }, 'the browser is the agent’s own station');

  const call = sim.placeCall({ caller: '13800138061' });
  call.press('0');
  const offered = await waitFor('the call pop', () => events.find((e) => e.type === 'call.offered' && e.callId === call.callId));
  t.match(offered, { agentId }, 'the call rings the agent (the pop is the ring)');
  t.match((await s.agent.get('/api/softphone')).json(), { call: { callId: call.callId, state: 'ringing' } });

  const b = await browser();
  t.teardown(b.close);
  t.match((await s.supervisor.post('/api/softphone/answer', { callId: call.callId, sdp: b.offer })).json(), { error: { code: 'softphone-not-ringing' } }, 'not someone else’s browser');
  const answered = await s.agent.post('/api/softphone/answer', { callId: call.callId, sdp: b.offer });
  t.equal(answered.statusCode, 200, answered.body);
  await b.pc.setRemoteDescription({ type: 'answer', sdp: (answered.json() as { sdp: string }).sdp });
  await waitFor('the call connected', () => events.find((e) => e.type === 'call.connected' && e.callId === call.callId));
  t.match(center.acd.agents.get(agentId), { state: 'on-call' });

  const saidAt = await talk((f) => call.say(f), 1000, 300);
  await new Promise((r) => setTimeout(r, 60));
  t.ok(firstHeard(b.heard, 1000) !== undefined, `the agent hears the caller (${(firstHeard(b.heard, 1000)! - saidAt).toFixed(1)} ms)`);
  const atCaller: { at: number; pcm: Int16Array }[] = [];
  call.on('heard', (f) => atCaller.push({ at: performance.now(), pcm: alawToLinear(f) }));
  const spokeAt = await talk(b.send, 1400, 300);
  await new Promise((r) => setTimeout(r, 100));
  t.ok(firstHeard(atCaller, 1400) !== undefined, `the caller hears the agent (${(firstHeard(atCaller, 1400)! - spokeAt).toFixed(1)} ms)`);

  t.match((await s.supervisor.post('/api/softphone/hangup', { callId: call.callId })).json(), { error: { code: 'call-not-yours' } });
  const hung = await s.agent.post('/api/softphone/hangup', { callId: call.callId });
  t.equal(hung.statusCode, 204, hung.body);
  await call.ended;
  const record = await waitFor('the call record', async () => {
    const r = (await s.supervisor.get(`/api/calls/${call.callId}`)).json() as { call: { outcome: string | null }; legs: { kind: string; target: string | null }[] };
    return r.call.outcome ? r : undefined;
  });
  t.equal(record.call.outcome, 'answered');
  t.ok(record.legs.some((l) => l.kind === 'agent' && l.target === String(agentId)), 'the agent’s leg is in the record');
  t.ok(record.legs.some((l) => l.kind === 'ring' && l.target === `browser/${agentId}`), 'rung at the browser station');
  t.not(center.acd.agents.get(agentId)?.state, 'on-call', 'the agent is off the call');
});

t.test('a browser that drops during the call puts the caller back at the head of the queue', async (t) => {
  const { tb, sim, center, events, s, agentId } = await softphoneBox();
  t.teardown(() => tb.close());
  await s.agent.put('/api/agent/state', { state: 'ready', station: 'browser' });
  const call = sim.placeCall({ caller: '13800138062' });
  call.press('0');
  await waitFor('the call pop', () => events.find((e) => e.type === 'call.offered' && e.callId === call.callId));
  const b = await browser();
  const answered = await s.agent.post('/api/softphone/answer', { callId: call.callId, sdp: b.offer });
  await b.pc.setRemoteDescription({ type: 'answer', sdp: (answered.json() as { sdp: string }).sdp });
  await waitFor('the call connected', () => events.find((e) => e.type === 'call.connected' && e.callId === call.callId));
  await b.close(); // the tab is closed
  await waitFor('the agent logged out', () => center.acd.agents.get(agentId)?.state === 'logged-out', 20_000);
  await waitFor('the caller queued again', () => center.acd.queueSnapshot().waiting.some((w) => w.callId === call.callId), 20_000);
  t.pass('the caller waits at the head of the queue; the agent, whose station is gone, is logged out');
  call.hangup();
  await call.ended;
});

t.test('a trunk without an audio port offers telephone stations only', async (t) => {
  const { tb, s } = await softphoneBox({ audioPort: false });
  t.teardown(() => tb.close());
  t.match((await s.agent.get('/api/softphone')).json(), { available: false });
  const r = await s.agent.put('/api/agent/state', { state: 'ready', station: 'browser' });
  t.equal(r.statusCode, 409);
  t.match(r.json(), { error: { code: 'softphone-unavailable' } });
  t.match((await s.agent.post('/api/softphone/answer', { callId: 'x', sdp: 'v=0' })).json(), { error: { code: 'softphone-unavailable' } });
});
