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
import type { AgentState, LiveEvent, QueueSnapshot } from '../../firmware-agent/calls/events.js';
import { nextOpening, weekdayCalendar } from '../../firmware-agent/calls/hours.js';

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
  /** Text messages the centre sent to callers, where the rig gives it an SMS channel. */
  sms?: { to: string; text: string; ticketNumber: string }[];
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

/** Resolves once the call waits in the queue (its id is read each time: a hardware rig learns it when the box is offered the call). */
function queued(h: Rig, call: RigCall): Promise<void> {
  const waiting = (q: QueueSnapshot) => call.callId !== '' && q.waiting.some((w) => w.callId === call.callId);
  if (waiting(h.center.acd.queueSnapshot())) return Promise.resolve();
  return nextEvent(h, 'queue.state', (e) => waiting(e.queue)).then(() => undefined);
}

/**
 * Every scenario of the calls issue, as sentence-named tap subtests, on the given rig. The suite reads the
 * rig's trunk capabilities (drivers/trunk/types.ts) once and expects, for each capability the trunk lacks,
 * the flow's fallback (C1–C5) instead: a scenario that cannot happen on such a trunk (an agent who vanishes
 * mid-ring, on a trunk with no station to ring) is replaced by the one that does.
 *
 * `jobs`: how many scenarios run at once. Each scenario builds its own rig (trunk, call centre, store), so on a
 * real-time rig, whose scenarios mostly wait on the wall clock, several can wait together.
 */
export function scenarioSuite(t: Test, rig: RigFactory, { jobs = 1 }: { jobs?: number } = {}): void {
  t.test('the trunk declares its capabilities', async (t) => {
    const h = await rig();
    t.teardown(() => h.close());
    const c = h.center.capabilities;
    t.ok(c.answer, 'it answers');
    t.match(c, { play: /^(audio|module-tts|module-file|none)$/, digits: /^(box|module|signalling|none)$/, stations: /^(call|local|none)$/ });
    t.ok(c.record === false || c.record === 'box' || c.record === 'module', `record: ${String(c.record)}`);
    t.ok(c.transfer === false || c.transfer === 'network' || c.transfer === 'bridge', `transfer: ${String(c.transfer)}`);
    t.comment(`profile: ${JSON.stringify(c)}`);
  });
  // The capabilities of this rig's trunk decide which expectations apply; read once from a throw-away rig.
  t.test('every scenario on this profile', async (t) => {
    t.jobs = jobs;
    const probe = await rig();
    const caps = { ...probe.center.capabilities };
    await probe.close();
    if (caps.digits === 'none') noDigitScenarios(t, rig, caps);
    else scenarios(t, rig, caps);
  });
}

type Caps = Rig['center']['capabilities'];

