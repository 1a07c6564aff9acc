// The scenario suite of the calls issue (issue 3), written once against a rig so it runs unchanged on every
// trunk: the simulated trunk on a virtual clock (calls-scenarios.test.ts) and the E1 driver against the telco
// simulator in real time (e1-scenarios.test.ts). A rig gives the same call centre (CallCenter, in-memory
// store, tickets captured), agents on stations with a behaviour, scripted callers who press a digit each
// time the box collects one, and time: `until(p)` waits for a promise while time runs, `elapse(ms)` lets
// scenario time pass. Timings in a scenario are scenario time; a rig may run them faster (the E1 rig
// divides them by its scale), so assertions never depend on wall time.
import fs from 'node:fs';
import type { Test } from 'tap';
import type { CallerScript } from '../../drivers/simulator/callers.js';
import type { SimCallEvents, SimCallLog, StationBehaviour } from '../../drivers/simulator/trunk.js';
import type { CallCenter } from '../../firmware-agent/calls/center.js';
import type { CallsConfig, DeepPartial } from '../../firmware-agent/calls/config.js';
import type { CallTicketInput } from '../../firmware-agent/calls/context.js';
import type { AgentState, LiveEvent } from '../../firmware-agent/calls/events.js';

export const mondayMorning = Date.UTC(2026, 10, 30, 2, 0, 0); // 10:00 in Asia/Shanghai
export const mondayNight = Date.UTC(2026, 10, 30, 14, 0, 0); // 22:00 in Asia/Shanghai

/** What a scenario sees of one call from the caller's side (SimCall on the simulator). */
export interface RigCall {
  readonly callId: string;
  readonly log: SimCallLog;
  on<K extends keyof SimCallEvents>(event: K, listener: (...args: SimCallEvents[K]) => void): unknown;
  once<K extends keyof SimCallEvents>(event: K, listener: (...args: SimCallEvents[K]) => void): unknown;
  hangup(): void;
}

export interface RigCaller {
  call: RigCall;
  done: Promise<SimCallLog>;
}

export interface RigOptions {
  /** Scenario start time (the centre's clock); default Monday 10:00 China time. */
  start?: number;
  config?: DeepPartial<CallsConfig>;
}

export interface Rig {
  center: CallCenter;
  tickets: (CallTicketInput & { number: string })[];
  events: LiveEvent[];
  /** Put an agent on a station with a behaviour (ring time, talk time, silent) and set their state. */
  agent(id: number, state: 'ready' | 'break', station?: string, behaviour?: StationBehaviour & { skills?: string[] }): void;
  /** The station disappears (headset unplugged): a ring in progress ends `unreachable`. */
  removeStation(station: string): void;
  /** A scripted caller dials in: presses one entry of `presses` each time the box collects a digit. */
  caller(script: CallerScript): RigCaller;
  time: {
    /** Resolve with `p` while scenario time runs. */
    until<T>(p: Promise<T>): Promise<T>;
    /** Let `ms` of scenario time pass. */
    elapse(ms: number): Promise<void>;
  };
  close(): Promise<void>;
}

export type RigFactory = (options?: RigOptions) => Promise<Rig>;

/** Resolves when the centre publishes an event matching `match` (registered before the action). */
export function nextEvent<T extends LiveEvent['type']>(
  h: Rig,
  type: T,
  match: (e: Extract<LiveEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<LiveEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = h.center.events.subscribe((e) => {
      if (e.type !== type || !match(e as Extract<LiveEvent, { type: T }>)) return;
      off();
      resolve(e as Extract<LiveEvent, { type: T }>);
    });
  });
}

/** Resolves when agent `id` is in `state` (at once if already). */
export function agentIn(h: Rig, id: number, state: AgentState): Promise<void> {
  if (h.center.acd.agents.get(id)?.state === state) return Promise.resolve();
  return nextEvent(h, 'agent.state', (e) => e.agent.agentId === id && e.agent.state === state).then(() => undefined);
}

