// The scenario rig (scenarios.ts) on the serial-AT GSM driver: a CallCenter on a gateway of simulated GSM
// modules, each on its own real socat ptys (AT port, and a voice port where the profile has one), the driver
// (GsmModem + VoicePort + SerialAtTrunk per module, SerialAtGroup over them) on the near ends. Real time.
//
// - Lines: `modules` modules answer 12328 (default 2, enough for the suite's two concurrent callers), and one
//   more answers the legacy number 96196 — a gateway has one SIM per number, so the legacy scenario dials
//   the module whose `called` is that number (no relabelling). A caller rings a free module of the number
//   dialled; when none is free the caller waits for one, as on a busy gateway.
// - Profiles:
//   `voice-port` (default): the module carries the call's audio to the box (SIMCom AT+CPCMREG or Quectel
//     AT+QPCMV): prompts are heard as audio, the caller's keys are real DTMF tones in the audio (the box's
//     detector), the voicemail caller speaks real espeak-ng speech.
//   `module-files`: no voice port; the box's prompts are uploaded to the module and played there
//     (AT+QFUPL + AT+QPSND / AT+CFTRANRX + AT+CCMXPLAY), keys come from the module's detector URC, the
//     voicemail is recorded by the module (AT+QAUDRD / AT+CREC) and fetched (AT+QFDWL / AT+CFTRANTX).
// - Agents sit at the gateway's local audio ports (`stations` 'local'): a station "answers" at once; the
//   conversation lasts the station's talk time and then the caller hangs up (a local handset has no hook the
//   module could report).
// - Scenario time runs `scale` times faster (queue timings, voicemail length, caller timings); the digit
//   timeout is not scaled (DTMF takes real time). Prompts are the real espeak-ng + sox prompts, cut to
//   `promptMs` / scale.
import fs from 'node:fs';
import path from 'node:path';
import type { PcmFamily } from '../../drivers/serial-at/modem.js';
import { isSerialAtError } from '../../drivers/serial-at/errors.js';
import { SerialAtGroup } from '../../drivers/serial-at/group.js';
import type { CallerScript } from '../../drivers/simulator/callers.js';
import { promptsOf } from '../helpers/prompts.js';
import { shiftedClock } from './e1-rig.js';
import { ObservedTrunk, RigCall } from './e1-rig-observed.js';
import { playCallerScript, realTime, rigCenter, scaledConfig, scheduler, speechOf } from './kit.js';
import { mondayMorning, type Rig, type RigOptions } from './scenarios.js';
import { gsmVoiceRig, type GsmVoiceRig } from './serial-at-voice-harness.js';

export interface GsmRigSettings {
  scale?: number;
  promptMs?: number;
  untilLimitMs?: number;
  family?: PcmFamily;
  /** `plain`: no voice port, no TTS, no files — silent prompts, the module's detector, no recording. */
  profile?: 'voice-port' | 'module-files' | 'plain';
  /** Modules answering 12328 (default 2). */
  modules?: number;
}

export interface GsmRig extends Rig {
  lines: GsmVoiceRig[];
  group: SerialAtGroup;
  /** The module that carried a call. */
  lineOf(callId: string): GsmVoiceRig | undefined;
  promptsDir: string;
}

/**
 * A caller's call. A local audio port "answers" in the same turn as the pop reaches the desk, so a scenario that
 * waits for `connected` after seeing the pop would wait for an event already past: `once('connected')` on a call
 * that is connected calls back at once (in a microtask), as if the caller said "I am through".
 */
function lateConnected(call: RigCall): RigCall {
  const once = call.once.bind(call) as (event: string, listener: (...a: unknown[]) => void) => RigCall;
  Object.assign(call, {
    once(event: string, listener: (...a: unknown[]) => void) {
      const connected = call.log.connected;
      if (event === 'connected' && connected) {
        queueMicrotask(() => listener(connected.station));
        return call;
      }
      return once(event, listener);
    },
  });
  return call;
}

const STATIONS = ['801', '802', '803', '804', '805', '806'];

