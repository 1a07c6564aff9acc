// The scenario rig (scenarios.ts) on the E1 driver: a CallCenter on E1PriDriver (span worker in a child
// process), the telco simulator (libpri in NETWORK mode) connected over a SOCK_SEQPACKET socket, real time;
// or (`media: 'dahdi'`) over DAHDI device files stood in for by the LD_PRELOAD shim and a simulated card.
//
// - Callers are telco lines: they dial in, and press each digit as in-band DTMF when the box starts
//   collecting; the voicemail caller speaks real (espeak-ng) speech, then presses #.
// - Agent stations are numbers the box dials on the span; the telco answers them after the station's
//   ring time, hangs up after its talk time, never answers a silent one, and refuses a removed one with
//   cause 27 (destination out of order), or clears its ring with that cause when it vanishes mid-ring.
// - Prompts are the real espeak-ng + sox prompts (through the prompt cache; npm test shares one, EDGEBOX_PROMPT_CACHE),
//   cut to `promptMs` / scale, as the simulator rig plays every prompt for 2 s of virtual time.
// - Scenario time runs `scale` times faster: the rig divides the queue timings (announcement period, max
//   wait, ring timeout, wrap-up, handle estimate, voicemail length), station and caller timings by `scale`
//   in its own copy of the configuration. The digit timeout is not scaled: DTMF takes real time to press.
// - Business hours come from the centre's clock, shifted so the run starts at the scenario's start time.
//
// The caller-side log (prompts, collects, stations rung, connected, transferred) is what the box commanded
// the driver, observed by a pass-through TrunkDriver between the CallCenter and E1PriDriver
// (e1-rig-observed.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { CAUSE } from '../../drivers/e1-pri/binding/constants.js';
import { loadPromptAlaw } from '../../drivers/media/wav.js';
import { TelcoSim, type IncomingBehaviour, type SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import type { CallerScript } from '../../drivers/simulator/callers.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { promptsOf } from '../helpers/prompts.js';
import { dchannelUp, dahdiSetup } from './e1-harness.js';
import type { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';
import { ObservedTrunk, RigCall } from './e1-rig-observed.js';
import { realTime, rigCenter, scaledConfig, scheduler } from './kit.js';
import { mondayMorning, type Rig, type RigOptions } from './scenarios.js';

export interface E1RigSettings {
  /** Scenario time runs this many times faster than wall time. Default 10. */
  scale?: number;
  /** Scenario length of every prompt, ms (the simulator rig's). Default 2000. */
  promptMs?: number;
  /** A wait in `time.until` longer than this (wall time) fails the scenario, ms. Default 60 000. */
  untilLimitMs?: number;
  /**
   * Start the next scenario's span (worker process, telco, D-channel up) while this one runs, so a suite
   * does not wait for a worker to start before each scenario. The test file must then call `dispose()`
   * (t.teardown) to stop the spare. Default false.
   */
  prewarm?: boolean;
  /**
   * What carries the span: `socket` (default) — D-channel on a SEQPACKET socket, audio on the media
   * socket; `dahdi` — the D-channel device /dev/dahdi/16 and the B-channels on /dev/dahdi/channel, in a
   * span worker with the DAHDI stand-in preloaded (test/fixtures/dahdi-shim) and a simulated card.
   */
  media?: 'socket' | 'dahdi';
}

export type E1RigFactory = ((options?: RigOptions) => Promise<E1Rig>) & {
  /** Stop the prewarmed spare span, if any. */
  dispose(): Promise<void>;
};

/** The rig, with the E1 parts for tests that look at the span itself. */
export interface E1Rig extends Rig {
  driver: E1PriDriver;
  telco: TelcoSim;
  /** The telco line of a caller (by call id), e.g. to look at the audio the box sent. */
  lineOf(callId: string): SimLine | undefined;
}

/** Real timers; `now()` reads as if the run started at `start` (movable with `shiftTo`). */
export function shiftedClock(start: number): Clock & { shiftTo(start: number): void } {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
    shiftTo(s: number) {
      offset = s - Date.now();
    },
  };
}

/** One E1 span for one scenario: the driver's worker running, the telco connected, the D-channel up. */
interface Span {
  dir: string;
  card?: DahdiCard;
  driver: E1PriDriver;
  telco: TelcoSim;
  clock: ReturnType<typeof shiftedClock>;
  /** How the telco treats the box's outgoing calls; set by the scenario's rig. */
  behaviour: { current: (called: string) => IncomingBehaviour };
}

async function openSpan(media: 'socket' | 'dahdi'): Promise<Span> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-rig-'));
  const dahdi = media === 'dahdi' ? await dahdiSetup(dir, { dchannelViaCard: true }) : undefined;
  const dchannel = dahdi?.dchannel ?? path.join(dir, 'd');
  const clock = shiftedClock(mondayMorning);
  const behaviour: Span['behaviour'] = { current: () => ({ kind: 'answer' }) };
  const driver = new E1PriDriver({
    config: { dchannel, restartBackoffMs: { initial: 50, max: 1000 }, ...dahdi?.config },
    clock,
    ...(dahdi ? { workerEnv: dahdi.workerEnv } : {}),
  });
  const telco = new TelcoSim({
    dchannel,
    behaviour: (called) => behaviour.current(called),
    ...(dahdi ? { card: dahdi.card, dchannelViaCard: true } : {}),
  });
  try {
    await driver.start();
    const up = dchannelUp(driver);
    await telco.connect();
    await up;
  } catch (e) {
    telco.close();
    await driver.stop().catch(() => {});
    dahdi?.card.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, driver, telco, clock, behaviour, ...(dahdi ? { card: dahdi.card } : {}) };
}

