// The call engine fuzzed with sequences of commands (issue 13 "Make the classes impossible"): agents going
// ready, on break, into wrap-up and logged out; stations that answer, never answer or vanish; callers who press
// any menu digit (water distress, the queue, the railway/aviation/postal announcement, nothing) and hang up at
// any moment; 12395 answering, busy or failing; time passing — all on the simulated trunk and a virtual clock.
// After every step the invariants of the ACD and the trunk hold; at the end, with 12395 answering and agents
// ready, every caller who stayed on the line reached a person or 12395 (distress) and every call ended.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { VirtualClock } from '../../common/clock.js';
import { SimulatorTrunk, type SimCall, type StationBehaviour } from '../../drivers/simulator/trunk.js';
import { AcdError } from '../../firmware-agent/calls/acd.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';

export type CallCommand =
  | { c: 'ready'; agent: number; station: 'answers' | 'slow' | 'silent' }
  | { c: 'state'; agent: number; state: 'break' | 'wrap-up' | 'logged-out' }
  | { c: 'vanish'; agent: number }
  | { c: 'callback-done'; agent: number }
  | { c: 'call'; digits: string }
  | { c: 'hangup'; call: number }
  | { c: 'outside'; behaviour: 'connected' | 'busy' | 'no-answer' | 'failed' }
  | { c: 'advance'; ms: number };

const agents = [1, 2, 3];
const behaviours: Record<'answers' | 'slow' | 'silent', StationBehaviour> = {
  answers: { answerAfterMs: 2000, talkMs: 60_000 },
  slow: { answerAfterMs: 25_000, talkMs: 30_000 },
  silent: { silent: true },
};

export const callCommand: fc.Arbitrary<CallCommand> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ c: fc.constant('ready' as const), agent: fc.constantFrom(...agents), station: fc.constantFrom('answers' as const, 'slow' as const, 'silent' as const) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('state' as const), agent: fc.constantFrom(...agents), state: fc.constantFrom('break' as const, 'wrap-up' as const, 'logged-out' as const) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('vanish' as const), agent: fc.constantFrom(...agents) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('callback-done' as const), agent: fc.constantFrom(...agents) }) },
  { weight: 4, arbitrary: fc.record({ c: fc.constant('call' as const), digits: fc.constantFrom('1', '2', '3', '0', '5', '9', '', '12') }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('hangup' as const), call: fc.nat({ max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('outside' as const), behaviour: fc.constantFrom('connected' as const, 'busy' as const, 'no-answer' as const, 'failed' as const) }) },
  { weight: 4, arbitrary: fc.record({ c: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 3000, max: 120_000 })) }) },
);

interface Placed {
  call: SimCall;
  digits: string;
  /** The fuzzer hung up for the caller (an abandoned call). */
  hungUp: boolean;
}

export interface CallRunReport {
  calls: number;
  commands: Record<string, number>;
  outcomes: Record<string, number>;
}

