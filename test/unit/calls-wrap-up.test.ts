// Wrap-up entered by hand (an agent finishing notes): which states may enter it, how it ends, and that
// no call is offered meanwhile — the ACD rules of docs/calls.md.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { Acd, AcdError } from '../../firmware-agent/calls/acd.js';
import { LiveEvents } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';

function setup(wrapUpMs = 10_000) {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock();
  const acd = new Acd({ db, clock, events: new LiveEvents(), wrapUpMs: () => wrapUpMs, defaultHandleMs: 120_000 });
  const set = (id: number, state: 'ready' | 'break' | 'wrap-up' | 'logged-out') => acd.setState({ agentId: id, name: `a${id}`, state, station: `80${id}` });
  return { db, clock, acd, set };
}

t.test('a ready agent enters wrap-up by hand, is offered no call, and is ready again after the wrap-up time', async (t) => {
  const { db, clock, acd, set } = setup(10_000);
  t.teardown(() => db.close());
  set(1, 'ready');
  t.equal(set(1, 'wrap-up').state, 'wrap-up');
  let matched = false;
  void acd.enqueue('c1', 'call', null, clock.now()).then(() => (matched = true));
  await clock.advance(9_999);
  t.equal(matched, false, 'no call is offered during wrap-up');
  await clock.advance(1);
  t.equal(acd.agents.get(1)?.state, 'ready');
  t.equal(matched, true, 'the waiting call goes to the agent once wrap-up ends');
  const log = db.prepare('SELECT state, reason FROM agent_state_log WHERE agent_id = 1 ORDER BY id').all();
  t.same(log, [
    { state: 'ready', reason: 'api' },
    { state: 'wrap-up', reason: 'api' },
    { state: 'ready', reason: 'wrap-up-ended' },
  ]);
});

t.test('asking for wrap-up again restarts its time; an agent on break may enter it too', async (t) => {
  const { db, clock, acd, set } = setup(10_000);
  t.teardown(() => db.close());
  set(1, 'break');
  set(1, 'wrap-up');
  await clock.advance(8_000);
  set(1, 'wrap-up');
  await clock.advance(8_000);
  t.equal(acd.agents.get(1)?.state, 'wrap-up', 'still wrapping up 16 s in: the time restarted at 8 s');
  await clock.advance(2_000);
  t.equal(acd.agents.get(1)?.state, 'ready');
});

t.test('with no automatic wrap-up (0 ms) a manual wrap-up lasts until the agent goes ready', async (t) => {
  const { db, clock, acd, set } = setup(0);
  t.teardown(() => db.close());
  set(1, 'ready');
  set(1, 'wrap-up');
  await clock.advance(3_600_000);
  t.equal(acd.agents.get(1)?.state, 'wrap-up');
  t.equal(set(1, 'ready').state, 'ready');
});

t.test('an agent cannot enter wrap-up from a call or logged out, and one being rung gives the call back', async (t) => {
  const { db, clock, acd, set } = setup();
  t.teardown(() => db.close());
  t.throws(() => set(1, 'wrap-up'), AcdError, 'logged out: log in first');
  set(1, 'ready');
  const ring = await acd.enqueue('c1', 'call', null, clock.now());
  set(1, 'wrap-up');
  t.ok(ring.signal.aborted, 'the ring stops; the call flow re-queues the caller at the head');
  set(1, 'ready');
  const r = await acd.enqueue('c2', 'call', null, clock.now());
  acd.connected(r.agentId, 'c2');
  t.throws(() => set(1, 'wrap-up'), { code: 'agent-state-invalid' }, 'not during a call: its end starts wrap-up');
});
