// The ACD on its own: longest-idle matching with skills, re-queue at the head, state rules, wrap-up,
// expected wait.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { Acd, AcdError } from '../../firmware-agent/calls/acd.js';
import { LiveEvents } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { AgentSnapshot } from '../../firmware-agent/calls/view-types.js';
import { laterAgent } from '../../web-ui/src/live-order.js';

function setup(wrapUpMs = 10_000) {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock();
  const events = new LiveEvents();
  const acd = new Acd({ db, clock, events, wrapUpMs: () => wrapUpMs, defaultHandleMs: 120_000 });
  const ready = (id: number, skills: string[] = []) =>
    acd.setState({ agentId: id, name: `a${id}`, state: 'ready', station: `80${id}`, skills });
  return { db, clock, events, acd, ready };
}

t.test('the longest-idle ready agent with the needed skill gets the call', async (t) => {
  const { db, clock, acd, ready } = setup();
  t.teardown(() => db.close());
  ready(3, ['minnan']);
  await clock.advance(1000);
  ready(1);
  await clock.advance(1000);
  ready(2, ['minnan']);
  const first = await acd.enqueue('c1', 'call', null, clock.now());
  t.equal(first.agentId, 3, 'agent 3 has been idle longest');
  const second = await acd.enqueue('c2', 'call', 'minnan', clock.now());
  t.equal(second.agentId, 2, 'agent 1 is idle longer but lacks the dialect');
  const third = await acd.enqueue('c3', 'call', null, clock.now());
  t.equal(third.agentId, 1);
});

t.test('a call re-queued after a failed ring goes ahead of earlier callers', async (t) => {
  const { db, clock, acd, ready } = setup();
  t.teardown(() => db.close());
  const got: string[] = [];
  void acd.enqueue('early', 'call', null, clock.now() - 60_000).then(() => got.push('early'));
  void acd.enqueue('again', 'call', null, clock.now(), true).then(() => got.push('again'));
  t.equal(acd.position('again'), 1);
  t.equal(acd.position('early'), 2);
  ready(1);
  await clock.advance(0);
  t.same(got, ['again']);
});

t.test('agent state rules', async (t) => {
  const { db, clock, acd, ready } = setup(5000);
  t.teardown(() => db.close());
  t.throws(() => acd.setState({ agentId: 9, name: 'a9', state: 'ready' }), AcdError, 'ready needs a station');
  ready(1);
  const r = await acd.enqueue('c1', 'call', null, clock.now());
  acd.connected(r.agentId, 'c1');
  t.equal(acd.agents.get(1)?.state, 'on-call');
  t.throws(() => acd.setState({ agentId: 1, name: 'a1', state: 'break' }), AcdError, 'no break in the middle of a call');
  acd.setState({ agentId: 1, name: 'a1', state: 'logged-out' });
  t.equal(acd.agents.get(1)?.state, 'on-call', 'logging out on a call waits for the end of the call');
  acd.released(1, 90_000);
  t.equal(acd.agents.get(1)?.state, 'logged-out');

  ready(2);
  const r2 = await acd.enqueue('c2', 'call', null, clock.now());
  acd.connected(r2.agentId, 'c2');
  acd.released(2, 60_000);
  t.equal(acd.agents.get(2)?.state, 'wrap-up');
  await clock.advance(5000);
  t.equal(acd.agents.get(2)?.state, 'ready', 'wrap-up ends by itself');
  const rows = db.prepare('SELECT state FROM agent_state_log WHERE agent_id = 2 ORDER BY id').all() as { state: string }[];
  t.same(rows.map((x) => x.state), ['ready', 'on-call', 'wrap-up', 'ready'], 'every change is logged');
});