/** A rig factory for scenarios.ts on the serial-AT driver with simulated GSM modules. */
export function gsmRig(settings: GsmRigSettings = {}): (options?: RigOptions) => Promise<GsmRig> {
  const scale = settings.scale ?? 10;
  const promptMs = settings.promptMs ?? 2000;
  const untilLimitMs = settings.untilLimitMs ?? 60_000;
  const family = settings.family ?? 'simcom';
  const profile = settings.profile ?? 'voice-port';
  const wall = (ms: number) => ms / scale;

  return async (options: RigOptions = {}): Promise<GsmRig> => {
    const prompts = await promptsOf(wall(promptMs));
    const clock = shiftedClock(options.start ?? mondayMorning);
    const numbers = [...Array.from({ length: settings.modules ?? 2 }, () => '12328'), '96196'];
    const lines: GsmVoiceRig[] = [];
    try {
      for (const [i, called] of numbers.entries()) {
        lines.push(
          await gsmVoiceRig({
            family,
            clock,
            ...(profile !== 'voice-port' ? { voice: false as const } : {}),
            trunk: {
              channel: `gsm${i}`,
              called,
              stations: STATIONS,
              // A silent prompt lasts as long as the rig's cut prompts (scenario time scaled like them).
              promptPauseMs: wall(promptMs),
              ...(profile === 'module-files' ? { voice: undefined, moduleFiles: { family, play: true, record: true, promptsDir: prompts.cut } } : {}),
              ...(profile === 'plain' ? { voice: undefined } : {}),
            },
          }),
        );
      }
    } catch (e) {
      for (const l of lines) await l.close().catch(() => undefined);
      throw e;
    }
    const group = new SerialAtGroup(
      lines.map((l) => l.trunk),
      { clock },
    );
    await group.start();
    const dir = lines[0]!.dir;
    const { later, errors, clear: clearTimers } = scheduler(wall);

    const config = scaledConfig(options.config, fs.mkdtempSync(path.join(dir, 'calls-')), prompts.cut, wall);

    // Which module each waiting or ringing caller is on.
    const busy = new Map<GsmVoiceRig, RigCall>();
    const waiting: RigCall[] = [];
    const scripts = new Map<RigCall, CallerScript>();
    const byId = new Map<string, RigCall>();
    const lineById = new Map<string, GsmVoiceRig>();
    const ringingOn = new Map<GsmVoiceRig, RigCall>();
    for (const line of lines) {
      // Registered before the centre's listeners (through the group), so a call is bound before its flow starts.
      line.trunk.on('offered', (o) => {
        const c = ringingOn.get(line);
        if (!c) return;
        ringingOn.delete(line);
        c.bind(o.callId);
        byId.set(o.callId, c);
        lineById.set(o.callId, line);
      });
    }
    const free = (line: GsmVoiceRig) => {
      busy.delete(line);
      const i = waiting.findIndex((c) => calledOf(c) === numbers[lines.indexOf(line)]);
      if (i >= 0) ring(waiting.splice(i, 1)[0]!, line);
    };
    const end = (id: string, fill: (c: RigCall) => void) => {
      const c = byId.get(id);
      if (!c) return;
      byId.delete(id);
      fill(c);
      c.finish();
      const line = lineById.get(id);
      if (line && busy.get(line) === c) free(line);
    };
    group.on('hangup', (e) => end(e.callId, (c) => (c.log.hangup = e)));
    group.on('failed', (f) => {
      for (const id of f.callIds) end(id, (c) => (c.log.failed = true));
    });
    const observed = new ObservedTrunk(group, (id) => byId.get(id), () => clock.now(), lines.length);

    const sms: NonNullable<Rig['sms']> = [];
    const { db, center, tickets, events } = await rigCenter({
      driver: observed,
      config,
      clock,
      sms: (to, text, ticketNumber) => {
        sms.push({ to, text, ticketNumber });
        lines[0]!.modem.sendSms(to, text).catch((e: unknown) => {
          if (!isSerialAtError(e, 'SERIAL_AT_STOPPED')) errors.push(e); // the rig closed before it went out
        });
      },
    });

    const speech = speechOf(prompts.full, wall);

    const calledOf = (c: RigCall) => scripts.get(c)?.called ?? '12328';
    const ring = (call: RigCall, line: GsmVoiceRig) => {
      busy.set(line, call);
      ringingOn.set(line, call);
      line.sim.ring(scripts.get(call)!.caller ?? null);
    };
    const freeLine = (called: string) => lines.find((l, i) => numbers[i] === called && !busy.has(l));

    const rig: GsmRig = {
      center,
      tickets,
      sms,
      events,
      lines,
      group,
      promptsDir: prompts.cut,
      lineOf: (id) => lineById.get(id),
      agent(id, state, station = `80${id}`, b = {}) {
        talk.set(station, b.talkMs ?? 90_000);
        center.acd.setState({ agentId: id, name: `agent${id}`, state, station, skills: b.skills ?? [] });
      },
      removeStation() {
        // A local audio port cannot vanish mid-ring: it is never rung (stations 'local').
      },
      caller(script: CallerScript) {
        const called = script.called ?? '12328';
        const call: RigCall = lateConnected(new RigCall(script.caller, called, () => {
          const line = call.callId ? lineById.get(call.callId) : [...busy].find(([, c]) => c === call)?.[0];
          if (line) line.sim.callerHangsUp();
          else {
            const i = waiting.indexOf(call);
            if (i >= 0) waiting.splice(i, 1);
            call.finish();
          }
        }));
        scripts.set(call, script);
        const { done, hangUpLater } = playCallerScript(
          call,
          script,
          {
            press(digits) {
              const line = lineById.get(call.callId);
              if (!line || byId.get(call.callId) !== call) return;
              // With a voice port the keys are tones in the audio the box hears; without, the module's detector.
              if (profile === 'voice-port') void line.voice.press(digits, { onMs: 70, offMs: 70, levelDbm0: -12 });
              else line.sim.callerPresses(digits);
            },
            speak(pcm) {
              const line = lineById.get(call.callId);
              if (!line) return;
              return profile === 'voice-port' ? line.voice.speak(pcm) : line.sim.callerSpeaks(pcm);
            },
          },
          { later, speech },
        );
        // A station's talk time: the conversation lasts that long, then the caller hangs up.
        call.on('connected', (station) => {
          const ms = talk.get(station) ?? 90_000;
          if (Number.isFinite(ms)) hangUpLater(ms);
        });
        const line = freeLine(called);
        if (line) ring(call, line);
        else waiting.push(call);
        return { call, done };
      },
      time: realTime('gsm rig', untilLimitMs, wall),
      async close() {
        clearTimers();
        await center.stop();
        for (const l of lines) await l.close();
        db.close();
        if (errors.length) throw new Error(`gsm rig: a scripted caller failed: ${String(errors[0])}`, { cause: errors[0] });
      },
    };
    const talk = new Map<string, number>();
    return rig;
  };
}