/** The scenarios of a trunk that detects the caller's digits. */
function scenarios(t: Test, rig: RigFactory, caps: Caps): void {
  if (!caps.transfer) {
    distressFallbackScenarios(t, rig, caps);
  } else t.test('a distress caller reaches 12395 while every agent is busy and after hours', async (t) => {
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

  if (caps.play === 'none') {
    t.test('a railway caller who could not hear the number reaches a person', async (t) => {
      const h = await rig();
      t.teardown(() => h.close());
      if (caps.stations !== 'none') h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 5000 });
      const { done } = h.caller({ caller: '13700000004', presses: ['5', '1'] });
      const log = await h.time.until(done);
      const rec = h.center.records.get(log.callId)!;
      t.equal(log.transferredTo, undefined);
      if (caps.stations !== 'none') {
        t.equal(log.connected?.station, '801', 'an agent tells the caller the number');
        t.equal(rec.call.outcome, 'answered');
      } else {
        t.equal(h.tickets.length, 1, 'no person on this trunk: the call is a ticket with a callback');
      }
    });
  } else t.test('a railway caller hears 12306', async (t) => {
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

    t.test(caps.transfer ? 'and is transferred to 12306 when transfer is configured' : 'and hears it when transfer is configured but the trunk cannot', async (t) => {
      const h2 = await rig({ config: { ivr: { redirects: { railway: { number: '12306', transfer: true } } } } });
      t.teardown(() => h2.close());
      const r = h2.caller({ caller: '13700000005', presses: ['5', '1'] });
      const log2 = await h2.time.until(r.done);
      if (caps.transfer) {
        t.equal(log2.transferredTo, '12306');
        t.equal(h2.center.records.get(log2.callId)!.call.outcome, 'transferred');
      } else {
        t.equal(log2.transferredTo, undefined);
        t.ok(log2.prompts.includes('route.railway'), 'the number is announced');
        t.equal(h2.center.records.get(log2.callId)!.call.outcome, 'announced');
      }
    });
  });

  if (caps.stations === 'none') {
    noStationScenarios(t, rig, caps);
    afterHoursScenario(t, rig, caps);
    legacyScenario(t, rig, caps);
    return;
  }
  t.test('a queued caller hears position announcements and is answered by the longest-idle agent', async (t) => {
    const h = await rig({ config: { queue: { announceEveryMs: 30_000, maxWaitMs: 600_000, wrapUpMs: 10_000 } } });
    t.teardown(() => h.close());
    h.agent(1, 'break', '801', { talkMs: 60_000, answerAfterMs: 1000 });
    h.agent(2, 'break', '802', { talkMs: 30_000, answerAfterMs: 1000 });
    const texts: string[] = [];
    const x = h.caller({ caller: '13600000001', presses: ['3'] });
    x.call.on('prompt', (p) => p.id === 'queue.position' && texts.push(p.text ?? ''));
    // Timed from the queue, not from the call's arrival: the menu before it takes real time on a hardware
    // rig (DTMF is not scaled), more on a loaded machine.
    await h.time.until(queued(h, x.call));
    await h.time.elapse(40_000);
    const y = h.caller({ caller: '13600000002', presses: ['3'] });
    await h.time.until(queued(h, y.call));
    await h.time.elapse(60_000);
    const xPositions = x.call.log.prompts.filter((p) => p === 'queue.position').length;
    t.ok(xPositions >= 3, `the first caller heard ${xPositions} position announcements`);
    if (caps.play !== 'none') t.ok(texts.every((s) => s.startsWith('您当前排在第 1 位')), 'and was told position 1');
    t.ok(y.call.log.prompts.includes('queue.position'));

    h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
    h.center.acd.setState({ agentId: 2, name: 'agent2', state: 'ready' });
    // Both agents are free at once: the two callers are offered together and may connect in either order
    // (on a real-time rig under load), so wait for both before looking at who got whom.
    const connected = (c: typeof x) => (c.call.log.connected ? Promise.resolve() : new Promise((r) => c.call.once('connected', r)));
    await h.time.until(Promise.all([connected(x), connected(y)]));
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
    if (caps.record) t.ok(rec.call.recording_file?.endsWith('.wav'), 'the conversation was recorded');
    else t.equal(rec.call.recording_file, null, 'a trunk that cannot record does not pretend to');
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

  // A station that is rung (not a gateway's local audio port) can ring unanswered and vanish mid-ring.
  if (caps.stations === 'call') t.test('an agent who vanishes mid-ring does not lose the call', async (t) => {
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

  afterHoursScenario(t, rig, caps);
  legacyScenario(t, rig, caps);
}

function afterHoursScenario(t: Test, rig: RigFactory, caps: Caps): void {
  if (!caps.record) {
    missedCallScenario(t, rig, caps);
    return;
  }
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
    t.equal(ticket.type, caps.digits === 'none' ? 'inquiry' : 'complaint', 'the menu choice sets the ticket type');
    t.equal(ticket.callerPhone, '13300000001');
    t.equal(ticket.callId, log.callId);
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.outcome, 'voicemail');
    t.ok(rec.call.voicemail_file?.includes('vm-'));
    t.ok(fs.existsSync(rec.call.voicemail_file!), 'the voicemail recording is on disk');
    t.same(rec.tickets.map((x) => x.ticket_number), [ticket.number], 'the ticket is linked to the call');
  });

}

function legacyScenario(t: Test, rig: RigFactory, caps: Caps): void {
  t.test('a legacy number hears the transition prompt', async (t) => {
    const h = await rig({ config: { ivr: { legacyNumbers: ['96196'] } } });
    t.teardown(() => h.close());
    // On a silent trunk the postal caller is put through to a person, who must be there.
    if (caps.play === 'none' && caps.stations !== 'none') h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 5000 });
    const { done } = h.caller({ caller: '13200000001', called: '96196', presses: ['5', '3'] });
    const log = await h.time.until(done);
    t.equal(log.prompts[0], 'legacy');
    t.equal(log.prompts[1], 'welcome');
    if (caps.play !== 'none') t.ok(log.prompts.includes('route.postal'), 'then the menu works as for 12328');
    else t.ok(log.prompts.includes('menu.5'), 'then the menu works as for 12328');
    t.equal(h.center.records.get(log.callId)!.call.legacy, 1);
  });
}