/** Runs one sequence; throws (with the step) when an invariant breaks. */
export async function runCallSequence(commands: CallCommand[]): Promise<CallRunReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-calls-'));
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock();
  const listenerErrors: unknown[] = [];
  const sim = new SimulatorTrunk({ clock, promptMs: () => 1500, onListenerError: (err) => listenerErrors.push(err) });
  let seq = 0;
  const tickets: { urgent: boolean }[] = [];
  const center = new CallCenter({
    db,
    driver: sim,
    clock,
    config: callsConfig({ ivr: { hours: { open: '00:00', close: '24:00', days: 'every-day' } } }, defaultCallsConfig(dir, '623000')),
    tickets: {
      create: (input) => {
        tickets.push({ urgent: !!(input as { urgent?: boolean }).urgent });
        return { number: `6230002026120500${String(++seq).padStart(3, '0')}` };
      },
    },
  });
  const ended = new Map<string, string>();
  const connected = new Map<string, number>();
  const unsubscribe = center.events.subscribe((e: LiveEvent) => {
    if (e.type === 'call.ended') ended.set(e.callId, e.outcome);
    if (e.type === 'call.connected') connected.set(e.callId, e.agentId);
  });
  await center.start();
  const placed: Placed[] = [];
  const stationKind = new Map<string, keyof typeof behaviours>();
  const report: CallRunReport = { calls: 0, commands: {}, outcomes: {} };
  let step = -1;
  const fail = (what: string): never => {
    throw new Error(`step ${step} (${JSON.stringify(commands[step] ?? 'final')}): ${what}`);
  };

  const check = () => {
    if (listenerErrors.length) fail(`a trunk listener threw: ${String(listenerErrors[0])}`);
    const onCall = new Map<string, number>();
    const reserved = new Map<string, number>();
    for (const a of center.acd.agents.values()) {
      if (a.callId) {
        if (onCall.has(a.callId)) fail(`call ${a.callId} is with agents ${onCall.get(a.callId)} and ${a.id}`);
        onCall.set(a.callId, a.id);
        if (a.state !== 'on-call') fail(`agent ${a.id} holds call ${a.callId} in state ${a.state}`);
      }
      if (a.state === 'on-call' && !a.callId && !a.callbackId) fail(`agent ${a.id} is on a call with no call`);
      if (a.reservedFor) {
        if (reserved.has(a.reservedFor)) fail(`call ${a.reservedFor} offered to agents ${reserved.get(a.reservedFor)} and ${a.id}`);
        reserved.set(a.reservedFor, a.id);
        if (a.state !== 'ready') fail(`agent ${a.id} is rung for ${a.reservedFor} while ${a.state}`);
      }
    }
    for (const [callId] of onCall) if (reserved.has(callId)) fail(`call ${callId} is both connected and being offered`);
    const q = center.acd.queueSnapshot();
    const ids = q.waiting.map((w) => w.callId);
    if (new Set(ids).size !== ids.length) fail(`a call waits twice in the queue: ${ids.join(',')}`);
    for (const id of ids) if (onCall.has(id)) fail(`call ${id} waits in the queue while connected`);
    // Distress callers are queued ahead of everyone else.
    let seenOrdinary = false;
    for (const w of q.waiting) {
      const p = placed.find((x) => x.call.callId === w.callId);
      const distress = p?.digits.startsWith('1') ?? false;
      if (w.kind === 'call' && distress && seenOrdinary) fail(`a distress caller (${w.callId}) waits behind an ordinary one`);
      if (w.kind === 'call' && !distress) seenOrdinary = true;
    }
  };

  // An agent who was given a callback task (a caller who left, a distress caller who hung up) calls back and
  // marks it done, as the desk does.
  const callbackDone = (agentId: number) => {
    const a = center.acd.agents.get(agentId);
    if (a?.callbackId) center.callbacks.complete(a.callbackId, a.id, null, a.name);
  };

  const apply = async (cmd: CallCommand) => {
    report.commands[cmd.c] = (report.commands[cmd.c] ?? 0) + 1;
    switch (cmd.c) {
      case 'ready': {
        const station = `80${cmd.agent}`;
        if (!sim.hasStation(station)) {
          sim.addStation(station, behaviours[cmd.station]);
          stationKind.set(station, cmd.station);
        }
        try {
          center.acd.setState({ agentId: cmd.agent, name: `agent${cmd.agent}`, state: 'ready', station });
        } catch (err) {
          if (!(err instanceof AcdError) || err.code !== 'agent-state-invalid') throw err;
        }
        break;
      }
      case 'state':
        try {
          center.acd.setState({ agentId: cmd.agent, name: `agent${cmd.agent}`, state: cmd.state });
        } catch (err) {
          if (!(err instanceof AcdError) || (err.code !== 'agent-state-invalid' && err.code !== 'station-required')) throw err;
        }
        break;
      case 'vanish':
        if (sim.hasStation(`80${cmd.agent}`)) sim.removeStation(`80${cmd.agent}`);
        break;
      case 'callback-done':
        callbackDone(cmd.agent);
        break;
      case 'call': {
        const call = sim.placeCall({ caller: `1380013${String(placed.length).padStart(4, '0')}` });
        const p: Placed = { call, digits: cmd.digits, hungUp: false };
        placed.push(p);
        report.calls++;
        // The caller presses the digits when the menu first asks; an empty string waits out the menu.
        if (cmd.digits) call.once('collect', () => call.press(cmd.digits));
        break;
      }
      case 'hangup': {
        const p = placed[cmd.call % Math.max(1, placed.length)];
        if (p && !p.call.log.hangup) {
          p.hungUp = true;
          p.call.hangup();
        }
        break;
      }
      case 'outside':
        sim.setOutside('12395', cmd.behaviour);
        break;
      case 'advance':
        await clock.advance(cmd.ms);
        break;
    }
    await clock.advance(0);
  };

  try {
    for (step = 0; step < commands.length; step++) {
      await apply(commands[step]!);
      check();
    }
    step = commands.length;
    // The end of the shift: 12395 answers, every station is back and answers, every agent is ready; time passes.
    sim.setOutside('12395', 'connected');
    const backToWork = () => {
      for (const a of agents) {
        const station = `80${a}`;
        const now = center.acd.agents.get(a);
        callbackDone(a);
        if (now?.callId || now?.reservedFor) continue; // on a call or being rung: leave them be
        if (stationKind.get(station) !== 'answers' || !sim.hasStation(station)) {
          if (sim.hasStation(station)) sim.removeStation(station);
          sim.addStation(station, behaviours.answers);
          stationKind.set(station, 'answers');
        }
        try {
          center.acd.setState({ agentId: a, name: `agent${a}`, state: 'ready', station });
        } catch (err) {
          if (!(err instanceof AcdError) || err.code !== 'agent-state-invalid') throw err;
        }
      }
    };
    for (let i = 0; i < 60; i++) {
      backToWork();
      await clock.advance(30_000);
      check();
    }
    for (const p of placed) {
      const log = p.call.log;
      if (p.hungUp) continue;
      const reached = !!log.connected || log.transferredTo !== undefined;
      if (p.digits.startsWith('1') && !reached) fail(`the distress caller ${log.callId} stayed on the line and reached neither 12395 nor a person: ${JSON.stringify(log)}`);
      if (!log.hangup) {
        const agentsNow = center.acd.agentList().map((a) => `${a.agentId}:${a.state}${a.callId ? `@${a.callId}` : ''}`);
        fail(`call ${log.callId} (digits ${JSON.stringify(p.digits)}) never ended; agents ${agentsNow.join(' ')}; queue ${JSON.stringify(center.acd.queueSnapshot().waiting)}; stations rung ${log.stationsRung.join(',')}`);
      }
      if (!ended.has(log.callId)) fail(`call ${log.callId} ended on the trunk but the engine never reported its end`);
    }
    for (const p of placed) if (!p.call.log.hangup) p.call.hangup();
    await clock.advance(60_000);
    check();
    if (center.acd.queueSnapshot().waiting.some((w) => w.kind === 'call')) fail(`calls still queued after every caller left: ${JSON.stringify(center.acd.queueSnapshot().waiting)}`);
    for (const a of center.acd.agents.values()) if (a.callId || a.reservedFor) fail(`agent ${a.id} still holds ${a.callId ?? a.reservedFor} after every caller left`);
    for (const o of ended.values()) report.outcomes[o] = (report.outcomes[o] ?? 0) + 1;
    return report;
  } finally {
    unsubscribe();
    await center.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