async function closeSpan(s: Span): Promise<void> {
  s.telco.close();
  await s.driver.stop().catch(() => {});
  s.card?.close();
  fs.rmSync(s.dir, { recursive: true, force: true });
}


interface Station {
  answerAfterMs: number;
  talkMs: number;
  silent: boolean;
}

/** DTMF as a telephone sends it: 70 ms tones, 70 ms gaps, -12 dBm0 per tone (Q.23/Q.24). */
const PRESS = { onMs: 70, offMs: 70, levelDbm0: -12 } as const;

/** A rig factory for scenarios.ts on the E1 driver. */
export function e1Rig(settings: E1RigSettings = {}): E1RigFactory {
  const scale = settings.scale ?? 10;
  const promptMs = settings.promptMs ?? 2000;
  const untilLimitMs = settings.untilLimitMs ?? 60_000;
  const media = settings.media ?? 'socket';
  const open = () => openSpan(media);
  const wall = (ms: number) => ms / scale;
  let spare: Promise<Span> | undefined;
  const take = (): Promise<Span> => {
    const span = spare ?? open();
    spare = undefined;
    if (settings.prewarm) {
      spare = span.then(open, open); // one worker start at a time
      spare.catch(() => {}); // a failed spare fails the scenario that takes it
    }
    return span;
  };

  const factory = async (options: RigOptions = {}): Promise<E1Rig> => {
    const prompts = await promptsOf(wall(promptMs));
    const span = await take();
    const { dir, driver, telco, clock } = span;
    clock.shiftTo(options.start ?? mondayMorning);
    // A caller's or station's action that throws is kept and fails close(), not the test process.
    const { later, errors, clear: clearTimers } = scheduler(wall);

    // The validated scenario settings, with this rig's time scale applied to its own copy.
    const config = scaledConfig(options.config, dir, prompts.cut, wall);

    const byChannel = new Map<number, RigCall>();
    const byId = new Map<string, RigCall>();
    const callLines = new Map<RigCall, SimLine>();
    const lines = new Map<string, SimLine>();
    // Registered before the call centre's listeners, so a call is bound before its flow starts.
    driver.on('offered', (o) => {
      const ch = Number(/ch(\d+)$/.exec(o.channel)?.[1]);
      const c = byChannel.get(ch);
      if (!c) return;
      byChannel.delete(ch);
      c.bind(o.callId);
      byId.set(o.callId, c);
      lines.set(o.callId, callLines.get(c)!);
    });
    driver.on('hangup', (e) => {
      const c = byId.get(e.callId);
      if (!c) return;
      byId.delete(e.callId);
      c.log.hangup = e;
      c.finish();
    });
    driver.on('failed', (f) => {
      for (const id of f.callIds) {
        const c = byId.get(id);
        if (!c) continue;
        byId.delete(id);
        c.log.failed = true;
        c.finish();
      }
    });
    const observed = new ObservedTrunk(driver, (id) => byId.get(id), () => clock.now(), driver.config.channels.length);

    const { db, center, tickets, events } = await rigCenter({ driver: observed, config, clock });

    const stations = new Map<string, Station>();
    const removed = new Set<string>();
    const stationLines = new Map<string, SimLine>();
    const behaviour = (called: string): IncomingBehaviour => {
      const s = stations.get(called);
      if (s) return s.silent ? { kind: 'no-answer' } : { kind: 'answer', afterMs: wall(s.answerAfterMs) };
      if (removed.has(called)) return { kind: 'reject', cause: CAUSE.DESTINATION_OUT_OF_ORDER };
      return { kind: 'answer' }; // 12395, 12306 …: the other hotline answers at once
    };
    span.behaviour.current = behaviour;
    telco.on('incoming', (line) => {
      const s = stations.get(line.called);
      if (!s) return;
      stationLines.set(line.called, line);
      line.on('state', (st) => {
        if (st === 'answered' && Number.isFinite(s.talkMs)) later(s.talkMs, () => line.hangup());
      });
      line.once('released', () => {
        if (stationLines.get(line.called) === line) stationLines.delete(line.called);
      });
    });
    let voice: Buffer | undefined;
    const speech = async (scenarioMs: number): Promise<Buffer> => {
      voice ??= await loadPromptAlaw(path.join(prompts.full, 'welcome.wav'));
      const bytes = Math.round((wall(scenarioMs) * 8000) / 1000);
      const out = Buffer.alloc(bytes);
      for (let i = 0; i < bytes; i += voice.length) voice.copy(out, i, 0, Math.min(voice.length, bytes - i));
      return out;
    };

    const rig: E1Rig = {
      center,
      tickets,
      events,
      driver,
      telco,
      lineOf: (id) => lines.get(id),
      agent(id, state, station = `80${id}`, b = {}) {
        if (!stations.has(station)) {
          stations.set(station, { answerAfterMs: b.answerAfterMs ?? 3000, talkMs: b.talkMs ?? 90_000, silent: b.silent ?? false });
        }
        removed.delete(station);
        center.acd.setState({ agentId: id, name: `agent${id}`, state, station, skills: b.skills ?? [] });
      },
      removeStation(station) {
        stations.delete(station);
        removed.add(station);
        const l = stationLines.get(station);
        // Unplugged mid-ring: the exchange clears the ring (Q.850 cause 27, destination out of order).
        if (l && l.state !== 'answered' && l.state !== 'released') l.hangup(CAUSE.DESTINATION_OUT_OF_ORDER);
      },
      caller(script: CallerScript) {
        const called = script.called ?? '12328';
        const line = telco.placeCall({ caller: script.caller ?? '', called });
        const call = new RigCall(script.caller, called, () => line.hangup());
        callLines.set(call, line);
        byChannel.set(line.channel, call);
        const mine = new Set<NodeJS.Timeout>();
        const press = (digits: string) => {
          if (line.state !== 'released') line.pressDigits(digits, PRESS);
        };
        const presses = [...(script.presses ?? [])];
        call.on('collect', () => {
          const next = presses.shift();
          if (next !== undefined) later(script.thinkMs ?? 800, () => press(next));
        });
        if (script.eager) call.once('answered', () => press(presses.splice(0).join('')));
        call.on('record', (o) => {
          if (o.background) return;
          // Speak, then press # (both queued on the line, in that order).
          speech(script.voicemailMs ?? 8000)
            .then((audio) => {
              if (line.state !== 'released') line.play(audio);
            })
            .catch(() => undefined) // no voice to play: the caller presses # at once
            .then(() => press('#'));
        });
        const hangUpLater = (ms: number) => {
          const t = later(ms, () => line.hangup());
          mine.add(t);
          return t;
        };
        if (script.patienceMs !== undefined && Number.isFinite(script.patienceMs)) {
          const t = hangUpLater(script.patienceMs);
          const calm = () => clearTimeout(t);
          call.on('connected', calm);
          call.on('transferred', calm);
        }
        if (script.hangUpAfterMs !== undefined) hangUpLater(script.hangUpAfterMs);
        const done = call.ended.then((log) => {
          for (const t of mine) clearTimeout(t);
          return log;
        });
        return { call, done };
      },
      time: realTime('e1 rig', untilLimitMs, wall),
      async close() {
        clearTimers();
        await center.stop();
        await closeSpan(span);
        db.close();
        if (errors.length) throw new Error(`e1 rig: a scripted caller or station failed: ${String(errors[0])}`, { cause: errors[0] });
      },
    };
    return rig;
  };
  return Object.assign(factory, {
    async dispose() {
      const s = await spare?.catch(() => undefined);
      spare = undefined;
      if (s) await closeSpan(s);
    },
  });
}