t.test('a ring that is not answered puts the agent on break; an unreachable station logs them out', async (t) => {
  const { db, clock, acd, ready } = setup();
  t.teardown(() => db.close());
  ready(1);
  ready(2);
  const a = await acd.enqueue('c1', 'call', null, clock.now());
  acd.ringFailed(a.agentId, 'no-answer');
  t.equal(acd.agents.get(a.agentId)?.state, 'break');
  const b = await acd.enqueue('c1', 'call', null, clock.now(), true);
  acd.ringFailed(b.agentId, 'unreachable');
  t.equal(acd.agents.get(b.agentId)?.state, 'logged-out');
});

t.test('logging out while being rung aborts the ring', async (t) => {
  const { db, clock, acd, ready } = setup();
  t.teardown(() => db.close());
  ready(1);
  const r = await acd.enqueue('c1', 'call', null, clock.now());
  acd.setState({ agentId: 1, name: 'a1', state: 'logged-out' });
  t.ok(r.signal.aborted);
});

t.test('expected wait grows with position and shrinks with staffed agents', async (t) => {
  const { db, acd, ready } = setup();
  t.teardown(() => db.close());
  t.equal(acd.expectedWaitMs(2, null), 240_000, 'nobody staffed: position × default handle time');
  ready(1);
  ready(2);
  t.equal(acd.expectedWaitMs(2, null), 120_000);
});

t.test('agent states survive a restart; an agent on a call comes back in wrap-up', async (t) => {
  const { db, clock, events, acd, ready } = setup();
  t.teardown(() => db.close());
  ready(1);
  const r = await acd.enqueue('c1', 'call', null, clock.now());
  acd.connected(r.agentId, 'c1');
  acd.close();
  const again = new Acd({ db, clock, events, wrapUpMs: () => 1000, defaultHandleMs: 1000 });
  t.equal(again.agents.get(1)?.state, 'wrap-up');
  t.equal(again.agents.get(1)?.station, '801');
  await clock.advance(1000);
  t.equal(again.agents.get(1)?.state, 'ready');
});

t.test('a distress caller stays ahead of an ordinary call re-queued after a failed ring', async (t) => {
  const { db, clock, acd, ready } = setup();
  t.teardown(() => db.close());
  ready(1);
  const rung = await acd.enqueue('ordinary', 'call', null, clock.now());
  void acd.enqueue('distress', 'call', null, clock.now(), 'urgent');
  acd.ringFailed(rung.agentId, 'no-answer');
  void acd.enqueue('ordinary', 'call', null, clock.now() - 1000, true); // the flow re-queues it at the head
  void acd.enqueue('callback-distress', 'callback', null, clock.now(), 'urgent');
  t.same(acd.queueSnapshot().waiting.map((w) => w.callId), ['distress', 'callback-distress', 'ordinary'], 'urgent entries first, in their order; then the re-queued call');
  const got: string[] = [];
  ready(2);
  await clock.advance(0);
  for (const w of acd.queueSnapshot().waiting) got.push(w.callId);
  t.same(got, ['callback-distress', 'ordinary'], 'the first free agent takes the distress caller');
});

t.test('a desk keeps the later of its agent’s snapshots: an answer that arrives after the offer’s event does not hide the offer', async (t) => {
  const { db, clock, events, acd, ready } = setup();
  t.teardown(() => db.close());
  const streamed: AgentSnapshot[] = [];
  events.subscribe((e) => {
    if (e.type === 'agent.state') streamed.push(e.agent);
  });
  const answer = ready(1); // the PUT /api/agent/state answer, still on its way to the browser
  void acd.enqueue('c1', 'call', null, clock.now());
  await clock.advance(0);
  const offered = streamed.findLast((a) => a.ringing === 'c1');
  t.ok(offered, 'the offer reached the stream');
  t.ok(offered!.rev > answer.rev, 'the offer’s snapshot is the later one');
  let desk: AgentSnapshot | null = null;
  for (const s of [...streamed, answer]) desk = laterAgent(desk, s);
  t.equal(desk?.ringing, 'c1', 'the desk still shows the call ringing');
  t.equal(laterAgent(offered!, { ...answer, agentId: 2 }).agentId, 2, 'another agent’s snapshot is not compared');
});
