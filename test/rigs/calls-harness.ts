// A fresh call centre on the simulated trunk for each scenario: in-memory store, virtual clock (Monday
// 2026-11-30 10:00 China time unless told otherwise), tickets captured by a fake sink.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../common/clock.js';
import { runCaller } from '../../drivers/simulator/callers.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import type { TrunkCapabilities } from '../../drivers/trunk/types.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig, type CallsConfig, type DeepPartial } from '../../firmware-agent/calls/config.js';
import type { CallTicketInput } from '../../firmware-agent/calls/context.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import type { Db } from '../../firmware-agent/store/db.js';
import { rigCenter } from './kit.js';
import { mondayMorning, type Rig, type RigOptions } from './scenarios.js';

export interface Harness {
  db: Db;
  clock: VirtualClock;
  sim: SimulatorTrunk;
  center: CallCenter;
  tickets: (CallTicketInput & { number: string })[];
  /** SMS the centre sent to callers (the missed-call notice). */
  sms: { to: string; text: string; ticketNumber: string }[];
  events: LiveEvent[];
  dir: string;
  /** Put an agent on a simulated station and set their state. */
  agent(id: number, state: 'ready' | 'break', station?: string, opts?: { talkMs?: number; answerAfterMs?: number; silent?: boolean; skills?: string[] }): void;
  close(): Promise<void>;
}

export { mondayMorning, mondayNight } from './scenarios.js';

export interface HarnessOptions {
  start?: number;
  config?: DeepPartial<CallsConfig>;
  /** Run the simulated trunk with another driver's capability profile (drivers/trunk/types.ts). */
  capabilities?: Partial<TrunkCapabilities>;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calls-'));
  const clock = new VirtualClock(options.start ?? mondayMorning);
  const sim = new SimulatorTrunk({ clock, promptMs: () => 2000, ...(options.capabilities ? { capabilities: options.capabilities } : {}) });
  const config = callsConfig(options.config ?? {}, defaultCallsConfig(dir, '623000'));
  const sms: Harness['sms'] = [];
  const { db, center, tickets, events } = await rigCenter({ driver: sim, config, clock, sms: (to, text, ticketNumber) => sms.push({ to, text, ticketNumber }) });
  return {
    db,
    clock,
    sim,
    center,
    tickets,
    sms,
    events,
    dir,
    agent(id, state, station = `80${id}`, opts = {}) {
      if (!sim.hasStation(station)) sim.addStation(station, opts);
      center.acd.setState({ agentId: id, name: `agent${id}`, state, station, skills: opts.skills ?? [] });
    },
    async close() {
      await center.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The scenario rig (scenarios.ts) on the simulated trunk: scenario time is the virtual clock. */
export async function simRig(options: RigOptions = {}, capabilities?: Partial<TrunkCapabilities>): Promise<Rig> {
  const h = await harness({ ...options, ...(capabilities ? { capabilities } : {}) });
  return {
    center: h.center,
    tickets: h.tickets,
    sms: h.sms,
    events: h.events,
    agent: (id, state, station, behaviour) => h.agent(id, state, station, behaviour),
    removeStation: (station) => h.sim.removeStation(station),
    caller: (script) => runCaller(h.sim, script),
    time: {
      until: (p) => h.clock.until(p),
      elapse: (ms) => h.clock.advance(ms),
    },
    close: () => h.close(),
  };
}