/** Ticket, callback task and SMS of a missed call (C2), as the suite expects them. */
function expectMissedCall(t: Test, h: Rig, callId: string, caller: string, type: string, dueAt: number | null): void {
  const tickets = h.tickets.filter((x) => x.callId === callId);
  t.equal(tickets.length, 1, 'the missed call is a ticket');
  const ticket = tickets[0]!;
  t.equal(ticket.type, type, 'the menu choice sets the ticket type');
  t.equal(ticket.callerPhone, caller);
  t.match(ticket.description, caller, 'the ticket says who called');
  const rec = h.center.records.get(callId)!;
  t.same(rec.tickets.map((x) => x.ticket_number), [ticket.number], 'the ticket is linked to the call');
  t.equal(rec.call.outcome, 'callback');
  const task = h.center.callbacks.list('pending').find((x) => x.call_id === callId);
  t.ok(task, 'a callback task waits');
  t.equal(task?.reason, 'missed-call');
  t.equal(task?.ticket_number, ticket.number, 'the task carries the ticket');
  t.equal(task?.due_at ?? null, dueAt, dueAt ? 'due at the next working day\'s opening' : 'due at once');
  if (h.sms) {
    const sms = h.sms.filter((m) => m.to === caller);
    t.equal(sms.length, 1, 'one SMS to the caller');
    t.match(sms[0]?.text, ticket.number, 'with the ticket number');
  }
}

/** An after-hours caller on a trunk that cannot record (C2). */
function missedCallScenario(t: Test, rig: RigFactory, caps: Caps): void {
  t.test('an after-hours caller on a trunk that cannot record leaves a ticket with a callback for the next working day', async (t) => {
    const h = await rig({ start: mondayNight });
    t.teardown(() => h.close());
    const { done } = h.caller({ caller: '13300000001', presses: ['2'] });
    const log = await h.time.until(done);
    t.ok(log.prompts.includes('closed.missed') && log.prompts.includes('missed.callback'), 'the caller is told the call was registered');
    t.notOk(log.prompts.includes('closed'), 'and is not asked to speak after the tone');
    t.equal(log.recordings.length, 0);
    const hours = h.center.config.ivr.hours;
    // Without digit detection the caller could not choose: the ticket is an inquiry.
    const type = caps.digits === 'none' ? 'inquiry' : 'complaint';
    expectMissedCall(t, h, log.callId, '13300000001', type, nextOpening(mondayNight, hours, weekdayCalendar));

    t.test('a withheld number still leaves a ticket', async (t) => {
      const h2 = await rig({ start: mondayNight });
      t.teardown(() => h2.close());
      const r = h2.caller({ caller: null, presses: ['3'] });
      const log2 = await h2.time.until(r.done);
      t.ok(log2.prompts.includes('missed.noNumber'));
      const ticket = h2.tickets.find((x) => x.callId === log2.callId);
      t.ok(ticket, 'a ticket');
      t.equal(ticket?.callerPhone, null);
      t.equal(h2.center.callbacks.list('pending').length, 0, 'nobody to call back');
      t.equal(h2.center.records.get(log2.callId)!.call.outcome, 'ticket');
    });
  });
}

