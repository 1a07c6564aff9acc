// IVR menu handling: invalid digits, timeouts, retries, type-ahead, and a dialect skill from the menu.
import t from 'tap';
import { runCaller } from '../../drivers/simulator/callers.js';
import { defaultMenu } from '../../firmware-agent/calls/config.js';
import { harness } from '../rigs/calls-harness.js';

t.test('a caller who presses an invalid digit and then nothing is put through to an agent', async (t) => {
  const h = await harness({ config: { ivr: { maxRetries: 2 } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 5000 });
  const { done } = runCaller(h.sim, { caller: '13900000001', presses: ['9'] });
  const log = await h.clock.until(done);
  t.equal(log.prompts.filter((p) => p === 'menu.invalid').length, 1);
  t.equal(log.prompts.filter((p) => p === 'menu.timeout').length, 1);
  t.equal(log.collects, 3, 'asked three times (two retries)');
  t.equal(log.connected?.station, '801');
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.route, 'queue');
  t.equal(rec.call.menu_choice, null);
});

t.test('a caller who knows the menu types ahead and skips the prompts', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { done } = runCaller(h.sim, { caller: '13900000002', presses: ['5', '2'], eager: true });
  const log = await h.clock.until(done);
  t.same(log.prompts.slice(0, 3), ['welcome', 'menu.1', 'redirect.menu'], 'each prompt stopped at the typed-ahead digit');
  t.ok(log.prompts.includes('route.aviation'));
  t.equal(log.collects, 2);
});

t.test('a menu entry with a dialect skill reaches only agents who speak it', async (t) => {
  const menu = [...defaultMenu, { digit: '6', label: 'menu.0', action: { kind: 'queue' as const, ticketType: 'inquiry' as const, skill: 'zangyu' } }];
  const h = await harness({ config: { ivr: { menu } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 5000 });
  await h.clock.advance(1000);
  h.agent(2, 'ready', '802', { answerAfterMs: 1000, talkMs: 5000, skills: ['zangyu'] });
  const { done } = runCaller(h.sim, { caller: '13900000003', presses: ['6'], eager: true });
  const log = await h.clock.until(done);
  t.equal(log.connected?.station, '802', 'the Tibetan-speaking agent, though agent 1 is idle longer');
  t.equal(h.center.records.get(log.callId)!.call.skill, 'zangyu');
});
