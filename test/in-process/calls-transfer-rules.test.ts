// CallCenter.transfer's refusals, on the simulated trunk and a virtual clock: nothing is released when the
// transfer is refused.
import t from 'tap';
import { runCaller } from '../../drivers/simulator/callers.js';
import { CallCenterError } from '../../firmware-agent/calls/center.js';
import { harness } from '../rigs/calls-harness.js';

const agent1 = { userId: 1, name: 'agent1', anyCall: false };

t.test('a waiting caller cannot be transferred by an agent, and a trunk without transfer refuses before the agent is released', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const waiting = runCaller(h.sim, { caller: '13800000001', presses: ['0'] });
  await h.clock.until(new Promise((r) => waiting.call.on('prompt', (p) => p.id === 'queue.enter' && r(p))));
  await t.rejects(h.center.transfer(waiting.call.callId, '12306', agent1), { code: 'call-not-connected' }, 'in the queue, not with an agent');

  h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
  await h.clock.until(new Promise((r) => waiting.call.once('connected', r)));
  (h.sim.capabilities as { transfer: boolean }).transfer = false;
  const refused = await h.center.transfer(waiting.call.callId, '12306', agent1).catch((e: unknown) => e);
  t.ok(refused instanceof CallCenterError && refused.code === 'transfer-unsupported', 'the trunk cannot transfer');
  t.equal(h.center.acd.agents.get(1)?.state, 'on-call', 'the agent keeps the caller');
  await t.rejects(h.center.transfer(waiting.call.callId, '12306', { ...agent1, userId: 2 }), { code: 'call-not-yours' });
  await t.rejects(h.center.transfer(waiting.call.callId, '110', agent1), { code: 'transfer-number-not-allowed' });
  t.equal(h.center.acd.agents.get(1)?.state, 'on-call', 'still on the call after every refusal');
  waiting.call.hangup();
  await h.clock.until(waiting.done);
});

t.test('the caller hanging up during the transfer ends the call without a second release of the agent', async (t) => {
  const h = await harness({ config: { queue: { wrapUpMs: 5000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
  h.sim.setOutside('12326', 'no-answer');
  const c = runCaller(h.sim, { caller: '13800000002', presses: ['0'] });
  await h.clock.until(new Promise((r) => c.call.once('connected', r)));
  const transfer = h.center.transfer(c.call.callId, '12326', agent1);
  await h.clock.advance(1000);
  t.equal(h.center.acd.agents.get(1)?.state, 'wrap-up', 'released at once');
  c.call.hangup();
  const r = await h.clock.until(transfer);
  t.equal(r.outcome, 'caller-gone');
  const rec = h.center.records.get(c.call.callId)!;
  t.equal(rec.call.status, 'ended');
  const leg = rec.legs.find((l) => l.kind === 'transfer');
  t.match(leg, { target: '12326', outcome: 'ended' }, 'the transfer leg was closed with the call at the hang-up');
  t.ok(leg!.ended_at !== null && leg!.ended_at === rec.call.ended_at);
  const log = h.db.prepare("SELECT state FROM agent_state_log WHERE agent_id = 1 AND state = 'wrap-up'").all();
  t.equal(log.length, 1, 'one wrap-up, not two');
  await h.clock.advance(5000);
  t.equal(h.center.acd.agents.get(1)?.state, 'ready');
});