/** Distress on a trunk that cannot transfer (C1): the announcement, an urgent ticket, a person first. */
function distressFallbackScenarios(t: Test, rig: RigFactory, caps: Caps): void {
  t.test('a distress caller on a trunk that cannot transfer', async (t) => {
    t.test('reaches a person ahead of the queue, with the number announced and an urgent ticket', async (t) => {
      const h = await rig({ config: { queue: { maxWaitMs: 600_000 } } });
      t.teardown(() => h.close());
      if (caps.stations === 'none') {
        const { done } = h.caller({ caller: '13900000002', presses: ['1'] });
        const log = await h.time.until(done);
        expectDistressTicket(t, h, log.callId, caps, log.prompts);
        const task = h.center.callbacks.list('pending').find((x) => x.call_id === log.callId);
        t.equal(task?.reason, 'distress', 'nobody can talk on this trunk: the duty officer calls back, first');
        t.ok(log.prompts.includes('distress.callback'));
        return;
      }
      h.agent(1, 'break', '801', { answerAfterMs: 1000, talkMs: 20_000 });
      const waiting = h.caller({ caller: '13800000001', presses: ['0'] });
      await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === waiting.call.callId && e.route === 'queue'));
      const offered = nextEvent(h, 'call.offered');
      const distress = h.caller({ caller: '13900000002', presses: ['1'] });
      await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === distress.call.callId && e.route === 'queue'));
      h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
      const pop = await h.time.until(offered);
      t.equal(pop.callId, distress.call.callId, 'the distress caller is offered first, though the other waited longer');
      t.equal(pop.distress, true, 'the desk shows it as water distress');
      t.equal(pop.canTransfer, false);
      await h.time.until(new Promise((r) => distress.call.once('connected', r)));
      t.equal(distress.call.log.connected?.station, '801');
      expectDistressTicket(t, h, distress.call.callId, caps, distress.call.log.prompts);
      t.equal(pop.ticketNumber, h.tickets.find((x) => x.urgent)?.number, 'the pop names the urgent ticket');
      waiting.call.hangup();
      await h.time.until(Promise.all([waiting.done, distress.done]));
    });

    t.test('after hours, reaches the agent on duty', async (t) => {
      if (caps.stations === 'none') return; // covered above: no person can talk on this trunk at any hour
      const h = await rig({ start: mondayNight });
      t.teardown(() => h.close());
      h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 10_000 });
      const { done } = h.caller({ caller: '13900000003', presses: ['1'] });
      const log = await h.time.until(done);
      t.equal(log.connected?.station, '801', 'the distress caller is put through at night');
      t.notOk(log.prompts.includes('closed'), 'the closed announcement is not played to a distress caller');
      t.equal(h.center.records.get(log.callId)!.call.after_hours, 1);
    });

    t.test('who hangs up before a person answers is called back first', async (t) => {
      if (caps.stations === 'none') return; // the callback is filed at once, as above
      const h = await rig();
      t.teardown(() => h.close());
      h.agent(1, 'break', '801');
      const { call, done } = h.caller({ caller: '13900000004', presses: ['1'] });
      await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === call.callId && e.route === 'queue'));
      call.hangup();
      await h.time.until(done);
      await h.time.elapse(1000);
      const task = h.center.callbacks.list('pending').find((x) => x.call_id === call.callId);
      t.equal(task?.reason, 'distress');
      t.ok(h.tickets.some((x) => x.callId === call.callId && x.urgent), 'the urgent ticket stays');
    });
  });
}

function expectDistressTicket(t: Test, h: Rig, callId: string, caps: Caps, prompts: string[]): void {
  const rec = h.center.records.get(callId)!;
  t.equal(rec.call.route, 'distress-fallback');
  const ticket = h.tickets.find((x) => x.callId === callId);
  t.ok(ticket?.urgent, 'an urgent ticket is filed at once (the duty phone is alerted)');
  t.match(ticket?.subject, /水上遇险/);
  if (caps.play !== 'none') {
    t.equal(prompts.filter((p) => p === 'distress.announce').length, 2, 'the 12395 announcement, twice');
  }
  t.notOk(prompts.includes('queue.enter'), 'no queue prompt');
}

/** A trunk with no station (C5): whoever wants a person leaves a message or a ticket, with a callback. */
function noStationScenarios(t: Test, rig: RigFactory, caps: Caps): void {
  t.test('a caller who wants a person on a trunk with no station leaves a message or a ticket and is called back', async (t) => {
    const h = await rig();
    t.teardown(() => h.close());
    const { done } = h.caller({ caller: '13600000001', presses: ['3'], voicemailMs: 5000 });
    const log = await h.time.until(done);
    t.equal(log.connected, undefined);
    if (caps.record) {
      t.ok(log.prompts.includes('voicemail.start'));
      t.equal(h.center.records.get(log.callId)!.call.outcome, 'voicemail');
      t.equal(h.tickets.filter((x) => x.callId === log.callId).length, 1);
    } else {
      expectMissedCall(t, h, log.callId, '13600000001', 'inquiry', null);
    }
  });
}

/** A trunk that detects no digits (C4): the menu cannot be answered, so everyone reaches a person. */
function noDigitScenarios(t: Test, rig: RigFactory, caps: Caps): void {
  t.test('without digit detection a caller reaches a person without waiting through the menu', async (t) => {
    const h = await rig();
    t.teardown(() => h.close());
    if (caps.stations !== 'none') h.agent(1, 'ready', '801', { answerAfterMs: 1000, talkMs: 5000 });
    const { done } = h.caller({ caller: '13900000002', presses: ['1'] });
    const log = await h.time.until(done);
    t.equal(log.collects, 0, 'no digit is asked for');
    t.notOk(log.prompts.some((p) => p.startsWith('menu.')), 'the menu is not read');
    if (caps.stations !== 'none') t.equal(log.connected?.station, '801', 'a person answers (and hears a distress caller out)');
    else t.ok(h.tickets.some((x) => x.callId === log.callId), 'no person on this trunk: a ticket with a callback');
  });
  afterHoursScenario(t, rig, caps);
}