/** Every scenario of the calls issue, as sentence-named tap subtests, on the given rig. */
export function scenarioSuite(t: Test, rig: RigFactory): void {
  t.test('a distress caller reaches 12395 while every agent is busy and after hours', async (t) => {
    t.test('while every agent is busy', async (t) => {
      const h = await rig();
      t.teardown(() => h.close());
      h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
      const busy = h.caller({ caller: '13800000001', presses: ['0'] });
      await h.time.until(new Promise((r) => busy.call.once('connected', r)));
      t.equal(h.center.acd.agents.get(1)?.state, 'on-call', 'the only agent is on a call');

      const distress = h.caller({ caller: '13900000002', presses: ['1'] });
      const log = await h.time.until(distress.done);
      t.equal(log.transferredTo, '12395');
      const rec = h.center.records.get(log.callId)!;
      t.equal(rec.call.route, 'distress');
      t.equal(rec.call.outcome, 'transferred');
      t.equal(rec.call.queued_at, null, 'never queued behind the busy agent');
      const afterChoice = log.prompts.slice(log.prompts.indexOf('menu.1') + 1);
      t.notOk(afterChoice.includes('queue.enter'), 'no queue prompt before the transfer');
      t.ok(rec.legs.some((l) => l.kind === 'transfer' && l.target === '12395' && l.outcome === 'connected'));
    });

    t.test('after hours', async (t) => {
      const h = await rig({ start: mondayNight });
      t.teardown(() => h.close());
      const { done } = h.caller({ caller: '13900000003', presses: ['1'] });
      const log = await h.time.until(done);
      t.equal(log.transferredTo, '12395');
      const rec = h.center.records.get(log.callId)!;
      t.equal(rec.call.after_hours, 1);
      t.equal(rec.call.route, 'distress');
      t.notOk(log.prompts.includes('closed'), 'the closed announcement is not played to a distress caller');
      t.equal(h.tickets.length, 0, 'no voicemail');
    });
  });

  t.test('a railway caller hears 12306', async (t) => {
    const h = await rig();
    t.teardown(() => h.close());
    const heard: string[] = [];
    const { call, done } = h.caller({ caller: '13700000004', presses: ['5', '1'] });
    call.on('prompt', (p) => heard.push(p.text ?? ''));
    const log = await h.time.until(done);
    t.ok(log.prompts.includes('route.railway'));
    t.ok(heard.some((x) => x.includes('1 2 3 0 6')), 'the prompt says 1 2 3 0 6');
    t.equal(log.transferredTo, undefined, 'announced, not transferred (transfer not configured)');
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.route, 'railway');
    t.equal(rec.call.outcome, 'announced');

    t.test('and is transferred to 12306 when transfer is configured', async (t) => {
      const h2 = await rig({ config: { ivr: { redirects: { railway: { number: '12306', transfer: true } } } } });
      t.teardown(() => h2.close());
      const r = h2.caller({ caller: '13700000005', presses: ['5', '1'] });
      const log2 = await h2.time.until(r.done);
      t.equal(log2.transferredTo, '12306');
      t.equal(h2.center.records.get(log2.callId)!.call.outcome, 'transferred');
    });
  });

  t.test('a queued caller hears position announcements and is answered by the longest-idle agent', async (t) => {
    const h = await rig({ config: { queue: { announceEveryMs: 30_000, maxWaitMs: 600_000, wrapUpMs: 10_000 } } });
    t.teardown(() => h.close());
    h.agent(1, 'break', '801', { talkMs: 60_000, answerAfterMs: 1000 });
    h.agent(2, 'break', '802', { talkMs: 30_000, answerAfterMs: 1000 });
    const texts: string[] = [];
    const x = h.caller({ caller: '13600000001', presses: ['3'] });
    x.call.on('prompt', (p) => p.id === 'queue.position' && texts.push(p.text ?? ''));
    await h.time.elapse(40_000);
    const y = h.caller({ caller: '13600000002', presses: ['3'] });
    await h.time.elapse(60_000);
    const xPositions = x.call.log.prompts.filter((p) => p === 'queue.position').length;
    t.ok(xPositions >= 3, `the first caller heard ${xPositions} position announcements`);
    t.ok(texts.every((s) => s.startsWith('您当前排在第 1 位')), 'and was told position 1');
    t.ok(y.call.log.prompts.includes('queue.position'));

    h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
    h.center.acd.setState({ agentId: 2, name: 'agent2', state: 'ready' });
    await h.time.until(new Promise((r) => y.call.once('connected', r)));
    t.equal(x.call.log.connected?.station, '801', 'the first in the queue got the first agent free');
    t.equal(y.call.log.connected?.station, '802');

    // Agent 2 talks 30 s, agent 1 60 s: agent 2 is idle longer once both are through wrap-up.
    await h.time.until(Promise.all([x.done, y.done]));
    await h.time.until(Promise.all([agentIn(h, 1, 'ready'), agentIn(h, 2, 'ready')]));
    t.equal(h.center.acd.agents.get(1)?.state, 'ready');
    t.equal(h.center.acd.agents.get(2)?.state, 'ready');
    const z = h.caller({ caller: '13600000003', presses: ['3'] });
    await h.time.until(new Promise((r) => z.call.once('connected', r)));
    t.equal(z.call.log.connected?.station, '802', 'the longest-idle agent (2) gets the next call');
    const rec = h.center.records.get(x.call.callId)!;
    t.equal(rec.call.outcome, 'answered');
    t.ok(rec.call.queued_at! < rec.call.agent_answered_at!);
    t.equal(rec.call.agent_id, 1);
    t.ok(rec.call.recording_file?.endsWith('.wav'), 'the conversation was recorded');
    const offered = h.events.find((e) => e.type === 'call.offered' && e.callId === z.call.callId);
    t.ok(offered, 'the agent was offered the call with a screen pop');
  });

  t.test('a caller past the maximum wait leaves a callback request', async (t) => {
    const h = await rig({ config: { queue: { maxWaitMs: 60_000, announceEveryMs: 20_000 } } });
    t.teardown(() => h.close());
    h.agent(1, 'break', '801', { talkMs: 30_000 });
    const a = h.caller({ caller: '13500000001', presses: ['2', '1'] });
    await h.time.elapse(5_000);
    const later = h.caller({ caller: '13500000002', presses: ['3'] });
    const log = await h.time.until(a.done);
    t.ok(log.prompts.includes('queue.overflow'));
    t.ok(log.prompts.includes('callback.confirmed'));
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.outcome, 'callback');
    const tasks = h.center.callbacks.list('pending');
    t.equal(tasks.length, 1);
    t.equal(tasks[0]!.caller, '13500000001');
    t.equal(tasks[0]!.queued_at, rec.call.queued_at, 'the task keeps the place the call had');

    // The agent comes back: the callback (queued earlier) is offered before the later caller.
    const callbackOffered = nextEvent(h, 'callback.offered');
    h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
    await h.time.until(callbackOffered);
    const offered = h.events.find((e) => e.type === 'callback.offered');
    t.ok(offered, 'the callback was offered to the agent');
    t.equal(h.center.acd.agents.get(1)?.callbackId, tasks[0]!.id);
    t.equal(later.call.log.connected, undefined, 'the later caller still waits');
    h.center.callbacks.complete(tasks[0]!.id, 1, null, 'agent1');
    t.equal(h.center.callbacks.list('done').length, 1);
    later.call.hangup();
    await h.time.until(later.done);
  });

  t.test('an agent who vanishes mid-ring does not lose the call', async (t) => {
    const h = await rig({ config: { queue: { ringTimeoutMs: 20_000 } } });
    t.teardown(() => h.close());
    h.agent(1, 'ready', '801', { silent: true }); // longest idle, never picks up
    await h.time.elapse(1000);
    h.agent(2, 'ready', '802', { answerAfterMs: 2000, talkMs: 10_000 });
    const c = h.caller({ caller: '13400000001', presses: ['0'] });
    await h.time.until(nextEvent(h, 'call.offered', (e) => e.agentId === 1));
    await h.time.elapse(3000);
    h.removeStation('801'); // headset unplugged mid-ring
    const log = await h.time.until(c.done);
    t.same(log.stationsRung, ['801', '802']);
    t.equal(log.connected?.station, '802');
    t.equal(h.center.acd.agents.get(1)?.state, 'logged-out', 'the vanished agent is logged out');
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.outcome, 'answered');
    t.same(
      rec.legs.filter((l) => l.kind === 'ring').map((l) => [l.target, l.outcome]),
      [
        ['801', 'unreachable'],
        ['802', 'answered'],
      ],
    );

    t.test('nor when the agent logs out while being rung', async (t) => {
      const h2 = await rig();
      t.teardown(() => h2.close());
      h2.agent(1, 'ready', '801', { silent: true });
      await h2.time.elapse(1000);
      h2.agent(2, 'ready', '802', { answerAfterMs: 1000, talkMs: 5000 });
      const c2 = h2.caller({ caller: '13400000002', presses: ['0'] });
      await h2.time.until(nextEvent(h2, 'call.offered'));
      h2.center.acd.setState({ agentId: 1, name: 'agent1', state: 'logged-out' });
      const log2 = await h2.time.until(c2.done);
      t.equal(log2.connected?.station, '802');
    });
  });

  t.test("an after-hours caller's voicemail becomes a ticket", async (t) => {
    const h = await rig({ start: mondayNight });
    t.teardown(() => h.close());
    h.agent(1, 'ready', '801');
    const { done } = h.caller({ caller: '13300000001', presses: ['2'], voicemailMs: 12_000 });
    const log = await h.time.until(done);
    t.ok(log.prompts.includes('closed'));
    t.equal(log.connected, undefined, 'no agent is rung after hours');
    t.equal(h.tickets.length, 1);
    const ticket = h.tickets[0]!;
    t.equal(ticket.type, 'complaint', 'the menu choice sets the ticket type');
    t.equal(ticket.callerPhone, '13300000001');
    t.equal(ticket.callId, log.callId);
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.outcome, 'voicemail');
    t.ok(rec.call.voicemail_file?.includes('vm-'));
    t.ok(fs.existsSync(rec.call.voicemail_file!), 'the voicemail recording is on disk');
    t.same(rec.tickets.map((x) => x.ticket_number), [ticket.number], 'the ticket is linked to the call');
  });

  t.test('a legacy number hears the transition prompt', async (t) => {
    const h = await rig({ config: { ivr: { legacyNumbers: ['96196'] } } });
    t.teardown(() => h.close());
    const { done } = h.caller({ caller: '13200000001', called: '96196', presses: ['5', '3'] });
    const log = await h.time.until(done);
    t.equal(log.prompts[0], 'legacy');
    t.equal(log.prompts[1], 'welcome');
    t.ok(log.prompts.includes('route.postal'), 'then the menu works as for 12328');
    t.equal(h.center.records.get(log.callId)!.call.legacy, 1);
  });
}
